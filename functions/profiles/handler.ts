/** Lambda for the caller's profile. */
import { httpHandler, json } from '../core/http/router.js';
import { profilesRoutes } from '../core/routes/profiles.js';
import { privacyData, table } from '../core/deps.js';
import { membersRepo } from '../core/data/members.js';
import { profilesRepo } from '../core/data/profiles.js';
import * as svc from '../core/services/profiles.js';

// The repositories its routes use: the bundle leaves the others out (deps.ts). Its routes name
// no association, so the router needs no store for access checks.
const store = { ...membersRepo(table), ...profilesRepo(table) };

export const handler = httpHandler(
  profilesRoutes,
  {
    'GET /me/profile': async ({ caller }) => json(await svc.getProfile(store, caller!)),
    'PUT /me/profile': async ({ caller, body, now }) => json(await svc.putProfile(store, caller!, body, now, privacyData)),
  },
  {},
);
