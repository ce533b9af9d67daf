/**
 * Helpers for dues integration tests: an association connected to the local Stripe
 * stand-in with a yearly and a once plan, paid joins through the stand-in's hosted pages,
 * the stand-in's /v1 API as the platform sees it, and signed webhook deliveries to
 * POST /webhooks/stripe. Everything goes over HTTP; nothing reads the table.
 */
import { randomBytes } from 'node:crypto';
import qs from 'qs';
import Stripe from 'stripe';
import { call, signIn, type Res } from './http.js';
import { createAssociation, createPlan, expectStatus, type User } from './fixtures.js';

/** The local webhook signing secret (scripts/local/stack.ts). */
export const WEBHOOK_SECRET = 'whsec_local_standin';
const signer = new Stripe('sk_test_x');

export const stripeUrl = () => {
  const url = process.env.STRIPE_URL;
  if (!url) throw new Error('STRIPE_URL is not set: integration tests run under the integration jest project');
  return url;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds; throws with the last value read when it never does. */
export async function waitFor<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: still not there after ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await sleep(50);
  }
}

// ------------------------------------------------------------------ the association

export interface PaidAssociation {
  associationId: string;
  name: string;
  owner: User;
  yearlyPlanId: string;
  oncePlanId: string;
  freePlanId: string;
  /** The connected account (acct_...), once onboarding started. */
  account: string;
  /** The onboarding link the API handed out. */
  onboardingUrl: string;
}

let nameSeq = 0;

/** Owner, association and plans (yearly 12000, once 30000, free), and the Stripe onboarding link; onboarding not completed. */
export async function setUpUnconnectedAssociation(label = 'Dues Club'): Promise<PaidAssociation> {
  const owner = await signIn('dues-owner', 'Dues Owner');
  const name = `${label} ${process.pid}-${nameSeq++}`;
  const a = await createAssociation(owner, { name, currency: 'eur', timezone: 'Europe/Paris' });
  const [yearly, once, free] = await Promise.all([
    createPlan(owner.token, a.associationId, { name: 'Yearly', amount: 12000, interval: 'year' }),
    createPlan(owner.token, a.associationId, { name: 'Lifetime', amount: 30000, interval: 'once' }),
    createPlan(owner.token, a.associationId, { name: 'Free', amount: 0, interval: 'year' }),
  ]);
  const res = expectStatus(await call('POST', `/associations/${a.associationId}/stripe/connect`, { token: owner.token }), 200, 'stripe connect');
  const account = accountOfOnboardingUrl(res.body.url);
  return { associationId: a.associationId, name, owner, yearlyPlanId: yearly.planId, oncePlanId: once.planId, freePlanId: free.planId, account, onboardingUrl: res.body.url };
}

export function accountOfOnboardingUrl(url: string): string {
  const account = /^\/connect\/(acct_[^/]+)$/.exec(new URL(url).pathname)?.[1];
  if (!account) throw new Error(`unexpected onboarding link ${url}`);
  return account;
}

/** Submits the stand-in's onboarding form, then waits until the API lets a paid plan be joined. */
export async function completeOnboarding(fx: PaidAssociation): Promise<void> {
  const link = new URL(fx.onboardingUrl);
  const done = await fetch(`${link.origin}${link.pathname}/complete`, { method: 'POST', headers: { accept: 'application/json' } });
  if (!done.ok) throw new Error(`onboarding did not complete: ${done.status} ${await done.text()}`);
  // The owner is already a member: a paid join answers 422 until account.updated was applied, then 409.
  await waitFor(
    'association able to take payments',
    () => call('POST', `/associations/${fx.associationId}/members`, { token: fx.owner.token, body: { planId: fx.yearlyPlanId } }),
    (r) => r.status === 409,
  );
}

/** An association connected to the stand-in, onboarding completed. */
export async function setUpPaidAssociation(label?: string): Promise<PaidAssociation> {
  const fx = await setUpUnconnectedAssociation(label);
  await completeOnboarding(fx);
  return fx;
}

// ------------------------------------------------------------------ members

export const memberPath = (fx: { associationId: string }, userId: string) => `/associations/${fx.associationId}/members/${userId}`;

/** The member as the owner sees it (GET /associations/{id}/members/{userId}). */
export async function getMember(fx: PaidAssociation, userId: string): Promise<any> {
  return expectStatus(await call('GET', memberPath(fx, userId), { token: fx.owner.token }), 200, 'get member').body;
}

export async function waitForMember(fx: PaidAssociation, userId: string, done: (m: any) => boolean, what = 'member state', timeoutMs?: number) {
  return waitFor(what, () => getMember(fx, userId), done, timeoutMs);
}

export async function joinPaid(user: User, fx: PaidAssociation, planId = fx.yearlyPlanId) {
  return expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: user.token, body: { planId } }), 201, 'join').body;
}

