/**
 * The local Stripe stand-in, driven by the real `stripe` SDK: Connect account and onboarding
 * link, customer, subscription checkout paid through the hosted page, signed webhooks, a
 * failed renewal, idempotency keys and account isolation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeStandin, type StripeStandin } from '../../scripts/local/stripe/standin.js';

const SECRET = 'whsec_standin_test';
const YEAR = 365 * 86_400;

interface Received {
  raw: string;
  signature: string;
  contentType: string;
}

let receiver: Server;
let received: Received[] = [];
let failNext = 0;
let standin: StripeStandin;
let stripe: Stripe;

const now = () => Math.floor(Date.now() / 1000);

async function waitFor<T>(what: string, f: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Verified events the receiver got, in arrival order. */
const verified = () => received.map((r) => stripe.webhooks.constructEvent(r.raw, r.signature, SECRET));
const receivedOfType = (type: string) => verified().filter((e) => e.type === type);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('try again');
        return;
      }
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature'] ?? ''), contentType: String(req.headers['content-type'] ?? '') });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
  standin = await startStripeStandin({ port: 0, webhookUrl, webhookSecret: SECRET, log: () => {} });
  stripe = new Stripe('sk_test_x', { host: '127.0.0.1', port: standin.port, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await standin?.stop();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
});

