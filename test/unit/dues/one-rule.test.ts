/**
 * Every path that changes a membership's status from a payment goes through the one domain
 * rule (domain/dues.ts decideMembership): Stripe's webhooks, the daily job and offline
 * payments. The rule is wrapped in a spy; each path must call it with its fact, and the
 * membership written must be exactly what the rule decided.
 */
import 'aws-sdk-client-mock-jest';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Association, Member, Plan } from '../../../functions/core/domain/types.js';
import { makeAssociation, makeMember, makePlan } from '../../support/factories.js';
import { FakeTable, type Item } from '../../support/fake-table.js';
import { FakePayments, subscriptionSnapshot } from '../../support/fake-payments.js';
import * as keys from '../../../functions/core/data/keys.js';

const actual = await import('../../../functions/core/domain/dues.js');
const decide = jest.fn(actual.decideMembership);
jest.unstable_mockModule('../../../functions/core/domain/dues.js', () => ({ ...actual, decideMembership: decide }));
const { handleStripeEvent, runDaily } = await import('../../../functions/core/services/dues.js');
const members = await import('../../../functions/core/services/members.js');
const { createStore } = await import('../../../functions/core/data/store.js');

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const DAY = 86_400_000;
const now = new Date('2026-03-01T10:00:00.000Z');
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

const assoc = makeAssociation({ associationId: 'assocA', stripeAccountId: 'acct_A', chargesEnabled: true });
const yearly = makePlan({ planId: 'planYearly', amount: 5000, interval: 'year' });
const lifetime = makePlan({ planId: 'planLife', amount: 20000, interval: 'once' });
const row = (m: Member): Item => ({ ...keys.member(m.associationId, m.userId), ...keys.memberByUser(m.userId, m.associationId), ...(m.dueAt ? keys.memberDue(m.dueAt, m.associationId, m.userId) : {}), entity: 'member', ...m });

function setup(m: Member, extra: Item[] = []) {
  new FakeTable([
    { ...keys.association('assocA'), entity: 'association', ...assoc } as Item,
    { ...keys.stripeAccount('acct_A'), entity: 'stripe_account', associationId: 'assocA' },
    ...[yearly, lifetime].map((p: Plan) => ({ ...keys.plan(p.associationId, p.planId), entity: 'plan', ...p }) as Item),
    row(m),
    ...extra,
  ]).attach(ddb);
  const payments = new FakePayments();
  const deps = { store: createStore(doc, 'test-table'), payments, appUrl: 'https://app.test', platformFeePercent: 0, sendRate: 100_000 };
  return { deps, payments };
}

beforeEach(() => {
  ddb.reset();
  decide.mockClear();
});

/** The fact kinds the rule was asked about, and whether the stored membership is what it last decided. */
async function expectDecided(deps: ReturnType<typeof setup>['deps'], kinds: string[]) {
  expect(decide.mock.calls.map((c) => c[2].kind)).toEqual(kinds);
  const decided = decide.mock.results.at(-1)!.value as ReturnType<typeof actual.decideMembership>;
  const stored = (await deps.store.getMember('assocA', 'user-member'))!;
  expect({ status: stored.status, currentPeriodEnd: stored.currentPeriodEnd, pastDueSince: stored.pastDueSince ?? null, graceUntil: stored.graceUntil ?? null, lapsedAt: stored.lapsedAt ?? null }).toEqual({
    status: decided.status,
    currentPeriodEnd: decided.currentPeriodEnd,
    pastDueSince: decided.pastDueSince,
    graceUntil: decided.graceUntil,
    lapsedAt: decided.lapsedAt,
  });
  return stored;
}

const pending = (extra: Partial<Member> = {}) => makeMember({ status: 'pending', currentPeriodEnd: null, stripeCustomerId: 'cus_1', checkoutSessionId: 'cs_1', ...extra });

