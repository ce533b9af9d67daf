/**
 * Stripe events in two steps: the webhook records the verified event (services/stripe-queue.ts,
 * receiveStripeEvent), the stream consumer applies it (applyQueuedStripeEvent) with the dues
 * service. Against the in-memory table and the fake payments gateway.
 */
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createStore } from '../../../functions/core/data/store.js';
import * as keys from '../../../functions/core/data/keys.js';
import type { QueuedStripeEvent } from '../../../functions/core/data/stripe-queue.js';
import { dispatchedStripeEventTypes, HANDLED_TYPES, type DuesDeps, type StripeEvent } from '../../../functions/core/services/dues.js';
import { applyQueuedStripeEvent, queueGroupOf, receiveStripeEvent } from '../../../functions/core/services/stripe-queue.js';
import type { Association, Member, Plan } from '../../../functions/core/domain/types.js';
import { makeAssociation, makeMember, makePlan } from '../../support/factories.js';
import { FakeTable, type Item } from '../../support/fake-table.js';
import { FakePayments, subscriptionSnapshot } from '../../support/fake-payments.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const now = new Date('2026-03-01T10:00:00.000Z');
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const NEXT_END = new Date('2027-03-01T10:00:00.000Z');
const assocA = makeAssociation({ associationId: 'assocA', stripeAccountId: 'acct_A', chargesEnabled: true });
const yearly = makePlan({ planId: 'planYearly', amount: 5000, interval: 'year' });

const row = {
  association: (a: Association): Item => ({ ...keys.association(a.associationId), entity: 'association', ...a }),
  plan: (p: Plan): Item => ({ ...keys.plan(p.associationId, p.planId), entity: 'plan', ...p }),
  member: (m: Member): Item => ({ ...keys.member(m.associationId, m.userId), ...keys.memberByUser(m.userId, m.associationId), entity: 'member', ...m, nameLower: m.name.toLowerCase(), emailLower: m.email.toLowerCase() }),
};
const pendingMember = () =>
  makeMember({ status: 'pending', currentPeriodEnd: null, version: 3, stripeCustomerId: 'cus_1', stripeSubscriptionId: 'sub_1', checkoutSessionId: 'cs_1', checkoutStartedAt: new Date(now.getTime() - 300_000).toISOString() });
const paidSub = (extra: Parameters<typeof subscriptionSnapshot>[0] = {}) => subscriptionSnapshot({ id: 'sub_1', status: 'active', latestInvoicePaid: true, currentPeriodStart: now, currentPeriodEnd: NEXT_END, ...extra });

function setup() {
  const table = new FakeTable([row.association(assocA), { ...keys.stripeAccount('acct_A'), entity: 'stripe_account', associationId: 'assocA' }, row.plan(yearly), row.member(pendingMember())]).attach(ddb);
  const payments = new FakePayments();
  const store = createStore(doc, 'test-table');
  const deps: DuesDeps & { store: typeof store } = { store, payments, appUrl: 'https://app.example.test', platformFeePercent: 2 };
  return { table, payments, deps, store };
}

