/**
 * Input handling of the HTTP handlers, invoked as API Gateway would invoke them: route
 * dispatch, authentication, body parsing and validation, size limit, base64 bodies.
 */
// Settings first: the members function reads them when it loads.
import '../../support/stripe-env.js';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as associations } from '../../../functions/associations/handler.js';
import { handler as profiles } from '../../../functions/profiles/handler.js';
import { handler as members } from '../../../functions/members/handler.js';
import { handler as meta } from '../../../functions/meta/handler.js';
import { apiEvent, invoke, type Claims } from '../../support/lambda.js';
import { makeAssociation, makeMember } from '../../support/factories.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import { FakeTable } from '../../support/fake-table.js';
import { httpHandler, json } from '../../../functions/core/http/router.js';
import { functionNames, routes, routeKey, type FunctionName } from '../../../functions/core/api.js';

const ddb = mockClient(DynamoDBDocumentClient);
const ada: Claims = { sub: 'user-ada', email: 'ada@example.test', name: 'Ada' };
const validCreate = { name: 'Engineers of Lyon', slug: 'engineers-lyon', currency: 'eur', timezone: 'Europe/Paris' };
const MAX_BODY_BYTES = 64 * 1024;

const writes = () => ddb.commandCalls(TransactWriteCommand).length + ddb.commandCalls(PutCommand).length + ddb.commandCalls(UpdateCommand).length;

beforeEach(() => {
  ddb.reset();
  new FakeTable([]).attach(ddb);
});

function expectProblem(res: Awaited<ReturnType<typeof invoke>>, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['Content-Type']).toBe('application/problem+json');
  expect(res.body).toMatchObject({ type: `https://errors.assoc.dev/${status}`, status, title: expect.any(String), detail: expect.any(String) });
}

describe('routing', () => {
  it('answers an unknown route key with a 404 problem', async () => {
    const res = await invoke(associations, apiEvent('GET /nowhere', { claims: ada }));
    expectProblem(res, 404);
    expect(ddb.calls()).toHaveLength(0);
  });

  it("answers another function's route with a 404 problem", async () => {
    const res = await invoke(associations, apiEvent('GET /me/profile', { claims: ada }));
    expectProblem(res, 404);
  });

  it('serves a public route without a token', async () => {
    const res = await invoke(meta, apiEvent('GET /vocabulary'));
    expect(res.statusCode).toBe(200);
    expect(res.body.intents).toContainEqual({ value: 'mentoring', label: 'Mentoring' });
  });
});

describe('authentication', () => {
  it('refuses a non-public route without a token, before reading anything', async () => {
    const res = await invoke(associations, apiEvent('POST /associations', { body: validCreate }));
    expectProblem(res, 401);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses claims without a subject', async () => {
    const event = apiEvent('GET /me/profile');
    event.requestContext.authorizer.jwt.claims = { email: 'ada@example.test' };
    expectProblem(await invoke(profiles, event), 401);
  });

  it('refuses a missing token even when the body is also bad', async () => {
    const res = await invoke(associations, apiEvent('POST /associations', { rawBody: '{not json' }));
    expectProblem(res, 401);
  });
});

