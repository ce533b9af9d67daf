/**
 * Over HTTP on the local stack and its Stripe stand-in: a paid checkout that is not the
 * membership's (another session naming the member, a shop's session on the same account)
 * changes no status and is listed as unmatched; partial refunds are one ledger entry each,
 * however their events arrive; one member's payments page past a full page (gsi1 by payer).
 */
import { parse } from 'csv-parse/sync';
import { call, callBytes, signIn } from '../support/http.js';
import { expectStatus, type User } from '../support/fixtures.js';
import {
  allPayments,
  getMember,
  joinAndPay,
  joinPaid,
  memberPath,
  payCheckout,
  paymentsPath,
  setUpPaidAssociation,
  signedPost,
  sleep,
  stripeApi,
  stripeEvent,
  waitFor,
  type PaidAssociation,
} from '../support/dues.js';

/** A checkout session made on the association's account by something other than the platform. */
function foreignSession(fx: PaidAssociation, opts: { amount: number; clientReferenceId?: string; metadata?: Record<string, string> }) {
  return stripeApi('POST', '/v1/checkout/sessions', fx.account, {
    mode: 'payment',
    line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: opts.amount, product_data: { name: 'Coffee' } } }],
    success_url: 'https://shop.example.test/ok',
    ...(opts.clientReferenceId ? { client_reference_id: opts.clientReferenceId } : {}),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
  });
}

async function ledgerCsv(fx: PaidAssociation) {
  const res = await callBytes('GET', `${paymentsPath(fx)}/export`, { token: fx.owner.token });
  expect(res.status).toBe(200);
  // Strict: every row has the header's columns (relax_column_count off), quotes must be well formed.
  return parse(res.bytes.subarray(3).toString('utf8'), { columns: true, relax_column_count: false, relax_quotes: false }) as Record<string, string>[];
}

describe('a paid checkout that is not the membership’s', () => {
  let fx: PaidAssociation;
  let member: User;

  beforeAll(async () => {
    fx = await setUpPaidAssociation('Matching Club');
    member = await signIn('matcher', 'Max Matcher');
    await joinPaid(member, fx); // yearly, 120.00: pending with its own checkout
  });

  it('a one-off €1.00 session with the member’s id in client_reference_id: the membership stays pending, the payment is listed as unmatched', async () => {
    const session = await foreignSession(fx, { amount: 100, clientReferenceId: member.userId });
    await payCheckout(session.url);
    const [entry] = await waitFor('unmatched entry', async () => (await allPayments(fx, { userId: member.userId })), (l) => l.length >= 1);
    expect(entry).toEqual(
      expect.objectContaining({ type: 'unmatched', kind: 'stripe', userId: member.userId, amount: 100, currency: 'eur', reason: expect.stringMatching(/not the checkout/) }),
    );
    expect(entry.stripe).toEqual(expect.objectContaining({ checkoutSessionId: session.id, paymentIntentId: expect.stringMatching(/^pi_/) }));
    await sleep(300);
    expect(await getMember(fx, member.userId)).toEqual(expect.objectContaining({ status: 'pending', currentPeriodEnd: null }));

    // The same event delivered again (re-signed): 2xx, still one entry.
    const replay = await signedPost(stripeEvent('checkout.session.completed', await stripeApi('GET', `/v1/checkout/sessions/${session.id}`, fx.account), fx.account));
    expect(replay.status).toBe(200);
    expect(await allPayments(fx, { userId: member.userId })).toHaveLength(1);

    const rows = await ledgerCsv(fx);
    expect(rows.filter((r) => r.type === 'unmatched')).toEqual([expect.objectContaining({ userId: member.userId, amount: '100', stripeCheckout: session.id, reason: entry.reason })]);

    // Refunding it is recorded too (the books add up) and still changes no status.
    await stripeApi('POST', '/v1/refunds', fx.account, { payment_intent: entry.stripe.paymentIntentId });
    const refund = await waitFor('refund of the unmatched payment', async () => (await allPayments(fx, { userId: member.userId })).filter((p) => p.type === 'refund'), (l) => l.length >= 1);
    expect(refund).toEqual([expect.objectContaining({ amount: 100, currency: 'eur' })]);
    expect(await getMember(fx, member.userId)).toEqual(expect.objectContaining({ status: 'pending' }));
  });

  it('"a second checkout that isn\'t ours" (no member named, other metadata) → 2xx, nothing changes', async () => {
    const before = await allPayments(fx);
    const session = await foreignSession(fx, { amount: 450, metadata: { orderId: 'shop-7' } });
    await payCheckout(session.url);
    const paid = await stripeApi('GET', `/v1/checkout/sessions/${session.id}`, fx.account);
    const res = await signedPost(stripeEvent('checkout.session.completed', paid, fx.account));
    expect(res.status).toBe(200);
    // Recorded, then applied by the stream consumer: give it time to (not) act.
    expect(res.body).toEqual({ received: true, outcome: expect.stringMatching(/recorded|duplicate/) });
    await sleep(1500);
    expect(await allPayments(fx)).toEqual(before);
    expect(await getMember(fx, member.userId)).toEqual(expect.objectContaining({ status: 'pending' }));
  });

  it('the member’s own checkout still activates the membership', async () => {
    const joined = expectStatus(await call('POST', `/associations/${fx.associationId}/members/me/checkout`, { token: member.token }), 200, 'checkout');
    await payCheckout(joined.body.url);
    await waitFor('active', () => getMember(fx, member.userId), (m) => m.status === 'active');
  });
});

