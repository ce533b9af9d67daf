/**
 * Builds the OpenAPI 3.1 document from the route catalog and its zod schemas, so the
 * published description is the validation code itself: request schemas as the router
 * accepts them (io 'input'), success bodies as the services return them (io 'output',
 * responses.ts), and every status a route can answer (statusesOf).
 */
import * as z from 'zod/mini';
import { routes as catalog, type RouteSpec } from './api.js';
import { Problem } from './responses/meta.js';
import { successBodies, successStatus } from './http/response-check.js';
import { published } from './responses/routes.js';

type JsonSchema = Record<string, any>;

/** The catalog with what each route answers (kept apart from the handlers' catalogs; responses/routes.ts). */
const routes = catalog.map(published);

/**
 * JSON Schema for one zod schema. Named sub-schemas go to `components` and are referenced
 * from there, since `#/$defs` would point at the document root in OpenAPI. A name used both
 * for a request (input) and an answer (output) whose two forms differ (defaults make fields
 * required in the output) gets the output form as `<id>Output`.
 */
function toSchema(components: Record<string, JsonSchema>, s: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  let raw = JSON.stringify(z.toJSONSchema(s, { io, unrepresentable: 'any' }));
  const { $defs } = JSON.parse(raw) as JsonSchema;
  for (const [id, def] of Object.entries<JsonSchema>($defs ?? {})) {
    const known = components[id];
    if (known && JSON.stringify(known) !== JSON.stringify(def) && io === 'output') {
      raw = raw.replaceAll(`"#/$defs/${id}"`, `"#/$defs/${id}Output"`);
    }
  }
  // A named schema at the top (a body, a page) comes back as a $ref too, so clients get one type per name.
  const { $defs: defs, $schema: _ignored, ...rest } = JSON.parse(raw.replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  for (const [id, def] of Object.entries<JsonSchema>(defs ?? {})) {
    const known = components[id];
    components[known && JSON.stringify(known) !== JSON.stringify(def) && io === 'output' ? `${id}Output` : id] = def;
  }
  return rest;
}

function parameters(components: Record<string, JsonSchema>, spec: RouteSpec) {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const js = toSchema(components, schema, 'input');
    for (const [name, prop] of Object.entries<JsonSchema>(js.properties ?? {})) {
      const { description, ...rest } = prop;
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest });
    }
  }
  return out;
}

/** The problem responses, one per status, in components.responses. */
const problems: Record<number, { name: string; description: string; retryAfter?: boolean }> = {
  400: { name: 'BadRequest', description: 'The request is not valid; `errors[]` names each field' },
  401: { name: 'Unauthorized', description: 'No valid bearer token (an ID token from the sign-in)' },
  403: { name: 'Forbidden', description: "The caller's role in the association does not allow this" },
  404: { name: 'NotFound', description: 'No such thing, or one the caller may not see' },
  409: { name: 'Conflict', description: 'The current state does not allow this (already done, changed meanwhile, full)' },
  410: { name: 'Gone', description: 'The signed link has expired' },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than the limit' },
  422: { name: 'UnprocessableContent', description: 'Well-formed, but breaks a rule of the domain; `errors[]` names the field' },
  429: { name: 'TooManyRequests', description: "Over the route's rate limit (docs/deploy.md); retry after the given seconds", retryAfter: true },
  503: { name: 'ServiceUnavailable', description: 'Busy (the database throttled or a write raced); retry after the given seconds', retryAfter: true },
};

const TOKEN_ROUTE = (r: RouteSpec) => !!r.query && 'token' in ((r.query as z.ZodMiniObject).shape ?? {});
const STAFF: readonly string[] = ['member', 'organizer', 'admin', 'owner', 'selfOrAdmin', 'enrolled', 'attendee', 'matched'];

/**
 * Every status a route can answer besides its success, from what the router does with the
 * spec (validation, access, addressed things, body limit, rate limits, store) and the route's
 * own `errors`.
 */
