/** The connections function's routes: connections (docs/connections.md): asks within an association; the rest is the caller's own network, checked by the service (404 if not theirs). api.ts composes every function's. */
import { rateLimits as rl, type RouteSpec } from './spec.js';
import { AssociationParams, EventParams, TokenQuery } from '../schemas/common.js';
import { ConnectionAsk, ConnectionParams, ConnectionPatch, NetworkExportQuery, NetworkQuery } from '../connection-schemas.js';

export const connectionsRoutes: readonly RouteSpec[] = [
  { method: 'POST', path: '/associations/{associationId}/connections', fn: 'connections', access: 'member', summary: 'Ask a member of the same association to connect; userId, note?, eventId? (where you met)', params: AssociationParams, body: ConnectionAsk, status: 201, rateLimit: [rl.connectionAsk], errors: [409, 422] },
  { method: 'GET', path: '/me/connections', fn: 'connections', access: 'signedIn', summary: "The caller's network (or pending asks), alphabetical; ?q= name prefix, one of ?tag=, ?associationId=, ?eventId=; ?state=pending", query: NetworkQuery },
  { method: 'GET', path: '/me/connections/export', fn: 'connections', access: 'signedIn', summary: "The caller's accepted connections as vCard 4.0 (?format=vcf) or CSV", query: NetworkExportQuery, produces: 'text/vcard', alsoProduces: ['text/csv'], rateLimit: [rl.exports] },
  { method: 'POST', path: '/me/connections/{connectionId}/accept', fn: 'connections', access: 'signedIn', summary: 'Accept an ask (the person asked)', params: ConnectionParams, errors: [403, 409] },
  { method: 'POST', path: '/me/connections/{connectionId}/decline', fn: 'connections', access: 'signedIn', summary: 'Decline an ask (the person asked); the asker is not told', params: ConnectionParams, errors: [403, 409] },
  { method: 'PATCH', path: '/me/connections/{connectionId}', fn: 'connections', access: 'signedIn', summary: 'My own note and tags on a connection', params: ConnectionParams, body: ConnectionPatch, errors: [409] },
  { method: 'GET', path: '/events/{eventId}/connect', fn: 'connections', access: 'public', summary: '"Connect" page from the follow-up mail after an event (signed token); its button posts. To a browser (Accept: text/html) an expired (410) or broken (400) link is a page too', params: EventParams, query: TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages] },
  { method: 'POST', path: '/events/{eventId}/connect', fn: 'connections', access: 'public', summary: 'Accept the follow-up offer to connect (signed token); connected once both have. A browser (Accept: text/html) gets the answer, or an expired (410) or broken (400) link, as a page', params: EventParams, query: TokenQuery, rateLimit: [rl.linkPages] },
  { method: 'DELETE', path: '/me/connections/{connectionId}', fn: 'connections', access: 'signedIn', summary: 'Remove a connection or withdraw an ask (either side)', params: ConnectionParams, status: 204 },
];
