/** Lambda for connections: asks, answers, removal, my note and tags, my network and its export. */
import { httpHandler, json } from '../core/http/router.js';
import { rateLimiting } from '../core/http/rate-limit.js';
import { connectionsRoutes } from '../core/routes/connections.js';
import { paging } from '../core/http/paging.js';
import { limiter, table } from '../core/deps.js';
import { associationsRepo } from '../core/data/associations.js';
import { connectionsRepo } from '../core/data/connections.js';
import { eventsRepo } from '../core/data/events.js';
import { matchesRepo } from '../core/data/matches.js';
import { memberReads } from '../core/data/members.js';
import { profilesRepo } from '../core/data/profiles.js';
import { rsvpsRepo } from '../core/data/rsvps.js';
import * as svc from '../core/services/connections.js';
import { clickConnect, connectOffer } from '../core/services/followups.js';
import { readLink } from '../core/http/links.js';
import { wantsHtml } from '../core/http/html.js';
import { badRequest, HttpProblem } from '../core/errors.js';
import type { Reply } from '../core/http/router.js';
import type { Access_ } from '../core/http/access.js';
import { connectAnswerPage, connectQuestionPage, connectRefusedPage, type ConnectPageFacts } from './pages.js';

// The repositories its routes and access checks use: the bundle leaves the others out (deps.ts).
const store = { ...connectionsRepo(table), ...associationsRepo(table), ...memberReads(table), ...profilesRepo(table), ...eventsRepo(table), ...rsvpsRepo(table), ...matchesRepo(table) };

/** The person and pair a signed follow-up link speaks for, if it is for this event. */
async function connectLink(token: string, eventId: string, now: Date) {
  const link = await readLink('connect', token, now);
  if (link.eventId !== eventId || !link.connectionId || !link.userId) throw badRequest('This link is for another event.', [{ path: 'token', message: 'is for another event' }]);
  return { eventId, connectionId: link.connectionId, userId: link.userId };
}

/** What the connect pages name: the association, the event and the other person. */
async function pageFacts(access: Access_, token: Awaited<ReturnType<typeof connectLink>>): Promise<ConnectPageFacts> {
  const { otherName, why } = await connectOffer(store, token);
  return { associationName: access.association!.name, eventTitle: access.event!.title, otherName, why };
}

/** A browser with a refused link (expired, not ours) gets a page saying so, with the same status; programs get problem details. */
async function refusedAsPage({ headers, access }: { headers: Record<string, string | undefined>; access: Access_ }, run: () => Promise<Reply>): Promise<Reply> {
  try {
    return await run();
  } catch (err) {
    if (wantsHtml(headers) && err instanceof HttpProblem && (err.statusCode === 400 || err.statusCode === 410)) return connectRefusedPage(err.statusCode, access.association?.name);
    throw err;
  }
}

export const handler = httpHandler(
  connectionsRoutes,
  {
    'POST /associations/{associationId}/connections': async ({ access, caller, body, now }) => json(await svc.ask(store, access.association!, access.membership, caller!, body, now), 201),
    'GET /me/connections': async ({ caller, query, now }) => {
      const { q, tag, associationId, eventId, state } = query;
      // The filter is part of the scope: a cursor from one list cannot page another (or another person's).
      const p = paging(query, `network:${caller!.userId}:${state ?? ''}:${tag ?? ''}:${associationId ?? ''}:${eventId ?? ''}:${q ?? ''}`);
      const { items, lastKey } = await svc.listNetwork(store, caller!, { q, tag, associationId, eventId, state }, p.limit, p.startKey, now);
      return json(p.page(items, lastKey));
    },
    'GET /me/connections/export': async ({ caller, query, now }) => {
      const out = await svc.exportNetwork(store, caller!, query.format, now);
      return { text: out.body, headers: { 'Content-Type': out.contentType, 'Content-Disposition': `attachment; filename="${out.filename}"` } };
    },
    'POST /me/connections/{connectionId}/accept': async ({ caller, params, now }) => json(await svc.acceptConnection(store, caller!, params.connectionId, now)),
    'POST /me/connections/{connectionId}/decline': async ({ caller, params, now }) => json(await svc.declineConnection(store, caller!, params.connectionId, now)),
    'PATCH /me/connections/{connectionId}': async ({ caller, params, body }) => json(await svc.patchConnection(store, caller!, params.connectionId, body)),
    // GET only asks (mail scanners open links); the button's POST records the click.
    'GET /events/{eventId}/connect': async ({ access, params, query, headers, now }) =>
      refusedAsPage({ headers, access }, async () => {
        const token = await connectLink(query.token, params.eventId!, now);
        return connectQuestionPage(await pageFacts(access, token), query.token);
      }),
    'POST /events/{eventId}/connect': async ({ access, params, query, headers, now }) =>
      refusedAsPage({ headers, access }, async () => {
        const token = await connectLink(query.token, params.eventId!, now);
        const r = await clickConnect(store, token, now);
        return wantsHtml(headers) ? connectAnswerPage(await pageFacts(access, token), r.connected) : json(r);
      }),
    'DELETE /me/connections/{connectionId}': async ({ caller, params }) => {
      await svc.removeConnection(store, caller!, params.connectionId);
      return { status: 204 };
    },
  },
  { store, limiter: rateLimiting(limiter) },
);
