/**
 * The stats routes through their handlers, with the table in memory: who may read them
 * (every role, and staff of another association using this one's ids), refused ranges
 * named by field, and the series read back from counter items only.
 */
import '../../support/events-env.js';
import '../../support/stripe-env.js';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, QueryCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as associations } from '../../../functions/associations/handler.js';
import { handler as events } from '../../../functions/events/handler.js';
import { apiEvent, invoke, type Claims } from '../../support/lambda.js';
import { makeAssociation, makeMember } from '../../support/factories.js';
import { makeEvent, eventItem } from '../../support/event-factories.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import * as keys from '../../../functions/core/data/keys.js';
import { FakeTable } from '../../support/fake-table.js';
import { AssociationStats, EventStats } from '../../../functions/core/responses/stats.js';
import { addDays } from '../../../functions/core/domain/stats.js';
import type { Role } from '../../../functions/core/domain/roles.js';

const ddb = mockClient(DynamoDBDocumentClient);
const A = 'assocA';
const B = 'assocB';
const E = 'evtA';
const today = new Date().toISOString().slice(0, 10);
const claims = (sub: string): Claims => ({ sub, email: `${sub}@example.test`, name: sub });
const stat = (key: { pk: string; sk: string }, fields: Record<string, unknown>) => ({ ...key, entity: 'stat', ...fields });

beforeEach(() => {
  ddb.reset();
  const staff = (assoc: string, role: Role) => memberItem(makeMember({ associationId: assoc, userId: `${assoc}-${role}`, role, email: `${assoc}-${role}@example.test` }));
  new FakeTable([
    associationItem(makeAssociation({ associationId: A, slug: 'assoc-a', currency: 'eur' })),
    associationItem(makeAssociation({ associationId: B, slug: 'assoc-b' })),
    ...(['member', 'organizer', 'admin', 'owner'] as Role[]).flatMap((r) => [staff(A, r), staff(B, r)]),
    eventItem(makeEvent({ eventId: E, associationId: A, capacity: 10, startsAt: `${today}T18:00:00.000Z`, endsAt: `${today}T19:00:00.000Z` })),
    // Counters as the stream consumer leaves them.
    stat(keys.membersTotal(A), { active: 2, pending: 0 }),
    stat(keys.membersDay(A, addDays(today, -1)), { day: addDays(today, -1), active: 1, pending: -1 }),
    stat(keys.membersDay(A, today), { day: today, active: 1 }),
    stat(keys.duesMonth(A, today.slice(0, 7), 'eur'), { month: today.slice(0, 7), currency: 'eur', amount: 9000, refunded: 1500 }),
    stat(keys.renewalsDay(A, addDays(today, 3)), { day: addDays(today, 3), count: 2 }),
    stat(keys.renewalsDay(A, addDays(today, 40)), { day: addDays(today, 40), count: 9 }), // outside the 30 days
    stat(keys.eventTotals(E), { going: 4, waitlisted: 1, r5: 2, r3: 1, met: 2, rated: 3 }),
    stat(keys.rsvpsHour(E, `${addDays(today, -2)}T10`), { hour: `${addDays(today, -2)}T10`, going: 4 }),
    stat(keys.rsvpsHour(E, `${addDays(today, -1)}T11`), { hour: `${addDays(today, -1)}T11`, waitlisted: 1 }),
    stat(keys.checkInsSlot(E, `${today}T18:15`), { slot: `${today}T18:15`, count: 3 }),
  ]).attach(ddb);
});

const assocStats = (c: Claims | undefined, q?: Record<string, string>, id = A) =>
  invoke(associations, apiEvent('GET /associations/{associationId}/stats', { claims: c, pathParameters: { associationId: id }, queryStringParameters: q }));
const evStats = (c: Claims | undefined, id = E) => invoke(events, apiEvent('GET /events/{eventId}/stats', { claims: c, pathParameters: { eventId: id } }));

