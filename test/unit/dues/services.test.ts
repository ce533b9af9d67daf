/**
 * The dues services (services/dues.ts) over the real store, with DynamoDB replaced by an
 * in-memory table behind a mocked DocumentClient (conditions evaluated, writes applied),
 * Stripe by a fake PaymentsGateway. Asserts what is sent to DynamoDB (one transaction, its
 * conditions), what Stripe is asked, and what is mailed: queued in the outbox, which the
 * stream consumer sends (SES, mocked, only where a test hands a queued mail to it).
 */
import 'aws-sdk-client-mock-jest';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createStore } from '../../../functions/core/data/store.js';
import * as keys from '../../../functions/core/data/keys.js';
import { billingPortal, checkout, connect, handleStripeEvent, runDaily, type DuesJobDeps, type StripeEvent } from '../../../functions/core/services/dues.js';
import { deliver } from '../../../functions/core/services/outbox.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import { problemResponse } from '../../../functions/core/http/problem.js';
import { reminderTag } from '../../../functions/core/domain/dues.js';
import type { Association, Member, OutboxMail, Plan } from '../../../functions/core/domain/types.js';
import { makeAssociation, makeMember, makePlan } from '../../support/factories.js';
import { FakeTable, transactionCancelled, type Item, type TransactItem } from '../../support/fake-table.js';
import { FakePayments, checkoutSnapshot, subscriptionSnapshot } from '../../support/fake-payments.js';

const TABLE = 'test-table';
const DAY = 86_400_000;
const ddb = mockClient(DynamoDBDocumentClient);
const sesClient = new SESv2Client({ region: 'us-east-1' });
const ses = mockClient(sesClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const now = new Date('2026-03-01T10:00:00.000Z');
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const NEXT_END = new Date('2027-03-01T10:00:00.000Z');

const assocA = makeAssociation({ associationId: 'assocA', stripeAccountId: 'acct_A', chargesEnabled: true });
const assocB = makeAssociation({ associationId: 'assocB', name: 'Bakers of Nantes', slug: 'bakers-nantes', stripeAccountId: 'acct_B', chargesEnabled: true });
const yearly = makePlan({ planId: 'planYearly', amount: 5000, interval: 'year' });
const lifetime = makePlan({ planId: 'planLife', name: 'Lifetime', amount: 20000, interval: 'once' });
const free = makePlan({ planId: 'planFree', name: 'Free', amount: 0, interval: 'year' });
const plansB = [makePlan({ associationId: 'assocB', planId: 'planYearly' })];

const associationRow = (a: Association): Item => ({ ...keys.association(a.associationId), entity: 'association', ...a });
const planRow = (p: Plan): Item => ({ ...keys.plan(p.associationId, p.planId), entity: 'plan', ...p });
const accountRow = (accountId: string, associationId: string): Item => ({ ...keys.stripeAccount(accountId), entity: 'stripe_account', associationId });
const memberRow = (m: Member): Item => ({
  ...keys.member(m.associationId, m.userId),
  ...keys.memberByUser(m.userId, m.associationId),
  ...(m.dueAt ? keys.memberDue(m.dueAt, m.associationId, m.userId) : {}),
  entity: 'member',
  ...m,
  nameLower: m.name.toLowerCase(),
  emailLower: m.email.toLowerCase(),
});

const pendingMember = (extra: Partial<Member> = {}) =>
  makeMember({ status: 'pending', currentPeriodEnd: null, version: 3, stripeCustomerId: 'cus_1', checkoutSessionId: 'cs_1', checkoutStartedAt: new Date(now.getTime() - 5 * 60_000).toISOString(), ...extra });
const activeMember = (extra: Partial<Member> = {}) =>
  makeMember({ status: 'active', currentPeriodEnd: '2026-03-01T09:00:00.000Z', version: 7, stripeCustomerId: 'cus_1', stripeSubscriptionId: 'sub_1', autoRenew: true, ...extra });

let current: FakeTable;
function setup(members: Member[] = [], extra: Item[] = []) {
  const table = new FakeTable([
    associationRow(assocA),
    associationRow(assocB),
    accountRow('acct_A', 'assocA'),
    accountRow('acct_B', 'assocB'),
    ...[yearly, lifetime, free, ...plansB].map(planRow),
    ...members.map(memberRow),
    ...extra,
  ]).attach(ddb);
  current = table;
  const payments = new FakePayments();
  const deps: DuesJobDeps = {
    store: createStore(doc, TABLE),
    payments,
    appUrl: 'https://app.example.test',
    platformFeePercent: 2,
    // Above 1000/s the sweep does not pause between marks.
    sendRate: 100_000,
  };
  return { table, payments, deps };
}

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  sesSendsExpected = 0;
});

// ---------------------------------------------------------------- helpers on what was sent

const transactions = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems as TransactItem[]);
const writesSent = () => ddb.calls().map((c) => (c.args[0] as object).constructor.name).filter((n) => ['TransactWriteCommand', 'PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand'].includes(n));
const memberReads = (associationId: string, userId: string) =>
  ddb.commandCalls(GetCommand).filter((c) => c.args[0].input.Key?.pk === `ASSOC#${associationId}` && c.args[0].input.Key?.sk === `MEMBER#${userId}`).length;
const put = (items: TransactItem[], pred: (item: Record<string, any>) => boolean) => items.filter((i) => i.Put && pred(i.Put.Item)).map((i) => i.Put!);
/** The mail queued (outbox items, in id order: the order queued); nothing here sends any. */
const mailsQueued = () => current.all('OUTBOX#').sort((a, b) => String(a.mailId).localeCompare(String(b.mailId))) as unknown as OutboxMail[];
afterEach(() => expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, sesSendsExpected));
let sesSendsExpected = 0;

async function problemOf(p: Promise<unknown>): Promise<HttpProblem> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HttpProblem) return err;
    throw err;
  }
  throw new Error('expected an HttpProblem, but the call succeeded');
}

// ---------------------------------------------------------------- events

function invoiceEvent(type: 'invoice.paid' | 'invoice.payment_failed', extra: Partial<StripeEvent> = {}, invoice: Record<string, unknown> = {}): StripeEvent {
  return {
    id: `evt_${type}_1`,
    type,
    account: 'acct_A',
    created: unix(now),
    data: {
      object: {
        id: 'in_1',
        object: 'invoice',
        amount_paid: type === 'invoice.paid' ? 5000 : 0,
        amount_due: 5000,
        currency: 'eur',
        parent: { subscription_details: { subscription: 'sub_1' } },
        status_transitions: { paid_at: type === 'invoice.paid' ? unix(now) : null },
        lines: { data: [{ period: { start: unix(now), end: unix(NEXT_END) } }] },
        payment_intent: 'pi_1',
        ...invoice,
      },
    },
    ...extra,
  };
}

const paidSub = (extra: Parameters<typeof subscriptionSnapshot>[0] = {}) => subscriptionSnapshot({ id: 'sub_1', status: 'active', latestInvoicePaid: true, currentPeriodStart: now, currentPeriodEnd: NEXT_END, ...extra });

// ================================================================ checkout

