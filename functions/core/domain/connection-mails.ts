/** The follow-up mail after an event: one per person, offering to connect with the person they met. */
import { plainMail, type Mail } from './emails.js';

/** Why the two are offered to connect, as the mail and the connect page both say it. */
export const followUpReason = (why: 'met' | 'introduced', otherName: string, title: string) =>
  why === 'met' ? `You met ${otherName} at ${title}.` : `You and ${otherName} were introduced at ${title}.`;

export const followUpMail = (f: { associationName: string; title: string; name: string; otherName: string; why: 'met' | 'introduced'; connectUrl: string }): Mail =>
  plainMail(
    f.associationName,
    `Stay in touch with ${f.otherName}`,
    [
      `Hello ${f.name},`,
      followUpReason(f.why, f.otherName, f.title),
      `Would you like to add each other to your network? If you both click, you will find each other in "My network". If not, nothing happens and nobody is told.`,
    ],
    { label: `Connect with ${f.otherName}`, url: f.connectUrl },
  );
