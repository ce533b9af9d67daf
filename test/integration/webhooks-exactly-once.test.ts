/**
 * Stripe delivers at least once, sometimes the same event many times at once: each
 * payment must land in the ledger, and be receipted, exactly once.
 */
import { signIn } from '../support/http.js';
import type { User } from '../support/fixtures.js';
import {
  freshPaidInvoice,
  getMember,
  joinAndPay,
  mailsTo,
  paymentsOf,
  postWebhook,
  serialize,
  setUpPaidAssociation,
  signature,
  sleep,
  stripeApi,
  stripeEvent,
  waitFor,
  type PaidAssociation,
} from '../support/dues.js';

const receipts = async (email: string) => (await mailsTo(email)).filter((m) => /receipt/i.test(m.subject));
const entriesFor = async (fx: PaidAssociation, userId: string, invoiceId: string) =>
  (await paymentsOf(fx, userId)).filter((p) => p.stripe?.invoiceId === invoiceId);
const all2xx = (rs: { status: number; text: string }[]) => {
  for (const r of rs) expect(`${r.status} ${r.text}`).toMatch(/^2\d\d /);
};

describe('exactly once', () => {
  let fx: PaidAssociation;
  let payer: User;
  let subscriptionId: string;

  beforeAll(async () => {
    fx = await setUpPaidAssociation('Once Club');
    payer = await signIn('once-payer', 'Once Payer');
    subscriptionId = (await joinAndPay(payer, fx)).subscriptionId!;
    await waitFor('payment recorded', () => paymentsOf(fx, payer.userId), (l) => l.length === 1);
    await waitFor('receipt sent', () => receipts(payer.email), (m) => m.length === 1);
  });

  it('the real invoice.paid event, re-signed and posted 10 times at once: all 2xx, still one entry and one receipt', async () => {
    const [payment] = await paymentsOf(fx, payer.userId);
    // The event the ledger entry came from, exactly as the stand-in sent it.
    const event = await stripeApi('GET', `/v1/events/${payment.stripe.eventId}`, fx.account);
    expect(event.type).toBe('invoice.paid');
    const payload = serialize(event);
    const header = signature(payload);
    const results = await Promise.all(Array.from({ length: 10 }, () => postWebhook(payload, header)));
    all2xx(results);
    await sleep(500);
    expect(await entriesFor(fx, payer.userId, payment.stripe.invoiceId)).toHaveLength(1);
    expect(await receipts(payer.email)).toHaveLength(1);
  });

  it('a new invoice.paid posted 10 times at once (same bytes): all 2xx, exactly one entry and one receipt', async () => {
    const event = stripeEvent('invoice.paid', await freshPaidInvoice(fx.account, subscriptionId), fx.account);
    const payload = serialize(event);
    const header = signature(payload);
    const memberBefore = await getMember(fx, payer.userId);

    const results = await Promise.all(Array.from({ length: 10 }, () => postWebhook(payload, header)));
    all2xx(results);
    expect(results).toHaveLength(10);

    await waitFor('receipt of the new payment', () => receipts(payer.email), (m) => m.length >= 2);
    await sleep(500);
    expect(await entriesFor(fx, payer.userId, event.data.object.id)).toEqual([
      expect.objectContaining({ type: 'payment', amount: 12000, currency: 'eur', stripe: expect.objectContaining({ eventId: event.id }) }),
    ]);
    expect(await receipts(payer.email)).toHaveLength(2);
    expect(await getMember(fx, payer.userId)).toEqual(memberBefore);

    // Replayed later (Stripe's retry, newly signed): acknowledged, still once.
    const replay = await postWebhook(payload, signature(payload));
    expect(replay.status).toBe(200);
    await sleep(300);
    expect(await entriesFor(fx, payer.userId, event.data.object.id)).toHaveLength(1);
    expect(await receipts(payer.email)).toHaveLength(2);
  });

  it('the same invoice in 10 different events at once (as Stripe may send): one entry and one receipt', async () => {
    const invoice = await freshPaidInvoice(fx.account, subscriptionId);
    const before = (await receipts(payer.email)).length;
    const events = Array.from({ length: 10 }, () => stripeEvent('invoice.paid', invoice, fx.account));
    const results = await Promise.all(
      events.map((e) => {
        const payload = serialize(e);
        return postWebhook(payload, signature(payload));
      }),
    );
    all2xx(results);
    await waitFor('receipt of the new payment', () => receipts(payer.email), (m) => m.length >= before + 1);
    await sleep(500);
    expect(await entriesFor(fx, payer.userId, invoice.id)).toHaveLength(1);
    expect(await receipts(payer.email)).toHaveLength(before + 1);
  });
});
