/**
 * A local, in-memory stand-in for the slice of Stripe (Connect + Checkout + Billing) the
 * platform uses. The official `stripe` SDK talks to it over HTTP
 * (`new Stripe(key, { host: '127.0.0.1', port, protocol: 'http' })`); it answers with objects
 * of Stripe's real shape (deep copies of Stripe's own example objects, fixtures.json, with real
 * ids, timestamps and amounts), signs and delivers webhook events the way Stripe does, and
 * serves plain HTML pages that play Stripe's hosted Checkout, Connect onboarding and customer
 * portal. Nothing leaves 127.0.0.1.
 *
 * API version: objects follow the SDK's pinned version (Stripe.API_VERSION), e.g. the billing
 * period lives on subscription items (items.data[0].current_period_start/end) and an invoice
 * points at its subscription through parent.subscription_details.subscription.
 *
 * Run alone: `npx tsx scripts/local/stripe/standin.ts` (STRIPE_STANDIN_PORT, STRIPE_WEBHOOK_URL,
 * STRIPE_WEBHOOK_SECRET, STRIPE_STANDIN_PUBLIC_URL).
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { AddressInfo, Socket } from 'node:net';
import qs from 'qs';
import Stripe from 'stripe';
import * as pages from './pages.js';
import {
  StripeApiError,
  addIntervals,
  clone,
  fixture,
  formatMoney,
  missing,
  newId,
  paramInvalid,
  paramMissing,
  previousAttributes,
  toBool,
  toInt,
  toMetadata,
  toNumber,
  unixNow,
  type Interval,
  type Obj,
} from './util.js';

export interface StripeStandinOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where events are POSTed (the platform's webhook endpoint); '' disables delivery. */
  webhookUrl: string;
  /** The endpoint's signing secret (whsec_...). */
  webhookSecret: string;
  /** Base of the browser URLs handed out (checkout, onboarding, portal); default the server's own URL. */
  publicUrl?: string;
  log?: (line: string) => void;
  /**
   * Also put the invoice id on charges (`charge.invoice`), a field Stripe removed in API
   * 2025-03 (basil). Default true, as a convenience; set false to test the real path, which is
   * GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=pi_...
   */
  legacyChargeInvoice?: boolean;
}

export type RenewOutcome = 'paid' | 'failed';

export interface DeliveryRecord {
  event: Obj;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

export interface StripeStandin {
  url: string;
  port: number;
  stop(): Promise<void>;
  // ---- test hooks (each resolves once the webhooks it caused were delivered or given up on)
  /** Plays a test clock to the end of the current period: the renewal is paid or fails. */
  renew(subscriptionId: string, outcome: RenewOutcome): Promise<void>;
  /** The customer pays on the hosted checkout page (idempotent). */
  pay(checkoutSessionId: string): Promise<void>;
  /** The association finishes Connect onboarding: charges/payouts enabled, account.updated. */
  completeOnboarding(accountId: string): Promise<void>;
  /** Refunds the rest of a charge (ch_...) or of a payment intent's latest charge (pi_...). */
  refund(chargeOrPaymentIntentId: string): Promise<void>;
  /** atPeriodEnd: turn auto-renew off (customer.subscription.updated); else cancel now (customer.subscription.deleted). */
  cancelSubscription(id: string, opts: { atPeriodEnd: boolean }): Promise<void>;
  /** Every event sent, oldest first (the objects as signed and sent). */
  events: () => Obj[];
  // ---- extras
  /** Events with their delivery state. */
  deliveries: () => DeliveryRecord[];
  /** Resolves once every queued webhook was delivered or given up on. */
  idle(): Promise<void>;
  /** How many requests used this Idempotency-Key (per Stripe-Account; omit account for platform calls). */
  idempotencyCount(key: string, account?: string | null): number;
  /** A deep copy of any stored object by id (acct_, cus_, cs_test_, sub_, in_, ch_, pi_, re_, bps_, evt_...). */
  get(id: string): Obj | undefined;
  /** Turns auto-renew back on (or off) like the portal toggle. */
  setCancelAtPeriodEnd(subscriptionId: string, value: boolean): Promise<void>;
  /** An open checkout session times out unpaid: status expired, checkout.session.expired. */
  expireCheckout(checkoutSessionId: string): Promise<void>;
}

interface Entry {
  owner: string | null;
  obj: Obj;
}

interface SessionExtra {
  productId: string;
  priceId: string;
  productName: string;
  unitAmount: number;
  quantity: number;
  currency: string;
  interval: Interval | null;
  intervalCount: number;
  subscriptionMetadata: Record<string, string>;
  applicationFeePercent: number | null;
  paymentIntentMetadata: Record<string, string>;
  applicationFeeAmount: number | null;
  paymentIntentDescription: string | null;
}

interface SubExtra {
  anchor: number;
  cycle: number;
  interval: Interval;
  intervalCount: number;
  productName: string;
  /** The open (unpaid) invoice of a failed renewal, retried by the next renew(). */
  openInvoice: string | null;
}

interface Delivery extends DeliveryRecord {
  payload: string;
  done: Promise<void>;
  resolve: () => void;
}

interface IdempotentResult {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  count: number;
}

interface ApiCtx {
  method: string;
  path: string;
  account: string | null;
  body: Obj;
  query: Obj;
  requestId: string;
  idempotencyKey: string | null;
}

type ApiHandler = (ctx: ApiCtx, params: string[]) => Obj;

const KIND: Record<string, string> = {
  acct_: 'account',
  cus_: 'customer',
  cs_: 'checkout.session',
  sub_: 'subscription',
  in_: 'invoice',
  ch_: 'charge',
  pi_: 'payment_intent',
  re_: 'refund',
  bps_: 'billing_portal.session',
  evt_: 'event',
  prod_: 'product',
  price_: 'price',
  inpay_: 'invoice_payment',
};
const kindOf = (id: string) => Object.entries(KIND).find(([p]) => id.startsWith(p))?.[1] ?? 'object';

const COUNTRY_CURRENCY: Record<string, string> = {
  US: 'usd', GB: 'gbp', CA: 'cad', AU: 'aud', NZ: 'nzd', CH: 'chf', JP: 'jpy', SE: 'sek', NO: 'nok', DK: 'dkk', PL: 'pln', CZ: 'czk', HU: 'huf', RO: 'ron', BG: 'bgn', SG: 'sgd', HK: 'hkd', MX: 'mxn', BR: 'brl', IN: 'inr',
};
const EURO = new Set(['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK']);

const MAX_BODY = 1024 * 1024;
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600];

class StandinState {
  readonly objects = new Map<string, Entry>();
  readonly sessionExtra = new Map<string, SessionExtra>();
  readonly subExtra = new Map<string, SubExtra>();
  readonly accountLinks = new Map<string, { return_url: string; refresh_url: string }>();
  readonly idempotency = new Map<string, IdempotentResult>();
  readonly deliveries: Delivery[] = [];
  private readonly queue: Delivery[] = [];
  private pumping = false;
  private stopped = false;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly inflight = new Set<{ destroy: () => void }>();
  private readonly signer = new Stripe('sk_test_standin');
  publicUrl = '';

  constructor(
    private readonly webhookUrl: string,
    private readonly webhookSecret: string,
    readonly log: (l: string) => void,
    private readonly legacyChargeInvoice: boolean,
  ) {}

  // ------------------------------------------------------------------ store

  put(obj: Obj, owner: string | null): Obj {
    this.objects.set(obj.id, { owner, obj });
    return obj;
  }

  /** The object with this id as seen by `account` (null = the platform), or Stripe's 404. */
  find(id: string, account: string | null, kind: string, param?: string): Obj {
    const e = this.objects.get(id);
    if (!e || e.obj.object !== kind || e.owner !== account) throw missing(kind, id, param);
    return e.obj;
  }

  /** For the stand-in's own pages and hooks: any object of this kind regardless of account. */
  any(id: string, kind: string): Entry {
    const e = this.objects.get(id);
    if (!e || e.obj.object !== kind) throw missing(kind, id);
    return e;
  }