const invoicePaid = (id = 'evt_paid_1', invoiceId = 'in_1', created = unix(now)): StripeEvent => ({
  id,
  type: 'invoice.paid',
  account: 'acct_A',
  created,
  data: {
    object: {
      id: invoiceId,
      object: 'invoice',
      customer: 'cus_1',
      amount_paid: 5000,
      amount_due: 5000,
      currency: 'eur',
      parent: { subscription_details: { subscription: 'sub_1' } },
      status_transitions: { paid_at: unix(now) },
      lines: { data: [{ period: { start: unix(now), end: unix(NEXT_END) } }] },
      payment_intent: `pi_${invoiceId}`,
    },
  },
});
const subEvent = (id: string, type: string, created: number, status: string): StripeEvent => ({
  id,
  type,
  account: 'acct_A',
  created,
  data: { object: { id: 'sub_1', object: 'subscription', customer: 'cus_1', status, metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' } } },
});

/** The receipts queued in the outbox (the streams consumer sends them). */
const receipts = (table: FakeTable) => table.all('OUTBOX#').filter((o) => o.kind === 'receipt');

/** What the stream hands the consumer: the recorded items, in the order they were written. */
const recorded = (table: FakeTable): QueuedStripeEvent[] => table.all('STRIPEQ#').map((it) => it as unknown as QueuedStripeEvent);
const noWait = { sleep: async () => {} };
const ledger = (table: FakeTable) => table.all('ASSOC#assocA', 'PAYMENT#');
const memberOf = (table: FakeTable) => table.get('ASSOC#assocA', 'MEMBER#user-member')!;

beforeEach(() => {
  ddb.reset();
});

describe('record, then apply', () => {
  it('the webhook only records; the consumer then applies: member active, one ledger entry, one receipt', async () => {
    const { table, payments, deps, store } = setup();
    payments.subscriptions.set('sub_1', paidSub());
    await expect(receiveStripeEvent(deps, invoicePaid(), now)).resolves.toBe('recorded');
    expect(memberOf(table).status).toBe('pending');
    expect(payments.calls).toHaveLength(0);
    const [q] = recorded(table);
    expect(q).toMatchObject({ pk: 'STRIPEQ#acct_A#cus_1', eventId: 'evt_paid_1', type: 'invoice.paid' });

    await expect(applyQueuedStripeEvent(deps, q!, () => now, noWait)).resolves.toBe('applied');
    expect(memberOf(table).status).toBe('active');
    expect(ledger(table)).toHaveLength(1);
    expect(receipts(table)).toHaveLength(1);
  });

  it('a stream redelivery of the record, or the same event delivered twice, takes effect once', async () => {
    const { table, payments, deps, store } = setup();
    payments.subscriptions.set('sub_1', paidSub());
    const outcomes = await Promise.all([receiveStripeEvent(deps, invoicePaid(), now), receiveStripeEvent(deps, invoicePaid(), now)]);
    expect(outcomes.sort()).toEqual(['duplicate', 'recorded']);
    expect(recorded(table)).toHaveLength(1);
    const [q] = recorded(table);
    const applied = await Promise.all([applyQueuedStripeEvent(deps, q!, () => now, noWait), applyQueuedStripeEvent(deps, q!, () => now, noWait)]);
    expect(applied.sort()).toEqual(['applied', 'duplicate']);
    await expect(applyQueuedStripeEvent(deps, q!, () => now, noWait)).resolves.toBe('duplicate');
    expect(ledger(table)).toHaveLength(1);
    expect(receipts(table)).toHaveLength(1);
  });

  it('a type the platform never acts on is acknowledged without a write', async () => {
    const { table, deps } = setup();
    await expect(receiveStripeEvent(deps, { id: 'evt_x', type: 'payment_intent.created', account: 'acct_A', created: unix(now), data: { object: { id: 'pi_1', customer: 'cus_1' } } }, now)).resolves.toBe('ignored');
    expect(recorded(table)).toHaveLength(0);
  });
});

test('the types the webhook records are exactly those the dues service dispatches', () => {
  expect([...HANDLED_TYPES].sort()).toEqual(dispatchedStripeEventTypes().sort());
});

describe('account.updated, applied by the webhook', () => {
  const accountUpdated = (id: string): StripeEvent => ({ id, type: 'account.updated', account: 'acct_A', created: unix(now), data: { object: { id: 'acct_A', object: 'account' } } });

  it('is applied at once from the live account, never queued; a second delivery changes nothing', async () => {
    const { table, payments, deps } = setup();
    table.put({ ...row.association({ ...assocA, chargesEnabled: false }) });
    payments.accounts.set('acct_A', { id: 'acct_A', chargesEnabled: true, detailsSubmitted: true });
    await expect(receiveStripeEvent(deps, accountUpdated('evt_acct_1'), now)).resolves.toBe('applied');
    expect(table.get('ASSOC#assocA', 'ASSOC')).toMatchObject({ chargesEnabled: true, stripeDetailsSubmitted: true });
    expect(recorded(table)).toHaveLength(0);
    await expect(receiveStripeEvent(deps, accountUpdated('evt_acct_1'), now)).resolves.toBe('duplicate');
    expect(payments.callsOf('retrieveAccount')).toHaveLength(1);
  });

  it('a transaction conflict on the association (deliveries at once) is retried, then applied once', async () => {
    const { table, payments, deps } = setup();
    payments.accounts.set('acct_A', { id: 'acct_A', chargesEnabled: true, detailsSubmitted: true });
    table.failNext('TransactWriteCommand', new TransactionCanceledException({ message: 'conflict', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }] }));
    await expect(receiveStripeEvent(deps, accountUpdated('evt_acct_busy'), now)).resolves.toBe('applied');
    expect(payments.callsOf('retrieveAccount')).toHaveLength(2);
  });

  it('in any order: each delivery reads the live account, so the last one applied has Stripe\'s state', async () => {
    const { table, payments, deps } = setup();
    payments.accounts.set('acct_A', { id: 'acct_A', chargesEnabled: false, detailsSubmitted: true });
    // The newer event (charges disabled) delivered first, the older one (enabled) after it.
    await receiveStripeEvent(deps, accountUpdated('evt_acct_new'), now);
    await receiveStripeEvent(deps, accountUpdated('evt_acct_old'), now);
    expect(table.get('ASSOC#assocA', 'ASSOC')).toMatchObject({ chargesEnabled: false });
  });
});