describe('each path decides through decideMembership', () => {
  it('webhook invoice.paid and invoice.payment_failed: the subscription fact', async () => {
    const { deps, payments } = setup(pending());
    payments.subscriptions.set('sub_1', subscriptionSnapshot({ currentPeriodEnd: new Date(now.getTime() + 365 * DAY) }));
    const invoice = { id: 'in_1', amount_paid: 5000, amount_due: 5000, currency: 'eur', parent: { subscription_details: { subscription: 'sub_1' } }, lines: { data: [] } };
    await handleStripeEvent(deps, { id: 'evt_1', type: 'invoice.paid', account: 'acct_A', created: unix(now), data: { object: invoice } }, now);
    expect((await expectDecided(deps, ['subscription'])).status).toBe('active');

    decide.mockClear();
    payments.subscriptions.set('sub_1', subscriptionSnapshot({ status: 'past_due', latestInvoicePaid: false }));
    await handleStripeEvent(deps, { id: 'evt_2', type: 'invoice.payment_failed', account: 'acct_A', created: unix(now), data: { object: { ...invoice, id: 'in_2' } } }, now);
    expect((await expectDecided(deps, ['subscription'])).status).toBe('past_due');
  });

  it('webhook customer.subscription.deleted: the subscription fact', async () => {
    const { deps, payments } = setup(makeMember({ status: 'active', stripeSubscriptionId: 'sub_1' }));
    payments.subscriptions.set('sub_1', subscriptionSnapshot({ status: 'canceled' }));
    await handleStripeEvent(deps, { id: 'evt_3', type: 'customer.subscription.deleted', account: 'acct_A', created: unix(now), data: { object: { id: 'sub_1', metadata: { userId: 'user-member' } } } }, now);
    expect((await expectDecided(deps, ['subscription'])).status).toBe('cancelled');
  });

  it('webhook checkout.session.completed (one-time) and a full refund: the lifetime payment and refund facts', async () => {
    const { deps, payments } = setup(pending({ planId: 'planLife' }));
    const session = { id: 'cs_1', mode: 'payment', payment_status: 'paid', payment_intent: 'pi_1', amount_total: 20000, currency: 'eur', customer: 'cus_1', client_reference_id: 'user-member', created: unix(now), metadata: {} };
    await handleStripeEvent(deps, { id: 'evt_4', type: 'checkout.session.completed', account: 'acct_A', created: unix(now), data: { object: session } }, now);
    expect((await expectDecided(deps, ['lifetime_payment'])).status).toBe('active');

    decide.mockClear();
    const refund = { id: 're_1', object: 'refund', amount: 20000, currency: 'eur', charge: 'ch_1', payment_intent: 'pi_1', status: 'succeeded', created: unix(now) };
    payments.charges.set('ch_1', { id: 'ch_1', amount: 20000, amount_refunded: 20000, currency: 'eur', payment_intent: 'pi_1', refunds: { data: [refund] } });
    await handleStripeEvent(deps, { id: 'evt_5', type: 'refund.created', account: 'acct_A', created: unix(now), data: { object: refund } }, now);
    // Asked once to see whether the membership changes at all, then again on the fresh read it writes from.
    expect((await expectDecided(deps, ['refund', 'refund'])).status).toBe('cancelled');
  });

  it('the daily job: the subscription fact when reconciling, the period check for offline members', async () => {
    const ended = new Date(now.getTime() - DAY).toISOString();
    const sub = setup(makeMember({ status: 'active', currentPeriodEnd: ended, stripeSubscriptionId: 'sub_1', dueAt: ended }));
    sub.payments.subscriptions.set('sub_1', subscriptionSnapshot({ status: 'past_due', latestInvoicePaid: false }));
    await runDaily(sub.deps, now);
    expect((await expectDecided(sub.deps, ['subscription'])).status).toBe('past_due');

    decide.mockClear();
    const offline = setup(makeMember({ status: 'active', currentPeriodEnd: ended, dueAt: ended }));
    await runDaily(offline.deps, now);
    expect((await expectDecided(offline.deps, ['period_check'])).status).toBe('past_due');
    decide.mockClear();
    await runDaily(offline.deps, new Date(now.getTime() + 14 * DAY));
    expect((await expectDecided(offline.deps, ['period_check'])).status).toBe('lapsed');
  });

  it('an offline payment: the offline payment fact', async () => {
    const lapsed = makeMember({ status: 'lapsed', currentPeriodEnd: '2025-01-01T00:00:00.000Z', lapsedAt: '2025-01-20T00:00:00.000Z' });
    const { deps } = setup(lapsed, [row(makeMember({ userId: 'user-admin', role: 'admin' }))]);
    const admin = (await deps.store.getMember('assocA', 'user-admin'))!;
    await members.patch(deps.store, assoc as Association, admin, 'user-member', { offlinePayment: { amount: 5000, paidAt: now.toISOString(), note: 'cash' } }, now);
    const stored = await expectDecided(deps, ['offline_payment']);
    expect(stored).toMatchObject({ status: 'active', lapsedAt: null, currentPeriodEnd: '2027-03-01T10:00:00.000Z' });
  });

  it('an unmatched checkout asks nothing of the rule and writes no membership', async () => {
    const { deps } = setup(pending());
    const session = { id: 'cs_x', mode: 'payment', payment_status: 'paid', amount_total: 100, currency: 'eur', client_reference_id: 'user-member', created: unix(now), metadata: {} };
    await expect(handleStripeEvent(deps, { id: 'evt_6', type: 'checkout.session.completed', account: 'acct_A', created: unix(now), data: { object: session } }, now)).resolves.toBe('unmatched');
    expect(decide).not.toHaveBeenCalled();
    expect((await deps.store.getMember('assocA', 'user-member'))!.status).toBe('pending');
  });
});
