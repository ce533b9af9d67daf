/**
 * Local-mode response validation: a success body that drifts from the route's published
 * schema answers 500 naming the drift, once the check is installed on the router (as
 * scripts/local/stack.ts does with RESPONSE_VALIDATION=1); in AWS nothing installs it.
 */
import { routes, type RouteSpec } from '../../../functions/core/api.js';
import { published } from '../../../functions/core/responses/routes.js';
import { checkResponse, successBodies } from '../../../functions/core/http/response-check.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import { httpHandler, useResponseCheck } from '../../../functions/core/http/router.js';
import { metaRoutes } from '../../../functions/core/routes/meta.js';
import { apiEvent, lambdaContext } from '../../support/lambda.js';

const route = (key: string) => routes.find((r) => `${r.method} ${r.path}` === key)!;
const publishedRoute = (key: string) => published(route(key));
const drift = (spec: RouteSpec, res: Parameters<typeof checkResponse>[1]) => {
  try {
    checkResponse(spec, res);
    return undefined;
  } catch (err) {
    return err as HttpProblem;
  }
};
const jsonRes = (body: unknown, statusCode = 200) => ({ statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('checkResponse', () => {
  const getEvent = route('GET /events/{eventId}');

  it('names a field of the wrong type, a missing one and an unlisted one', () => {
    const err = drift(getEvent, jsonRes({ eventId: 'e1', spotsLeft: 'many', secret: 1 }));
    expect(err).toBeInstanceOf(HttpProblem);
    expect(err!.statusCode).toBe(500);
    const paths = err!.errors!.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['spotsLeft', 'title', '(body)']));
    expect(err!.errors!.find((e) => e.path === '(body)')!.message).toContain('secret');
  });

  it('refuses a status or a media type the catalog does not list', () => {
    expect(drift(route('POST /associations'), jsonRes({}, 200))!.message).toContain('status 200, but the catalog lists 201');
    expect(drift(getEvent, { statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>' })!.message).toContain('Content-Type text/html');
    expect(drift(route('DELETE /me'), { statusCode: 204, body: '{"x":1}' })!.message).toContain('listed without one');
  });

  it('accepts the CSV of an export and its JSON link, and leaves errors alone', () => {
    const exp = route('GET /events/{eventId}/attendees/export');
    expect(successBodies(published(exp)).map((b) => b.mediaType)).toEqual(['text/csv', 'application/json']);
    expect(drift(exp, { statusCode: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8' }, body: 'a,b\n' })).toBeUndefined();
    expect(drift(exp, jsonRes({ url: 'http://x/f.csv', rows: 3, expiresAt: '2026-01-01T00:00:00.000Z' }))).toBeUndefined();
    expect(drift(exp, jsonRes({ url: 'http://x/f.csv' }))).toBeInstanceOf(HttpProblem);
    expect(drift(getEvent, { statusCode: 404, headers: { 'Content-Type': 'application/problem+json' }, body: '{}' })).toBeUndefined();
  });

  it('lists HTML beside JSON for the POSTs behind signed mail links', () => {
    expect(successBodies(publishedRoute('POST /events/{eventId}/waitlist/leave')).map((b) => b.mediaType)).toEqual(['application/json', 'text/html']);
    expect(successBodies(publishedRoute('DELETE /associations/{associationId}/members/{userId}'))).toEqual([]);
  });
});

describe('the router in local mode', () => {
  // Installed as scripts/local/stack.ts does; removed after each test, as in a Lambda.
  afterEach(() => useResponseCheck(undefined));
  const impls = (vocabulary: unknown) => ({
    'GET /openapi.json': async () => ({ body: { openapi: '3.1.0', info: {}, paths: {} } }),
    'GET /vocabulary': async () => ({ body: vocabulary }),
  });

  it('answers 500 problem+json naming the drift, with the check installed', async () => {
    useResponseCheck(checkResponse);
    const handler = httpHandler(metaRoutes, impls({ intents: [{ value: 'mentoring' }] }), {});
    const res = (await handler(apiEvent('GET /vocabulary'), lambdaContext)) as any;
    expect(res.statusCode).toBe(500);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    const body = JSON.parse(res.body);
    expect(body.title).toBe('Response Drift');
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'intents.0.label' })]));
  });

  it('checks handlers built before the check was installed (the local stack imports them after, but a test may not)', async () => {
    const handler = httpHandler(metaRoutes, impls({ intents: [{ value: 'mentoring' }] }), {});
    useResponseCheck(checkResponse);
    const res = (await handler(apiEvent('GET /vocabulary'), lambdaContext)) as any;
    expect(res.statusCode).toBe(500);
  });

  it('passes a conforming answer through unchanged', async () => {
    useResponseCheck(checkResponse);
    const handler = httpHandler(metaRoutes, impls({ intents: [{ value: 'mentoring', label: 'Mentoring' }] }), {});
    const res = (await handler(apiEvent('GET /vocabulary'), lambdaContext)) as any;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ intents: [{ value: 'mentoring', label: 'Mentoring' }] });
  });

  it('checks nothing when no check is installed (AWS), whatever RESPONSE_VALIDATION says', async () => {
    const saved = process.env.RESPONSE_VALIDATION;
    process.env.RESPONSE_VALIDATION = '1';
    try {
      const handler = httpHandler(metaRoutes, impls({ intents: [{ value: 'mentoring' }] }), {});
      const res = (await handler(apiEvent('GET /vocabulary'), lambdaContext)) as any;
      expect(res.statusCode).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.RESPONSE_VALIDATION;
      else process.env.RESPONSE_VALIDATION = saved;
    }
  });
});