  list(kind: string): Entry[] {
    return [...this.objects.values()].filter((e) => e.obj.object === kind);
  }

  account(id: string): Obj | undefined {
    const e = this.objects.get(id);
    return e?.obj.object === 'account' ? e.obj : undefined;
  }

  // ------------------------------------------------------------------ events

  emit(type: string, object: Obj, account: string | null, previous?: Obj, request?: { id: string | null; idempotency_key: string | null }): Delivery {
    const event: Obj = {
      id: newId('evt_1', 23),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: unixNow(),
      data: { object: clone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: this.webhookUrl ? 1 : 0,
      request: request ?? { id: null, idempotency_key: null },
      type,
    };
    if (account) event.account = account;
    // Stripe sends pretty-printed JSON; verify the raw body, never a re-serialisation.
    const payload = JSON.stringify(event, null, 2);
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const d: Delivery = { event, payload, status: 'pending', attempts: 0, done, resolve };
    this.put(event, account);
    this.deliveries.push(d);
    if (!this.webhookUrl) {
      d.status = 'skipped';
      resolve();
      return d;
    }
    this.queue.push(d);
    // After the triggering request was answered (handlers run synchronously up to res.end).
    setImmediate(() => void this.pump());
    return d;
  }

  async idle(): Promise<void> {
    while (this.queue.length) await Promise.all(this.queue.map((d) => d.done));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && !this.stopped) {
        const d = this.queue[0];
        await this.deliver(d);
        this.queue.shift();
        d.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && !this.stopped; attempt++) {
      if (attempt > 0) await this.sleep(RETRY_DELAYS_MS[attempt - 1]);
      if (this.stopped) break;
      d.attempts++;
      const header = this.signer.webhooks.generateTestHeaderString({ payload: d.payload, secret: this.webhookSecret });
      try {
        const status = await this.post(d.payload, header);
        d.lastStatus = status;
        d.lastError = undefined;
        if (status >= 200 && status < 300) {
          d.status = 'delivered';
          this.log(`webhook ${d.event.type} ${d.event.id} → ${status} (attempt ${d.attempts})`);
          return;
        }
        this.log(`webhook ${d.event.type} ${d.event.id} → ${status} (attempt ${d.attempts}), will retry`);
      } catch (err) {
        d.lastStatus = undefined;
        d.lastError = (err as Error).message;
        this.log(`webhook ${d.event.type} ${d.event.id} failed: ${d.lastError} (attempt ${d.attempts})`);
      }
    }
    d.status = 'failed';
    this.log(`webhook ${d.event.type} ${d.event.id} given up after ${d.attempts} attempts`);
  }

