/** Lambda for dues: Stripe onboarding, checkout, the billing portal and the ledger. */
import { httpHandler, json } from '../core/http/router.js';
import { rateLimiting } from '../core/http/rate-limit.js';
import { duesRoutes } from '../core/routes/dues.js';
import { paging } from '../core/http/paging.js';
import { apiUrl, exportFiles, limiter, table } from '../core/deps.js';
import * as stripeSdk from '../core/payments/stripe.js';
import { duesDeps, duesStore } from '../core/deps-dues.js';
import { exportsRepo } from '../core/data/exports.js';
import * as svc from '../core/services/dues.js';
import * as ledger from '../core/services/ledger.js';
import { exportReply } from '../core/http/export-reply.js';

// The dues services' repositories, the export log's and the access checks': the bundle leaves the others out (deps.ts).
const store = { ...duesStore(table), ...exportsRepo(table) };
const deps = await duesDeps(store, stripeSdk);
const files = exportFiles();
// A long list is written as a job item; the table's stream starts the export job with it.
const jobs = true;

export const handler = httpHandler(
  duesRoutes,
  {
    'POST /associations/{associationId}/stripe/connect': async ({ access, caller, now }) => {
      const { url } = await svc.connect(deps, access.association!, caller!, now);
      return json({ url });
    },
    'POST /associations/{associationId}/members/me/checkout': async ({ access, now }) =>
      json(await svc.checkout(deps, access.association!, access.membership!, now)),
    'POST /associations/{associationId}/members/me/billing-portal': async ({ access }) =>
      json(await svc.billingPortal(deps, access.association!, access.membership!)),
    'GET /associations/{associationId}/payments': async ({ access, query }) => {
      const p = paging(query, `payments:${access.association!.associationId}:${query.userId ?? ''}`);
      const { items, lastKey } = await ledger.list(store, access.association!, query.userId, p.limit, p.startKey);
      return json(p.page(items, lastKey));
    },
    'GET /associations/{associationId}/payments/export': async ({ access, caller, query, now }) =>
      exportReply(await ledger.exportCsv({ store, files, jobs, apiUrl }, access.association!, caller!, now, query.format), `${access.association!.slug}-payments.csv`),
  },
  { store, limiter: rateLimiting(limiter) },
);
