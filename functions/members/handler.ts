/** Lambda for members: joining, lists, the directory, roles, offline payments, exports and their log, a person's own data. */
import { httpHandler, json } from '../core/http/router.js';
import { rateLimiting } from '../core/http/rate-limit.js';
import { membersRoutes } from '../core/routes/members.js';
import { paging } from '../core/http/paging.js';
import { apiUrl, eventsDeps, exportFiles, limiter, privacyData, store } from '../core/deps.js';
import * as stripeSdk from '../core/payments/stripe.js';
import { duesDeps } from '../core/deps-dues.js';
import { checkout } from '../core/services/dues.js';
import * as svc from '../core/services/members.js';
import { exportMe, eraseMe } from '../core/services/privacy.js';
import { exportStatus, listExports } from '../core/services/exports.js';
import { exportReply } from '../core/http/export-reply.js';
import { roleAtLeast } from '../core/domain/roles.js';

const dues = await duesDeps(store, stripeSdk);
const events = eventsDeps();
const files = exportFiles();
// A long list is written as a job item; the table's stream starts the export job with it.
const jobs = true;
const stopBilling = (account: string, sub: string, key: string) => dues.payments.cancelSubscription(account, sub, key);

export const handler = httpHandler(
  membersRoutes,
  {
    'POST /associations/{associationId}/members': async ({ access, caller, body, now }) =>
      json(await svc.join(store, access.association!, caller!, body.planId, now, (m) => checkout(dues, access.association!, m, now)), 201),
    'GET /associations/{associationId}/members': async ({ access, query }) => {
      const { status, planId, q } = query;
      // The filter is part of the scope: a cursor from one filtered list cannot page another.
      const p = paging(query, `members:${access.association!.associationId}:${status ?? ''}:${planId ?? ''}:${q ?? ''}`);
      const { items, lastKey } = await svc.list(store, access.association!, { status, planId, q }, p.limit, p.startKey);
      return json(p.page(items, lastKey));
    },
    'GET /associations/{associationId}/members/export': async ({ access, caller, query, now }) =>
      exportReply(await svc.exportCsv({ store, files, jobs, apiUrl }, access.association!, caller!, now, query.format), `${access.association!.slug}-members.csv`),
    'GET /associations/{associationId}/exports/{exportId}': async ({ access, caller, params, now }) =>
      json(await exportStatus({ store, files }, access.association!.associationId, params.exportId!, { userId: caller!.userId, isAdmin: roleAtLeast(access.membership!.role, 'admin') }, now)),
    'GET /associations/{associationId}/exports': async ({ access, query }) => {
      const p = paging(query, `exports:${access.association!.associationId}`);
      const { items, lastKey } = await listExports(privacyData, access.association!.associationId, p.limit, p.startKey);
      return json(p.page(items, lastKey));
    },
    'GET /me/export': async ({ caller, now }) => ({
      text: JSON.stringify(await exportMe({ store, data: privacyData }, caller!, now), null, 2),
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="my-data-${now.toISOString().slice(0, 10)}.json"` },
    }),
    'DELETE /me': async ({ caller, now }) => {
      await eraseMe({ store, data: privacyData, events, stopBilling: (account, sub) => stopBilling(account, sub, `erase:${caller!.userId}:${sub}`) }, caller!, now);
      return { status: 204 };
    },
    'GET /associations/{associationId}/directory': async ({ access, query }) => {
      const p = paging(query, `directory:${access.association!.associationId}`);
      const { items, lastKey } = await svc.directory(store, access.association!, p.limit, p.startKey);
      return json(p.page(items, lastKey));
    },
    'PUT /associations/{associationId}/members/me/preferences': async ({ access, caller, body, now }) =>
      json(await svc.setPreferences(store, access.association!, caller!, body, now)),
    'GET /associations/{associationId}/members/{userId}': async ({ access, params }) =>
      json(await svc.getOne(store, access.association!, params.userId!)),
    'PATCH /associations/{associationId}/members/{userId}': async ({ access, params, body, now }) =>
      json(await svc.patch(store, access.association!, access.membership!, params.userId!, body, now)),
    'DELETE /associations/{associationId}/members/{userId}': async ({ access, params, caller, now }) => {
      await svc.remove(store, access.association!, access.membership, caller!, params.userId!, now, (account, sub) => stopBilling(account, sub, `leave:${params.associationId}:${params.userId}:${sub}`));
      return { status: 204 };
    },
  },
  { store, limiter: rateLimiting(limiter) },
);
