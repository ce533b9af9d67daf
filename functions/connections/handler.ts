/** Lambda for connections: asks, answers, removal, my note and tags, my network and its export. */
import { httpHandler, json } from '../core/http/router.js';
import { paging } from '../core/http/paging.js';
import { limiter, store } from '../core/deps.js';
import * as svc from '../core/services/connections.js';

export const handler = httpHandler(
  'connections',
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
    'DELETE /me/connections/{connectionId}': async ({ caller, params }) => {
      await svc.removeConnection(store, caller!, params.connectionId);
      return { status: 204 };
    },
  },
  { store, limiter },
);