/** The stand-in's "Pay" button on a hosted checkout page; returns the session after payment. */
export async function payCheckout(checkoutUrl: string): Promise<any> {
  const res = await fetch(`${checkoutUrl}/pay`, { method: 'POST', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`pay failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Joins `planId` (default yearly), pays the checkout and waits until the member is active. */
export async function joinAndPay(user: User, fx: PaidAssociation, planId = fx.yearlyPlanId) {
  const joined = await joinPaid(user, fx, planId);
  if (!joined.checkoutUrl) throw new Error(`no checkoutUrl at join: ${JSON.stringify(joined)}`);
  const session = await payCheckout(joined.checkoutUrl);
  const member = await waitForMember(fx, user.userId, (m) => m.status === 'active', 'member active after payment');
  return { joined, session, member, subscriptionId: session.subscription as string | null };
}

// ------------------------------------------------------------------ ledger and mail

export const paymentsPath = (fx: { associationId: string }) => `/associations/${fx.associationId}/payments`;

/** Every ledger entry, following cursors. */
export async function allPayments(fx: PaidAssociation, params: Record<string, string> = {}): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 200; i++) {
    const q: URLSearchParams = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
    const res: Res = expectStatus(await call('GET', `${paymentsPath(fx)}?${q}`, { token: fx.owner.token }), 200, 'payments');
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('the payments cursor never ended');
}

export const paymentsOf = async (fx: PaidAssociation, userId: string) => (await allPayments(fx)).filter((p) => p.userId === userId);

export interface SentMail {
  from: string;
  subject: string;
  destination: { to: string[] };
  body: { html?: string; text?: string };
}

export async function mailsTo(email: string): Promise<SentMail[]> {
  const res = expectStatus(await call('GET', `/dev/emails?to=${encodeURIComponent(email)}`), 200, 'dev emails');
  return res.body.items;
}

// ------------------------------------------------------------------ the stand-in's API

/** A /v1 call to the stand-in as the platform makes it (secret key, Stripe-Account header). */
export async function stripeApi(method: string, path: string, account: string | null, params?: Record<string, unknown>): Promise<any> {
  const headers: Record<string, string> = { authorization: 'Bearer sk_test_x' };
  if (account) headers['stripe-account'] = account;
  let body: string | undefined;
  if (params && method !== 'GET') {
    body = qs.stringify(params);
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const url = `${stripeUrl()}${path}${params && method === 'GET' ? `?${qs.stringify(params)}` : ''}`;
  const res = await fetch(url, { method, headers, body });
  const json = await res.json();
  if (!res.ok) throw new Error(`stand-in ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export const getSubscription = (account: string, id: string) => stripeApi('GET', `/v1/subscriptions/${id}`, account, { expand: ['latest_invoice'] });
export const getInvoice = (account: string, id: string) => stripeApi('GET', `/v1/invoices/${id}`, account);

/** The stand-in's test clock: the subscription reaches its period end and the renewal is paid or fails. */
export async function renew(subscriptionId: string, outcome: 'paid' | 'failed') {
  const res = await fetch(`${stripeUrl()}/subscriptions/${subscriptionId}/renew?outcome=${outcome}`, { method: 'POST', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`renew ${outcome}: ${res.status} ${await res.text()}`);
  return res.json();
}

// ------------------------------------------------------------------ webhooks

export const newEventId = () => `evt_1T${randomBytes(11).toString('hex').slice(0, 22)}`;
export const newInvoiceId = () => `in_1T${randomBytes(11).toString('hex').slice(0, 22)}`;

/** An event as Stripe sends it, for a connected account. */
export function stripeEvent(type: string, object: any, account: string | null, overrides: Record<string, unknown> = {}) {
  return {
    id: newEventId(),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...(account ? { account } : {}),
    ...overrides,
  };
}

/** Stripe sends pretty-printed JSON. */
export const serialize = (event: unknown) => JSON.stringify(event, null, 2);

export function signature(payload: string, opts: { secret?: string; timestamp?: number } = {}) {
  return signer.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}) });
}

/** POSTs a raw body to /webhooks/stripe with the given Stripe-Signature header (none if null). */
export function postWebhook(payload: string, header: string | null) {
  return call('POST', '/webhooks/stripe', {
    raw: payload,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(header !== null ? { 'stripe-signature': header } : {}) },
  });
}

/** Serializes the event as Stripe does, signs it with the local secret and posts it raw. */
export function signedPost(event: unknown, opts: { secret?: string; timestamp?: number } = {}) {
  const payload = serialize(event);
  return postWebhook(payload, signature(payload, opts));
}

/** A copy of a paid invoice under a new id: an invoice.paid for it is a payment the ledger has not seen. */
export async function freshPaidInvoice(account: string, subscriptionId: string) {
  const sub = await getSubscription(account, subscriptionId);
  const invoice = typeof sub.latest_invoice === 'object' ? sub.latest_invoice : await getInvoice(account, sub.latest_invoice);
  return { ...invoice, id: newInvoiceId(), status: 'paid' };
}
