/**
 * Access rules (http/access.ts) as the handlers apply them, with memberships served from
 * a mocked table: who may do what in association A.
 */
// Settings first: the members function reads them when it loads.
import '../../support/stripe-env.js';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as associations } from '../../../functions/associations/handler.js';
import { handler as members } from '../../../functions/members/handler.js';
import { apiEvent, invoke, type Claims, type Reply } from '../../support/lambda.js';
import { makeAssociation, makeMember, makePlan, makeProfile } from '../../support/factories.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import { planItem } from '../../../functions/core/data/plans.js';
import { profileItem } from '../../../functions/core/data/profiles.js';
import { FakeTable } from '../../support/fake-table.js';
import type { Member } from '../../../functions/core/domain/types.js';
import type { MemberStatus, Role } from '../../../functions/core/domain/roles.js';

const ddb = mockClient(DynamoDBDocumentClient);

const A = 'assocA';
const B = 'assocB';
const claims = (sub: string): Claims => ({ sub, email: `${sub}@example.test`, name: sub });
const writes = () => ddb.commandCalls(TransactWriteCommand).length + ddb.commandCalls(PutCommand).length + ddb.commandCalls(UpdateCommand).length;

/** Serves associations A and B, a plan, a listed member of A, and the caller's memberships. */
function given(...memberships: Member[]) {
  const listed = makeMember({ associationId: A, userId: 'user-listed', directoryVisible: true });
  new FakeTable([
    associationItem(makeAssociation({ associationId: A, slug: 'assoc-a' })),
    associationItem(makeAssociation({ associationId: B, slug: 'assoc-b' })),
    planItem(makePlan({ associationId: A })),
    memberItem(listed),
    profileItem(makeProfile({ userId: 'user-listed', name: 'Listed Person', directoryVisible: true })),
    ...memberships.map(memberItem),
  ]).attach(ddb);
}
const memberOf = (associationId: string, userId: string, role: Role, status: MemberStatus = 'active') =>
  makeMember({ associationId, userId, role, status, email: `${userId}@example.test` });

/** The association-scoped routes that need admin rights, with a valid body for each. */
const adminCalls: [string, (c: Claims) => Promise<Reply>][] = [
  ['PATCH the association', (c) => invoke(associations, apiEvent('PATCH /associations/{associationId}', { claims: c, pathParameters: { associationId: A }, body: { name: 'Renamed' } }))],
  ['create a plan', (c) => invoke(associations, apiEvent('POST /associations/{associationId}/plans', { claims: c, pathParameters: { associationId: A }, body: { name: 'Gold', amount: 100, interval: 'year' } }))],
  ['archive a plan', (c) => invoke(associations, apiEvent('PATCH /associations/{associationId}/plans/{planId}', { claims: c, pathParameters: { associationId: A, planId: 'planYearly' }, body: { archived: true } }))],
  ['export members', (c) => invoke(members, apiEvent('GET /associations/{associationId}/members/export', { claims: c, pathParameters: { associationId: A } }))],
  ['change a role', (c) => invoke(members, apiEvent('PATCH /associations/{associationId}/members/{userId}', { claims: c, pathParameters: { associationId: A, userId: 'user-listed' }, body: { role: 'organizer' } }))],
  ['remove another member', (c) => invoke(members, apiEvent('DELETE /associations/{associationId}/members/{userId}', { claims: c, pathParameters: { associationId: A, userId: 'user-listed' } }))],
];
const listMembers = (c: Claims) => invoke(members, apiEvent('GET /associations/{associationId}/members', { claims: c, pathParameters: { associationId: A } }));
const directory = (c: Claims) => invoke(members, apiEvent('GET /associations/{associationId}/directory', { claims: c, pathParameters: { associationId: A } }));

beforeEach(() => {
  ddb.reset();
});

describe('a plain member of A', () => {
  const me = claims('user-plain');

  it.each(adminCalls)('is refused (403) when trying to %s, and nothing is written', async (_, call) => {
    given(memberOf(A, me.sub, 'member'));
    const res = await call(me);
    expect(res.statusCode).toBe(403);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(writes()).toBe(0);
  });

  it('cannot list members', async () => {
    given(memberOf(A, me.sub, 'member'));
    expect((await listMembers(me)).statusCode).toBe(403);
  });

  it("cannot read another member's record, but can read their own", async () => {
    given(memberOf(A, me.sub, 'member'));
    const other = await invoke(members, apiEvent('GET /associations/{associationId}/members/{userId}', { claims: me, pathParameters: { associationId: A, userId: 'user-listed' } }));
    expect(other.statusCode).toBe(403);
    const own = await invoke(members, apiEvent('GET /associations/{associationId}/members/{userId}', { claims: me, pathParameters: { associationId: A, userId: me.sub } }));
    expect(own.statusCode).toBe(200);
    expect(own.body).toMatchObject({ userId: me.sub, associationId: A, role: 'member' });
  });
});

describe('rights do not cross associations', () => {
  const me = claims('user-admin-of-b');

  it.each(adminCalls)('an admin of B is refused in A when trying to %s', async (_, call) => {
    given(memberOf(B, me.sub, 'admin'));
    expect((await call(me)).statusCode).toBe(403);
    expect(writes()).toBe(0);
  });
});

