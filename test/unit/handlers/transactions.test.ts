/**
 * No half-written state: each state change and its audit entry go to DynamoDB in one
 * TransactWriteCommand, guarded by conditions, so a failure leaves nothing behind.
 */
// Settings first: the members function reads them when it loads.
import '../../support/stripe-env.js';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { handler as associations } from '../../../functions/associations/handler.js';
import { handler as members } from '../../../functions/members/handler.js';
import { apiEvent, invoke, type Claims } from '../../support/lambda.js';
import { makeAssociation, makeMember, makePlan, makeProfile } from '../../support/factories.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import { planItem } from '../../../functions/core/data/plans.js';
import { profileItem } from '../../../functions/core/data/profiles.js';
import { FakeTable } from '../../support/fake-table.js';

const ddb = mockClient(DynamoDBDocumentClient);
// Mail queued by a change may be sent after it; it must never reach SES from a unit test.
const ses = mockClient(SESv2Client);
const TABLE = process.env.TABLE_NAME!;

const owner: Claims = { sub: 'user-owner', email: 'Olive@Example.test', name: 'Olive from token' };
const association = makeAssociation({ associationId: 'assocA', ownerCount: 2 });
const ownerMember = makeMember({ userId: owner.sub, role: 'owner', planId: '', currentPeriodEnd: null, email: owner.email, version: 4 });

/** The one transaction sent; fails the test if there were more or fewer. */
function onlyTransaction() {
  expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
  expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
  return ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
}

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'unit-test' });
});

describe('creating an association', () => {
  const body = { name: 'Engineers of Lyon', slug: 'engineers-lyon', currency: 'eur', timezone: 'Europe/Paris' };

  it('writes association, slug, owner membership and audit entry in one conditional transaction', async () => {
    new FakeTable([profileItem(makeProfile({ userId: owner.sub, name: 'Olive Owner', directoryVisible: true }))]).attach(ddb);
    const res = await invoke(associations, apiEvent('POST /associations', { claims: owner, body }));
    expect(res.statusCode).toBe(201);
    const id = res.body.associationId;
    expect(id).toEqual(expect.any(String));

    const items = onlyTransaction();
    expect(items).toHaveLength(4);
    const [assoc, slug, member, audit] = items.map((i) => i.Put!);
    for (const put of [assoc, slug, member, audit]) expect(put!.TableName).toBe(TABLE);

    expect(assoc).toMatchObject({
      Item: { pk: `ASSOC#${id}`, sk: 'ASSOC', associationId: id, slug: 'engineers-lyon', ownerCount: 1 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(slug).toMatchObject({ Item: { pk: 'SLUG#engineers-lyon', sk: 'SLUG', associationId: id }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(member).toMatchObject({
      Item: {
        pk: `ASSOC#${id}`,
        sk: `MEMBER#${owner.sub}`,
        gsi1pk: `USER#${owner.sub}`,
        gsi1sk: `MEMBER#${id}`,
        role: 'owner',
        status: 'active',
        name: 'Olive Owner',
        directoryVisible: true,
        version: 1,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(audit!.Item).toMatchObject({ pk: `ASSOC#${id}`, sk: expect.stringMatching(/^AUDIT#/), action: 'association.created', actorId: owner.sub });
  });

  it('leaves nothing behind when the slug is taken: the only write was the cancelled transaction', async () => {
    new FakeTable([]).attach(ddb);
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }] }),
    );
    const res = await invoke(associations, apiEvent('POST /associations', { claims: owner, body }));
    expect(res.statusCode).toBe(409);
    onlyTransaction();
  });
});

describe('changing a role', () => {
  const patchRole = (userId: string, role: string) =>
    invoke(
      members,
      apiEvent('PATCH /associations/{associationId}/members/{userId}', { claims: owner, pathParameters: { associationId: 'assocA', userId }, body: { role } }),
    );

  it("guards demoting an owner with ownerCount > 1 in the same transaction as the member's update", async () => {
    const coOwner = makeMember({ userId: 'user-co-owner', role: 'owner', version: 9 });
    new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(coOwner)]).attach(ddb);

    const res = await patchRole('user-co-owner', 'admin');
    expect(res.statusCode).toBe(200);

    const items = onlyTransaction();
    expect(items).toHaveLength(3);
    const memberUpdate = items.find((i) => i.Update?.Key?.sk === 'MEMBER#user-co-owner')!.Update!;
    expect(memberUpdate.ConditionExpression).toContain('#version = :version');
    expect(memberUpdate.ExpressionAttributeValues).toMatchObject({ ':role': 'admin', ':version': 9 });
    const guard = items.find((i) => i.Update?.Key?.sk === 'ASSOC')!.Update!;
    expect(guard).toMatchObject({
      TableName: TABLE,
      Key: { pk: 'ASSOC#assocA', sk: 'ASSOC' },
      ConditionExpression: 'ownerCount > :one',
      ExpressionAttributeValues: { ':d': -1, ':one': 1 },
    });
    expect(items.some((i) => i.Put?.Item?.action === 'member.role_changed')).toBe(true);
  });

  it('refuses with 409 when the guard fails, as the last owner demoting themself', async () => {
    new FakeTable([associationItem(makeAssociation({ associationId: 'assocA', ownerCount: 1 })), memberItem(ownerMember)]).attach(ddb);
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }),
    );
    const res = await patchRole(owner.sub, 'admin');
    expect(res.statusCode).toBe(409);
    expect(res.body.errors).toEqual([{ path: 'role', message: 'would leave no owner' }]);
    const items = onlyTransaction();
    expect(items.find((i) => i.Update?.Key?.sk === 'ASSOC')!.Update!.ConditionExpression).toBe('ownerCount > :one');
  });

  it('counts a new owner in the same transaction', async () => {
    new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(makeMember({ userId: 'user-admin', role: 'admin' }))]).attach(ddb);
    expect((await patchRole('user-admin', 'owner')).statusCode).toBe(200);
    const guard = onlyTransaction().find((i) => i.Update?.Key?.sk === 'ASSOC')!.Update!;
    expect(guard.ExpressionAttributeValues).toEqual({ ':d': 1 });
  });

  it('leaves the owner count alone between other roles', async () => {
    new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(makeMember({ userId: 'user-m', role: 'member' }))]).attach(ddb);
    expect((await patchRole('user-m', 'organizer')).statusCode).toBe(200);
    const items = onlyTransaction();
    expect(items).toHaveLength(2);
    expect(items.some((i) => i.Update?.Key?.sk === 'ASSOC')).toBe(false);
  });
});

