/** Lambda for the caller's profile. */
import { httpHandler, json } from '../core/http/router.js';
import { privacyData, store } from '../core/deps.js';
import * as svc from '../core/services/profiles.js';

export const handler = httpHandler(
  'profiles',
  {
    'GET /me/profile': async ({ caller }) => json(await svc.getProfile(store, caller!)),
    'PUT /me/profile': async ({ caller, body, now }) => json(await svc.putProfile(store, caller!, body, now, privacyData)),
  },
  { store },
);