  private post(payload: string, signature: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const url = new URL(this.webhookUrl);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          agent: false,
          timeout: 10_000,
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(payload),
            'Stripe-Signature': signature,
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'Cache-Control': 'no-cache',
            Accept: '*/*; q=0.5, application/xml',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      const handle = { destroy: () => req.destroy(new Error('stand-in stopped')) };
      this.inflight.add(handle);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.on('close', () => this.inflight.delete(handle));
      req.end(payload);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = { timer: setTimeout(() => (this.timers.delete(t), resolve()), ms), resolve };
      this.timers.add(t);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) (clearTimeout(t.timer), t.resolve());
    this.timers.clear();
    for (const r of this.inflight) r.destroy();
    for (const d of this.queue) d.resolve();
  }

  // ------------------------------------------------------------------ accounts

  createAccount(ctx: ApiCtx): Obj {
    if (ctx.account) throw new StripeApiError(400, 'Connected accounts cannot be created on behalf of another account (drop the Stripe-Account header).', 'invalid_request_error', undefined, undefined, false);
    const b = ctx.body;
    const now = unixNow();
    const a = fixture('account');
    const country = String(b.country ?? 'US').toUpperCase();
    a.id = newId('acct_1', 15);
    a.created = now;
    a.type = b.type ?? (b.controller ? 'none' : 'standard');
    a.email = b.email ?? null;
    a.country = country;
    a.default_currency = b.default_currency ?? COUNTRY_CURRENCY[country] ?? (EURO.has(country) ? 'eur' : 'usd');
    a.metadata = toMetadata(b.metadata);
    a.charges_enabled = false;
    a.payouts_enabled = false;
    a.details_submitted = false;
    a.capabilities = { card_payments: 'inactive', transfers: 'inactive' };
    a.business_type = b.business_type ?? null;
    const bp = (b.business_profile ?? {}) as Obj;
    a.business_profile = { ...a.business_profile, name: bp.name ?? null, url: bp.url ?? null, support_email: bp.support_email ?? null, mcc: bp.mcc ?? null, product_description: bp.product_description ?? null };
    a.settings.dashboard.display_name = bp.name ?? null;
    a.external_accounts.url = `/v1/accounts/${a.id}/external_accounts`;
    if (b.controller) a.controller = { ...a.controller, ...b.controller };
    return this.put(a, null);
  }

  retrieveAccount(ctx: ApiCtx, id: string): Obj {
    const a = this.account(id);
    if (!a || (ctx.account && ctx.account !== id)) throw noAccess(id);
    return a;
  }

  createAccountLink(ctx: ApiCtx): Obj {
    const b = ctx.body;
    if (!b.account) throw paramMissing('account');
    if (!b.type) throw paramMissing('type');
    if (b.type !== 'account_onboarding' && b.type !== 'account_update') throw paramInvalid('type', `Invalid type: must be one of account_onboarding or account_update`);
    if (!b.return_url) throw paramMissing('return_url');
    if (!b.refresh_url) throw paramMissing('refresh_url');
    const acct = this.account(String(b.account));
    if (!acct || ctx.account) throw noAccess(String(b.account));
    this.accountLinks.set(acct.id, { return_url: String(b.return_url), refresh_url: String(b.refresh_url) });
    const now = unixNow();
    const link = fixture('account_link');
    link.created = now;
    link.expires_at = now + 300;
    link.url = `${this.publicUrl}/connect/${acct.id}?${new URLSearchParams({ return_url: String(b.return_url), refresh_url: String(b.refresh_url) })}`;
    return link;
  }

  completeOnboarding(id: string): Delivery[] {
    const a = this.account(id);
    if (!a) throw noAccess(id);
    if (a.charges_enabled && a.details_submitted && a.payouts_enabled) return [];
    const before = clone(a);
    const now = unixNow();
    a.charges_enabled = true;
    a.details_submitted = true;
    a.payouts_enabled = true;
    a.capabilities = { card_payments: 'active', transfers: 'active' };
    a.requirements = { ...a.requirements, currently_due: [], eventually_due: [], past_due: [], pending_verification: [], disabled_reason: null, current_deadline: null, errors: [], alternatives: [] };
    a.future_requirements = { ...a.future_requirements, currently_due: [], eventually_due: [], past_due: [], pending_verification: [], disabled_reason: null };
    a.tos_acceptance = { date: now, ip: '127.0.0.1', user_agent: 'stripe-standin' };
    if (!a.business_profile.name) a.business_profile.name = a.metadata?.name ?? null;
    return [this.emit('account.updated', a, a.id, previousAttributes(before, a))];
  }

  // ------------------------------------------------------------------ customers

  createCustomer(ctx: ApiCtx, b: Obj = ctx.body): Obj {
    const now = unixNow();
    const c = fixture('customer');
    c.id = newId('cus_', 14);
    c.created = now;
    c.email = b.email ?? null;
    c.name = b.name ?? null;
    c.phone = b.phone ?? null;
    c.description = b.description ?? null;
    c.metadata = toMetadata(b.metadata);
    c.address = null;
    c.shipping = null;
    c.currency = null;
    c.discount = null;
    c.invoice_prefix = newId('', 8).toUpperCase();
    c.preferred_locales = Array.isArray(b.preferred_locales) ? b.preferred_locales : [];
    return this.put(c, ctx.account);
  }

  // ------------------------------------------------------------------ checkout

  createCheckoutSession(ctx: ApiCtx): Obj {
    const b = ctx.body;
    const mode = b.mode;
    if (!mode) throw paramMissing('mode');
    if (mode !== 'payment' && mode !== 'subscription') {
      throw paramInvalid('mode', `The stand-in supports mode 'payment' and 'subscription' only (got '${String(mode)}').`);
    }
    const items = Array.isArray(b.line_items) ? b.line_items : b.line_items && typeof b.line_items === 'object' ? Object.values(b.line_items) : [];
    if (!items.length) throw paramMissing('line_items');
    if (items.length > 1) throw paramInvalid('line_items', 'The stand-in supports exactly one line item.');
    const li = items[0] as Obj;
    if (li.price) throw paramInvalid('line_items[0][price]', 'The stand-in supports line_items[0][price_data] only.');
    const pd = li.price_data as Obj | undefined;
    if (!pd) throw paramMissing('line_items[0][price_data]');
    if (!pd.currency) throw paramMissing('line_items[0][price_data][currency]');
    const unitAmount = toInt(pd.unit_amount, 'line_items[0][price_data][unit_amount]');
    if (unitAmount === undefined) throw paramMissing('line_items[0][price_data][unit_amount]');
    if (unitAmount < 0) throw paramInvalid('line_items[0][price_data][unit_amount]', 'This value must be greater than or equal to 0.');
    const productName = pd.product_data?.name;
    if (!productName) throw paramMissing('line_items[0][price_data][product_data][name]');
    const quantity = toInt(li.quantity, 'line_items[0][quantity]');
    if (quantity === undefined) throw paramMissing('line_items[0][quantity]');
    if (quantity < 1) throw paramInvalid('line_items[0][quantity]', 'Quantity must be at least 1.');
    const recurring = pd.recurring as Obj | undefined;
    const interval = (recurring?.interval ?? null) as Interval | null;
    if (interval && !['day', 'week', 'month', 'year'].includes(interval)) throw paramInvalid('line_items[0][price_data][recurring][interval]', `Invalid interval: ${interval}`);
    const intervalCount = toInt(recurring?.interval_count, 'line_items[0][price_data][recurring][interval_count]') ?? 1;
    if (mode === 'subscription' && !interval) {
      throw paramInvalid('line_items', 'You must provide at least one recurring price in `subscription` mode when using prices.');
    }
    if (mode === 'payment' && interval) {
      throw paramInvalid('line_items', 'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.');
    }
    if (mode === 'subscription' && b.payment_intent_data) throw paramInvalid('payment_intent_data', 'You can not pass `payment_intent_data` in `subscription` mode.');
    if (mode === 'payment' && b.subscription_data) throw paramInvalid('subscription_data', 'You can not pass `subscription_data` in `payment` mode.');
    const currency = String(pd.currency).toLowerCase();
    const amount = unitAmount * quantity;

    const sd = (b.subscription_data ?? {}) as Obj;
    const pid = (b.payment_intent_data ?? {}) as Obj;
    const feePercent = toNumber(sd.application_fee_percent, 'subscription_data[application_fee_percent]') ?? null;
    const feeAmount = toInt(pid.application_fee_amount, 'payment_intent_data[application_fee_amount]') ?? null;
    if ((feePercent !== null || feeAmount !== null) && !ctx.account) {
      throw new StripeApiError(400, 'Can only apply an application fee when the request is made on behalf of another account (using the Stripe-Account header).', 'invalid_request_error', undefined, feePercent !== null ? 'subscription_data[application_fee_percent]' : 'payment_intent_data[application_fee_amount]', false);
    }
    if (feePercent !== null && (feePercent < 0 || feePercent > 100)) throw paramInvalid('subscription_data[application_fee_percent]', 'application_fee_percent must be between 0 and 100.');
    if (feeAmount !== null && (feeAmount < 0 || feeAmount > amount)) throw paramInvalid('payment_intent_data[application_fee_amount]', 'The application fee cannot exceed the amount.');

    let customer: Obj | null = null;
    if (b.customer) customer = this.find(String(b.customer), ctx.account, 'customer', 'customer');
    if (b.customer && b.customer_email) throw paramInvalid('customer_email', 'You may only specify one of these parameters: customer, customer_email.');

    const now = unixNow();
    const product = fixture('product');
    Object.assign(product, { id: newId('prod_', 14), name: String(productName), description: pd.product_data?.description ?? null, created: now, updated: now, images: [], package_dimensions: null, default_price: null, metadata: toMetadata(pd.product_data?.metadata), type: 'service' });
    this.put(product, ctx.account);
    const price = fixture('price');
    Object.assign(price, {
      id: newId('price_1', 23),
      created: now,
      currency,
      product: product.id,
      unit_amount: unitAmount,
      unit_amount_decimal: String(unitAmount),
      type: interval ? 'recurring' : 'one_time',
      recurring: interval ? { interval, interval_count: intervalCount, meter: null, usage_type: 'licensed', trial_period_days: null } : null,
      transform_quantity: null,
      custom_unit_amount: null,
    });
    this.put(price, ctx.account);

    const s = fixture('checkout.session');
    const id = newId('cs_test_a1', 56);
    Object.assign(s, {
      id,
      created: now,
      expires_at: now + 24 * 3600,
      livemode: false,
      url: `${this.publicUrl}/checkout/${id}`,
      status: 'open',
      payment_status: 'unpaid',
      mode,
      customer: customer?.id ?? null,
      customer_email: b.customer_email ?? null,
      customer_details: null,
      customer_creation: customer ? null : mode === 'subscription' ? 'always' : 'if_required',
      client_reference_id: b.client_reference_id ?? null,
      success_url: b.success_url ?? null,
      cancel_url: b.cancel_url ?? null,
      metadata: toMetadata(b.metadata),
      amount_subtotal: amount,
      amount_total: amount,
      currency,
      payment_intent: null,
      subscription: null,
      invoice: null,
      setup_intent: null,
      locale: b.locale ?? null,
      after_expiration: null,
      automatic_tax: { enabled: false, liability: null, status: null, provider: null },
      consent: null,
      consent_collection: null,
      collected_information: null,
      currency_conversion: null,
      custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
      discounts: [],
      invoice_creation: mode === 'payment' ? { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } } : null,
      payment_method_collection: mode === 'subscription' ? 'always' : null,
      payment_method_configuration_details: null,
      payment_method_options: { card: { request_three_d_secure: 'automatic' } },
      shipping_address_collection: null,
      shipping_cost: null,
      shipping_options: [],
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      adaptive_pricing: { enabled: false },
      saved_payment_method_options: null,
      wallet_options: null,
      permissions: null,
    });
    this.put(s, ctx.account);
    this.sessionExtra.set(id, {
      productId: product.id,
      priceId: price.id,
      productName: String(productName),
      unitAmount,
      quantity,
      currency,
      interval,
      intervalCount,
      subscriptionMetadata: toMetadata(sd.metadata),
      applicationFeePercent: feePercent,
      paymentIntentMetadata: toMetadata(pid.metadata),
      applicationFeeAmount: feeAmount,
      paymentIntentDescription: pid.description ?? null,
    });
    return s;
  }

  sessionLineItems(ctx: ApiCtx, id: string): Obj {
    const s = this.find(id, ctx.account, 'checkout.session');
    const x = this.sessionExtra.get(id)!;
    const price = this.objects.get(x.priceId)!.obj;
    return {
      object: 'list',
      data: [
        { id: `li_${id.slice(-24)}`, object: 'item', adjustable_quantity: null, amount_discount: 0, amount_subtotal: s.amount_subtotal, amount_tax: 0, amount_total: s.amount_total, currency: s.currency, description: x.productName, metadata: {}, price: clone(price), quantity: x.quantity },
      ],
      has_more: false,
      url: `/v1/checkout/sessions/${id}/line_items`,
    };
  }

  /** The customer pays on the hosted page. Returns the events it caused (none if already paid). */
  paySession(id: string): Delivery[] {
    const { owner: acct, obj: s } = this.any(id, 'checkout.session');
    if (s.status === 'complete') return [];
    if (s.status === 'expired') throw new StripeApiError(400, 'This Checkout Session has expired.', 'invalid_request_error', 'checkout_session_expired');
    const x = this.sessionExtra.get(id)!;
    let customer: Obj;
    if (s.customer) customer = this.objects.get(s.customer)!.obj;
    else customer = this.createCustomer({ account: acct } as ApiCtx, { email: s.customer_email ?? 'customer@example.com' });
    const now = unixNow();
    s.status = 'complete';
    s.payment_status = 'paid';
    s.url = null;
    s.customer = customer.id;
    s.customer_details = {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: customer.email ?? s.customer_email ?? null,
      name: customer.name ?? null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
      business_name: null,
      individual_name: null,
    };
    s.collected_information = { business_name: null, individual_name: null, shipping_details: null };

    if (s.mode === 'subscription') {
      const { sub, item } = this.createSubscription(acct, x, customer, now);
      const inv = this.createInvoice(acct, sub, customer, item.current_period_start, item.current_period_end, 'subscription_create', now, now);
      this.payInvoice(acct, inv, sub, customer, 'Subscription creation');
      sub.latest_invoice = inv.id;
      s.subscription = sub.id;
      s.invoice = inv.id;
      return [
        this.emit('customer.subscription.created', sub, acct),
        this.emit('checkout.session.completed', s, acct),
        this.emit('invoice.paid', inv, acct),
        this.emit('invoice.payment_succeeded', inv, acct),
      ];
    }
    const { charge, pi } = this.createPayment(acct, {
      amount: s.amount_total,
      currency: s.currency,
      customer,
      metadata: x.paymentIntentMetadata,
      description: x.paymentIntentDescription ?? x.productName,
      feeAmount: x.applicationFeeAmount,
      invoice: null,
    });
    s.payment_intent = pi.id;
    return [this.emit('checkout.session.completed', s, acct), this.emit('charge.succeeded', charge, acct)];
  }

  /** The session times out unpaid (checkout.session.expired). */
  expireSession(id: string): Delivery[] {
    const { owner: acct, obj: s } = this.any(id, 'checkout.session');
    if (s.status !== 'open') return [];
    s.status = 'expired';
    s.url = null;
    s.expires_at = Math.min(s.expires_at, unixNow());
    return [this.emit('checkout.session.expired', s, acct)];
  }

  // ------------------------------------------------------------------ billing

  private createSubscription(acct: string | null, x: SessionExtra, customer: Obj, now: number): { sub: Obj; item: Obj } {
    const price = clone(this.objects.get(x.priceId)!.obj);
    const interval = x.interval ?? 'month';
    const sub = fixture('subscription');
    const id = newId('sub_1', 23);
    const item = fixture('subscription_item');
    Object.assign(item, {
      id: newId('si_', 14),
      created: now,
      metadata: {},
      price,
      plan: planFromPrice(price),
      quantity: x.quantity,
      subscription: id,
      tax_rates: [],
      discounts: [],
      billing_thresholds: null,
      current_period_start: now,
      current_period_end: addIntervals(now, interval, x.intervalCount),
    });
    Object.assign(sub, {
      id,
      application: null,
      application_fee_percent: x.applicationFeePercent,
      automatic_tax: { enabled: false, liability: null, disabled_reason: null },
      billing_cycle_anchor: now,
      billing_cycle_anchor_config: null,
      billing_mode: { type: 'classic', flexible: null },
      billing_thresholds: null,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: 'charge_automatically',
      created: now,
      currency: x.currency,
      customer: customer.id,
      days_until_due: null,
      default_payment_method: newId('pm_1', 23),
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
      items: { object: 'list', data: [item], has_more: false, total_count: 1, url: `/v1/subscription_items?subscription=${id}` },
      latest_invoice: null,
      livemode: false,
      metadata: clone(x.subscriptionMetadata),
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: 'active',
      test_clock: null,
      transfer_data: null,
      trial_end: null,
      trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
      trial_start: null,
    });
    this.put(sub, acct);
    this.subExtra.set(id, { anchor: now, cycle: 0, interval, intervalCount: x.intervalCount, productName: x.productName, openInvoice: null });
    return { sub, item };
  }

  private createInvoice(acct: string | null, sub: Obj, customer: Obj, start: number, end: number, billingReason: string, periodStart: number, periodEnd: number): Obj {
    const item = sub.items.data[0];
    const price = item.price;
    const amount = price.unit_amount * item.quantity;
    const account = acct ? this.account(acct) : undefined;
    const now = unixNow();
    const inv = fixture('invoice');
    const id = newId('in_1', 23);
    const seq = customer.next_invoice_sequence ?? 1;
    customer.next_invoice_sequence = seq + 1;
    const line = clone(inv.lines.data[0]);
    const x = this.subExtra.get(sub.id);
    Object.assign(line, {
      id: newId('il_1', 23),
      amount,
      currency: sub.currency,
      description: `${item.quantity} × ${x?.productName ?? 'Subscription'} (at ${formatMoney(price.unit_amount, price.currency)}${pages.perInterval(price.recurring?.interval, price.recurring?.interval_count)})`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: clone(sub.metadata),
      period: { start, end },
      quantity: item.quantity,
      subscription: sub.id,
      subtotal: amount,
      pretax_credit_amounts: [],
      taxes: [],
      parent: {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item.id },
      },
      pricing: { type: 'price_details', price_details: { price: price.id, product: price.product }, unit_amount_decimal: String(price.unit_amount) },
    });
    const fee = sub.application_fee_percent != null ? Math.round((amount * sub.application_fee_percent) / 100) : null;
    Object.assign(inv, {
      id,
      account_country: account?.country ?? 'US',
      account_name: account ? pages.accountName(account) : null,
      amount_due: amount,
      amount_paid: 0,
      amount_remaining: amount,
      amount_shipping: 0,
      amount_overpaid: 0,
      application: null,
      application_fee_amount: fee,
      attempt_count: 0,
      attempted: false,
      auto_advance: true,
      automatic_tax: { enabled: false, liability: null, status: null, disabled_reason: null, provider: null },
      billing_reason: billingReason,
      collection_method: 'charge_automatically',
      created: now,
      currency: sub.currency,
      custom_fields: null,
      customer: customer.id,
      customer_address: null,
      customer_email: customer.email ?? null,
      customer_name: customer.name ?? null,
      customer_phone: null,
      customer_shipping: null,
      customer_tax_exempt: 'none',
      customer_tax_ids: [],
      default_payment_method: null,
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      due_date: null,
      effective_at: now,
      ending_balance: 0,
      footer: null,
      from_invoice: null,
      hosted_invoice_url: `${this.publicUrl}/invoices/${id}`,
      invoice_pdf: null,
      issuer: { type: 'self' },
      last_finalization_error: null,
      latest_revision: null,
      lines: { object: 'list', data: [line], has_more: false, total_count: 1, url: `/v1/invoices/${id}/lines` },
      livemode: false,
      metadata: {},
      next_payment_attempt: null,
      number: `${customer.invoice_prefix}-${String(seq).padStart(4, '0')}`,
      on_behalf_of: null,
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { metadata: clone(sub.metadata), subscription: sub.id } },
      payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
      // As in Stripe: the invoice's own period is the one *before* the billed line (equal to created for the first invoice).
      period_start: periodStart,
      period_end: periodEnd,
      post_payment_credit_notes_amount: 0,
      pre_payment_credit_notes_amount: 0,
      receipt_number: null,
      rendering: null,
      shipping_cost: null,
      shipping_details: null,
      starting_balance: 0,
      statement_descriptor: null,
      status: 'open',
      status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subtotal: amount,
      subtotal_excluding_tax: amount,
      test_clock: null,
      total: amount,
      total_discount_amounts: [],
      total_excluding_tax: amount,
      total_pretax_credit_amounts: [],
      total_taxes: [],
      webhooks_delivered_at: now,
      automatically_finalizes_at: null,
    });
    // Not part of this API version's invoice (moved to parent.subscription_details).
    delete inv.subscription;
    return this.put(inv, acct);
  }

  private payInvoice(acct: string | null, inv: Obj, sub: Obj, customer: Obj, description: string): { charge: Obj; pi: Obj } {
    const now = unixNow();
    const { charge, pi } = this.createPayment(acct, {
      amount: inv.amount_due,
      currency: inv.currency,
      customer,
      metadata: {},
      description,
      feeAmount: inv.application_fee_amount ?? null,
      invoice: inv.id,
      paymentMethod: sub.default_payment_method,
    });
    Object.assign(inv, {
      status: 'paid',
      amount_paid: inv.amount_due,
      amount_remaining: 0,
      attempted: true,
      attempt_count: inv.attempt_count + 1,
      next_payment_attempt: null,
      status_transitions: { ...inv.status_transitions, paid_at: now },
    });
    const payment = {
      id: newId('inpay_1', 23),
      object: 'invoice_payment',
      amount_paid: inv.amount_due,
      amount_requested: inv.amount_due,
      created: now,
      currency: inv.currency,
      invoice: inv.id,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: pi.id },
      status: 'paid',
      status_transitions: { canceled_at: null, paid_at: now },
    };
    this.put(payment, acct);
    return { charge, pi };
  }

  private createPayment(
    acct: string | null,
    p: { amount: number; currency: string; customer: Obj; metadata: Record<string, string>; description: string | null; feeAmount: number | null; invoice: string | null; paymentMethod?: string },
  ): { charge: Obj; pi: Obj } {
    const now = unixNow();
    const pm = p.paymentMethod ?? newId('pm_1', 23);
    const pi = fixture('payment_intent');
    const charge = fixture('charge');
    pi.id = newId('pi_3', 23);
    charge.id = newId('ch_3', 23);
    Object.assign(pi, {
      amount: p.amount,
      amount_capturable: 0,
      amount_received: p.amount,
      application: null,
      application_fee_amount: p.feeAmount,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic_async',
      client_secret: `${pi.id}_secret_${newId('', 25)}`,
      created: now,
      currency: p.currency,
      customer: p.customer.id,
      description: p.description,
      last_payment_error: null,
      latest_charge: charge.id,
      livemode: false,
      metadata: clone(p.metadata),
      next_action: null,
      payment_method: pm,
      payment_method_configuration_details: null,
      payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
      processing: null,
      setup_future_usage: p.invoice ? 'off_session' : null,
      shipping: null,
      status: 'succeeded',
      transfer_data: null,
      source: null,
    });
    Object.assign(charge, {
      amount: p.amount,
      amount_captured: p.amount,
      amount_refunded: 0,
      application: null,
      application_fee: null,
      application_fee_amount: p.feeAmount,
      balance_transaction: newId('txn_3', 23),
      billing_details: { ...charge.billing_details, email: p.customer.email ?? null, name: p.customer.name ?? null },
      calculated_statement_descriptor: 'STANDIN',
      captured: true,
      created: now,
      currency: p.currency,
      customer: p.customer.id,
      description: p.description,
      livemode: false,
      metadata: clone(p.metadata),
      outcome: { advice_code: null, network_advice_code: null, network_decline_code: null, network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 20, seller_message: 'Payment complete.', type: 'authorized' },
      paid: true,
      payment_intent: pi.id,
      payment_method: pm,
      receipt_url: null,
      refunded: false,
      refunds: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/charges/${charge.id}/refunds` },
      shipping: null,
      status: 'succeeded',
      transfer_data: null,
      source: null,
    });
    // Legacy field (gone from Charge since API 2025-03), opt-out via legacyChargeInvoice. Real
    // Stripe links them through invoice payments: GET /v1/invoice_payments?payment[payment_intent]=pi_...
    if (this.legacyChargeInvoice) charge.invoice = p.invoice;
    this.put(pi, acct);
    this.put(charge, acct);
    return { charge, pi };
  }

  /** A test clock reaching the end of the current period. */
  renew(id: string, outcome: RenewOutcome, request?: ApiCtx): Delivery[] {
    const { owner: acct, obj: sub } = this.any(id, 'subscription');
    const x = this.subExtra.get(id)!;
    if (outcome !== 'paid' && outcome !== 'failed') throw paramInvalid('outcome', "outcome must be 'paid' or 'failed'");
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      throw new StripeApiError(400, `Subscription ${id} is ${sub.status} and cannot be renewed.`, 'invalid_request_error', 'subscription_canceled', 'subscription');
    }
    const customer = this.objects.get(sub.customer)!.obj;
    const req = request ? { id: request.requestId, idempotency_key: request.idempotencyKey } : undefined;
    const before = clone(sub);
    const item = sub.items.data[0];
    const now = unixNow();

    if (sub.cancel_at_period_end) {
      // The period ends and the subscription with it (auto-renew was off).
      Object.assign(sub, { status: 'canceled', ended_at: Math.min(now, item.current_period_end), canceled_at: sub.canceled_at ?? now });
      sub.cancellation_details = { ...sub.cancellation_details, reason: sub.cancellation_details?.reason ?? 'cancellation_requested' };
      return [this.emit('customer.subscription.deleted', sub, acct, undefined, req)];
    }

    if (x.openInvoice) {
      // Stripe's retry of the unpaid renewal invoice; the period already moved on.
      const inv = this.objects.get(x.openInvoice)!.obj;
      if (outcome === 'paid') {
        this.payInvoice(acct, inv, sub, customer, 'Subscription update');
        x.openInvoice = null;
        sub.status = 'active';
        const events = [this.emit('invoice.paid', inv, acct, undefined, req), this.emit('invoice.payment_succeeded', inv, acct, undefined, req)];
        const prev = previousAttributes(before, sub);
        if (prev) events.push(this.emit('customer.subscription.updated', sub, acct, prev, req));
        return events;
      }
      inv.attempt_count += 1;
      inv.next_payment_attempt = now + 3 * 86_400;
      const events = [this.emit('invoice.payment_failed', inv, acct, undefined, req)];
      const prev = previousAttributes(before, sub);
      if (prev) events.push(this.emit('customer.subscription.updated', sub, acct, prev, req));
      return events;
    }

    // A new billing cycle: the period advances (from the anchor, calendar arithmetic) either way.
    const prevStart = item.current_period_start;
    const prevEnd = item.current_period_end;
    x.cycle += 1;
    item.current_period_start = prevEnd;
    item.current_period_end = addIntervals(x.anchor, x.interval, (x.cycle + 1) * x.intervalCount);
    const inv = this.createInvoice(acct, sub, customer, item.current_period_start, item.current_period_end, 'subscription_cycle', prevStart, prevEnd);
    sub.latest_invoice = inv.id;
    if (outcome === 'paid') {
      this.payInvoice(acct, inv, sub, customer, 'Subscription update');
      sub.status = 'active';
      return [
        this.emit('invoice.paid', inv, acct, undefined, req),
        this.emit('invoice.payment_succeeded', inv, acct, undefined, req),
        this.emit('customer.subscription.updated', sub, acct, previousAttributes(before, sub), req),
      ];
    }
    Object.assign(inv, { attempted: true, attempt_count: 1, next_payment_attempt: now + 3 * 86_400 });
    x.openInvoice = inv.id;
    sub.status = 'past_due';
    return [
      this.emit('invoice.payment_failed', inv, acct, undefined, req),
      this.emit('customer.subscription.updated', sub, acct, previousAttributes(before, sub), req),
    ];
  }

  setCancelAtPeriodEnd(id: string, value: boolean, request?: ApiCtx): Delivery[] {
    const { owner: acct, obj: sub } = this.any(id, 'subscription');
    if (sub.status === 'canceled') throw new StripeApiError(400, `A canceled subscription can only update its cancellation_details and metadata.`, 'invalid_request_error', 'invalid_canceled_subscription_fields', 'cancel_at_period_end');
    if (!!sub.cancel_at_period_end === value) return [];
    const before = clone(sub);
    const now = unixNow();
    sub.cancel_at_period_end = value;
    sub.cancel_at = value ? sub.items.data[0].current_period_end : null;
    sub.canceled_at = value ? now : null;
    sub.cancellation_details = { comment: null, feedback: null, reason: value ? 'cancellation_requested' : null };
    const req = request ? { id: request.requestId, idempotency_key: request.idempotencyKey } : undefined;
    return [this.emit('customer.subscription.updated', sub, acct, previousAttributes(before, sub), req)];
  }

  cancelNow(id: string, request?: ApiCtx): Delivery[] {
    const { owner: acct, obj: sub } = this.any(id, 'subscription');
    if (sub.status === 'canceled') return [];
    const now = unixNow();
    Object.assign(sub, { status: 'canceled', canceled_at: now, ended_at: now });
    sub.cancellation_details = { ...sub.cancellation_details, reason: 'cancellation_requested' };
    const x = this.subExtra.get(id);
    if (x?.openInvoice) x.openInvoice = null;
    const req = request ? { id: request.requestId, idempotency_key: request.idempotencyKey } : undefined;
    return [this.emit('customer.subscription.deleted', sub, acct, undefined, req)];
  }

  updateSubscription(ctx: ApiCtx, id: string): { sub: Obj; deliveries: Delivery[] } {
    const sub = this.find(id, ctx.account, 'subscription');
    const b = ctx.body;
    const deliveries: Delivery[] = [];
    const cape = toBool(b.cancel_at_period_end);
    const known = new Set(['cancel_at_period_end', 'metadata', 'expand']);
    const unknown = Object.keys(b).filter((k) => !known.has(k));
    if (unknown.length) throw paramInvalid(unknown[0], `The stand-in can update cancel_at_period_end and metadata only (got ${unknown[0]}).`);
    const before = clone(sub);
    if (b.metadata !== undefined) sub.metadata = toMetadata(b.metadata, sub.metadata);
    if (cape !== undefined && cape !== !!sub.cancel_at_period_end) {
      if (b.metadata !== undefined) {
        // Emit one event with both changes.
        const snapshot = clone(sub);
        sub.metadata = before.metadata;
        deliveries.push(...this.setCancelAtPeriodEnd(id, cape, ctx));
        sub.metadata = snapshot.metadata;
        deliveries.at(-1)!.event.data.object.metadata = clone(snapshot.metadata);
      } else {
        deliveries.push(...this.setCancelAtPeriodEnd(id, cape, ctx));
      }
    } else {
      const prev = previousAttributes(before, sub);
      if (prev) deliveries.push(this.emit('customer.subscription.updated', sub, this.objects.get(id)!.owner, prev, { id: ctx.requestId, idempotency_key: ctx.idempotencyKey }));
    }
    return { sub, deliveries };
  }

  refund(chargeOrPi: string, amountParam?: number, request?: ApiCtx): { refund: Obj; deliveries: Delivery[] } {
    let entry = this.objects.get(chargeOrPi);
    if (entry?.obj.object === 'payment_intent') {
      if (!entry.obj.latest_charge) throw new StripeApiError(400, `PaymentIntent ${chargeOrPi} does not have a successful charge to refund.`, 'invalid_request_error', 'charge_not_refundable');
      entry = this.objects.get(entry.obj.latest_charge);
    }
    if (!entry || entry.obj.object !== 'charge') throw missing(chargeOrPi.startsWith('pi_') ? 'payment_intent' : 'charge', chargeOrPi, 'charge');
    if (request && entry.owner !== request.account) throw missing('charge', chargeOrPi, 'charge');
    const { owner: acct, obj: charge } = entry;
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) throw new StripeApiError(400, `Charge ${charge.id} has already been refunded.`, 'invalid_request_error', 'charge_already_refunded');
    const amount = amountParam ?? remaining;
    if (amount <= 0 || amount > remaining) throw paramInvalid('amount', `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`);
    const before = clone(charge);
    const now = unixNow();
    const refund = fixture('refund');
    Object.assign(refund, {
      id: newId('re_3', 23),
      amount,
      balance_transaction: newId('txn_3', 23),
      charge: charge.id,
      created: now,
      currency: charge.currency,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason: request?.body.reason ?? null,
      status: 'succeeded',
    });
    this.put(refund, acct);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    charge.refunds.data.unshift(clone(refund));
    charge.refunds.total_count = charge.refunds.data.length;
    const req = request ? { id: request.requestId, idempotency_key: request.idempotencyKey } : undefined;
    const prev = previousAttributes(before, charge);
    return { refund, deliveries: [this.emit('charge.refunded', charge, acct, prev, req)] };
  }

  // ------------------------------------------------------------------ portal

  createPortalSession(ctx: ApiCtx): Obj {
    const b = ctx.body;
    if (!b.customer) throw paramMissing('customer');
    const customer = this.find(String(b.customer), ctx.account, 'customer', 'customer');
    const now = unixNow();
    const p = fixture('billing_portal.session');
    const id = newId('bps_1', 23);
    Object.assign(p, {
      id,
      configuration: `bpc_${(ctx.account ?? 'platform').slice(-16)}default`,
      created: now,
      customer: customer.id,
      flow: null,
      livemode: false,
      locale: b.locale ?? null,
      on_behalf_of: null,
      return_url: b.return_url ?? null,
      url: `${this.publicUrl}/portal/${id}`,
    });
    return this.put(p, ctx.account);
  }

  // ------------------------------------------------------------------ expand

  expand(obj: Obj, account: string | null, paths: unknown): Obj {
    const list = Array.isArray(paths) ? paths : paths && typeof paths === 'object' ? Object.values(paths) : paths ? [paths] : [];
    if (!list.length) return obj;
    const out = clone(obj);
    for (const p of list) {
      const parts = String(p).split('.');
      if (out.object === 'invoice' && parts[0] === 'payments') {
        out.payments = this.invoicePayments(account, { invoice: out.id });
        continue;
      }
      this.expandPath(out, parts, account);
    }
    return out;
  }

  private expandPath(target: unknown, parts: string[], account: string | null): void {
    if (target == null || typeof target !== 'object' || !parts.length) return;
    if (Array.isArray(target)) return target.forEach((t) => this.expandPath(t, parts, account));
    const [k, ...rest] = parts;
    const t = target as Obj;
    if (typeof t[k] === 'string') {
      const e = this.objects.get(t[k]);
      if (e && (e.owner === account || e.obj.object === 'account')) t[k] = clone(e.obj);
    }
    this.expandPath(t[k], rest, account);
  }

  invoicePayments(account: string | null, filter: { invoice?: string; paymentIntent?: string }): Obj {
    const data = this.list('invoice_payment')
      .filter((e) => e.owner === account)
      .map((e) => e.obj)
      .filter((p) => (!filter.invoice || p.invoice === filter.invoice) && (!filter.paymentIntent || p.payment.payment_intent === filter.paymentIntent))
      .reverse();
    return { object: 'list', data: clone(data), has_more: false, url: '/v1/invoice_payments' };
  }
}

function planFromPrice(price: Obj): Obj {
  return {
    id: price.id,
    object: 'plan',
    active: true,
    amount: price.unit_amount,
    amount_decimal: String(price.unit_amount),
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval,
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

const noAccess = (account: string) =>
  new StripeApiError(403, `The provided key 'sk_test_***' does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`, 'invalid_request_error', 'account_invalid');

// ==================================================================== HTTP

export async function startStripeStandin(opts: StripeStandinOptions): Promise<StripeStandin> {
  const log = opts.log ?? ((l: string) => console.log(`[stripe] ${l}`));
  const st = new StandinState(opts.webhookUrl, opts.webhookSecret, log, opts.legacyChargeInvoice ?? true);

  const routes: Array<[string, RegExp, ApiHandler]> = [
    ['POST', /^\/v1\/accounts$/, (ctx) => st.createAccount(ctx)],
    ['GET', /^\/v1\/accounts\/([^/]+)$/, (ctx, [id]) => st.retrieveAccount(ctx, id)],
    ['POST', /^\/v1\/account_links$/, (ctx) => st.createAccountLink(ctx)],
    ['POST', /^\/v1\/customers$/, (ctx) => st.createCustomer(ctx)],
    ['GET', /^\/v1\/customers\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'customer')],
    ['POST', /^\/v1\/checkout\/sessions$/, (ctx) => st.createCheckoutSession(ctx)],
    ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'checkout.session')],
    ['GET', /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/, (ctx, [id]) => st.sessionLineItems(ctx, id)],
    ['GET', /^\/v1\/subscriptions\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'subscription')],
    ['POST', /^\/v1\/subscriptions\/([^/]+)$/, (ctx, [id]) => st.updateSubscription(ctx, id).sub],
    [
      'DELETE',
      /^\/v1\/subscriptions\/([^/]+)$/,
      (ctx, [id]) => {
        const sub = st.find(id, ctx.account, 'subscription');
        if (sub.status === 'canceled') throw missing('subscription', id);
        st.cancelNow(id, ctx);
        return sub;
      },
    ],
    ['GET', /^\/v1\/invoices\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'invoice')],
    ['GET', /^\/v1\/invoice_payments$/, (ctx) => st.invoicePayments(ctx.account, { invoice: ctx.query.invoice, paymentIntent: ctx.query.payment?.payment_intent })],
    ['GET', /^\/v1\/invoice_payments\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'invoice_payment')],
    ['GET', /^\/v1\/payment_intents\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'payment_intent')],
    ['GET', /^\/v1\/charges\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'charge')],
    ['GET', /^\/v1\/refunds\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'refund')],
    [
      'POST',
      /^\/v1\/refunds$/,
      (ctx) => {
        const target = ctx.body.charge ?? ctx.body.payment_intent;
        if (!target) throw paramMissing('charge');
        return st.refund(String(target), toInt(ctx.body.amount, 'amount'), ctx).refund;
      },
    ],
    ['POST', /^\/v1\/billing_portal\/sessions$/, (ctx) => st.createPortalSession(ctx)],
    ['GET', /^\/v1\/events\/([^/]+)$/, (ctx, [id]) => st.find(id, ctx.account, 'event')],
  ];

  function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Stripe-Version': Stripe.API_VERSION, ...headers });
    res.end(body);
  }

  function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, raw: string) {
    const requestId = newId('req_', 14);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const fail = (e: StripeApiError, extra: Record<string, string> = {}) => {
      log(`${method} ${path} → ${e.status} ${e.message}`);
      sendJson(res, e.status, JSON.stringify(e.toJSON(), null, 2), { 'Request-Id': requestId, ...extra });
    };
    // Authentication: any secret (or restricted) key, Bearer or Basic.
    const auth = req.headers.authorization ?? '';
    let key = '';
    if (/^Bearer /i.test(auth)) key = auth.slice(7).trim();
    else if (/^Basic /i.test(auth)) key = Buffer.from(auth.slice(6), 'base64').toString().split(':')[0];
    if (!key) {
      return fail(new StripeApiError(401, "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."));
    }
    if (!/^(sk|rk)_(test|live)_/.test(key) && !/^sk_/.test(key)) {
      return fail(new StripeApiError(401, `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`, 'invalid_request_error', 'api_key_invalid'));
    }
    const account = (req.headers['stripe-account'] as string | undefined)?.trim() || null;
    if (account && !st.account(account)) return fail(noAccess(account));

    const route = routes.find(([m, re]) => m === method && re.test(path));
    if (!route) {
      return fail(new StripeApiError(404, `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`));
    }
    const params = route[1].exec(path)!.slice(1).map(decodeURIComponent);
    const parse = (s: string) => qs.parse(s, { depth: 20, arrayLimit: 1000, parameterLimit: 10_000, allowDots: false }) as Obj;
    const query = parse(url.search.slice(1));
    const body = method === 'GET' ? {} : parse(raw);
    const idemKey = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const ctx: ApiCtx = { method, path, account, body, query, requestId, idempotencyKey: idemKey };

    // Idempotency: POSTs (and DELETEs) with the same key on the same account replay the stored answer.
    const idemSlot = idemKey && method !== 'GET' ? `${account ?? 'platform'}\u0000${idemKey}` : null;
    const fingerprint = createHash('sha256').update(`${method} ${path}\n${raw}`).digest('hex');
    if (idemSlot) {
      const prior = st.idempotency.get(idemSlot);
      if (prior) {
        prior.count++;
        if (prior.fingerprint !== fingerprint) {
          return fail(
            new StripeApiError(400, `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`, 'idempotency_error'),
            { 'Idempotency-Key': idemKey! },
          );
        }
        log(`${method} ${path} → ${prior.status} (idempotent replay of ${idemKey})`);
        return sendJson(res, prior.status, prior.body, { 'Request-Id': requestId, 'Idempotency-Key': idemKey!, 'Idempotent-Replayed': 'true' });
      }
    }
    let status = 200;
    let text: string;
    let store = true;
    try {
      const obj = route[2](ctx, params);
      const expanded = st.expand(obj, account, method === 'GET' ? query.expand : body.expand);
      text = JSON.stringify(expanded, null, 2);
      log(`${method} ${path}${account ? ` [${account}]` : ''} → ${status}`);
    } catch (err) {
      const e = err instanceof StripeApiError ? err : new StripeApiError(500, `Stand-in error: ${(err as Error).message}`, 'api_error');
      if (!(err instanceof StripeApiError)) log(`${method} ${path} crashed: ${(err as Error).stack}`);
      status = e.status;
      text = JSON.stringify(e.toJSON(), null, 2);
      store = e.storeIdempotent && e.status < 500;
      log(`${method} ${path}${account ? ` [${account}]` : ''} → ${status} ${e.message}`);
    }
    if (idemSlot && store) st.idempotency.set(idemSlot, { method, path, fingerprint, status, body: text, count: 1 });
    sendJson(res, status, text, { 'Request-Id': requestId, ...(idemKey ? { 'Idempotency-Key': idemKey } : {}) });
  }

  // ---------------------------------------------------------------- browser pages

  const html = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const redirect = (res: ServerResponse, location: string) => {
    res.writeHead(303, { Location: location, 'Content-Length': 0 });
    res.end();
  };
  const wantsJson = (req: IncomingMessage) => /application\/json/.test(req.headers.accept ?? '') && !/text\/html/.test(req.headers.accept ?? '');
  const back = (req: IncomingMessage, fallback = '/') => {
    const ref = req.headers.referer;
    if (!ref) return fallback;
    try {
      const u = new URL(ref);
      return u.pathname + u.search;
    } catch {
      return fallback;
    }
  };
  const actionDone = (req: IncomingMessage, res: ServerResponse, obj: Obj, fallback = '/') => {
    if (wantsJson(req)) sendJson(res, 200, JSON.stringify(obj, null, 2));
    else redirect(res, back(req, fallback));
  };

  function checkoutView(id: string, declined = false): string {
    const { owner, obj: s } = st.any(id, 'checkout.session');
    const x = st.sessionExtra.get(id)!;
    const customer = s.customer ? st.objects.get(s.customer)?.obj : undefined;
    return pages.checkoutPage({
      session: s,
      account: owner ? st.account(owner) : undefined,
      productName: x.productName,
      unitAmount: x.unitAmount,
      quantity: x.quantity,
      interval: x.interval,
      intervalCount: x.intervalCount,
      customerEmail: customer?.email ?? s.customer_email ?? null,
      declined,
    });
  }

  function handlePage(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void {
    const method = req.method ?? 'GET';
    const p = url.pathname;
    const form = method === 'POST' ? (qs.parse(raw) as Obj) : {};
    let m: RegExpExecArray | null;

    if (method === 'GET' && p === '/') {
      const owned = (kind: string) => st.list(kind).map((e) => ({ obj: e.obj, owner: e.owner })).reverse();
      return html(
        res,
        200,
        pages.indexPage({
          publicUrl: st.publicUrl,
          webhookUrl: opts.webhookUrl,
          accounts: st.list('account').map((e) => e.obj).reverse(),
          customers: owned('customer'),
          sessions: owned('checkout.session'),
          subscriptions: owned('subscription'),
          charges: owned('charge'),
          events: st.deliveries.slice(-50).reverse().map((d) => ({ event: d.event, status: d.status, attempts: d.attempts, lastStatus: d.lastStatus, lastError: d.lastError })),
        }),
      );
    }
    if ((m = /^\/checkout\/([^/]+)$/.exec(p)) && method === 'GET') return html(res, 200, checkoutView(decodeURIComponent(m[1])));
    if ((m = /^\/checkout\/([^/]+)\/pay$/.exec(p)) && method === 'POST') {
      const id = decodeURIComponent(m[1]);
      st.paySession(id);
      const s = st.any(id, 'checkout.session').obj;
      if (wantsJson(req)) return sendJson(res, 200, JSON.stringify(s, null, 2));
      return s.success_url ? redirect(res, pages.successUrl(s)) : html(res, 200, pages.paidPage(s));
    }
    if ((m = /^\/checkout\/([^/]+)\/fail$/.exec(p)) && method === 'POST') {
      const id = decodeURIComponent(m[1]);
      log(`checkout ${id}: card declined (no event sent)`);
      return html(res, 402, checkoutView(id, true));
    }
    if ((m = /^\/connect\/([^/]+)$/.exec(p)) && method === 'GET') {
      const id = decodeURIComponent(m[1]);
      const a = st.account(id);
      if (!a) return html(res, 404, pages.errorPage(404, `No such account: ${id}`));
      const link = st.accountLinks.get(id);
      return html(res, 200, pages.onboardingPage(a, url.searchParams.get('return_url') ?? link?.return_url ?? null, url.searchParams.get('refresh_url') ?? link?.refresh_url ?? null));
    }
    if ((m = /^\/connect\/([^/]+)\/complete$/.exec(p)) && method === 'POST') {
      const id = decodeURIComponent(m[1]);
      st.completeOnboarding(id);
      const ret = (form.return_url as string | undefined) || url.searchParams.get('return_url') || st.accountLinks.get(id)?.return_url;
      if (wantsJson(req)) return sendJson(res, 200, JSON.stringify(st.account(id), null, 2));
      return ret ? redirect(res, ret) : redirect(res, '/');
    }
    if ((m = /^\/portal\/([^/]+)$/.exec(p)) && method === 'GET') {
      const { owner, obj: session } = st.any(decodeURIComponent(m[1]), 'billing_portal.session');
      const subs = st
        .list('subscription')
        .filter((e) => e.owner === owner && e.obj.customer === session.customer)
        .map((e) => ({ sub: e.obj, productName: st.subExtra.get(e.obj.id)?.productName ?? 'Subscription' }))
        .reverse();
      return html(res, 200, pages.portalPage({ session, account: owner ? st.account(owner) : undefined, customer: st.objects.get(session.customer)?.obj, subscriptions: subs }));
    }
    if ((m = /^\/portal\/([^/]+)\/subscriptions\/([^/]+)\/(toggle-renew|cancel)$/.exec(p)) && method === 'POST') {
      const { owner, obj: session } = st.any(decodeURIComponent(m[1]), 'billing_portal.session');
      const subId = decodeURIComponent(m[2]);
      const e = st.objects.get(subId);
      if (!e || e.owner !== owner || e.obj.customer !== session.customer) throw missing('subscription', subId);
      if (m[3] === 'toggle-renew') st.setCancelAtPeriodEnd(subId, !e.obj.cancel_at_period_end);
      else st.cancelNow(subId);
      return actionDone(req, res, e.obj, `/portal/${session.id}`);
    }
    if ((m = /^\/subscriptions\/([^/]+)\/renew$/.exec(p)) && method === 'POST') {
      const id = decodeURIComponent(m[1]);
      const outcome = (url.searchParams.get('outcome') ?? form.outcome ?? 'paid') as RenewOutcome;
      st.renew(id, outcome);
      return actionDone(req, res, st.any(id, 'subscription').obj);
    }
    if ((m = /^\/subscriptions\/([^/]+)\/cancel$/.exec(p)) && method === 'POST') {
      const id = decodeURIComponent(m[1]);
      const atEnd = toBool(url.searchParams.get('at_period_end') ?? form.at_period_end) ?? false;
      if (atEnd) st.setCancelAtPeriodEnd(id, true);
      else st.cancelNow(id);
      return actionDone(req, res, st.any(id, 'subscription').obj);
    }
    if ((m = /^\/charges\/([^/]+)\/refund$/.exec(p)) && method === 'POST') {
      const { refund } = st.refund(decodeURIComponent(m[1]));
      return actionDone(req, res, refund);
    }
    if ((m = /^\/invoices\/([^/]+)$/.exec(p)) && method === 'GET') {
      const { owner, obj } = st.any(decodeURIComponent(m[1]), 'invoice');
      return html(res, 200, pages.invoicePage(obj, owner ? st.account(owner) : undefined));
    }
    if ((m = /^\/events\/([^/]+)$/.exec(p)) && method === 'GET') {
      const { obj } = st.any(decodeURIComponent(m[1]), 'event');
      return wantsJson(req) ? sendJson(res, 200, JSON.stringify(obj, null, 2)) : html(res, 200, pages.jsonPage(`${obj.type} ${obj.id}`, obj));
    }
    if (method === 'GET' && p === '/favicon.ico') {
      res.writeHead(204);
      return void res.end();
    }
    throw new StripeApiError(404, `Unrecognized request URL (${method}: ${p}).`);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      try {
        if (url.pathname.startsWith('/v1/')) return handleApi(req, res, url, raw);
        handlePage(req, res, url, raw);
      } catch (err) {
        const e = err instanceof StripeApiError ? err : new StripeApiError(500, (err as Error).message, 'api_error');
        if (!(err instanceof StripeApiError)) log(`${req.method} ${url.pathname} crashed: ${(err as Error).stack}`);
        else log(`${req.method} ${url.pathname} → ${e.status} ${e.message}`);
        if (res.headersSent) return void res.end();
        if (wantsJson(req)) sendJson(res, e.status, JSON.stringify(e.toJSON(), null, 2));
        else html(res, e.status, pages.errorPage(e.status, e.message));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  st.publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, '');
  log(`stand-in listening on ${url} (pages at ${st.publicUrl}), webhooks → ${opts.webhookUrl || '(none)'}`);

  const settle = async (ds: Delivery[]) => {
    await Promise.all(ds.map((d) => d.done));
  };
  const run = async (f: () => Delivery[]) => settle(f());

  return {
    url,
    port,
    async stop() {
      st.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    renew: (id, outcome) => run(() => st.renew(id, outcome)),
    pay: (id) => run(() => st.paySession(id)),
    completeOnboarding: (id) => run(() => st.completeOnboarding(id)),
    refund: (id) => run(() => st.refund(id).deliveries),
    cancelSubscription: (id, o) => run(() => (o.atPeriodEnd ? st.setCancelAtPeriodEnd(id, true) : st.cancelNow(id))),
    setCancelAtPeriodEnd: (id, value) => run(() => st.setCancelAtPeriodEnd(id, value)),
    expireCheckout: (id) => run(() => st.expireSession(id)),
    events: () => st.deliveries.map((d) => d.event),
    deliveries: () => st.deliveries.map(({ event, status, attempts, lastStatus, lastError }) => ({ event, status, attempts, lastStatus, lastError })),
    idle: () => st.idle(),
    idempotencyCount: (key, account = null) => st.idempotency.get(`${account ?? 'platform'}\u0000${key}`)?.count ?? 0,
    get: (id) => {
      const e = st.objects.get(id);
      return e ? clone(e.obj) : undefined;
    },
  };
}

// Run alone: npx tsx scripts/local/stripe/standin.ts
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void startStripeStandin({
    port: Number(process.env.STRIPE_STANDIN_PORT ?? 12111),
    webhookUrl: process.env.STRIPE_WEBHOOK_URL ?? '',
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local',
    publicUrl: process.env.STRIPE_STANDIN_PUBLIC_URL,
  }).then((standin) => {
    const shutdown = () => void standin.stop().then(() => process.exit(0));
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}
