/**
 * Stripe does not promise any order between events. Whatever order the events of one
 * subscription arrive in, the membership must end where Stripe's subscription is, and a
 * member who was active must never be shown as pending again.
 *
 * Two ways to get the events:
 * - replayed: the member joined and paid (and for the cancelled case, cancelled) with the
 *   stand-in delivering as it goes; then every event is delivered again, in each order.
 * - delayed: everything happens at Stripe before the platform sees any event of it (the
 *   subscription is created through the stand-in's API for a user who joins only
 *   afterwards, so the stand-in's own deliveries find no member); then the events arrive,
 *   once each, in each order.
 * Event payloads are built from the stand-in's current objects (GET /v1/subscriptions/:id,
 * expand latest_invoice), each with a fresh evt_ id, signed and posted.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from '../../functions/core/data/keys.js';
import { signIn } from '../support/http.js';
import type { User } from '../support/fixtures.js';
import {
  getMember,
  getSubscription,
  joinAndPay,
  joinPaid,
  paymentsOf,
  payCheckout,
  setUpPaidAssociation,
  signedPost,
  stripeApi,
  stripeEvent,
  sleep,
  waitFor,
  waitForMember,
  type PaidAssociation,
} from '../support/dues.js';

const TIMEOUT = 180_000;

type Kind = 'created' | 'updated' | 'paid' | 'deleted';
const TYPE: Record<Kind, string> = {
  created: 'customer.subscription.created',
  updated: 'customer.subscription.updated',
  paid: 'invoice.paid',
  deleted: 'customer.subscription.deleted',
};

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Runs `f` over `items`, at most `limit` at a time; rejects with every failure, labelled. */
async function pool<T>(items: T[], limit: number, label: (t: T) => string, f: (t: T) => Promise<void>) {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        await f(item).catch((err: Error) => failures.push(`${label(item)}: ${err.message}`));
      }
    }),
  );
  if (failures.length) throw new Error(`${failures.length} of ${items.length} orders failed:\n${failures.join('\n\n')}`);
}

const orderName = (o: Kind[]) => o.join(' → ');
const iso = (unix: number) => new Date(unix * 1000).toISOString();

/** The event payloads, from the stand-in's current subscription and its latest invoice. */
async function payloads(fx: PaidAssociation, subscriptionId: string) {
  const sub = await getSubscription(fx.account, subscriptionId);
  const invoice = sub.latest_invoice;
  expect(invoice).toEqual(expect.objectContaining({ object: 'invoice', status: 'paid' }));
  const current = { ...sub, latest_invoice: invoice.id };
  // As the subscription was while it was live (created/updated events carry that state).
  const live = { ...current, status: 'active', canceled_at: null, ended_at: null, cancel_at: null, cancellation_details: { comment: null, feedback: null, reason: null } };
  const objects: Record<Kind, unknown> = { created: live, updated: live, paid: invoice, deleted: current };
  return { sub, invoice, objects, paidPeriodEnd: iso(invoice.lines.data[0].period.end) };
}

/**
 * Posts one fresh event per kind in `order`, reading the member after each, and returns
 * the statuses seen (the first one is before any event).
 */
async function deliverInOrder(fx: PaidAssociation, user: User, order: Kind[], objects: Record<Kind, unknown>) {
  const seen: string[] = [(await getMember(fx, user.userId)).status];
  for (const kind of order) {
    const res = await signedPost(stripeEvent(TYPE[kind], objects[kind], fx.account));
    if (res.status !== 200) throw new Error(`${TYPE[kind]} → ${res.status} ${res.text}`);
    seen.push((await getMember(fx, user.userId)).status);
  }
  return seen;
}

/**
 * Events are applied shortly after the 2xx (the stream consumer): waits until the member and
 * its payments reach Stripe's final state, then checks they stay there.
 */