describe('request bodies', () => {
  it('answers bad JSON with 400 pointing at the body', async () => {
    const res = await invoke(associations, apiEvent('POST /associations', { claims: ada, rawBody: '{"name": "x",' }));
    expectProblem(res, 400);
    expect(res.body.errors[0]).toEqual({ path: 'body', message: 'is not valid JSON' });
    expect(writes()).toBe(0);
  });

  it('answers a missing body with 400 pointing at the body', async () => {
    const res = await invoke(associations, apiEvent('POST /associations', { claims: ada }));
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('body');
  });

  it('answers a body that is not an object with 400, never 500', async () => {
    for (const rawBody of ['[]', '"text"', '42', 'null', 'true']) {
      const res = await invoke(associations, apiEvent('POST /associations', { claims: ada, rawBody }));
      expectProblem(res, 400);
    }
    expect(writes()).toBe(0);
  });

  it('rejects an unknown field with 400 naming it, and writes nothing', async () => {
    const res = await invoke(associations, apiEvent('POST /associations', { claims: ada, body: { ...validCreate, ownerCount: 99 } }));
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ path: 'ownerCount', message: 'is not a known field' }]);
    expect(writes()).toBe(0);
  });

  it('names each invalid field', async () => {
    const res = await invoke(associations, apiEvent('POST /associations', { claims: ada, body: { ...validCreate, slug: 'Bad Slug', currency: 'EUR' } }));
    expectProblem(res, 400);
    expect([...new Set(res.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual(['currency', 'slug']);
  });

  it('refuses a body that is not JSON by its content type', async () => {
    const res = await invoke(
      associations,
      apiEvent('POST /associations', { claims: ada, body: validCreate, headers: { 'content-type': 'text/plain' } }),
    );
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('body');
  });

  it('accepts JSON with a charset and a Content-Type header in any case', async () => {
    const event = apiEvent('POST /associations', { claims: ada, body: validCreate });
    delete event.headers['content-type'];
    event.headers['Content-Type'] = 'application/json; charset=utf-8';
    const res = await invoke(associations, event);
    expect(res.statusCode).toBe(201);
  });

  it('refuses a body over 64 KiB with 413 before reading or writing anything', async () => {
    const rawBody = JSON.stringify({ ...validCreate, description: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await invoke(associations, apiEvent('POST /associations', { claims: ada, rawBody }));
    expectProblem(res, 413);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('counts the limit in bytes, not characters', async () => {
    // 40,000 "é" are 80,000 bytes of UTF-8.
    const rawBody = JSON.stringify({ name: 'é'.repeat(40_000) });
    expectProblem(await invoke(profiles, apiEvent('PUT /me/profile', { claims: ada, rawBody })), 413);
  });

  it('lets a body of exactly 64 KiB through to validation', async () => {
    const base = JSON.stringify({ ...validCreate, description: '' });
    const rawBody = JSON.stringify({ ...validCreate, description: 'x'.repeat(MAX_BODY_BYTES - Buffer.byteLength(base)) });
    expect(Buffer.byteLength(rawBody)).toBe(MAX_BODY_BYTES);
    const res = await invoke(associations, apiEvent('POST /associations', { claims: ada, rawBody }));
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('description');
  });

  it('applies the limit even to routes without a body', async () => {
    const res = await invoke(profiles, apiEvent('GET /me/profile', { claims: ada, rawBody: 'x'.repeat(MAX_BODY_BYTES + 1) }));
    expectProblem(res, 413);
  });

  it('decodes a base64-encoded body', async () => {
    const rawBody = Buffer.from(JSON.stringify({ ...validCreate, name: 'Ingénieurs de Lyon' }), 'utf8').toString('base64');
    const res = await invoke(associations, apiEvent('POST /associations', { claims: ada, rawBody, isBase64Encoded: true }));
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({ name: 'Ingénieurs de Lyon', slug: 'engineers-lyon' });
    const [call] = ddb.commandCalls(TransactWriteCommand);
    expect(call!.args[0].input.TransactItems![0]!.Put!.Item).toMatchObject({ name: 'Ingénieurs de Lyon' });
  });

  it('applies the size limit to the decoded body, not its base64 form', async () => {
    // 60 KiB of JSON is 80 KiB once base64-encoded; the limit is on what the client sent.
    const base = JSON.stringify({ name: 'Ada', headline: '' });
    const json = JSON.stringify({ name: 'Ada', headline: 'h'.repeat(60 * 1024 - Buffer.byteLength(base)) });
    const rawBody = Buffer.from(json).toString('base64');
    expect(rawBody.length).toBeGreaterThan(MAX_BODY_BYTES);
    const res = await invoke(profiles, apiEvent('PUT /me/profile', { claims: ada, rawBody, isBase64Encoded: true }));
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('headline');
  });
});

describe('path and query', () => {
  it('rejects a malformed id in the path with 400 naming it', async () => {
    const res = await invoke(associations, apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: 'a b' } }));
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('associationId');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects an unknown query parameter', async () => {
    const res = await invoke(associations, apiEvent('GET /me/associations', { claims: ada, queryStringParameters: { offset: '5' } }));
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ path: 'offset', message: 'is not a known field' }]);
  });

  it('rejects a limit above 200', async () => {
    const res = await invoke(associations, apiEvent('GET /me/associations', { claims: ada, queryStringParameters: { limit: '500' } }));
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('limit');
  });

  it('rejects a forged cursor with 400 on the cursor', async () => {
    const res = await invoke(associations, apiEvent('GET /me/associations', { claims: ada, queryStringParameters: { cursor: 'eyJrIjp7fX0.forged' } }));
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('cursor');
    expect(ddb.calls()).toHaveLength(0);
  });

  it("rejects a cursor issued for another user's list", async () => {
    // A page of Ada's memberships yields a cursor; Bob cannot use it.
    const items = Array.from({ length: 3 }, (_, i) => memberItem(makeMember({ associationId: `a${i}`, userId: ada.sub })));
    ddb.reset();
    new FakeTable([...items, ...['a0', 'a1', 'a2'].map((id) => associationItem(makeAssociation({ associationId: id })))]).attach(ddb);
    const first = await invoke(associations, apiEvent('GET /me/associations', { claims: ada, queryStringParameters: { limit: '2' } }));
    expect(first.statusCode).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const bob: Claims = { sub: 'user-bob', email: 'bob@example.test' };
    const res = await invoke(associations, apiEvent('GET /me/associations', { claims: bob, queryStringParameters: { cursor: first.body.nextCursor } }));
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('cursor');
  });
});