describe('checkout', () => {
  it('reuses an open session: no customer, no new session, no write', async () => {
    const m = pendingMember({ checkoutSessionId: 'cs_open' });
    const { payments, deps } = setup([m]);
    payments.checkouts.set('cs_open', checkoutSnapshot({ id: 'cs_open', url: 'https://checkout.stripe.test/c/pay/cs_open', status: 'open' }));

    await expect(checkout(deps, assocA, m, now)).resolves.toEqual({ url: 'https://checkout.stripe.test/c/pay/cs_open' });
    expect(payments.calls).toEqual([{ method: 'retrieveCheckout', args: ['acct_A', 'cs_open'] }]);
    expect(writesSent()).toEqual([]);
  });

  it('creates the customer once, with key customer:<assoc>:<user>, and a session keyed on the state read', async () => {
    const m = pendingMember({ stripeCustomerId: undefined, checkoutSessionId: undefined, checkoutStartedAt: undefined });
    const { payments, deps, table } = setup([m]);

    const { url } = await checkout(deps, assocA, m, now);

    expect(payments.callsOf('createCustomer')).toEqual([
      [{ account: 'acct_A', email: m.email, name: m.name, metadata: { associationId: 'assocA', userId: m.userId }, idempotencyKey: 'customer:assocA:user-member' }],
    ]);
    const [[req]] = payments.callsOf('createCheckout') as [[Record<string, unknown>]];
    expect(req).toMatchObject({
      account: 'acct_A',
      customerId: 'cus_1',
      mode: 'subscription',
      currency: 'eur',
      amount: 5000,
      interval: 'year',
      platformFeePercent: 2,
      metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' },
      idempotencyKey: 'checkout:assocA:user-member:planYearly:first',
      // Back to pages that exist: the account's memberships after paying, the association's page when cancelled.
      successUrl: 'https://app.example.test/account?saved=paid#memberships',
      cancelUrl: `https://app.example.test/a/${assocA.slug}`,
    });
    const session = [...payments.checkouts.values()][0]!;
    expect(url).toBe(session.url);

    // The session is remembered on the membership, which is due for a re-read in an hour.
    const saved = await deps.store.getMember('assocA', 'user-member');
    expect(saved).toMatchObject({ status: 'pending', stripeCustomerId: 'cus_1', checkoutSessionId: session.id, checkoutStartedAt: now.toISOString(), dueAt: new Date(now.getTime() + 3_600_000).toISOString(), version: 4 });
    expect(table.get('ASSOC#assocA', 'MEMBER#user-member')!.gsi2pk).toBe('DUE#2026-03-01');

    // Later, once that session expired: the stored customer is used, no second one is created.
    payments.checkouts.set(session.id, { ...session, status: 'expired' });
    await checkout(deps, assocA, saved!, new Date(now.getTime() + 2 * DAY));
    expect(payments.callsOf('createCustomer')).toHaveLength(1);
    expect((payments.callsOf('createCheckout')[1]![0] as { customerId: string; idempotencyKey: string })).toMatchObject({
      customerId: 'cus_1',
      idempotencyKey: `checkout:assocA:user-member:planYearly:${session.id}`,
    });
  });

  it('derives the idempotency key from the state: the same state gives the same key, a new session a new one', async () => {
    const keyFor = async (m: Member) => {
      ddb.reset();
      const { payments, deps } = setup([m]);
      payments.checkouts.set('cs_old', checkoutSnapshot({ id: 'cs_old', status: 'expired' }));
      await checkout(deps, assocA, m, now);
      return (payments.callsOf('createCheckout')[0]![0] as { idempotencyKey: string }).idempotencyKey;
    };
    const first = pendingMember({ checkoutSessionId: undefined });
    expect(await keyFor(first)).toBe('checkout:assocA:user-member:planYearly:first');
    expect(await keyFor(first)).toBe('checkout:assocA:user-member:planYearly:first');
    const expired = pendingMember({ checkoutSessionId: 'cs_old' });
    expect(await keyFor(expired)).toBe('checkout:assocA:user-member:planYearly:cs_old');
  });

  it('a request retried after a failed write gets the same Stripe session', async () => {
    const m = pendingMember({ checkoutSessionId: undefined });
    const { payments, deps, table } = setup([m]);
    table.failNext('TransactWriteCommand', new ThrottlingException({ message: 'slow down', $metadata: {} }));

    await expect(checkout(deps, assocA, m, now)).rejects.toMatchObject({ name: 'ThrottlingException' });
    const { url } = await checkout(deps, assocA, m, now);

    const keysUsed = payments.callsOf('createCheckout').map(([r]) => (r as { idempotencyKey: string }).idempotencyKey);
    expect(keysUsed).toEqual(['checkout:assocA:user-member:planYearly:first', 'checkout:assocA:user-member:planYearly:first']);
    expect(payments.checkouts.size).toBe(1);
    expect(url).toBe([...payments.checkouts.values()][0]!.url);
  });

  it('after losing a race to a concurrent checkout, re-reads the membership and reuses its open session', async () => {
    const m = pendingMember({ checkoutSessionId: undefined });
    const { payments, deps, table } = setup([m]);
    payments.checkouts.set('cs_other', checkoutSnapshot({ id: 'cs_other', url: 'https://checkout.stripe.test/c/pay/cs_other', status: 'open' }));
    table.onTransact = (_, n) => {
      if (n === 0) table.put(memberRow({ ...m, checkoutSessionId: 'cs_other', checkoutStartedAt: now.toISOString(), version: m.version + 1 }));
    };

    await expect(checkout(deps, assocA, m, now)).resolves.toEqual({ url: 'https://checkout.stripe.test/c/pay/cs_other' });
    expect(memberReads('assocA', 'user-member')).toBe(1);
    expect((await deps.store.getMember('assocA', 'user-member'))!.checkoutSessionId).toBe('cs_other');
  });

  it('a one-time plan is a payment checkout', async () => {
    const m = pendingMember({ planId: 'planLife', checkoutSessionId: undefined });
    const { payments, deps } = setup([m]);
    await checkout(deps, assocA, m, now);
    expect(payments.callsOf('createCheckout')[0]![0]).toMatchObject({ mode: 'payment', amount: 20000, interval: undefined, idempotencyKey: 'checkout:assocA:user-member:planLife:first' });
  });

  it.each([
    ['a free plan', { planId: 'planFree' }],
    ['no plan', { planId: '' }],
  ])('refuses %s with 422 naming planId', async (_, extra) => {
    const m = pendingMember(extra);
    const { payments, deps } = setup([m]);
    const p = await problemOf(checkout(deps, assocA, m, now));
    expect(p.statusCode).toBe(422);
    expect(p.errors).toEqual([{ path: 'planId', message: 'is not a paid plan' }]);
    expect(payments.calls).toEqual([]);
    expect(writesSent()).toEqual([]);
  });

  it.each([
    ['charges not enabled yet', { chargesEnabled: false }],
    ['no Stripe account', { stripeAccountId: undefined, chargesEnabled: undefined }],
  ])('refuses an association that cannot take payments (%s) with 422 naming planId', async (_, extra) => {
    const m = pendingMember();
    const { payments, deps } = setup([m]);
    const p = await problemOf(checkout(deps, { ...assocA, ...extra }, m, now));
    expect(p.statusCode).toBe(422);
    expect(p.errors).toEqual([{ path: 'planId', message: expect.any(String) }]);
    expect(payments.calls).toEqual([]);
    expect(writesSent()).toEqual([]);
  });

  it.each([
    ['a subscribed member with auto-renew on', activeMember({ currentPeriodEnd: NEXT_END.toISOString() })],
    ['a lifetime member', activeMember({ planId: 'planLife', currentPeriodEnd: null, stripeSubscriptionId: undefined })],
  ])('answers 409 for %s (already paid up)', async (_, m) => {
    const { payments, deps } = setup([m]);
    const p = await problemOf(checkout(deps, assocA, m, now));
    expect(p.statusCode).toBe(409);
    expect(payments.calls).toEqual([]);
    expect(writesSent()).toEqual([]);
  });

  it('lets an active member who turned auto-renew off pay for the next period', async () => {
    const m = activeMember({ autoRenew: false, checkoutSessionId: 'cs_1' });
    const { payments, deps } = setup([m]);
    await checkout(deps, assocA, m, now);
    expect(payments.callsOf('createCheckout')).toHaveLength(1);
  });

  it('does not send a member to pay again when the session they started is already paid', async () => {
    // The member paid; the webhook has not arrived yet. checkout() only reuses an *open*
    // session and otherwise creates a new one, so a second click charges the member twice.
    const m = pendingMember({ checkoutSessionId: 'cs_paid' });
    const { payments, deps } = setup([m]);
    payments.checkouts.set('cs_paid', checkoutSnapshot({ id: 'cs_paid', status: 'complete', paymentStatus: 'paid', subscriptionId: 'sub_1' }));

    await checkout(deps, assocA, m, now).catch(() => undefined);
    expect(payments.callsOf('createCheckout')).toEqual([]);
  });
});

