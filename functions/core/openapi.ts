/**
 * Builds the OpenAPI 3.1 document from the route catalog and its zod schemas, so the
 * published description is the validation code itself.
 */
import { z } from 'zod';
import { routes, type RouteSpec } from './api.js';

type JsonSchema = Record<string, any>;

/** Named schemas (those with a zod `.meta({ id })`) collected for components.schemas. */
const components: Record<string, JsonSchema> = {};

/**
 * JSON Schema for one zod schema. Named sub-schemas go to components.schemas and are
 * referenced from there, since `#/$defs` would point at the document root in OpenAPI.
 */
function toSchema(s: z.ZodType): JsonSchema {
  const raw = JSON.stringify(z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' })).replaceAll('"#/$defs/', '"#/components/schemas/');
  const { $defs, $schema: _ignored, ...rest } = JSON.parse(raw) as JsonSchema;
  Object.assign(components, $defs ?? {});
  return rest;
}

function parameters(spec: RouteSpec) {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const js = toSchema(schema);
    for (const [name, prop] of Object.entries<JsonSchema>(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

const problem = { $ref: '#/components/responses/Problem' };
const tooMany = { $ref: '#/components/responses/TooManyRequests' };

export function buildOpenApi(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    const op: JsonSchema = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: r.summary,
      tags: [r.fn],
      'x-access': r.access,
      parameters: parameters(r),
      responses: {
        [String(r.status ?? (r.method === 'DELETE' ? 204 : 200))]: {
          description: 'Success',
          ...(r.method === 'DELETE' ? {} : { content: { [r.produces ?? 'application/json']: { schema: r.produces ? { type: 'string' } : { type: 'object' } } } }),
        },
        '400': problem,
        ...(r.access !== 'public' ? { '401': problem, '403': problem } : {}),
        '404': problem,
        ...(r.rateLimit?.length ? { '429': tooMany } : {}),
        '503': problem,
      },
    };
    if (r.access !== 'public') op.security = [{ bearer: [] }];
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(r.body) } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Association platform API', version: '1.0.0', description: 'Memberships, dues, events and matching for professional associations.' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Problem: { description: 'RFC 9457 problem details', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        TooManyRequests: {
          description: 'Over the route\'s rate limit (docs/deploy.md); retry after the given seconds',
          headers: { 'Retry-After': { description: 'Seconds until the window resets', schema: { type: 'integer', minimum: 1 } } },
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
      schemas: {
        ...components,
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
}