describe('Stripe stand-in', () => {
  let account: Stripe.Account;
  let customer: Stripe.Customer;
  let session: Stripe.Checkout.Session;

  test('connect account and onboarding link', async () => {
    account = await stripe.accounts.create({ type: 'standard', email: 'club@example.org', metadata: { associationId: 'assoc-1' } }, { idempotencyKey: 'acct-assoc-1' });
    expect(account.id).toMatch(/^acct_/);
    expect(account.object).toBe('account');
    expect(account.charges_enabled).toBe(false);
    expect(account.details_submitted).toBe(false);
    expect(account.metadata).toEqual({ associationId: 'assoc-1' });

    const link = await stripe.accountLinks.create({ account: account.id, refresh_url: 'http://app.local/refresh', return_url: 'http://app.local/return', type: 'account_onboarding' });
    expect(link.object).toBe('account_link');
    expect(link.url).toBe(`${standin.url}/connect/${account.id}?return_url=${encodeURIComponent('http://app.local/return')}&refresh_url=${encodeURIComponent('http://app.local/refresh')}`);
    expect(link.expires_at).toBeGreaterThan(now());

    const page = await fetch(link.url);
    expect(await page.text()).toContain(`action="/connect/${account.id}/complete"`);
    const done = await fetch(`${standin.url}/connect/${account.id}/complete`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'return_url=http%3A%2F%2Fapp.local%2Freturn' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://app.local/return');
    const updated = await waitFor('account.updated', () => receivedOfType('account.updated')[0]);
    expect(updated.account).toBe(account.id);
    expect((updated.data.object as Stripe.Account).charges_enabled).toBe(true);
    const again = await stripe.accounts.retrieve(account.id);
    expect(again.charges_enabled).toBe(true);
    expect(again.details_submitted).toBe(true);
  });

  test('customer on the connected account; idempotency keys replay the same object', async () => {
    const params = { email: 'ada@example.org', name: 'Ada', metadata: { userId: 'u1' } };
    customer = await stripe.customers.create(params, { stripeAccount: account.id, idempotencyKey: 'cust-u1' });
    const replay = await stripe.customers.create(params, { stripeAccount: account.id, idempotencyKey: 'cust-u1' });
    expect(customer.id).toMatch(/^cus_/);
    expect(replay.id).toBe(customer.id);
    expect(replay).toEqual(customer);
    expect(standin.idempotencyCount('cust-u1', account.id)).toBe(2);
    expect(standin.idempotencyCount('cust-u1')).toBe(0); // keys are per account
    // Same key, other parameters: Stripe's idempotency error.
    await expect(stripe.customers.create({ ...params, name: 'Bob' }, { stripeAccount: account.id, idempotencyKey: 'cust-u1' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  test('subscription checkout paid on the hosted page sends signed events', async () => {
    session = await stripe.checkout.sessions.create(
      {
        mode: 'subscription',
        customer: customer.id,
        client_reference_id: 'u1',
        line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 2500, product_data: { name: 'Chess Club membership' }, recurring: { interval: 'year' } } }],
        success_url: 'http://app.local/paid?session={CHECKOUT_SESSION_ID}',
        cancel_url: 'http://app.local/cancel',
        metadata: { associationId: 'assoc-1', userId: 'u1' },
        subscription_data: { metadata: { associationId: 'assoc-1', userId: 'u1' }, application_fee_percent: 2 },
      },
      { stripeAccount: account.id, idempotencyKey: 'checkout-u1' },
    );
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${standin.url}/checkout/${session.id}`);
    expect(session).toMatchObject({ status: 'open', payment_status: 'unpaid', mode: 'subscription', amount_total: 2500, currency: 'eur', customer: customer.id, client_reference_id: 'u1' });

    const fetched = await stripe.checkout.sessions.retrieve(session.id, {}, { stripeAccount: account.id });
    expect(fetched.id).toBe(session.id);

    const page = await (await fetch(session.url!)).text();
    expect(page).toContain('Chess Club membership');
    expect(page).toContain('€25.00');
    expect(page).toContain(`action="/checkout/${session.id}/pay"`);
    expect(page).toContain(`action="/checkout/${session.id}/fail"`);

    const declined = await fetch(`${session.url}/fail`, { method: 'POST', redirect: 'manual' });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined');

    const paid = await fetch(`${session.url}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://app.local/paid?session=${session.id}`);

    const completed = await waitFor('checkout.session.completed', () => receivedOfType('checkout.session.completed')[0]);
    const invoicePaid = await waitFor('invoice.paid', () => receivedOfType('invoice.paid')[0]);
    // The last of the four; on a busy machine it may come a moment after invoice.paid.
    await waitFor('invoice.payment_succeeded', () => receivedOfType('invoice.payment_succeeded')[0]);
    for (const e of [completed, invoicePaid]) {
      expect(e.account).toBe(account.id);
      expect(e.livemode).toBe(false);
      expect(e.api_version).toBe(Stripe.API_VERSION);
    }
    expect(received.every((r) => r.contentType.startsWith('application/json'))).toBe(true);
    // Stripe's order.
    const types = verified().map((e) => e.type).filter((t) => t !== 'account.updated');
    expect(types).toEqual(['customer.subscription.created', 'checkout.session.completed', 'invoice.paid', 'invoice.payment_succeeded']);

    const cs = completed.data.object as Stripe.Checkout.Session;
    expect(cs).toMatchObject({ id: session.id, status: 'complete', payment_status: 'paid', customer: customer.id, metadata: { associationId: 'assoc-1', userId: 'u1' } });
    const subId = cs.subscription as string;
    expect(subId).toMatch(/^sub_/);
    const inv = invoicePaid.data.object as Stripe.Invoice;
    expect(inv.status).toBe('paid');
    expect(inv.amount_paid).toBe(2500);
    expect(inv.billing_reason).toBe('subscription_create');
    expect(inv.parent?.subscription_details?.subscription).toBe(subId);
    expect(inv.parent?.subscription_details?.metadata).toEqual({ associationId: 'assoc-1', userId: 'u1' });

    const sub = await stripe.subscriptions.retrieve(subId, {}, { stripeAccount: account.id });
    expect(sub.status).toBe('active');
    expect(sub.customer).toBe(customer.id);
    expect(sub.metadata).toEqual({ associationId: 'assoc-1', userId: 'u1' });
    expect(sub.latest_invoice).toBe(inv.id);
    const item = sub.items.data[0];
    expect(Math.abs(item.current_period_end - (now() + YEAR))).toBeLessThanOrEqual(86_400 + 60); // a calendar year (366 days across Feb 29)
    expect(inv.lines.data[0].period).toEqual({ start: item.current_period_start, end: item.current_period_end });

    // Paying again is idempotent: no second subscription, no new events.
    const before = standin.events().length;
    const again = await fetch(`${session.url}/pay`, { method: 'POST', redirect: 'manual' });
    expect(again.status).toBe(303);
    await standin.idle();
    expect(standin.events().length).toBe(before);
    const s2 = await stripe.checkout.sessions.retrieve(session.id, {}, { stripeAccount: account.id });
    expect(s2.subscription).toBe(subId);
  });

  test('a failed renewal makes the subscription past_due; the retry and the next renewal are paid', async () => {
    const subId = (await stripe.checkout.sessions.retrieve(session.id, {}, { stripeAccount: account.id })).subscription as string;
    const before = await stripe.subscriptions.retrieve(subId, {}, { stripeAccount: account.id });
    const n = received.length;

    await standin.renew(subId, 'failed');
    const failed = verified().slice(n);
    expect(failed.map((e) => e.type)).toEqual(['invoice.payment_failed', 'customer.subscription.updated']);
    const inv = failed[0].data.object as Stripe.Invoice;
    expect(inv).toMatchObject({ status: 'open', attempt_count: 1, billing_reason: 'subscription_cycle' });
    expect(inv.parent?.subscription_details?.subscription).toBe(subId);
    const pastDue = await stripe.subscriptions.retrieve(subId, {}, { stripeAccount: account.id });
    expect(pastDue.status).toBe('past_due');
    expect(pastDue.items.data[0].current_period_start).toBe(before.items.data[0].current_period_end);

    // Stripe's retry succeeds: the open invoice is paid, the subscription is active again.
    const m = received.length;
    const res = await fetch(`${standin.url}/subscriptions/${subId}/renew?outcome=paid`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    await standin.idle();
    const retried = verified().slice(m);
    expect(retried.map((e) => e.type)).toEqual(['invoice.paid', 'invoice.payment_succeeded', 'customer.subscription.updated']);
    expect((retried[0].data.object as Stripe.Invoice).id).toBe(inv.id);
    const active = await stripe.subscriptions.retrieve(subId, {}, { stripeAccount: account.id });
    expect(active.status).toBe('active');
    expect(active.items.data[0].current_period_end).toBe(pastDue.items.data[0].current_period_end);

    // The next cycle: one more calendar year from the previous end.
    const k = received.length;
    await standin.renew(subId, 'paid');
    const cycle = verified().slice(k);
    expect(cycle.map((e) => e.type)).toEqual(['invoice.paid', 'invoice.payment_succeeded', 'customer.subscription.updated']);
    const renewed = cycle[2].data.object as Stripe.Subscription;
    const prevEnd = active.items.data[0].current_period_end;
    expect(renewed.items.data[0].current_period_start).toBe(prevEnd);
    const end = new Date(prevEnd * 1000);
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    expect(renewed.items.data[0].current_period_end).toBe(end.getTime() / 1000);
    const cycleInvoice = cycle[0].data.object as Stripe.Invoice;
    expect(cycleInvoice).toMatchObject({ status: 'paid', billing_reason: 'subscription_cycle', amount_paid: 2500 });
    expect(cycleInvoice.lines.data[0].period).toEqual({ start: prevEnd, end: renewed.items.data[0].current_period_end });
    expect(cycle[2].data.previous_attributes).toHaveProperty('items');

    const index = await (await fetch(`${standin.url}/`)).text();
    expect(index).toContain(`action="/subscriptions/${subId}/renew?outcome=paid"`);
    expect(index).toContain(`action="/subscriptions/${subId}/renew?outcome=failed"`);
    expect(index).toContain('invoice.payment_failed');
  });

  test('refund, cancellation, portal', async () => {
    const subId = (await stripe.checkout.sessions.retrieve(session.id, {}, { stripeAccount: account.id })).subscription as string;
    const latest = (await stripe.subscriptions.retrieve(subId, {}, { stripeAccount: account.id })).latest_invoice as string;
    const inv = await stripe.invoices.retrieve(latest, { expand: ['payments'] }, { stripeAccount: account.id });
    const pi = inv.payments!.data[0].payment.payment_intent as string;
    // The real (API 2025-03+) link between a payment intent and its invoice.
    const viaPayments = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: pi } }, { stripeAccount: account.id });
    expect(viaPayments.data.map((p) => p.invoice)).toEqual([inv.id]);
    const n = received.length;
    await standin.refund(pi);
    const refunded = verified().slice(n);
    expect(refunded.map((e) => e.type)).toEqual(['charge.refunded']);
    const ch = refunded[0].data.object as Stripe.Charge & { invoice?: string };
    expect(ch).toMatchObject({ refunded: true, amount_refunded: 2500, payment_intent: pi, invoice: inv.id });

    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://app.local/me' }, { stripeAccount: account.id });
    expect(portal.url).toBe(`${standin.url}/portal/${portal.id}`);
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain(subId);
    expect(page).toContain('http://app.local/me');

    const m = received.length;
    await standin.cancelSubscription(subId, { atPeriodEnd: true });
    await standin.cancelSubscription(subId, { atPeriodEnd: false });
    const ends = verified().slice(m);
    expect(ends.map((e) => e.type)).toEqual(['customer.subscription.updated', 'customer.subscription.deleted']);
    const gone = await stripe.subscriptions.retrieve(subId, {}, { stripeAccount: account.id });
    expect(gone.status).toBe('canceled');
    expect(gone.ended_at).toBeGreaterThan(0);
    await expect(standin.renew(subId, 'paid')).rejects.toThrow(/canceled/);
    const res = await fetch(`${standin.url}/subscriptions/${subId}/renew?outcome=paid`, { method: 'POST', headers: { Accept: 'application/json' } });
    expect(res.status).toBe(400);
  });

  test('objects belong to their connected account; errors have Stripe shape', async () => {
    const other = await stripe.accounts.create({ type: 'standard', email: 'other@example.org' });
    const err = await stripe.customers.retrieve(customer.id, {}, { stripeAccount: other.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', type: 'StripeInvalidRequestError' });
    await expect(stripe.checkout.sessions.retrieve(session.id, {}, { stripeAccount: other.id })).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });

    const raw = await fetch(`${standin.url}/v1/customers/${customer.id}`, { headers: { Authorization: 'Bearer sk_test_x', 'Stripe-Account': other.id } });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'resource_missing' } });

    const noKey = await fetch(`${standin.url}/v1/customers/${customer.id}`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    await expect(new Stripe('pk_test_x', { host: '127.0.0.1', port: standin.port, protocol: 'http' }).customers.retrieve('cus_x')).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);

    // Subscription mode needs a recurring price, as in Stripe.
    await expect(
      stripe.checkout.sessions.create(
        { mode: 'subscription', customer: customer.id, line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 100, product_data: { name: 'x' } } }], success_url: 'http://app.local/ok' },
        { stripeAccount: account.id },
      ),
    ).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'line_items' });

    const unknown = await fetch(`${standin.url}/v1/nothing_here`, { headers: { Authorization: 'Bearer sk_test_x' } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  test('payment-mode checkout and webhook retries', async () => {
    const s = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer: customer.id,
        line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 5000, product_data: { name: 'Lifetime membership' } } }],
        success_url: 'http://app.local/paid',
        metadata: { userId: 'u1' },
        payment_intent_data: { metadata: { userId: 'u1', kind: 'lifetime' }, application_fee_amount: 100 },
      },
      { stripeAccount: account.id },
    );
    failNext = 2; // the endpoint answers 500 twice, then takes it
    const n = received.length;
    await standin.pay(s.id);
    const got = verified().slice(n);
    expect(got.map((e) => e.type)).toEqual(['checkout.session.completed', 'charge.succeeded']);
    const cs = got[0].data.object as Stripe.Checkout.Session;
    expect(cs).toMatchObject({ payment_status: 'paid', status: 'complete' });
    expect(cs.payment_intent).toMatch(/^pi_/);
    expect((got[1].data.object as Stripe.Charge).metadata).toEqual({ userId: 'u1', kind: 'lifetime' });
    const d = standin.deliveries().find((x) => x.event.id === got[0].id)!;
    expect(d).toMatchObject({ status: 'delivered', attempts: 3 });

    // An abandoned checkout expires.
    const abandoned = await stripe.checkout.sessions.create(
      { mode: 'payment', customer: customer.id, line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 5000, product_data: { name: 'Lifetime membership' } } }], success_url: 'http://app.local/paid' },
      { stripeAccount: account.id },
    );
    await standin.expireCheckout(abandoned.id);
    expect(standin.events().at(-1)).toMatchObject({ type: 'checkout.session.expired', account: account.id, data: { object: { id: abandoned.id, status: 'expired' } } });
  });
});
