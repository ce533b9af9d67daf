/** Lambda for matchmaking: preview, send, the organizer's view, attendees' matches, feedback, intros. */
import { httpHandler, json } from '../core/http/router.js';
import { rateLimiting } from '../core/http/rate-limit.js';
import { matchingRoutes } from '../core/routes/matching.js';
import { paging } from '../core/http/paging.js';
import { apiUrl, limiter, matchingStore } from '../core/deps.js';
import { config } from '../core/config.js';
import * as svc from '../core/services/matching.js';
import { readLink } from '../core/http/links.js';
import { badRequest } from '../core/errors.js';
import { wantsHtml } from '../core/http/html.js';
import { htmlPage } from '../core/http/link-page.js';

/** The person a signed "introduce us" link speaks for, if it is for this match. */
async function introLink(token: string, params: Record<string, string>, now: Date): Promise<string> {
  const link = await readLink('introduce', token, now);
  if (link.eventId !== params.eventId || link.matchId !== params.matchId) throw badRequest('This link is for another match.', [{ path: 'token', message: 'is for another match' }]);
  return link.userId!;
}

// The matching service's repositories, which hold the access checks' too: the bundle leaves the others out (deps.ts).
const store = matchingStore();
const deps = { store, appUrl: config.appUrl, apiUrl };

export const handler = httpHandler(
  matchingRoutes,
  {
    'POST /events/{eventId}/matches/preview': async ({ access }) => json(await svc.preview(store, access.event!)),
    'POST /events/{eventId}/matches/send': async ({ access, caller, now }) => json(await svc.send(deps, access.association!, access.event!, caller!.userId, now)),
    'GET /events/{eventId}/matches': async ({ access, query }) => {
      const p = paging(query, `matches:${access.event!.eventId}`);
      const { lastKey, items, ...rest } = await svc.eventMatches(store, access.event!, p.limit, p.startKey);
      return json({ ...rest, ...p.page(items, lastKey) });
    },
    'GET /events/{eventId}/matches/me': async ({ access, caller }) => json(await svc.myMatches(store, access.event!, caller!.userId)),
    'POST /events/{eventId}/matches/{matchId}/feedback': async ({ access, params, caller, body, now }) =>
      json(await svc.feedback(store, access.event!, params.matchId!, caller!.userId, body, now)),
    // GET only asks (mail scanners open links); the button's POST records the ask.
    'GET /events/{eventId}/matches/{matchId}/introduce': async ({ params, query, now }) => {
      await introLink(query.token, params, now);
      return htmlPage('Introduce us', ['We will send one email to both of you as soon as the other person asks too.'], { label: 'Introduce us', action: `?token=${encodeURIComponent(query.token)}` });
    },
    'POST /events/{eventId}/matches/{matchId}/introduce': async ({ access, params, query, headers, now }) => {
      const userId = await introLink(query.token, params, now);
      const r = await svc.introduce(deps, access.association!, access.event!, params.matchId!, userId, now);
      if (!wantsHtml(headers)) return json(r);
      return htmlPage('Introduce us', [
        r.introduced ? 'You have both asked: we sent one email to both of you. Reply all to start the conversation.' : 'Noted. When the other person asks too, we will send one email to both of you.',
      ]);
    },
  },
  { store, limiter: rateLimiting(limiter) },
);