describe('one partition per membership', () => {
  it('keys every event of one customer alike, whatever its type or how the customer is given', () => {
    const groups = [invoicePaid(), subEvent('e2', 'customer.subscription.updated', 1, 'active'), { ...subEvent('e3', 'customer.subscription.deleted', 2, 'canceled') }, {
      id: 'e4',
      type: 'charge.refunded',
      account: 'acct_A',
      created: 3,
      data: { object: { id: 'ch_1', customer: { id: 'cus_1', object: 'customer' } } },
    }].map(queueGroupOf);
    expect(new Set(groups)).toEqual(new Set(['cus_1']));
  });

  it('sorts a partition by Stripe time, then event id', () => {
    expect(keys.stripeQueued('acct_A', 'cus_1', 5, 'evt_b').sk < keys.stripeQueued('acct_A', 'cus_1', 1_767_225_600, 'evt_a').sk).toBe(true);
  });
});

describe('out of order', () => {
  // The consumer reads the live subscription (Stripe's advice), so an older event applied
  // after a newer one cannot roll the membership back.
  const older = subEvent('evt_upd_old', 'customer.subscription.updated', unix(now) - 60, 'active');
  const newer = subEvent('evt_del_new', 'customer.subscription.deleted', unix(now), 'canceled');
  const liveCancelled = () => paidSub({ status: 'canceled', endedAt: now, latestInvoicePaid: true });

  async function applyInOrder(events: StripeEvent[]) {
    const { table, payments, deps, store } = setup();
    payments.subscriptions.set('sub_1', liveCancelled());
    for (const e of events) await receiveStripeEvent(deps, e, now);
    const byEvent = new Map(recorded(table).map((q) => [q.eventId, q]));
    for (const e of events) await applyQueuedStripeEvent(deps, byEvent.get(e.id)!, () => now, noWait);
    return memberOf(table);
  }

  it('older subscription.updated after the newer subscription.deleted ends as Stripe has it: cancelled', async () => {
    const inOrder = await applyInOrder([older, newer]);
    const reversed = await applyInOrder([newer, older]);
    expect(inOrder.status).not.toBe('active');
    expect(reversed.status).toBe(inOrder.status);
    expect(reversed.currentPeriodEnd).toBe(inOrder.currentPeriodEnd);
  });

  it('two payments in either order: one ledger entry each, member active', async () => {
    for (const order of [
      ['a', 'b'],
      ['b', 'a'],
    ]) {
      const { table, payments, deps, store } = setup();
      payments.subscriptions.set('sub_1', paidSub());
      const events = order.map((x) => invoicePaid(`evt_${x}`, `in_${x}`, unix(now) + (x === 'a' ? 0 : 30)));
      for (const e of events) await receiveStripeEvent(deps, e, now);
      const byEvent = new Map(recorded(table).map((q) => [q.eventId, q]));
      for (const e of [...events, ...events]) await applyQueuedStripeEvent(deps, byEvent.get(e.id)!, () => now, noWait);
      expect(memberOf(table).status).toBe('active');
      expect(ledger(table).map((p) => p.paymentId).sort()).toEqual([expect.stringContaining('_payment_in_a'), expect.stringContaining('_payment_in_b')]);
    }
  });
});