describe('removing an owner', () => {
  it('guards the owner count in the same transaction as the removal', async () => {
    const coOwner = makeMember({ userId: 'user-co-owner', role: 'owner' });
    new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(coOwner)]).attach(ddb);
    const res = await invoke(
      members,
      apiEvent('DELETE /associations/{associationId}/members/{userId}', { claims: owner, pathParameters: { associationId: 'assocA', userId: 'user-co-owner' } }),
    );
    expect(res.statusCode).toBe(204);
    const items = onlyTransaction();
    // The membership is replaced whole (so its index entries follow), at the version read.
    const removal = items.find((i) => i.Put?.Item?.sk === 'MEMBER#user-co-owner')!.Put!;
    expect(removal.Item).toMatchObject({ status: 'cancelled', role: 'member', version: coOwner.version + 1 });
    expect(removal.ConditionExpression).toBe('#version = :version AND #status <> :cancelled');
    expect(removal.ExpressionAttributeValues).toMatchObject({ ':version': coOwner.version, ':cancelled': 'cancelled' });
    expect(items.find((i) => i.Update?.Key?.sk === 'ASSOC')!.Update!.ConditionExpression).toBe('ownerCount > :one');
    expect(items.some((i) => i.Put?.Item?.action === 'member.removed')).toBe(true);
  });
});

