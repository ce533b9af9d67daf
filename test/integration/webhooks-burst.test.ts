/**
 * A burst of Stripe events for ONE membership, all sent at once: the webhook only records
 * each (one conditional write) and answers 2xx, the stream consumer applies them per
 * customer one after another. Over HTTP against the local stack and the Stripe stand-in.
 */
import { signIn } from '../support/http.js';
import {
  allPayments,
  getMember,
  getSubscription,
  joinAndPay,
  newInvoiceId,
  setUpPaidAssociation,
  signedPost,
  sleep,
  stripeApi,
  stripeEvent,
  waitFor,
  waitForMember,
  type PaidAssociation,
} from '../support/dues.js';

const TIMEOUT = 120_000;

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('a burst of 200 events for one membership', () => {
  let fx: PaidAssociation;
  beforeAll(async () => {
    fx = await setUpPaidAssociation('Burst Club');
  });

  it('all get 2xx; the membership ends as Stripe has it (cancelled), every payment and both partial refunds once', async () => {
    const user = await signIn('burst-member', 'Bea Burst');
    const { session, subscriptionId } = await joinAndPay(user, fx);
    const sub = await getSubscription(fx.account, subscriptionId!);
    const invoice = sub.latest_invoice;
    const payments = await stripeApi('GET', '/v1/invoice_payments', fx.account, { invoice: invoice.id });
    const paymentIntent = payments.data[0].payment.payment_intent as string;
    const userPayments = async () => allPayments(fx, { userId: user.userId });
    await waitFor('first payment recorded', userPayments, (l) => l.length === 1);

    // Two partial refunds of the first payment, then the member cancels: Stripe's final state.
    await stripeApi('POST', '/v1/refunds', fx.account, { payment_intent: paymentIntent, amount: 1000 });
    await stripeApi('POST', '/v1/refunds', fx.account, { payment_intent: paymentIntent, amount: 1500 });
    await waitFor('two refunds recorded', userPayments, (l) => l.filter((p) => p.type === 'refund').length === 2);
    await stripeApi('DELETE', `/v1/subscriptions/${subscriptionId}`, fx.account);
    await waitForMember(fx, user.userId, (m) => m.status === 'cancelled', 'cancelled by the stand-in');
    const final = await getMember(fx, user.userId);

    const live = { ...sub, latest_invoice: invoice.id, status: 'active', canceled_at: null, ended_at: null };
    const cancelled = { ...(await getSubscription(fx.account, subscriptionId!)), latest_invoice: invoice.id };
    const pi = await stripeApi('GET', `/v1/payment_intents/${paymentIntent}`, fx.account);
    const charge = await stripeApi('GET', `/v1/charges/${pi.latest_charge}`, fx.account, { expand: ['refunds'] });
    expect(charge.refunds.data).toHaveLength(2);
    // 20 payments the ledger has not seen (renewal invoices, say), each delivered twice with one event id.
    const newInvoices = Array.from({ length: 20 }, () => ({ ...invoice, id: newInvoiceId() }));
    const paidEvents = newInvoices.map((inv) => stripeEvent('invoice.paid', inv, fx.account));
    const events = [
      ...paidEvents,
      ...paidEvents,
      ...Array.from({ length: 40 }, () => stripeEvent('customer.subscription.updated', live, fx.account)),
      ...Array.from({ length: 20 }, () => stripeEvent('customer.subscription.deleted', cancelled, fx.account)),
      ...Array.from({ length: 40 }, () => stripeEvent('charge.refunded', charge, fx.account)),
      ...Array.from({ length: 20 }, (_, i) => stripeEvent('refund.created', charge.refunds.data[i % 2], fx.account)),
      ...Array.from({ length: 40 }, () => stripeEvent('checkout.session.completed', session, fx.account)),
    ];
    expect(events).toHaveLength(200);

    const started = Date.now();
    const answers = await Promise.all(shuffle(events).map((e) => signedPost(e)));
    const answeredMs = Date.now() - started;
    expect(answers.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`.slice(0, 200))).toEqual([]);
    const outcomes = answers.map((r) => r.body.outcome as string);
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(180);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(20);
    expect(answeredMs).toBeLessThan(10_000);

    // Applied shortly after: 1 + 20 payments, 2 refunds, each once; still cancelled, as at Stripe.
    const ledger = await waitFor('every new payment recorded', userPayments, (l) => l.filter((p) => p.type === 'payment').length >= 21, 60_000);
    await sleep(1500);
    const after = await userPayments();
    expect(after).toHaveLength(ledger.length);
    expect(after.filter((p) => p.type === 'payment')).toHaveLength(21);
    expect(after.filter((p) => p.type === 'refund').map((p) => p.amount).sort()).toEqual([1000, 1500]);
    expect(new Set(after.map((p) => p.paymentId)).size).toBe(after.length);
    expect(new Set(after.filter((p) => p.type === 'payment').map((p) => p.stripe?.invoiceId))).toEqual(new Set([invoice.id, ...newInvoices.map((i) => i.id)]));
    const m = await getMember(fx, user.userId);
    expect({ status: m.status, currentPeriodEnd: m.currentPeriodEnd }).toEqual({ status: 'cancelled', currentPeriodEnd: final.currentPeriodEnd });
  }, TIMEOUT);

  it('a second checkout that is not ours, in the same burst as the member’s own events: 2xx, recorded as unmatched once', async () => {
    const user = await signIn('burst-member-2', 'Bo Burst');
    const { session } = await joinAndPay(user, fx);
    const userPayments = async () => allPayments(fx, { userId: user.userId });
    await waitFor('first payment recorded', userPayments, (l) => l.length === 1);
    // The same member pays a second checkout of another amount on the same account (not our session).
    const other = await stripeApi('POST', '/v1/checkout/sessions', fx.account, {
      mode: 'payment',
      customer: session.customer,
      line_items: [{ price_data: { currency: 'eur', unit_amount: 700, product_data: { name: 'Mug' } }, quantity: 1 }],
      metadata: { associationId: fx.associationId, userId: user.userId, planId: fx.yearlyPlanId },
      success_url: 'https://example.test/thanks',
    });
    const paid = await (await fetch(`${other.url}/pay`, { method: 'POST', headers: { accept: 'application/json' } })).json();
    const foreign = stripeEvent('checkout.session.completed', paid, fx.account);
    const answers = await Promise.all([foreign, foreign, ...Array.from({ length: 30 }, () => stripeEvent('checkout.session.completed', session, fx.account))].map((e) => signedPost(e)));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    const l = await waitFor('unmatched recorded', userPayments, (p) => p.some((x) => x.type === 'unmatched'), 30_000);
    await sleep(1000);
    expect((await userPayments()).filter((p) => p.type === 'unmatched')).toHaveLength(1);
    expect((await userPayments()).filter((p) => p.type === 'payment')).toHaveLength(l.filter((p) => p.type === 'payment').length);
    expect((await getMember(fx, user.userId)).status).toBe('active');
  }, TIMEOUT);
});