describe('members handler input', () => {
  it('rejects a join body with a status the client does not own', async () => {
    ddb.reset();
    new FakeTable([associationItem(makeAssociation())]).attach(ddb);
    const res = await invoke(
      members,
      apiEvent('POST /associations/{associationId}/members', { claims: ada, pathParameters: { associationId: 'assocA' }, body: { planId: 'p1', status: 'active' } }),
    );
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ path: 'status', message: 'is not a known field' }]);
    expect(writes()).toBe(0);
  });
});

describe('building a handler', () => {
  // Each function composes its own store (functions/core/deps.ts): one left without what its routes need fails at load, not on a request.
  const mine = (fn: FunctionName) => routes.filter((r) => r.fn === fn);
  const impls = (fn: FunctionName) => Object.fromEntries(mine(fn).map((r) => [routeKey(r), async () => json({})]));

  it('refuses a function with association or event routes but no store', () => {
    expect(() => httpHandler(mine('associations'), impls('associations'), {})).toThrow('Function associations has association or event routes but no store');
  });

  it('refuses a function with read-ahead routes whose store cannot read ahead', () => {
    const store = { getAssociation: async () => undefined, getEvent: async () => undefined, getMember: async () => undefined };
    expect(() => httpHandler(mine('events'), impls('events'), { store, limiter: {} as never, optionalCaller: async () => null })).toThrow('Function events has read-ahead routes but no rsvpReadAhead in its store');
  });

  it('refuses a function with event routes whose store cannot read events', () => {
    // An access check's event read is only needed where a route names an event (http/access.ts AccessStore).
    const store = { getAssociation: async () => undefined, getMember: async () => undefined };
    expect(() => httpHandler(mine('matching'), impls('matching'), { store, limiter: {} as never })).toThrow('Function matching has event routes but no getEvent in its store');
    expect(() => httpHandler(mine('associations'), impls('associations'), { store })).not.toThrow();
  });

  it('takes no store for routes that name no association or event', () => {
    expect(() => httpHandler(mine('profiles'), impls('profiles'), {})).not.toThrow();
  });

  it('refuses routes of more than one function, or none', () => {
    expect(() => httpHandler([...mine('profiles'), ...mine('meta')], { ...impls('profiles'), ...impls('meta') }, {})).toThrow('A handler serves the routes of one function: profiles, meta');
    expect(() => httpHandler([], {}, {})).toThrow('A handler serves the routes of one function: none given');
  });

  // Each handler is given its own catalog (functions/core/routes/<fn>.ts); the whole catalog is their composition.
  it.each(functionNames.map((fn) => [fn]))("gives %s exactly the routes the whole catalog assigns to it, in the same order", async (fn) => {
    const own = (await import(`../../../functions/core/routes/${fn}.js`))[`${fn}Routes`];
    expect(own).toEqual(mine(fn));
  });
});