describe('recording an offline payment', () => {
  const plan = makePlan({ planId: 'planYearly', amount: 5000, interval: 'year' });

  it('writes ledger entry, member update and audit entry in one transaction conditioned on the version read', async () => {
    const periodEnd = new Date(Date.now() + 30 * 86_400_000);
    const payer = makeMember({ userId: 'user-payer', status: 'past_due', currentPeriodEnd: periodEnd.toISOString(), version: 12 });
    new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(payer), planItem(plan)]).attach(ddb);
    const paidAt = new Date(Date.now() - 3_600_000).toISOString();

    const res = await invoke(
      members,
      apiEvent('PATCH /associations/{associationId}/members/{userId}', {
        claims: owner,
        pathParameters: { associationId: 'assocA', userId: 'user-payer' },
        body: { offlinePayment: { amount: 5000, paidAt, note: 'cash at the AGM' } },
      }),
    );
    expect(res.statusCode).toBe(200);

    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    const skOf = (i: (typeof items)[number]) => String((i.Put?.Item ?? i.Update?.Key ?? {})['sk'] ?? '');

    // Paying early extends from the current end by one year.
    const expectedEnd = new Date(periodEnd);
    expectedEnd.setUTCFullYear(expectedEnd.getUTCFullYear() + 1);

    const ledger = items.filter((i) => skOf(i).startsWith('PAYMENT#'));
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.Put).toMatchObject({
      TableName: TABLE,
      Item: {
        pk: 'ASSOC#assocA',
        kind: 'offline',
        userId: 'user-payer',
        amount: 5000,
        currency: 'eur',
        paidAt,
        note: 'cash at the AGM',
        periodStart: periodEnd.toISOString(),
        periodEnd: expectedEnd.toISOString(),
        recordedBy: owner.sub,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });

    const memberWrites = items.filter((i) => skOf(i) === 'MEMBER#user-payer');
    expect(memberWrites).toHaveLength(1);
    const write = (memberWrites[0]!.Put ?? memberWrites[0]!.Update)!;
    expect(write.ConditionExpression).toContain('#version = :version');
    expect(write.ExpressionAttributeValues).toMatchObject({ ':version': 12 });
    // The new state, whether written as a whole item or as an update.
    const state = memberWrites[0]!.Put ? memberWrites[0]!.Put.Item : { status: write.ExpressionAttributeValues![':active'], currentPeriodEnd: write.ExpressionAttributeValues![':end'] };
    expect(state).toMatchObject({ status: 'active', currentPeriodEnd: expectedEnd.toISOString() });

    const audit = items.filter((i) => skOf(i).startsWith('AUDIT#'));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.Put!.Item).toMatchObject({
      action: 'member.offline_payment',
      actorId: owner.sub,
      subjectId: 'user-payer',
      data: { paymentId: ledger[0]!.Put!.Item!.paymentId, amount: 5000 },
    });

    // Nothing about the payment is written outside that transaction.
    const outside = [...ddb.commandCalls(PutCommand), ...ddb.commandCalls(UpdateCommand)].map((c) => String((c.args[0].input as any).Item?.sk ?? (c.args[0].input as any).Key?.sk));
    expect(outside.filter((sk) => /^(PAYMENT|MEMBER|AUDIT)#/.test(sk))).toEqual([]);
  });

  it('refuses a payment dated in the future without writing', async () => {
    new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(makeMember({ userId: 'user-payer' })), planItem(plan)]).attach(ddb);
    const res = await invoke(
      members,
      apiEvent('PATCH /associations/{associationId}/members/{userId}', {
        claims: owner,
        pathParameters: { associationId: 'assocA', userId: 'user-payer' },
        body: { offlinePayment: { amount: 5000, paidAt: new Date(Date.now() + 86_400_000).toISOString() } },
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body.errors[0].path).toBe('offlinePayment.paidAt');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('refuses a payment for a member on a free plan without writing', async () => {
    const free = makePlan({ planId: 'free', amount: 0 });
    new FakeTable([associationItem(association), memberItem(ownerMember), memberItem(makeMember({ userId: 'user-payer', planId: 'free' })), planItem(free)]).attach(ddb);
    const res = await invoke(
      members,
      apiEvent('PATCH /associations/{associationId}/members/{userId}', {
        claims: owner,
        pathParameters: { associationId: 'assocA', userId: 'user-payer' },
        body: { offlinePayment: { amount: 100, paidAt: new Date().toISOString() } },
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});

describe('joining', () => {
  it('writes the membership and its audit entry in one transaction that refuses a live membership', async () => {
    const joiner: Claims = { sub: 'user-new', email: 'new@example.test', name: 'Nina' };
    new FakeTable([associationItem(association), planItem(makePlan({ planId: 'planFree', amount: 0 }))]).attach(ddb);
    const res = await invoke(
      members,
      apiEvent('POST /associations/{associationId}/members', { claims: joiner, pathParameters: { associationId: 'assocA' }, body: { planId: 'planFree' } }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({ userId: 'user-new', status: 'active', role: 'member' });
    const [put, audit] = onlyTransaction();
    expect(put!.Put).toMatchObject({
      Item: { pk: 'ASSOC#assocA', sk: 'MEMBER#user-new', role: 'member', status: 'active' },
      ConditionExpression: 'attribute_not_exists(pk) OR #status IN (:cancelled, :lapsed)',
    });
    expect(audit!.Put!.Item).toMatchObject({ action: 'member.joined', subjectId: 'user-new' });
  });
});
