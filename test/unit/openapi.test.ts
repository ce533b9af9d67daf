import { buildOpenApi } from '../../functions/core/openapi.js';
import { routeKey, routes } from '../../functions/core/api.js';
import { routeResponses } from '../../functions/core/responses/routes.js';
import { statusesOf } from '../../functions/core/openapi.js';

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
    // Public says so explicitly; a viewer route takes a token when there is one.
    expect(op.security).toEqual(r.access === 'public' ? [] : r.access === 'viewer' ? [{}, { bearer: [] }] : [{ bearer: [] }]);
    expect(Object.keys(op.responses)).toContain(String(r.status ?? (routeResponses[routeKey(r)]?.response ? 200 : 204)));
  });

  it('publishes what each route answers from responses/routes.ts, whose keys are all catalog routes', () => {
    const keys = new Set(routes.map(routeKey));
    expect(Object.keys(routeResponses).filter((k) => !keys.has(k))).toEqual([]);
    // Only these DELETEs answer 204 without a body.
    expect(routes.filter((r) => !routeResponses[routeKey(r)]).map(routeKey).sort()).toEqual(['DELETE /associations/{associationId}/members/{userId}', 'DELETE /me', 'DELETE /me/connections/{connectionId}']);
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
    // The Stripe webhook's body is JSON too, read raw to check its signature.
    expect(withBody).toEqual(routes.filter((r) => r.body || r.path === '/webhooks/stripe').map((r) => `${r.method} ${r.path}`).sort());
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
    for (const [, res] of Object.entries<any>(doc.components.responses)) {
      expect(res.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    }
    for (const { op } of operations) {
      for (const [status, res] of Object.entries<any>(op.responses)) if (Number(status) >= 400) expect(res.$ref).toMatch(/^#\/components\/responses\//);
    }
  });

  it('gives every route a success body schema, or none for 204', () => {
    for (const r of routes) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      const ok = op.responses[String(r.status ?? (routeResponses[routeKey(r)]?.response ? 200 : 204))];
      if (ok === op.responses['204']) expect(ok.content).toBeUndefined();
      else expect(Object.keys(ok.content ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('lists the statuses each kind of route can answer', () => {
    const get = (m: string, p: string) => statusesOf(routes.find((r) => r.method === m && r.path === p)!);
    // A public link from a mail: bad or expired token, rate limit, unknown event; no 401/403.
    expect(get('POST', '/events/{eventId}/waitlist/leave')).toEqual([400, 404, 410, 429, 503]);
    // An organizer route with a body: access, validation, the event's state.
    expect(get('PATCH', '/events/{eventId}')).toEqual([400, 401, 403, 404, 409, 413, 422, 503]);
    // Signed in, no association: no 403 and no 404.
    expect(get('GET', '/me/profile')).toEqual([401, 503]);
    expect(get('PUT', '/events/{eventId}/rsvp')).toContain(429);
    for (const { op } of operations) expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
  });

  it('names the servers, the license and a description for every tag', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/api' })]);
    expect(doc.info.license.name).toBeTruthy();
    for (const t of doc.tags) expect(t.description).toBeTruthy();
  });
});
