/** The webhooks function's routes: signed events from Stripe. api.ts composes every function's. */
import type { RouteSpec } from './spec.js';

export const webhooksRoutes: readonly RouteSpec[] = [
  { method: 'POST', path: '/webhooks/stripe', fn: 'webhooks', access: 'public', summary: 'Signed Stripe events; 2xx once durably recorded', rawBody: true, maxBodyBytes: 1_048_576 },
];
