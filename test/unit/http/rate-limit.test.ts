/**
 * The fixed-window limiter and its enforcement: the counter is one conditional UpdateItem
 * (ADD with a limit condition, TTL from table-schema), a full window answers 429 with
 * Retry-After before the implementation runs, and a throttled counter fails open on purpose.
 */
import '../../support/events-env.js';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand, TransactWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createRateLimits } from '../../../functions/core/data/rate-limits.js';
import { enforceRateLimits } from '../../../functions/core/http/rate-limit.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import { rateLimits, routes, routeKey } from '../../../functions/core/api.js';
import { buildOpenApi } from '../../../functions/core/openapi.js';
import { handler as events } from '../../../functions/events/handler.js';
import { FakeTable } from '../../support/fake-table.js';
import { apiEvent, invoke, type Claims } from '../../support/lambda.js';
import { makeAssociation, makeMember } from '../../support/factories.js';
import { associationEntity, eventItem, makeEvent, memberEntity } from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(SESv2Client);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const limits = createRateLimits(db, 'T');
const at = (iso: string) => new Date(iso);

beforeEach(() => ddb.reset());

describe('the counter', () => {
  it('is one conditional UpdateItem: ADD n, limit condition, expiresAt at the end of the window', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { n: 1 } });
    const res = await limits.take('rsvp', 'u1#e1', 10, 60, at('2026-01-01T00:00:30.500Z'));
    expect(res).toEqual({ allowed: true, count: 1 });
    const windowStart = Date.parse('2026-01-01T00:00:00Z') / 1000;
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'T',
      Key: { pk: 'RATE#rsvp#u1#e1', sk: `WINDOW#${windowStart}` },
      UpdateExpression: 'ADD #n :one SET #ttl = :exp',
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
      ExpressionAttributeNames: { '#n': 'n', '#ttl': 'expiresAt' },
      ExpressionAttributeValues: { ':one': 1, ':limit': 10, ':exp': windowStart + 60 },
    });
  });

  it('a full window is refused with the seconds left until it ends, rounded up', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expect(await limits.take('rsvp', 'u1#e1', 10, 60, at('2026-01-01T00:00:30.500Z'))).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(await limits.take('rsvp', 'u1#e1', 10, 60, at('2026-01-01T00:00:59.900Z'))).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('counts to the limit, refuses, and starts again in the next window (against the fake table)', async () => {
    const table = new FakeTable().attach(ddb);
    const now = at('2026-01-01T00:00:10Z');
    const results = await Promise.all(Array.from({ length: 200 }, () => limits.take('x', 's', 10, 60, now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.filter((r) => !r.allowed)).toHaveLength(190);
    // A refused request is not counted.
    expect([...table.items.values()].find((i) => i.pk === 'RATE#x#s')).toMatchObject({ n: 10 });
    expect((await limits.take('x', 's', 10, 60, at('2026-01-01T00:01:00Z'))).allowed).toBe(true);
    // Another subject has its own counter.
    expect((await limits.take('x', 'other', 10, 60, now)).allowed).toBe(true);
  });
});

describe('enforcement', () => {
  const who = { userId: 'u1', sourceIp: '203.0.113.7', params: { eventId: 'e1', matchId: 'm1' } };
  const now = at('2026-01-01T00:00:15Z');

  it('a full window is 429 with Retry-After', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const err = await enforceRateLimits([rateLimits.rsvp], who, limits, now).catch((e) => e);
    expect(err).toBeInstanceOf(HttpProblem);
    expect(err.statusCode).toBe(429);
    expect(err.headers).toEqual({ 'Retry-After': '45' });
  });

  it('each limit has its own subject: ip, user and event, match', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { n: 1 } });
    await enforceRateLimits([rateLimits.linkPages, rateLimits.introduceAsk, rateLimits.rsvp, rateLimits.exports], who, limits, now);
    const pks = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key!.pk);
    expect(pks).toEqual(['RATE#link-pages#203.0.113.7', 'RATE#introduce#e1#m1', 'RATE#rsvp#u1#e1', 'RATE#export#u1']);
  });

  it('fails open when DynamoDB throttles the counter: the request goes on', async () => {
    ddb.on(UpdateCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(enforceRateLimits([rateLimits.rsvp], who, limits, now)).resolves.toBeUndefined();
  });

  it('any other DynamoDB error is a bug and propagates', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('bad expression'), { name: 'ValidationException' }));
    await expect(enforceRateLimits([rateLimits.rsvp], who, limits, now)).rejects.toThrow('bad expression');
  });
});