describe('billingPortal and connect', () => {
  it('the billing portal needs a customer, and returns to the memberships on the account page', async () => {
    const { payments, deps } = setup();
    expect((await problemOf(billingPortal(deps, assocA, pendingMember({ stripeCustomerId: undefined })))).statusCode).toBe(422);
    await expect(billingPortal(deps, assocA, activeMember())).resolves.toEqual({ url: 'https://billing.stripe.test/session/cus_1' });
    expect(payments.callsOf('billingPortalUrl')).toEqual([[{ account: 'acct_A', customerId: 'cus_1', returnUrl: 'https://app.example.test/account#memberships' }]]);
  });

  it('connect creates the account once (key connect:<assoc>) and links it in one conditional transaction', async () => {
    const a = makeAssociation({ associationId: 'assocC', slug: 'c' });
    const { payments, deps, table } = setup([], [associationRow(a)]);
    const res = await connect(deps, a, { userId: 'user-owner', email: 'owner@example.test' }, now);
    expect(payments.callsOf('createAccount')).toEqual([[{ email: 'owner@example.test', associationId: 'assocC', idempotencyKey: 'connect:assocC' }]]);
    expect(res).toEqual({ url: `https://connect.stripe.test/setup/${res.accountId}`, accountId: res.accountId });
    const [items] = transactions();
    expect(items![0]!.Update).toMatchObject({ Key: keys.association('assocC'), ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(stripeAccountId)' });
    expect(items![1]!.Put).toMatchObject({ Item: { ...keys.stripeAccount(res.accountId), associationId: 'assocC' }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(table.get('ASSOC#assocC', 'ASSOC')).toMatchObject({ stripeAccountId: res.accountId, chargesEnabled: false });

    // Connecting again reuses the linked account.
    const again = await connect(deps, (await deps.store.getAssociation('assocC'))!, { userId: 'user-owner', email: 'owner@example.test' }, now);
    expect(again.accountId).toBe(res.accountId);
    expect(payments.callsOf('createAccount')).toHaveLength(1);
  });

  it('connect, losing the race to a concurrent request, uses the account that request linked', async () => {
    const a = makeAssociation({ associationId: 'assocC', slug: 'c' });
    const { deps, table } = setup([], [associationRow(a)]);
    table.onTransact = (_, n) => {
      if (n === 0) {
        table.put(associationRow({ ...a, stripeAccountId: 'acct_1', chargesEnabled: false }));
        table.put(accountRow('acct_1', 'assocC'));
      }
    };
    const res = await connect(deps, a, { userId: 'user-owner', email: 'owner@example.test' }, now);
    expect(res.accountId).toBe('acct_1');
  });
});

// ================================================================ webhooks

describe('handleStripeEvent: what is never applied', () => {
  it('an event already processed is a duplicate: no Stripe call, no write', async () => {
    const { payments, deps } = setup([pendingMember()], [{ ...keys.stripeEvent('evt_invoice.paid_1'), entity: 'stripe_event', processedAt: now.toISOString() }]);
    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid'), now)).resolves.toBe('duplicate');
    expect(payments.calls).toEqual([]);
    expect(writesSent()).toEqual([]);
    expect(mailsQueued()).toEqual([]);
  });

  it('an unknown type is ignored: no Stripe call, no write', async () => {
    const { payments, deps } = setup([pendingMember()]);
    const event: StripeEvent = { id: 'evt_cust', type: 'customer.created', account: 'acct_A', created: unix(now), data: { object: { id: 'cus_9' } } };
    await expect(handleStripeEvent(deps, event, now)).resolves.toBe('ignored');
    expect(payments.calls).toEqual([]);
    expect(writesSent()).toEqual([]);
  });

  it.each([
    ['an account no association owns', { account: 'acct_unknown' }],
    ['no account at all', { account: null }],
  ])('an event from %s is ignored: no Stripe call, no write', async (_, extra) => {
    const { payments, deps } = setup([pendingMember()]);
    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid', extra), now)).resolves.toBe('ignored');
    expect(payments.calls).toEqual([]);
    expect(writesSent()).toEqual([]);
  });

  it('an account whose lookup names an association linked to another account is ignored', async () => {
    const { payments, deps } = setup([pendingMember()], [accountRow('acct_stale', 'assocA')]);
    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid', { account: 'acct_stale' }), now)).resolves.toBe('ignored');
    expect(payments.calls).toEqual([]);
    expect(writesSent()).toEqual([]);
  });

  describe("an event for a member of association A arriving on association B's account", () => {
    const m = pendingMember();
    const aMetadata = { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' };

    const expectNothingOfAChanged = (table: FakeTable, before: Item[]) => {
      expect(table.all('ASSOC#assocA')).toEqual(before);
      expect(transactions().flat().some((i) => JSON.stringify(i).includes('assocA'))).toBe(false);
      expect(mailsQueued()).toEqual([]);
    };

    it('invoice.paid: ignored, Stripe asked only on B’s account', async () => {
      const { payments, deps, table } = setup([m]);
      payments.subscriptions.set('sub_1', paidSub({ metadata: aMetadata }));
      const before = table.all('ASSOC#assocA');
      await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid', { account: 'acct_B' }), now)).resolves.toBe('ignored');
      expect(payments.calls).toEqual([{ method: 'retrieveSubscription', args: ['acct_B', 'sub_1'] }]);
      expectNothingOfAChanged(table, before);
    });

    it('checkout.session.completed: ignored', async () => {
      const { payments, deps, table } = setup([m]);
      const before = table.all('ASSOC#assocA');
      const event: StripeEvent = {
        id: 'evt_cs',
        type: 'checkout.session.completed',
        account: 'acct_B',
        created: unix(now),
        data: { object: { id: 'cs_1', mode: 'payment', payment_status: 'paid', payment_intent: 'pi_1', amount_total: 20000, currency: 'eur', customer: 'cus_1', metadata: aMetadata } },
      };
      await expect(handleStripeEvent(deps, event, now)).resolves.toBe('ignored');
      expect(payments.calls).toEqual([]);
      expectNothingOfAChanged(table, before);
    });

    it('customer.subscription.updated: ignored', async () => {
      const { payments, deps, table } = setup([m]);
      const before = table.all('ASSOC#assocA');
      const event: StripeEvent = { id: 'evt_sub', type: 'customer.subscription.updated', account: 'acct_B', created: unix(now), data: { object: { id: 'sub_1', status: 'canceled', metadata: aMetadata } } };
      await expect(handleStripeEvent(deps, event, now)).resolves.toBe('ignored');
      expect(payments.calls).toEqual([]);
      expectNothingOfAChanged(table, before);
    });

    it('charge.refunded of A’s payment: ignored (payment lookups are per account)', async () => {
      const { payments, deps, table } = setup([m], [{ ...keys.paymentRef('acct_A', 'pi_1'), entity: 'payref', associationId: 'assocA', userId: 'user-member' }]);
      const before = table.all('ASSOC#assocA');
      const event: StripeEvent = { id: 'evt_refund', type: 'charge.refunded', account: 'acct_B', created: unix(now), data: { object: { id: 'ch_1', payment_intent: 'pi_1', amount: 5000, amount_refunded: 5000, currency: 'eur' } } };
      await expect(handleStripeEvent(deps, event, now)).resolves.toBe('ignored');
      expect(payments.calls.every((c) => c.args[0] === 'acct_B')).toBe(true);
      expectNothingOfAChanged(table, before);
    });

    it('a user who is a member of both: only the membership in B changes', async () => {
      const inB = pendingMember({ associationId: 'assocB', version: 1 });
      const { payments, deps, table } = setup([m, inB]);
      // The subscription B's checkout made: its metadata names B, the member and the plan.
      payments.subscriptions.set('sub_1', paidSub({ metadata: { associationId: 'assocB', userId: 'user-member', planId: 'planYearly' } }));
      const before = table.all('ASSOC#assocA');
      await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid', { account: 'acct_B' }), now)).resolves.toBe('applied');
      expect(table.all('ASSOC#assocA')).toEqual(before);
      expect((await deps.store.getMember('assocB', 'user-member'))!.status).toBe('active');
    });
  });
});

describe('handleStripeEvent: invoice.paid', () => {
  it('writes one transaction: member conditioned on its version, ledger and event marker that must not exist, and the receipt, queued (not sent)', async () => {
    const m = pendingMember();
    const { payments, deps, table } = setup([m]);
    payments.subscriptions.set('sub_1', paidSub());

    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid'), now)).resolves.toBe('applied');

    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
    const [items] = transactions() as [TransactItem[]];
    for (const i of items) expect((i.Put ?? i.Update ?? i.Delete)!.TableName).toBe(TABLE);

    const [member] = put(items, (i) => i.sk === 'MEMBER#user-member');
    expect(member).toMatchObject({
      Item: { pk: 'ASSOC#assocA', status: 'active', currentPeriodEnd: NEXT_END.toISOString(), stripeSubscriptionId: 'sub_1', version: 4, pastDueSince: null, graceUntil: null },
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': 3 },
    });

    const ledger = put(items, (i) => i.pk === 'ASSOC#assocA' && String(i.sk).startsWith('PAYMENT#'));
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { kind: 'stripe', type: 'payment', amount: 5000, currency: 'eur', userId: 'user-member', periodEnd: NEXT_END.toISOString(), stripe: { eventId: 'evt_invoice.paid_1', invoiceId: 'in_1', subscriptionId: 'sub_1' } },
    });

    const markers = put(items, (i) => String(i.pk).startsWith('STRIPEEVENT#'));
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ Item: { pk: 'STRIPEEVENT#evt_invoice.paid_1', sk: 'EVENT' }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(markers[0]!.Item.expiresAt).toEqual(expect.any(Number));
    expect(markers[0]!.Item.expiresAt as number).toBeGreaterThanOrEqual(unix(now) + 3 * 86_400);

    const outbox = put(items, (i) => String(i.pk).startsWith('OUTBOX#'));
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { kind: 'receipt', to: m.email, fromName: assocA.name, status: 'pending', attempts: 0, associationId: 'assocA', subject: 'Receipt: Yearly membership', gsi2pk: 'OUTBOX#2026-03-01' },
    });

    // Payment objects point back at the membership (for refunds), per account.
    expect(put(items, (i) => String(i.pk).startsWith('PAYREF#')).map((p) => p.Item.pk).sort()).toEqual(['PAYREF#acct_A#in_1', 'PAYREF#acct_A#pi_1']);

    // Stripe was asked once, on the association's account; the receipt was queued once.
    expect(payments.calls).toEqual([{ method: 'retrieveSubscription', args: ['acct_A', 'sub_1'] }]);
    expect(mailsQueued()).toHaveLength(1);
    expect(mailsQueued()[0]).toMatchObject({ fromName: 'Engineers of Lyon', to: m.email, subject: 'Receipt: Yearly membership' });
    // The receipt links to the memberships on the account page, where it can be printed.
    expect(mailsQueued()[0]!.text).toContain('See your membership and receipts: https://app.example.test/account#memberships');
    expect(mailsQueued()[0]!.html).toContain('href="https://app.example.test/account#memberships"');
    // Left for the stream consumer, on the unsent index the sweep reads.
    expect(table.all('OUTBOX#')[0]).toMatchObject({ status: 'pending', attempts: 0, gsi2pk: 'OUTBOX#2026-03-01' });
  });

  it('the stream consumer sends the queued receipt in the association\'s name, once', async () => {
    const m = pendingMember();
    const { payments, deps } = setup([m]);
    payments.subscriptions.set('sub_1', paidSub());
    await handleStripeEvent(deps, invoiceEvent('invoice.paid'), now);
    const mailer = { ses: sesClient, fromAddress: 'no-reply@assoc.test' };

    await expect(deliver(deps.store, mailer, mailsQueued()[0]!.mailId, now)).resolves.toBe('sent');
    await expect(deliver(deps.store, mailer, mailsQueued()[0]!.mailId, now)).resolves.toBe('skipped');

    sesSendsExpected = 1;
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input).toMatchObject({ FromEmailAddress: '"Engineers of Lyon" <no-reply@assoc.test>', Destination: { ToAddresses: [m.email] }, Content: { Simple: { Subject: { Data: 'Receipt: Yearly membership' } } } });
    expect(mailsQueued()[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a replay of the same event is a duplicate: one ledger entry, one receipt', async () => {
    const { payments, deps, table } = setup([pendingMember()]);
    payments.subscriptions.set('sub_1', paidSub());
    await handleStripeEvent(deps, invoiceEvent('invoice.paid'), now);
    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid'), new Date(now.getTime() + 3_600_000))).resolves.toBe('duplicate');
    expect(table.all('ASSOC#assocA', 'PAYMENT#')).toHaveLength(1);
    expect(mailsQueued()).toHaveLength(1);
    expect(payments.callsOf('retrieveSubscription')).toHaveLength(1);
  });

  it('ten concurrent deliveries of one event: one is applied, the others are duplicates; one ledger entry, one email', async () => {
    const { payments, deps, table } = setup([pendingMember()]);
    payments.subscriptions.set('sub_1', paidSub());
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => handleStripeEvent(deps, invoiceEvent('invoice.paid'), now)));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
    expect(table.all('ASSOC#assocA', 'PAYMENT#')).toHaveLength(1);
    expect(table.all('OUTBOX#')).toHaveLength(1);
    expect(mailsQueued()).toHaveLength(1);
  });

  it('a transaction cancelled on the event marker is a duplicate, and nothing is mailed', async () => {
    const m = pendingMember();
    const { payments, deps, table } = setup([m]);
    payments.subscriptions.set('sub_1', paidSub());
    table.onTransact = (items) => transactionCancelled(items.map((i) => (String(i.Put?.Item.pk ?? '').startsWith('STRIPEEVENT#') ? 'ConditionalCheckFailed' : 'None')));

    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid'), now)).resolves.toBe('duplicate');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
    expect(mailsQueued()).toEqual([]);
    expect(payments.callsOf('retrieveSubscription')).toHaveLength(1);
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'pending', version: 3 });
  });

  it('a version conflict re-reads the membership and re-fetches the subscription, then applies on the fresh state', async () => {
    const m = pendingMember();
    const { payments, deps, table } = setup([m]);
    // Stripe's answer changes in between: the retry must use the newer one.
    payments.subscriptions.set('sub_1', [paidSub(), paidSub({ cancelAtPeriodEnd: true })]);
    table.onTransact = (_, n) => {
      // A concurrent writer (a profile change) commits between our read and our write.
      if (n === 0) table.put(memberRow({ ...m, name: 'Ada Renamed', version: 4 }));
    };

    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid'), now)).resolves.toBe('applied');

    expect(memberReads('assocA', 'user-member')).toBe(2);
    expect(payments.callsOf('retrieveSubscription')).toEqual([
      ['acct_A', 'sub_1'],
      ['acct_A', 'sub_1'],
    ]);
    const [first, second] = transactions();
    expect(put(first!, (i) => i.sk === 'MEMBER#user-member')[0]!.ExpressionAttributeValues).toEqual({ ':version': 3 });
    expect(put(second!, (i) => i.sk === 'MEMBER#user-member')[0]!.ExpressionAttributeValues).toEqual({ ':version': 4 });
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'active', name: 'Ada Renamed', autoRenew: false, version: 5 });
    expect(table.all('ASSOC#assocA', 'PAYMENT#')).toHaveLength(1);
    expect(mailsQueued()).toHaveLength(1);
  });

  it('four conflicts in a row give up with a 503 problem (Stripe retries), mailing nothing', async () => {
    const m = pendingMember();
    const { payments, deps, table } = setup([m]);
    payments.subscriptions.set('sub_1', paidSub());
    table.onTransact = () => {
      const cur = table.get('ASSOC#assocA', 'MEMBER#user-member')!;
      table.put({ ...cur, version: (cur.version as number) + 1 });
    };

    const p = await problemOf(handleStripeEvent(deps, invoiceEvent('invoice.paid'), now));
    expect(p.statusCode).toBe(503);
    expect(problemResponse(p)).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '1' } });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 4);
    expect(memberReads('assocA', 'user-member')).toBe(4);
    expect(payments.callsOf('retrieveSubscription')).toHaveLength(4);
    expect(mailsQueued()).toEqual([]);
    expect(table.all('ASSOC#assocA', 'PAYMENT#')).toEqual([]);
  });

  it('applying an event writes its one transaction and nothing after it: no claim, no send (the stream consumer sends)', async () => {
    const { payments, deps, table } = setup([pendingMember()]);
    payments.subscriptions.set('sub_1', paidSub());
    await expect(handleStripeEvent(deps, invoiceEvent('invoice.paid'), now)).resolves.toBe('applied');
    expect(writesSent()).toEqual(['TransactWriteCommand']);
    const [mail] = table.all('OUTBOX#');
    expect(mail).toMatchObject({ status: 'pending', attempts: 0, gsi2pk: 'OUTBOX#2026-03-01' });
    expect((await deps.store.getMember('assocA', 'user-member'))!.status).toBe('active');
  });

  it('a ThrottlingException from DynamoDB propagates (the handler answers 503)', async () => {
    const { payments, deps, table } = setup([pendingMember()]);
    payments.subscriptions.set('sub_1', paidSub());
    table.failNext('TransactWriteCommand', new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} }));

    const err = await handleStripeEvent(deps, invoiceEvent('invoice.paid'), now).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ThrottlingException);
    expect(problemResponse(err)).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '1' } });
    expect(mailsQueued()).toEqual([]);
    expect((await deps.store.getMember('assocA', 'user-member'))!.status).toBe('pending');
  });

  it('a transaction cancelled by a conflict (not a condition) is a 503, not a duplicate', async () => {
    const { payments, deps, table } = setup([pendingMember()]);
    payments.subscriptions.set('sub_1', paidSub());
    table.onTransact = (items) => transactionCancelled(items.map((_, i) => (i === 0 ? 'TransactionConflict' : 'None')));
    const err = await handleStripeEvent(deps, invoiceEvent('invoice.paid'), now).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(problemResponse(err).statusCode).toBe(503);
  });
});

