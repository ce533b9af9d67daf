/**
 * The route catalog: every HTTP route, which Lambda serves it, who may call it and the
 * schemas of its input. The CDK stack makes API Gateway routes from it, the local runner
 * dispatches with it, the router validates with it and /openapi.json is built from it.
 *
 * Each function's routes are in routes/<fn>.ts, and its handler hands only those to the router,
 * so its bundle holds only its own routes' schemas; this module composes them, one function
 * after another, for everything that needs the whole catalog.
 */
import type { RouteSpec } from './routes/spec.js';
import { associationsRoutes } from './routes/associations.js';
import { membersRoutes } from './routes/members.js';
import { duesRoutes } from './routes/dues.js';
import { webhooksRoutes } from './routes/webhooks.js';
import { eventsRoutes } from './routes/events.js';
import { matchingRoutes } from './routes/matching.js';
import { emailRoutes } from './routes/email.js';
import { profilesRoutes } from './routes/profiles.js';
import { metaRoutes } from './routes/meta.js';
import { connectionsRoutes } from './routes/connections.js';

export { functionNames, rateLimits, routeKey, type Access, type FunctionName, type RateLimit, type RouteSpec } from './routes/spec.js';

export const routes: readonly RouteSpec[] = [
  ...associationsRoutes,
  ...membersRoutes,
  ...duesRoutes,
  ...webhooksRoutes,
  ...eventsRoutes,
  ...matchingRoutes,
  ...emailRoutes,
  ...profilesRoutes,
  ...metaRoutes,
  ...connectionsRoutes,
];
