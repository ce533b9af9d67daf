/** Lambda for associations and membership plans: adapters from HTTP to the services. */
import { httpHandler, json } from '../core/http/router.js';
import { associationsRoutes } from '../core/routes/associations.js';
import { paging } from '../core/http/paging.js';
import { table } from '../core/deps.js';
import { associationsRepo } from '../core/data/associations.js';
import { memberReads } from '../core/data/members.js';
import { plansRepo } from '../core/data/plans.js';
import { profilesRepo } from '../core/data/profiles.js';
import { statsReads } from '../core/data/stats.js';
import * as svc from '../core/services/associations.js';
import { associationStats } from '../core/services/stats.js';

// The repositories its routes and access checks use: the bundle leaves the others out (deps.ts).
const store = { ...associationsRepo(table), ...plansRepo(table), ...memberReads(table), ...profilesRepo(table), ...statsReads(table) };

export const handler = httpHandler(
  associationsRoutes,
  {
    'POST /associations': async ({ caller, body, now }) => json(await svc.createAssociation(store, caller!, body, now), 201),
    'GET /associations/{associationId}': async ({ access }) => json(svc.publicAssociation(access.association!)),
    'PATCH /associations/{associationId}': async ({ access, caller, body, now }) =>
      json(await svc.updateAssociation(store, access.association!, caller!, body, now)),
    'GET /me/associations': async ({ caller, query }) => {
      const p = paging(query, `me-assoc:${caller!.userId}`);
      const { items, lastKey } = await svc.myAssociations(store, caller!, p.limit, p.startKey);
      return json(p.page(items, lastKey));
    },
    'POST /associations/{associationId}/plans': async ({ access, caller, body, now }) =>
      json(await svc.createPlan(store, access.association!, caller!, body, now), 201),
    'GET /associations/{associationId}/plans': async ({ access }) =>
      json({ items: await svc.activePlans(store, access.association!), nextCursor: null }),
    'PATCH /associations/{associationId}/plans/{planId}': async ({ access, params, caller, body, now }) =>
      json(await svc.updatePlan(store, access.association!, params.planId!, caller!, body, now)),
    'GET /associations/{associationId}/stats': async ({ access, query, now }) => json(await associationStats(store, access.association!, query, now)),
  },
  { store },
);