describe('handleStripeEvent: invoice.payment_failed', () => {
  it('records the failure, starts the grace period and mails the billing link', async () => {
    const m = activeMember({ currentPeriodEnd: now.toISOString() });
    const { payments, deps, table } = setup([m]);
    payments.subscriptions.set('sub_1', paidSub({ status: 'past_due', latestInvoicePaid: false }));

    await expect(handleStripeEvent(deps, invoiceEvent('invoice.payment_failed'), now)).resolves.toBe('applied');

    const graceUntil = new Date(now.getTime() + 14 * DAY).toISOString();
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'past_due', currentPeriodEnd: now.toISOString(), pastDueSince: now.toISOString(), graceUntil, dueAt: graceUntil });
    expect(table.all('ASSOC#assocA', 'PAYMENT#')).toEqual([expect.objectContaining({ type: 'failure', amount: 5000 })]);
    expect(mailsQueued()).toHaveLength(1);
    expect(mailsQueued()[0]!.text).toContain('https://app.example.test/account#memberships');
  });
});

// ================================================================ the daily job

describe('runDaily', () => {
  const dueRow = (m: Member) => memberRow({ ...m, dueAt: m.dueAt ?? now.toISOString() });

  it('reads only gsi2 day partitions (8 days of memberships, 3 of mail), never a Scan', async () => {
    const { deps } = setup();
    await runDaily(deps, now);
    expect(ddb).toHaveReceivedCommandTimes(ScanCommand, 0);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.every((q) => q.IndexName === 'gsi2' && q.KeyConditionExpression === 'gsi2pk = :pk')).toBe(true);
    expect(queries.map((q) => q.ExpressionAttributeValues![':pk'])).toEqual([
      'DUE#2026-02-22',
      'DUE#2026-02-23',
      'DUE#2026-02-24',
      'DUE#2026-02-25',
      'DUE#2026-02-26',
      'DUE#2026-02-27',
      'DUE#2026-02-28',
      'DUE#2026-03-01',
      'OUTBOX#2026-02-27',
      'OUTBOX#2026-02-28',
      'OUTBOX#2026-03-01',
    ]);
  });

  it('marks the mail still unsent for the stream consumer to send again, and sends none itself', async () => {
    const unsent = { ...keys.outbox('m-unsent'), ...keys.outboxPending(new Date(now.getTime() - DAY).toISOString(), 'm-unsent'), entity: 'outbox', mailId: 'm-unsent', kind: 'receipt', to: 'ada@example.test', fromName: 'Engineers of Lyon', subject: 'Receipt', text: 't', html: 'h', status: 'pending', attempts: 1, createdAt: new Date(now.getTime() - DAY).toISOString() };
    const { deps, table } = setupWith([unsent]);
    const run = await runDaily(deps, now);
    expect(run.mail).toEqual({ marked: 1, skipped: 0 });
    expect(table.get('OUTBOX#m-unsent', 'OUTBOX')).toMatchObject({ status: 'pending', attempts: 1, retry: 1, retriedAt: now.toISOString() });
  });

  it('queues the 14-day reminder once, reading the live subscription, and moves dueAt to the 3-day one', async () => {
    const end = new Date(now.getTime() + 10 * DAY).toISOString();
    const m = activeMember({ currentPeriodEnd: end, dueAt: new Date(now.getTime() - 4 * DAY).toISOString() });
    const { deps: d2, payments: p2 } = setupWith([dueRow(m)]);
    p2.subscriptions.set('sub_1', paidSub({ currentPeriodEnd: new Date(end) }));

    const first = await runDaily(d2, now);
    expect(first.memberships).toEqual({ remind: 1 });
    expect(mailsQueued()).toHaveLength(1);
    expect(mailsQueued()[0]!.subject).toBe('Your Yearly membership renews on 11 March 2026');
    const saved = (await d2.store.getMember('assocA', 'user-member'))!;
    expect(saved.remindersSent).toEqual([reminderTag(14, end)]);
    expect(saved.dueAt).toBe(new Date(Date.parse(end) - 3 * DAY).toISOString());

    // Run again the same day and the next: no second reminder.
    await runDaily(d2, now);
    await runDaily(d2, new Date(now.getTime() + DAY));
    expect(mailsQueued()).toHaveLength(1);
  });

  it('tells a member who turned auto-renew off (read live from Stripe) that the membership ends', async () => {
    const end = new Date(now.getTime() + 2 * DAY).toISOString();
    const m = activeMember({ currentPeriodEnd: end });
    const { deps, payments } = setupWith([dueRow(m)]);
    payments.subscriptions.set('sub_1', paidSub({ cancelAtPeriodEnd: true, currentPeriodEnd: new Date(end) }));
    await runDaily(deps, now);
    expect(mailsQueued()).toHaveLength(1);
    expect(mailsQueued()[0]!.subject).toMatch(/ends on/);
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ autoRenew: false, remindersSent: [reminderTag(3, end)] });
  });

  it('moves an offline member past the period end into the grace period, then lapses them with a notice', async () => {
    const m = activeMember({ stripeSubscriptionId: undefined, stripeCustomerId: undefined, currentPeriodEnd: new Date(now.getTime() - DAY).toISOString() });
    const { deps } = setupWith([dueRow(m)]);
    await runDaily(deps, now);
    const graceUntil = new Date(now.getTime() + 13 * DAY).toISOString();
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'past_due', graceUntil, dueAt: graceUntil });
    expect(mailsQueued()).toEqual([]);

    await runDaily(deps, new Date(graceUntil));
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'lapsed', lapsedAt: graceUntil, dueAt: null });
    expect(mailsQueued()).toHaveLength(1);
    expect(mailsQueued()[0]!.subject).toBe('Your Yearly membership has lapsed');
  });

  it('a checkout paid while the webhook was lost is applied by the job, and the late webhook adds no second payment or receipt', async () => {
    const startedAt = new Date(now.getTime() - 2 * 3_600_000);
    const m = pendingMember({ planId: 'planLife', checkoutSessionId: 'cs_life', checkoutStartedAt: startedAt.toISOString(), dueAt: new Date(startedAt.getTime() + 3_600_000).toISOString() });
    const { deps, payments, table } = setupWith([dueRow(m)]);
    const metadata = { associationId: 'assocA', userId: 'user-member', planId: 'planLife' };
    payments.checkouts.set('cs_life', checkoutSnapshot({ id: 'cs_life', status: 'complete', paymentStatus: 'paid', mode: 'payment', paymentIntentId: 'pi_life', amountTotal: 20000, metadata }));

    const run = await runDaily(deps, now);
    expect(run.memberships).toEqual({ 'reconciled_checkout:applied': 1 });
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'active', currentPeriodEnd: null });

    // Stripe's own event, retried after the outage, finally arrives.
    const late: StripeEvent = {
      id: 'evt_cs_life',
      type: 'checkout.session.completed',
      account: 'acct_A',
      created: unix(startedAt) + 300,
      data: { object: { id: 'cs_life', object: 'checkout.session', mode: 'payment', payment_status: 'paid', payment_intent: 'pi_life', customer: 'cus_1', amount_total: 20000, currency: 'eur', metadata } },
    };
    await handleStripeEvent(deps, late, new Date(now.getTime() + 3_600_000));

    expect(table.all('ASSOC#assocA', 'PAYMENT#').filter((p) => p.type === 'payment')).toHaveLength(1);
    expect(table.all('OUTBOX#').filter((o) => o.kind === 'receipt')).toHaveLength(1);
  });
});