describe('an organizer of A', () => {
  const me = claims('user-organizer');

  it('can list members, emails included', async () => {
    given(memberOf(A, me.sub, 'organizer'));
    const res = await listMembers(me);
    expect(res.statusCode).toBe(200);
    expect(res.body.items.map((m: Member) => m.userId).sort()).toEqual(['user-listed', 'user-organizer']);
    expect(res.body.items[0]).toHaveProperty('email');
    expect(res.body.nextCursor).toBeNull();
  });

  it.each(adminCalls)('is refused (403) when trying to %s', async (_, call) => {
    given(memberOf(A, me.sub, 'organizer'));
    expect((await call(me)).statusCode).toBe(403);
  });
});

describe('an admin of A', () => {
  const me = claims('user-admin');

  it('can update the association', async () => {
    given(memberOf(A, me.sub, 'admin'));
    const res = await adminCalls[0]![1](me);
    expect(res.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('can list members', async () => {
    given(memberOf(A, me.sub, 'admin'));
    expect((await listMembers(me)).statusCode).toBe(200);
  });

  // Removing someone is at least as strong as changing their role: an admin who may not
  // demote an owner or another admin may not remove them either.
  it.each(['owner', 'admin'] as const)('may not remove an %s: that is for owners', async (role) => {
    given(memberOf(A, me.sub, 'admin'), memberOf(A, `user-other-${role}`, role));
    const res = await invoke(
      members,
      apiEvent('DELETE /associations/{associationId}/members/{userId}', { claims: me, pathParameters: { associationId: A, userId: `user-other-${role}` } }),
    );
    expect(res.statusCode).toBe(403);
    expect(writes()).toBe(0);
  });

  it('may remove a plain member', async () => {
    given(memberOf(A, me.sub, 'admin'));
    const res = await invoke(
      members,
      apiEvent('DELETE /associations/{associationId}/members/{userId}', { claims: me, pathParameters: { associationId: A, userId: 'user-listed' } }),
    );
    expect(res.statusCode).toBe(204);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('may not make someone an admin: that is for owners', async () => {
    given(memberOf(A, me.sub, 'admin'));
    const res = await invoke(
      members,
      apiEvent('PATCH /associations/{associationId}/members/{userId}', { claims: me, pathParameters: { associationId: A, userId: 'user-listed' }, body: { role: 'admin' } }),
    );
    expect(res.statusCode).toBe(403);
    expect(writes()).toBe(0);
  });
});

describe('a cancelled membership grants nothing', () => {
  const me = claims('user-former-admin');

  it.each(adminCalls)('a former admin is refused when trying to %s', async (_, call) => {
    given(memberOf(A, me.sub, 'admin', 'cancelled'));
    expect((await call(me)).statusCode).toBe(403);
    expect(writes()).toBe(0);
  });

  it('a former organizer cannot list members', async () => {
    given(memberOf(A, me.sub, 'organizer', 'cancelled'));
    expect((await listMembers(me)).statusCode).toBe(403);
  });

  it('a former member cannot read the directory', async () => {
    given(memberOf(A, me.sub, 'member', 'cancelled'));
    expect((await directory(me)).statusCode).toBe(403);
  });
});

describe('the directory', () => {
  it.each(['active', 'past_due'] as const)('is open to a %s member, without emails', async (status) => {
    const me = claims(`user-${status}`);
    given(memberOf(A, me.sub, 'member', status));
    const res = await directory(me);
    expect(res.statusCode).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ userId: 'user-listed', name: 'Listed Person' })]);
    expect(JSON.stringify(res.body)).not.toContain('@example.test');
  });

  it.each(['lapsed', 'pending', 'cancelled'] as const)('is closed to a %s member', async (status) => {
    const me = claims(`user-${status}`);
    given(memberOf(A, me.sub, 'member', status));
    const res = await directory(me);
    expect(res.statusCode).toBe(403);
    expect(res.body.status).toBe(403);
  });

  it('is open to staff whatever their dues', async () => {
    const me = claims('user-staff');
    given(memberOf(A, me.sub, 'organizer', 'lapsed'));
    expect((await directory(me)).statusCode).toBe(200);
  });

  it('is closed to a signed-in stranger', async () => {
    given();
    expect((await directory(claims('user-stranger'))).statusCode).toBe(403);
  });
});

describe('addressing', () => {
  it('answers 404, not 403, for an association that does not exist', async () => {
    const me = claims('user-admin');
    given(memberOf(A, me.sub, 'admin'));
    const res = await invoke(members, apiEvent('GET /associations/{associationId}/members', { claims: me, pathParameters: { associationId: 'ghost' } }));
    expect(res.statusCode).toBe(404);
  });

  it('serves the public summary to anyone, without a token', async () => {
    given();
    const res = await invoke(associations, apiEvent('GET /associations/{associationId}', { pathParameters: { associationId: A } }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ associationId: A, slug: 'assoc-a' });
    expect(res.body).not.toHaveProperty('ownerCount');
    expect(res.body).not.toHaveProperty('gracePeriodDays');
  });
});