describe('partial refunds', () => {
  let fx: PaidAssociation;
  let lifer: User;
  let paymentIntent: string;

  beforeAll(async () => {
    fx = await setUpPaidAssociation('Refund Club');
    lifer = await signIn('refunded', 'Rae Refunded');
    const { session } = await joinAndPay(lifer, fx, fx.oncePlanId); // 300.00 for life
    paymentIntent = session.payment_intent;
    expect(paymentIntent).toMatch(/^pi_/);
  });

  const refundsOf = async () => (await allPayments(fx, { userId: lifer.userId })).filter((p) => p.type === 'refund');

  it('10.00 then 15.00 on one charge, at once: two entries of 1000 and 1500, each with its refund id', async () => {
    const [r1, r2] = [
      await stripeApi('POST', '/v1/refunds', fx.account, { payment_intent: paymentIntent, amount: 1000 }),
      await stripeApi('POST', '/v1/refunds', fx.account, { payment_intent: paymentIntent, amount: 1500 }),
    ];
    const refunds = await waitFor('two refunds', refundsOf, (l) => l.length >= 2);
    await sleep(300);
    expect((await refundsOf()).map((r) => [r.amount, r.stripe.refundId]).sort()).toEqual(
      [
        [1000, r1.id],
        [1500, r2.id],
      ].sort(),
    );
    expect(refunds.every((r) => r.currency === 'eur')).toBe(true);
    // A partial refund keeps the lifetime membership.
    expect((await getMember(fx, lifer.userId)).status).toBe('active');
  });

  it('the refund events again, in every order, twice and concurrently (charge.refunded, refund.created, charge.refund.updated): still two entries', async () => {
    const charge = await stripeApi('GET', `/v1/charges/${(await stripeApi('GET', `/v1/payment_intents/${paymentIntent}`, fx.account)).latest_charge}`, fx.account, { expand: ['refunds'] });
    const refunds: any[] = charge.refunds.data;
    expect(refunds).toHaveLength(2);
    const events = [
      stripeEvent('charge.refunded', charge, fx.account),
      stripeEvent('charge.refunded', { ...charge, amount_refunded: 1000, refunds: { ...charge.refunds, data: refunds.filter((r) => r.amount === 1000) } }, fx.account),
      ...refunds.map((r) => stripeEvent('refund.created', r, fx.account)),
      ...refunds.map((r) => stripeEvent('charge.refund.updated', r, fx.account)),
    ];
    for (const order of [events, [...events].reverse()]) {
      for (const e of order) expect((await signedPost(e)).status).toBe(200);
    }
    // 120 deliveries at once: each event 10 times under its own id, and 10 times a new event for the same object.
    const burst = Array.from({ length: 120 }, (_, i) => {
      const e = events[i % events.length]!;
      return i % 2 ? e : { ...e, id: `${e.id}_${i}` };
    });
    const concurrent = await Promise.all(burst.map((e) => signedPost(e)));
    // On this shared machine a burst can outlast the local Lambda timeout (a 5xx, never a 4xx);
    // Stripe redelivers any non-2xx, and so do we: each then answers 2xx.
    expect(concurrent.filter((r) => r.status !== 200 && r.status < 500)).toEqual([]);
    for (const [i, r] of concurrent.entries()) if (r.status !== 200) expect((await signedPost(burst[i])).status).toBe(200);
    expect((await refundsOf()).map((r) => r.amount).sort()).toEqual([1000, 1500]);
  });

  it('the ledger CSV adds up: payments minus refunds is what the association kept', async () => {
    const rows = (await ledgerCsv(fx)).filter((r) => r.userId === lifer.userId);
    const sum = (type: string) => rows.filter((r) => r.type === type).reduce((s, r) => s + Number(r.amount), 0);
    expect(sum('payment')).toBe(30000);
    expect(sum('refund')).toBe(2500);
    expect(sum('payment') - sum('refund')).toBe(27500);
    expect(rows.filter((r) => r.type === 'refund').map((r) => r.stripeRefund).every((id) => /^re_/.test(id))).toBe(true);
  });

  it('refunding the rest cancels the lifetime membership, with one more entry for the rest only', async () => {
    await stripeApi('POST', '/v1/refunds', fx.account, { payment_intent: paymentIntent });
    await waitFor('cancelled', () => getMember(fx, lifer.userId), (m) => m.status === 'cancelled');
    const amounts = (await waitFor('three refunds', refundsOf, (l) => l.length >= 3)).map((r) => r.amount).sort((a, b) => a - b);
    expect(amounts).toEqual([1000, 1500, 27500]);
  });
});

describe("one member's payments (read by payer on gsi1)", () => {
  it('pages past a full page with ?userId=&limit=, newest first, only that member’s entries', async () => {
    const fx = await setUpPaidAssociation('Payer Club');
    const [payer, other] = [await signIn('payer-many'), await signIn('payer-other')];
    await joinPaid(payer, fx);
    await joinPaid(other, fx);
    // Offline payments: one ledger entry each (one after the other: each is conditional on the membership version).
    for (let i = 0; i < 7; i++) {
      for (const u of [payer, other]) {
        const paidAt = new Date(Date.now() - (10 - i) * 86_400_000).toISOString();
        expectStatus(await call('PATCH', memberPath(fx, u.userId), { token: fx.owner.token, body: { offlinePayment: { amount: 1000 + i, paidAt, note: `cash ${i}` } } }), 200, 'offline payment');
      }
    }
    const pages: number[] = [];
    const seen: any[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 20; n++) {
      const q: string = `?userId=${payer.userId}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = expectStatus(await call('GET', `${paymentsPath(fx)}${q}`, { token: fx.owner.token }), 200, 'payments page');
      pages.push(res.body.items.length);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(seen.every((p) => p.userId === payer.userId)).toBe(true);
    expect(seen.map((p) => p.amount)).toEqual([1006, 1005, 1004, 1003, 1002, 1001, 1000]);
    expect(new Set(seen.map((p) => p.paymentId)).size).toBe(7);
  });
});
