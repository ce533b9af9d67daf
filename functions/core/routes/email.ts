/** The email function's routes: email preferences from links in mail. api.ts composes every function's. */
import { rateLimits as rl, type RouteSpec } from './spec.js';
import { TokenQuery } from '../schemas/common.js';

export const emailRoutes: readonly RouteSpec[] = [
  { method: 'GET', path: '/email/unsubscribe', fn: 'email', access: 'public', summary: 'Unsubscribe page for one kind of email (signed token)', query: TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages] },
  { method: 'POST', path: '/email/unsubscribe', fn: 'email', access: 'public', summary: 'One-click unsubscribe (RFC 8058)', query: TokenQuery, rawBody: true, rateLimit: [rl.linkPages] },
];