describe('through the events function', () => {
  const ann: Claims = { sub: 'user-ann', email: 'ann@example.test', name: 'Ann' };
  const event = makeEvent({ eventId: 'evtA', visibility: 'public', startsAt: '2099-03-10T18:00:00.000Z', endsAt: '2099-03-10T21:00:00.000Z' });
  const put = () => invoke(events, apiEvent('PUT /events/{eventId}/rsvp', { pathParameters: { eventId: 'evtA' }, claims: ann, body: { status: 'going' } }));

  it('PUT rsvp over the limit is 429 problem+json with Retry-After, and writes no RSVP', async () => {
    // This window and the next already full, so a minute boundary during the test changes nothing.
    const start = Math.floor(Date.now() / 60_000) * 60;
    const full = [start, start + 60].map((w) => ({ pk: `RATE#rsvp#${ann.sub}#evtA`, sk: `WINDOW#${w}`, n: 10, expiresAt: w + 60 }));
    new FakeTable([associationEntity(makeAssociation({ associationId: 'assocA' })), eventItem(event), memberEntity(makeMember({ userId: ann.sub, email: ann.email })), ...full]).attach(ddb);
    const res = await put();
    expect(res.statusCode).toBe(429);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(Number(res.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['Retry-After'])).toBeLessThanOrEqual(60);
    expect(res.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('the 11th RSVP change in a minute is refused, the first 10 are not', async () => {
    new FakeTable([associationEntity(makeAssociation({ associationId: 'assocA' })), eventItem(event), memberEntity(makeMember({ userId: ann.sub, email: ann.email }))]).attach(ddb);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await put()).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe('the catalog', () => {
  const limited = ['PUT /events/{eventId}/rsvp', 'DELETE /events/{eventId}/rsvp', 'POST /events/{eventId}/matches/preview', 'GET /events/{eventId}/attendees/export',
    'GET /associations/{associationId}/members/export', 'GET /associations/{associationId}/payments/export', 'GET /events/{eventId}/waitlist/leave', 'POST /events/{eventId}/waitlist/leave',
    'GET /events/{eventId}/matches/{matchId}/introduce', 'POST /events/{eventId}/matches/{matchId}/introduce', 'GET /email/unsubscribe', 'POST /email/unsubscribe',
    // Connections: asks per person per day, the export, and the follow-up mail's connect link.
    'POST /associations/{associationId}/connections', 'GET /me/connections/export', 'GET /events/{eventId}/connect', 'POST /events/{eventId}/connect'];

  it('limits exactly the abusable routes, and /openapi.json lists 429 for them', () => {
    expect(routes.filter((r) => r.rateLimit?.length).map(routeKey).sort()).toEqual([...limited].sort());
    const doc = buildOpenApi();
    for (const r of routes) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      expect({ route: routeKey(r), has429: '429' in op.responses }).toEqual({ route: routeKey(r), has429: limited.includes(routeKey(r)) });
    }
    expect(doc.components.responses.TooManyRequests.headers['Retry-After']).toBeDefined();
  });

  it('an introduction ask is limited per address and per match', () => {
    const spec = routes.find((r) => routeKey(r) === 'POST /events/{eventId}/matches/{matchId}/introduce')!;
    expect(spec.rateLimit!.map((l) => l.per)).toEqual(['ip', 'match']);
  });
});