/** Like setup(), with raw rows (members already carrying their gsi2 keys). */
function setupWith(rows: Item[]) {
  return setup([], rows);
}

// ================================================================ checkout matching (defect 1)

describe('handleStripeEvent: checkout.session.completed is applied only to the session the membership created', () => {
  const ours = { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' };
  const csEvent = (object: Record<string, unknown>, id = 'evt_cs_foreign'): StripeEvent => ({
    id,
    type: 'checkout.session.completed',
    account: 'acct_A',
    created: unix(now),
    data: { object: { object: 'checkout.session', status: 'complete', payment_status: 'paid', customer: 'cus_9', created: unix(now) - 60, ...object } },
  });
  const ledgerOf = (table: FakeTable) => table.all('ASSOC#assocA', 'PAYMENT#');

  it('a one-off €1.00 session naming the member only in client_reference_id: unmatched ledger entry, membership unchanged, no receipt', async () => {
    const m = pendingMember();
    const { deps, table, payments } = setup([m]);
    const before = table.all('ASSOC#assocA', 'MEMBER#');
    const event = csEvent({ id: 'cs_foreign', mode: 'payment', client_reference_id: 'user-member', payment_intent: 'pi_foreign', amount_total: 100, currency: 'eur', metadata: {} });

    await expect(handleStripeEvent(deps, event, now)).resolves.toBe('unmatched');

    expect(table.all('ASSOC#assocA', 'MEMBER#')).toEqual(before);
    const [entry, ...rest] = ledgerOf(table);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      type: 'unmatched',
      kind: 'stripe',
      userId: 'user-member',
      amount: 100,
      currency: 'eur',
      reason: expect.stringMatching(/not the checkout/),
      stripe: { checkoutSessionId: 'cs_foreign', paymentIntentId: 'pi_foreign', customerId: 'cus_9', eventId: 'evt_cs_foreign' },
    });
    // Not a payment of this membership: no receipt, no call to Stripe; its refunds can be found, marked unmatched.
    expect(table.all('PAYREF#')).toEqual([expect.objectContaining({ pk: 'PAYREF#acct_A#pi_foreign', userId: 'user-member', unmatched: true })]);
    expect(mailsQueued()).toEqual([]);
    expect(payments.calls).toEqual([]);
    // The admins see it in the ledger.
    const page = await deps.store.paymentsOf('assocA', { limit: 50 });
    expect(page.items.map((p) => p.type)).toEqual(['unmatched']);
  });

  it('the session named in metadata but for another amount, currency or mode is unmatched; nothing changes', async () => {
    const cases = [
      { id: 'cs_cheap', mode: 'subscription', subscription: 'sub_cheap', amount_total: 100, currency: 'eur', why: /amount/ },
      { id: 'cs_usd', mode: 'subscription', subscription: 'sub_usd', amount_total: 5000, currency: 'usd', why: /currency/ },
      { id: 'cs_once', mode: 'payment', payment_intent: 'pi_once', amount_total: 5000, currency: 'eur', why: /mode/ },
    ];
    for (const { why, ...session } of cases) {
      const m = pendingMember();
      const { deps, table, payments } = setup([m]);
      const before = table.all('ASSOC#assocA', 'MEMBER#');
      await expect(handleStripeEvent(deps, csEvent({ ...session, client_reference_id: 'user-member', metadata: ours }, `evt_${session.id}`), now)).resolves.toBe('unmatched');
      expect(table.all('ASSOC#assocA', 'MEMBER#')).toEqual(before);
      expect(ledgerOf(table)).toEqual([expect.objectContaining({ type: 'unmatched', amount: session.amount_total, currency: session.currency, reason: expect.stringMatching(why) })]);
      expect(payments.callsOf('retrieveSubscription')).toEqual([]);
    }
  });

  it('a subscription session this membership did not create never links its subscription', async () => {
    const m = pendingMember();
    const { deps, table, payments } = setup([m]);
    payments.subscriptions.set('sub_other', paidSub({ id: 'sub_other', metadata: {} }));
    const event = csEvent({ id: 'cs_other', mode: 'subscription', subscription: 'sub_other', client_reference_id: 'user-member', amount_total: 5000, currency: 'eur', metadata: {} });
    await expect(handleStripeEvent(deps, event, now)).resolves.toBe('unmatched');
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'pending', version: 3 });
    expect((await deps.store.getMember('assocA', 'user-member'))!.stripeSubscriptionId).toBeUndefined();
    expect(ledgerOf(table)).toEqual([expect.objectContaining({ type: 'unmatched', stripe: expect.objectContaining({ subscriptionId: 'sub_other' }) })]);
  });

  it('"a second checkout that isn\'t ours" (no member named, no or other metadata): acknowledged, nothing written but the event marker', async () => {
    for (const [n, metadata] of [{}, { orderId: 'shop-42' }, { associationId: 'assocB', userId: 'user-member' }].entries()) {
      const { deps, table } = setup([pendingMember()]);
      const before = table.all('ASSOC#');
      const event = csEvent({ id: `cs_shop_${n}`, mode: 'payment', payment_intent: `pi_shop_${n}`, amount_total: 100, currency: 'eur', metadata, client_reference_id: null }, `evt_shop_${n}`);
      await expect(handleStripeEvent(deps, event, now)).resolves.toBe('ignored');
      expect(table.all('ASSOC#')).toEqual(before);
      expect(table.all('STRIPEEVENT#').map((i) => i.pk)).toEqual([`STRIPEEVENT#evt_shop_${n}`]);
    }
  });

  it('an unmatched session reported twice (two events) is one ledger entry', async () => {
    const { deps, table } = setup([pendingMember()]);
    const object = { id: 'cs_foreign', mode: 'payment', client_reference_id: 'user-member', payment_intent: 'pi_foreign', amount_total: 100, currency: 'eur', metadata: {} };
    const outcomes = await Promise.all([csEvent(object, 'evt_a'), csEvent(object, 'evt_b'), csEvent(object, 'evt_a')].map((e) => handleStripeEvent(deps, e, now)));
    expect(outcomes.filter((o) => o === 'unmatched')).toHaveLength(1);
    expect(ledgerOf(table)).toHaveLength(1);
  });

  it('the membership\'s own session (by its stored id, even without metadata) with the plan\'s amount is applied', async () => {
    const m = pendingMember({ planId: 'planLife', checkoutSessionId: 'cs_life' });
    const { deps, table } = setup([m]);
    const event = csEvent({ id: 'cs_life', mode: 'payment', client_reference_id: 'user-member', payment_intent: 'pi_life', amount_total: 20000, currency: 'eur', metadata: {} });
    await expect(handleStripeEvent(deps, event, now)).resolves.toBe('applied');
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'active', currentPeriodEnd: null });
    expect(ledgerOf(table)).toEqual([expect.objectContaining({ type: 'payment', amount: 20000 })]);
  });
});