async function settlesOn(fx: PaidAssociation, user: User, invoiceId: string, want: { status: string; currentPeriodEnd?: string }) {
  const state = async () => {
    const m = await getMember(fx, user.userId);
    const paid = (await paymentsOf(fx, user.userId)).filter((p) => p.stripe?.invoiceId === invoiceId).length;
    return { status: m.status, ...(want.currentPeriodEnd ? { currentPeriodEnd: m.currentPeriodEnd } : {}), paid };
  };
  const target = { ...want, paid: 1 };
  await waitFor('member settled on Stripe\'s final state', state, (v) => JSON.stringify(v) === JSON.stringify(target)).catch(async () => undefined);
  await sleep(300);
  expect(await state()).toEqual(target);
}

/** Once a member has been active, pending must never come back. */
function expectNoPendingAfterActive(seen: string[]) {
  const firstActive = seen.indexOf('active');
  if (firstActive >= 0 && seen.slice(firstActive).includes('pending')) throw new Error(`pending after active: ${seen.join(' → ')}`);
}

const cancelledOrders = permutations<Kind>(['created', 'updated', 'paid', 'deleted']);
const activeOrders = permutations<Kind>(['created', 'updated', 'paid']);

describe('events replayed in any order after the fact', () => {
  let fx: PaidAssociation;
  beforeAll(async () => {
    fx = await setUpPaidAssociation('Replay Club');
  });

  /** A member who joined and paid, with every event of that delivered and applied. */
  async function paidMember(label: string) {
    const user = await signIn(label);
    const { subscriptionId } = await joinAndPay(user, fx);
    await waitFor('payment recorded', () => paymentsOf(fx, user.userId), (l) => l.length === 1);
    return { user, subscriptionId: subscriptionId! };
  }

  it(`a cancelled subscription: in each of the ${cancelledOrders.length} orders the member ends cancelled, never pending`, async () => {
    expect(cancelledOrders).toHaveLength(24);
    await pool(cancelledOrders, 6, orderName, async (order) => {
      const { user, subscriptionId } = await paidMember('replay-cancel');
      await stripeApi('DELETE', `/v1/subscriptions/${subscriptionId}`, fx.account);
      await waitForMember(fx, user.userId, (m) => m.status === 'cancelled', 'cancelled by the stand-in');
      const { objects, invoice } = await payloads(fx, subscriptionId);

      const seen = await deliverInOrder(fx, user, order, objects);
      expectNoPendingAfterActive(['active', ...seen]);
      await settlesOn(fx, user, invoice.id, { status: 'cancelled' });
    });
  }, TIMEOUT);

  it(`an active subscription: in each of the ${activeOrders.length} orders the member ends active through the paid period`, async () => {
    await pool(activeOrders, 6, orderName, async (order) => {
      const { user, subscriptionId } = await paidMember('replay-active');
      const { objects, paidPeriodEnd, invoice } = await payloads(fx, subscriptionId);

      const seen = await deliverInOrder(fx, user, order, objects);
      expectNoPendingAfterActive(seen);
      await settlesOn(fx, user, invoice.id, { status: 'active', currentPeriodEnd: paidPeriodEnd });
    });
  }, TIMEOUT);
});