export function statusesOf(r: RouteSpec): number[] {
  const out = new Set<number>(r.errors ?? []);
  if (r.params || r.query || r.body || r.rawBody) out.add(400);
  if (r.access !== 'public') out.add(401);
  if (STAFF.includes(r.access)) out.add(403);
  if (/\{(associationId|eventId|planId|userId|matchId)\}/.test(r.path)) out.add(404);
  if (TOKEN_ROUTE(r)) out.add(410);
  if (r.body || r.rawBody) out.add(413);
  if (r.rateLimit?.length) out.add(429);
  if (r.fn !== 'meta') out.add(503);
  return [...out].sort((a, b) => a - b);
}

const tagDescriptions: Record<string, string> = {
  associations: 'Associations and their membership plans',
  members: 'Joining, member lists, the directory, roles, offline payments, exports and a person’s own data',
  dues: 'Stripe onboarding, checkout, the billing portal and the payments ledger',
  webhooks: 'Signed events from Stripe',
  events: 'Events, RSVPs, the waitlist, attendees, check-in and calendar files',
  matching: 'Matchmaking between attendees: preview, send, feedback and introductions',
  email: 'Email preferences from links in mail',
  profiles: "The caller's profile",
  meta: 'The vocabulary and this description',
};

export function buildOpenApi(): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    const success: JsonSchema = { description: r.summary };
    const bodies = successBodies(r);
    if (bodies.length) success.content = Object.fromEntries(bodies.map((b) => [b.mediaType, { schema: toSchema(components, b.schema, 'output') }]));
    const op: JsonSchema = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: r.summary,
      description: `${r.summary}. Access: ${r.access}${r.rateLimit?.length ? `; rate-limited (${r.rateLimit.map((l) => `${l.limit} per ${l.windowSeconds} s per ${l.per}`).join(', ')})` : ''}.`,
      tags: [r.fn],
      'x-access': r.access,
      // Public: no token; viewer: a token is optional (it shows members-only events); others: a bearer ID token.
      security: r.access === 'public' ? [] : r.access === 'viewer' ? [{}, { bearer: [] }] : [{ bearer: [] }],
      responses: {
        [String(successStatus(r))]: success,
        ...(r.accepted
          ? { '202': { description: 'Too long for one response: a background job makes the file; GET the status URL (also in Location) until it is ready', headers: { Location: { schema: { type: 'string' }, description: 'the status URL' } }, content: { 'application/json': { schema: toSchema(components, r.accepted, 'output') } } } }
          : {}),
        ...Object.fromEntries(statusesOf(r).map((s) => [String(s), { $ref: `#/components/responses/${problems[s]!.name}` }])),
      },
    };
    op.parameters = parameters(components, r);
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(components, r.body, 'input') } } };
    if (r.rawBody && r.path === '/webhooks/stripe') {
      op.requestBody = { required: true, description: 'The Stripe event, verified byte for byte against Stripe-Signature', content: { 'application/json': { schema: { type: 'object' } } } };
      op.parameters = [{ name: 'Stripe-Signature', in: 'header', required: true, schema: { type: 'string' } }];
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  const problemSchema = toSchema(components, Problem, 'output');
  const responses = Object.fromEntries(
    Object.values(problems).map((p) => [
      p.name,
      {
        description: p.description,
        ...(p.retryAfter ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } } } : {}),
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
  const used = new Set(routes.flatMap((r) => statusesOf(r)).map((s) => problems[s]!.name));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Association platform API',
      version: '1.0.0',
      description: 'Memberships, dues, events and matching for professional associations. Errors are RFC 9457 problem details (application/problem+json).',
      contact: { name: 'Platform team', url: 'https://assoc.dev/support' },
      license: { name: 'Proprietary', url: 'https://assoc.dev/terms' },
    },
    // Relative: the API answers under /api/ on the web app's origin (CloudFront in AWS, npm start locally).
    servers: [{ url: '/api', description: 'The web app origin' }],
    tags: [...new Set(routes.map((r) => r.fn))].map((name) => ({ name, description: tagDescriptions[name] ?? name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The ID token from the sign-in (Cognito in AWS, the local issuer locally)' } },
      responses: Object.fromEntries(Object.entries(responses).filter(([name]) => used.has(name))),
      schemas: components,
    },
  };
}
