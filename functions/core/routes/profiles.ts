/** The profiles function's routes: the caller's profile. api.ts composes every function's. */
import type { RouteSpec } from './spec.js';
import { ProfilePut } from '../schemas/profiles.js';

export const profilesRoutes: readonly RouteSpec[] = [
  { method: 'GET', path: '/me/profile', fn: 'profiles', access: 'signedIn', summary: "The caller's profile" },
  { method: 'PUT', path: '/me/profile', fn: 'profiles', access: 'signedIn', summary: "Replace the caller's profile", body: ProfilePut, errors: [409] },
];