describe('events that arrive only after everything happened at Stripe', () => {
  let fx: PaidAssociation;
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_URL, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  beforeAll(async () => {
    fx = await setUpPaidAssociation('Delayed Club');
  });
  afterAll(() => db.destroy());

  /**
   * A subscription paid (and, with cancel, cancelled) at the stand-in for `user` before they
   * joined: the stand-in's deliveries find no member and change nothing.
   */
  async function subscriptionAtStripe(user: User, cancel: boolean) {
    const metadata = { associationId: fx.associationId, userId: user.userId, planId: fx.yearlyPlanId };
    const customer = await stripeApi('POST', '/v1/customers', fx.account, { email: user.email, name: 'Delayed', metadata });
    const session = await stripeApi('POST', '/v1/checkout/sessions', fx.account, {
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price_data: { currency: 'eur', unit_amount: 12000, product_data: { name: 'Yearly' }, recurring: { interval: 'year' } }, quantity: 1 }],
      subscription_data: { metadata },
      metadata,
      success_url: 'https://example.test/welcome',
    });
    const paid = await payCheckout(session.url);
    if (cancel) await stripeApi('DELETE', `/v1/subscriptions/${paid.subscription}`, fx.account);
    return { subscriptionId: paid.subscription as string, customerId: customer.id as string };
  }

  /**
   * Waits until the consumer has applied (found no member for) every event the stand-in
   * delivered for `customerId`. The webhook answers on recording, and the consumer applies
   * each customer's events on its own, so neither the 2xx nor a later customer's payment
   * says these are done; only the table does (no route shows the queue). Without this wait
   * an event applied after the join would make the member active before the test's own
   * deliveries, which is right behaviour but not this test's premise.
   */
  async function appliedAtStripe(customerId: string) {
    const { pk } = keys.stripeQueued(fx.account, customerId, 0, '');
    const queued = async () => {
      const res = await db.send(new QueryCommand({ TableName: process.env.LOCAL_TABLE!, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'eventId' }));
      return (res.Items ?? []).map((i) => i.eventId as string);
    };
    const unapplied = async () => {
      const ids = await queued();
      if (!ids.length) throw new Error(`no event recorded for ${customerId}`);
      const res = await db.send(new BatchGetCommand({ RequestItems: { [process.env.LOCAL_TABLE!]: { Keys: ids.map((id) => keys.stripeEvent(id)), ProjectionExpression: 'pk' } } }));
      const done = new Set((res.Responses?.[process.env.LOCAL_TABLE!] ?? []).map((i) => i.pk as string));
      return ids.filter((id) => !done.has(keys.stripeEvent(id).pk));
    };
    await waitFor(`the stand-in's events for ${customerId} applied`, unapplied, (l) => l.length === 0, 60_000);
  }

  /**
   * Every case's Stripe history first; then a sentinel payment, delivered after all of theirs
   * (the stand-in delivers one at a time, in order), so once it is applied every case's events
   * are recorded; then each case's are awaited until applied (to no member); then the members join.
   */
  async function arrange(orders: Kind[][], cancel: boolean) {
    const cases: { order: Kind[]; user: User; subscriptionId: string; customerId: string }[] = [];
    await pool(orders, 6, orderName, async (order) => {
      const user = await signIn(cancel ? 'delayed-cancel' : 'delayed-active');
      cases.push({ order, user, ...(await subscriptionAtStripe(user, cancel)) });
    });
    await joinAndPay(await signIn('sentinel'), fx);
    await pool(cases, 6, (c) => orderName(c.order), (c) => appliedAtStripe(c.customerId));
    await pool(cases, 6, (c) => orderName(c.order), async (c) => {
      const joined = await joinPaid(c.user, fx);
      expect(joined.status).toBe('pending');
    });
    return cases;
  }

  it(`an active subscription: in each of the ${activeOrders.length} orders the pending member ends active through the paid period`, async () => {
    const cases = await arrange(activeOrders, false);
    await pool(cases, 6, (c) => orderName(c.order), async ({ order, user, subscriptionId }) => {
      const { objects, paidPeriodEnd, invoice } = await payloads(fx, subscriptionId);
      const seen = await deliverInOrder(fx, user, order, objects);
      expect(seen[0]).toBe('pending');
      expectNoPendingAfterActive(seen);
      await settlesOn(fx, user, invoice.id, { status: 'active', currentPeriodEnd: paidPeriodEnd });
    });
  }, TIMEOUT);

  it(`a paid, then cancelled subscription: in each of the ${cancelledOrders.length} orders the member ends cancelled`, async () => {
    const cases = await arrange(cancelledOrders, true);
    await pool(cases, 6, (c) => orderName(c.order), async ({ order, user, subscriptionId }) => {
      const { objects, invoice } = await payloads(fx, subscriptionId);
      const seen = await deliverInOrder(fx, user, order, objects);
      expectNoPendingAfterActive(seen);
      // The payment is on record whatever the order, and the member who paid and then
      // cancelled is cancelled, not waiting to pay.
      await settlesOn(fx, user, invoice.id, { status: 'cancelled' });
    });
  }, TIMEOUT);
});