describe('GET /associations/{associationId}/stats', () => {
  it('gives an admin the series, from the counter items only', async () => {
    const res = await assocStats(claims(`${A}-admin`), { from: addDays(today, -2) });
    expect(res.statusCode).toBe(200);
    const body = AssociationStats.parse(res.body);
    expect(body.membersByStatus.map((d) => [d.date, d.pending, d.active])).toEqual([
      [addDays(today, -2), 1, 0],
      [addDays(today, -1), 0, 1],
      [today, 0, 2],
    ]);
    expect(body.duesByMonth.at(-1)).toEqual({ month: today.slice(0, 7), currency: 'eur', amount: 9000, refunded: 1500 });
    expect(body.renewalsDue).toHaveLength(30);
    expect(body.renewalsDue.reduce((n, d) => n + d.count, 0)).toBe(2);
    expect(body.renewalsDue[3]).toEqual({ date: addDays(today, 3), count: 2 });
    // Only counter partitions are read, by key ranges.
    const queried = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(new Set(queried)).toEqual(new Set([`STATS#ASSOC#${A}`]));
    expect(ddb.commandCalls(QueryCommand).every((c) => !c.args[0].input.FilterExpression)).toBe(true);
  });

  it.each([
    ['anonymous', undefined, 401],
    ['a non-member', claims('stranger'), 403],
    ['a member', claims(`${A}-member`), 403],
    ['an organizer', claims(`${A}-organizer`), 403],
    ['the owner', claims(`${A}-owner`), 200],
    ["another association's admin", claims(`${B}-admin`), 403],
    ["another association's owner", claims(`${B}-owner`), 403],
  ])('answers %s as the catalog says', async (_, c, status) => {
    const res = await assocStats(c);
    expect(res.statusCode).toBe(status);
    if (status !== 200) expect(res.headers['Content-Type']).toBe('application/problem+json');
  });

  it('is 404 for an association that does not exist', async () => {
    expect((await assocStats(claims(`${A}-admin`), undefined, 'nope')).statusCode).toBe(404);
  });

  it.each([
    [{ from: '2026-02-30' }, 'from'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: addDays(today, 1) }, 'to'],
    [{ from: addDays(today, -400) }, 'from'],
    [{ from: today, to: addDays(today, -1) }, 'from'],
    [{ days: '30' }, 'days'],
  ])('refuses %j naming %s', async (q, field) => {
    const res = await assocStats(claims(`${A}-admin`), q as Record<string, string>);
    expect(res.statusCode).toBe(400);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
  });
});

describe('GET /events/{eventId}/stats', () => {
  it('gives an organizer capacity, seats over time, check-ins per quarter hour and ratings', async () => {
    const res = await evStats(claims(`${A}-organizer`));
    expect(res.statusCode).toBe(200);
    const body = EventStats.parse(res.body);
    expect(body.capacity).toBe(10);
    expect(body.rsvps).toEqual([
      { at: `${addDays(today, -2)}T10:00:00.000Z`, going: 4, waitlisted: 0 },
      { at: `${addDays(today, -1)}T11:00:00.000Z`, going: 4, waitlisted: 1 },
    ]);
    // The hour of the event, in quarters, zeros included.
    expect(body.checkIns.map((c) => c.count)).toEqual([0, 3, 0, 0, 0]);
    expect(body.checkIns[1]!.at).toBe(`${today}T18:15:00.000Z`);
    expect(body.ratings).toEqual({ 1: 0, 2: 0, 3: 1, 4: 0, 5: 2, met: 2, rated: 3 });
    expect(ddb.commandCalls(GetCommand).length).toBeGreaterThan(0);
  });

  it.each([
    ['anonymous', undefined, 401],
    ['a non-member', claims('stranger'), 403],
    ['a member', claims(`${A}-member`), 403],
    ['an admin', claims(`${A}-admin`), 200],
    ["another association's organizer", claims(`${B}-organizer`), 403],
    ["another association's owner", claims(`${B}-owner`), 403],
  ])('answers %s as the catalog says', async (_, c, status) => {
    expect((await evStats(c)).statusCode).toBe(status);
  });

  it('is 404 for an event that does not exist', async () => {
    expect((await evStats(claims(`${A}-organizer`), 'nope')).statusCode).toBe(404);
  });
});
