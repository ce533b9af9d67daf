import { buildOpenApi } from '../../functions/core/openapi.js';
import { routes } from '../../functions/core/api.js';

const doc = buildOpenApi();
const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ path, method, op })),
);

/** Every object schema reachable from `schema`, the root included, following $refs into components. */
function objects(schema: any, seen = new Set<any>()): any[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return objects(doc.components.schemas[name], seen);
  }
  const here = schema.type === 'object' || schema.properties ? [schema] : [];
  return [...here, ...Object.values(schema).flatMap((v) => (Array.isArray(v) ? v.flatMap((x) => objects(x, seen)) : objects(v, seen)))];
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
  });

  it.each(routes.map((r) => [r.method, r.path, r] as const))('describes %s %s', (method, path, r) => {
    const op = doc.paths[path]?.[method.toLowerCase()];
    expect(op).toBeDefined();
    expect(op['x-access']).toBe(r.access);
    expect(op.security).toEqual(r.access === 'public' ? undefined : [{ bearer: [] }]);
    expect(Object.keys(op.responses)).toContain(String(r.status ?? (method === 'DELETE' ? 204 : 200)));
  });

  it('describes nothing that is not a route', () => {
    expect(operations).toHaveLength(routes.length);
  });

  it('gives every operation a unique id', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists every path parameter as required', () => {
    for (const { path, op } of operations) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = op.parameters.filter((p: any) => p.in === 'path');
      expect(declared.map((p: any) => p.name).sort()).toEqual(inPath.sort());
      expect(declared.every((p: any) => p.required === true)).toBe(true);
    }
  });

  it('gives a JSON body to exactly the routes that take one', () => {
    const withBody = operations.filter((o) => o.op.requestBody).map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(withBody).toEqual(routes.filter((r) => r.body).map((r) => `${r.method} ${r.path}`).sort());
  });

  it('closes every request body object to unknown fields', () => {
    const bodies = operations.filter((o) => o.op.requestBody).map((o) => o.op.requestBody.content['application/json'].schema);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      const objs = objects(body);
      expect(objs.length).toBeGreaterThan(0);
      // Objects with named fields are closed; maps keyed by data (RSVP answers by question id) are not.
      for (const o of objs.filter((x) => x.properties)) expect(o.additionalProperties).toBe(false);
    }
  });

  it('answers errors with the problem+json schema', () => {
    const problem = doc.components.responses.Problem.content['application/problem+json'].schema;
    expect(problem).toEqual({ $ref: '#/components/schemas/Problem' });
    for (const { op } of operations) expect(op.responses['400']).toEqual({ $ref: '#/components/responses/Problem' });
  });
});
