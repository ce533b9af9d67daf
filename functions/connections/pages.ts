/**
 * The pages behind the "connect" link of the follow-up mail (docs/connections.md, "Follow-up
 * after events"): the question, the answer to a first click and to the second, and a refused
 * link. Free of I/O. A first click reads the same whatever the other person did.
 */
import type { Reply } from '../core/http/router.js';
import { linkPage } from '../core/http/link-page.js';
import { LINK_TTL_SECONDS } from '../core/http/links.js';
import { followUpReason } from '../core/domain/connection-mails.js';

const MY_NETWORK = { label: 'Go to My network', path: '/account/network' };
const linkDays = Math.round(LINK_TTL_SECONDS.connect! / 86_400);
const askElsewhere = 'You can still ask to connect from My matches on your account page, or from your association’s members directory.';

export interface ConnectPageFacts {
  associationName: string;
  eventTitle: string;
  otherName: string;
  why: 'met' | 'introduced';
}

/** GET: the question, with the one button that records a yes (opening the link changes nothing). */
export const connectQuestionPage = (f: ConnectPageFacts, token: string): Reply =>
  linkPage({
    eyebrow: f.associationName,
    title: `Stay in touch with ${f.otherName}`,
    paragraphs: [followUpReason(f.why, f.otherName, f.eventTitle), 'If you both say yes, you will find each other in My network. If not, nothing happens and nobody is told.'],
    button: { label: `Connect with ${f.otherName}`, action: `?token=${encodeURIComponent(token)}` },
  });

/** POST: the answer to a yes; connected once both said it. */
export const connectAnswerPage = (f: ConnectPageFacts, connected: boolean): Reply =>
  connected
    ? linkPage({ eyebrow: f.associationName, title: 'You are connected', notice: `You and ${f.otherName} are connected: you will find each other in My network.`, link: MY_NETWORK })
    : linkPage({
        eyebrow: f.associationName,
        title: 'You said yes',
        notice: `Noted. If ${f.otherName} says yes too, you will find each other in My network.`,
        paragraphs: ['Nobody is told anything unless you both say yes.'],
        link: MY_NETWORK,
      });

/** A link refused: expired (410) or not one we sent (400, also a link for another event). Same status as the problem JSON. */
export const connectRefusedPage = (status: 400 | 410, associationName?: string): Reply =>
  status === 410
    ? linkPage({ status, eyebrow: associationName, title: 'This link has expired', paragraphs: [`Links to stay in touch work for ${linkDays} days after the mail.`, askElsewhere], link: MY_NETWORK })
    : linkPage({ status, eyebrow: associationName, title: 'This link does not work', paragraphs: ['It may have been cut short on its way from the mail. Open it again from the mail itself.', askElsewhere], link: MY_NETWORK });
