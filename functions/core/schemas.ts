/**
 * One zod schema per request body, query and path. The router validates with these and
 * /openapi.json is generated from them, so the docs cannot disagree with the code.
 * Objects are strict: a client can never set a field it does not own.
 * zod/mini's functional forms keep the bundles small; metadata goes on as in responses.ts.
 *
 * One module per bounded context (schemas/<context>.ts, shared ones in schemas/common.ts):
 * each function's catalog (routes/<fn>.ts) imports only its own, so its bundle leaves the other
 * routes' schemas out (every schema registers itself at load, so esbuild keeps a whole module).
 * This module gathers them for the pages, the tests and the types.
 */
export * from './schemas/common.js';
export * from './schemas/associations.js';
export * from './schemas/members.js';
export * from './schemas/dues.js';
export * from './schemas/events.js';
export * from './schemas/matching.js';
export * from './schemas/profiles.js';