describe('failures', () => {
  it('a failed apply is retried after a pause, then takes effect once', async () => {
    const { table, payments, deps, store } = setup();
    payments.subscriptions.set('sub_1', paidSub());
    table.failNext('TransactWriteCommand', new ThrottlingException({ message: 'slow down', $metadata: {} }));
    await receiveStripeEvent(deps, invoicePaid(), now);
    const waits: number[] = [];
    const outcome = await applyQueuedStripeEvent(deps, recorded(table)[0]!, () => now, { sleep: async (ms) => void waits.push(ms) });
    expect(outcome).toBe('applied');
    expect(waits).toEqual([100]);
    expect(ledger(table)).toHaveLength(1);
    expect(table.all('STRIPEDEAD#')).toHaveLength(0);
  });

  it('an event that keeps failing becomes a dead letter after 3 attempts, changes nothing, and the next event of the membership still applies', async () => {
    const { table, payments, deps, store } = setup();
    // The first event names a subscription Stripe errors on (not a 404: a failure worth retrying).
    const broken = { ...invoicePaid('evt_poison', 'in_poison'), data: { object: { ...invoicePaid().data.object, id: 'in_poison', parent: { subscription_details: { subscription: 'sub_broken' } } } } };
    payments.subscriptions.set('sub_1', paidSub());
    const original = payments.retrieveSubscription.bind(payments);
    payments.retrieveSubscription = async (account, id) => {
      if (id === 'sub_broken') throw Object.assign(new Error('Stripe is having a bad day'), { name: 'StripeAPIError', statusCode: 500 });
      return original(account, id);
    };
    await receiveStripeEvent(deps, broken, now);
    await receiveStripeEvent(deps, invoicePaid('evt_next', 'in_next', unix(now) + 1), now);
    const [poison, next] = recorded(table);
    expect(poison!.eventId).toBe('evt_poison');

    const waits: number[] = [];
    await expect(applyQueuedStripeEvent(deps, poison!, () => now, { sleep: async (ms) => void waits.push(ms) })).resolves.toBe('dead_lettered');
    expect(waits).toEqual([100, 400]);
    const dead = await store.getDeadStripeEvent('acct_A', poison!.created, 'evt_poison');
    expect(dead).toMatchObject({ entity: 'stripe_dead', eventId: 'evt_poison', attempts: 3, errorName: 'StripeAPIError', payload: poison!.payload });
    expect(memberOf(table).status).toBe('pending');
    expect(ledger(table)).toHaveLength(0);
    // The record itself stays as written.
    expect(recorded(table).map((q) => q.eventId)).toEqual(['evt_poison', 'evt_next']);

    await expect(applyQueuedStripeEvent(deps, next!, () => now, noWait)).resolves.toBe('applied');
    expect(memberOf(table).status).toBe('active');
  });

  it('throws (so the stream retries the record) only when the dead letter cannot be written either', async () => {
    const { table, payments, deps, store } = setup();
    payments.subscriptions.set('sub_1', paidSub());
    await receiveStripeEvent(deps, invoicePaid(), now);
    payments.retrieveSubscription = async () => {
      throw Object.assign(new Error('down'), { name: 'StripeConnectionError' });
    };
    table.failNext('PutCommand', new ThrottlingException({ message: 'slow down', $metadata: {} }));
    await expect(applyQueuedStripeEvent(deps, recorded(table)[0]!, () => now, noWait)).rejects.toThrow('slow down');
  });
});
