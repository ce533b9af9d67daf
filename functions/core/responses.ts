/**
 * Zod schemas of the success bodies, one per route (responses/routes.ts maps route keys to
 * them). They are written from the services' views (memberView, eventView, ...); the type checks in
 * responses-fit.ts fail the build when a view and its schema part, and in local mode every answer
 * is validated against them (RESPONSE_VALIDATION, see http/response-check.ts).
 * Objects are strict: a field a view adds without its schema is drift, not a silent extra.
 * Metadata is `.register(z.globalRegistry, ...)`, not `.check(z.meta(...))`: a meta check is
 * copied into `z.extend` results, so two schemas would share one id and z.toJSONSchema throws.
 *
 * One module per function (responses/<fn>.ts, shared ones in responses/common.ts). No handler
 * imports them: only openapi.ts (the meta function) and the local response check do, so the
 * per-function catalogs (routes/<fn>.ts) leave them out.
 */
export * from './responses/common.js';
export * from './responses/associations.js';
export * from './responses/members.js';
export * from './responses/dues.js';
export * from './responses/webhooks.js';
export * from './responses/events.js';
export * from './responses/matching.js';
export * from './responses/email.js';
export * from './responses/profiles.js';
export * from './responses/meta.js';
export * from './responses/connections.js';
export * from './responses/stats.js';