describe('handleStripeEvent: a subscription this membership did not create', () => {
  it('invoice.paid of another subscription naming the member only by userId: ignored, the membership stays pending', async () => {
    const { deps, payments, table } = setup([pendingMember()]);
    payments.subscriptions.set('sub_other', paidSub({ id: 'sub_other', metadata: { userId: 'user-member' } }));
    const before = table.all('ASSOC#assocA');
    const event = invoiceEvent('invoice.paid', { id: 'evt_other_inv' }, { id: 'in_other', parent: { subscription_details: { subscription: 'sub_other' } } });
    await expect(handleStripeEvent(deps, event, now)).resolves.toBe('ignored');
    expect(table.all('ASSOC#assocA')).toEqual(before);
  });

  it('customer.subscription.deleted of another subscription naming the member: the active membership stays active', async () => {
    const { deps, payments } = setup([activeMember({ currentPeriodEnd: NEXT_END.toISOString() })]);
    payments.subscriptions.set('sub_other', paidSub({ id: 'sub_other', status: 'canceled', metadata: { associationId: 'assocA', userId: 'user-member' } }));
    const event: StripeEvent = { id: 'evt_other_del', type: 'customer.subscription.deleted', account: 'acct_A', created: unix(now), data: { object: { id: 'sub_other', metadata: { associationId: 'assocA', userId: 'user-member' } } } };
    await expect(handleStripeEvent(deps, event, now)).resolves.toBe('ignored');
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'active', stripeSubscriptionId: 'sub_1', version: 7 });
  });
});

// ================================================================ refunds (defect 2)

describe('handleStripeEvent: refunds, one ledger entry per Stripe refund', () => {
  const lifer = () => activeMember({ planId: 'planLife', currentPeriodEnd: null, stripeSubscriptionId: undefined });
  const refs: Item[] = [{ ...keys.paymentRef('acct_A', 'pi_life'), entity: 'payref', associationId: 'assocA', userId: 'user-member' }];
  const created = unix(now); // both refunds within the same second
  const re1 = { id: 're_1', object: 'refund', amount: 1000, currency: 'eur', charge: 'ch_life', payment_intent: 'pi_life', status: 'succeeded', created };
  const re2 = { id: 're_2', object: 'refund', amount: 1500, currency: 'eur', charge: 'ch_life', payment_intent: 'pi_life', status: 'succeeded', created };
  const charge = (refunds: (typeof re1)[]) => ({
    id: 'ch_life',
    object: 'charge',
    amount: 20000,
    currency: 'eur',
    payment_intent: 'pi_life',
    amount_refunded: refunds.reduce((s, r) => s + r.amount, 0),
    refunded: false,
    refunds: { object: 'list', data: refunds, has_more: false },
  });
  let seq = 0;
  const ev = (type: string, object: unknown): StripeEvent => ({ id: `evt_r_${++seq}`, type, account: 'acct_A', created: created + 1, data: { object } });
  const refundEntries = (table: FakeTable) => table.all('ASSOC#assocA', 'PAYMENT#').filter((p) => p.type === 'refund');

  it('two partial refunds (10.00 then 15.00, same second) are two entries of 1000 and 1500, keyed by the refund ids', async () => {
    const { deps, table, payments } = setup([lifer()], refs);
    payments.charges.set('ch_life', charge([re1]));
    await expect(handleStripeEvent(deps, ev('charge.refunded', charge([re1])), now)).resolves.toBe('applied');
    payments.charges.set('ch_life', charge([re2, re1]));
    await expect(handleStripeEvent(deps, ev('charge.refunded', charge([re2, re1])), now)).resolves.toBe('applied');

    const entries = refundEntries(table);
    expect(entries.map((e) => [e.amount, (e.stripe as { refundId: string }).refundId]).sort()).toEqual([
      [1000, 're_1'],
      [1500, 're_2'],
    ]);
    expect(entries.every((e) => String(e.sk).endsWith((e.stripe as { refundId: string }).refundId))).toBe(true);
    // A partial refund changes no status.
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'active' });
  });

  it('charge.refunded, refund.created and charge.refund.updated in every order, each twice: still two entries (1000 and 1500)', async () => {
    const events = [
      () => ev('charge.refunded', charge([re1])),
      () => ev('charge.refunded', charge([re2, re1])),
      () => ev('refund.created', re1),
      () => ev('refund.created', re2),
      () => ev('charge.refund.updated', re2),
    ];
    const orders = [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [1, 0, 3, 2, 4],
      [3, 4, 0, 2, 1],
    ];
    for (const order of orders) {
      const { deps, table, payments } = setup([lifer()], refs);
      // The events arrive after both refunds happened: Stripe's live charge has both.
      payments.charges.set('ch_life', charge([re2, re1]));
      for (const i of [...order, ...order]) await handleStripeEvent(deps, events[i]!(), now);
      const entries = refundEntries(table);
      expect(entries.map((e) => e.amount).sort()).toEqual([1000, 1500]);
    }
  });

  it('concurrent deliveries of different refund events for the same refunds: two entries', async () => {
    const { deps, table, payments } = setup([lifer()], refs);
    payments.charges.set('ch_life', charge([re2, re1]));
    await Promise.all([ev('charge.refunded', charge([re2, re1])), ev('refund.created', re1), ev('refund.created', re2), ev('charge.refunded', charge([re1]))].map((e) => handleStripeEvent(deps, e, now)));
    expect(refundEntries(table).map((e) => e.amount).sort()).toEqual([1000, 1500]);
  });

  it('a full refund of a lifetime membership cancels it, with one entry for the refund', async () => {
    const { deps, table, payments } = setup([lifer()], refs);
    const full = { ...re1, id: 're_full', amount: 20000 };
    payments.charges.set('ch_life', { ...charge([full]), refunded: true });
    await expect(handleStripeEvent(deps, ev('refund.created', full), now)).resolves.toBe('applied');
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'cancelled' });
    expect(refundEntries(table).map((e) => e.amount)).toEqual([20000]);
  });

  it('a refund of an unmatched payment is recorded (the CSV adds up) and never cancels the membership', async () => {
    const { deps, table, payments } = setup([lifer()], refs);
    const session = { id: 'cs_x', object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid', payment_intent: 'pi_x', amount_total: 100, currency: 'eur', client_reference_id: 'user-member', created, metadata: {} };
    await expect(handleStripeEvent(deps, ev('checkout.session.completed', session), now)).resolves.toBe('unmatched');
    const back = { ...re1, id: 're_x', amount: 100, charge: 'ch_x', payment_intent: 'pi_x' };
    payments.charges.set('ch_x', { id: 'ch_x', amount: 100, amount_refunded: 100, currency: 'eur', payment_intent: 'pi_x', refunds: { data: [back] } });
    await expect(handleStripeEvent(deps, ev('charge.refunded', payments.charges.get('ch_x')), now)).resolves.toBe('applied');
    expect(refundEntries(table)).toEqual([expect.objectContaining({ amount: 100, userId: 'user-member' })]);
    expect(await deps.store.getMember('assocA', 'user-member')).toMatchObject({ status: 'active', version: 7 });
  });

  it('a refund that has not succeeded is not recorded', async () => {
    const { deps, table, payments } = setup([lifer()], refs);
    const pending = { ...re1, status: 'pending' };
    payments.charges.set('ch_life', { ...charge([]), refunds: { object: 'list', data: [pending], has_more: false } });
    await handleStripeEvent(deps, ev('refund.created', pending), now);
    expect(refundEntries(table)).toEqual([]);
  });
});

// ================================================================ one member's payments by key (defect 4)

describe('paymentsOf(associationId, page, userId)', () => {
  it('queries gsi1 by the payer key, with no FilterExpression, and pages past a full page', async () => {
    const { deps } = setup([pendingMember(), pendingMember({ userId: 'user-other' })]);
    // Each payment is written through the store, as the services write them.
    const pay = (userId: string, n: number) => ({
      paymentId: `2026-01-0${n}T00:00:00.000Z_offline_${userId}`,
      associationId: 'assocA',
      userId,
      kind: 'offline' as const,
      type: 'payment' as const,
      amount: 100 * n,
      currency: 'eur',
      paidAt: `2026-01-0${n}T00:00:00.000Z`,
      periodStart: null,
      periodEnd: null,
      recordedBy: 'admin',
      createdAt: now.toISOString(),
    });
    for (let n = 1; n <= 5; n++) {
      await deps.store.recordLedger(pay('user-member', n), `evt_m_${n}`);
      await deps.store.recordLedger(pay('user-other', n), `evt_o_${n}`);
    }
    ddb.resetHistory();
    const seen: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.paymentsOf('assocA', { limit: 2, startKey }, 'user-member');
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.paymentId));
      startKey = page.lastKey;
    } while (startKey);
    expect(seen).toEqual([5, 4, 3, 2, 1].map((n) => `2026-01-0${n}T00:00:00.000Z_offline_user-member`));
    for (const c of ddb.commandCalls(QueryCommand)) {
      expect(c.args[0].input).toMatchObject({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)', ExpressionAttributeValues: { ':pk': 'USER#user-member', ':sk': 'PAYMENT#assocA#' } });
      expect(c.args[0].input.FilterExpression).toBeUndefined();
    }
  });
});
