/**
 * A PaymentsGateway for service tests: records every call, answers with scripted
 * snapshots, and honours idempotency keys the way Stripe does (the same key returns the
 * same object), so a retried request can be told apart from a new one.
 */
import type { AccountSnapshot, CheckoutRequest, CheckoutSnapshot, PaymentsGateway, SubscriptionSnapshot } from '../../functions/core/payments/gateway.js';

/** A Stripe charge object (as in fixtures.json) as the gateway hands it to services. */
export function chargeSnapshotOf(c: any) {
  return {
    id: c.id,
    amount: c.amount,
    amountRefunded: c.amount_refunded ?? 0,
    currency: c.currency,
    paymentIntentId: typeof c.payment_intent === 'string' ? c.payment_intent : c.payment_intent?.id ?? null,
    refunds: (c.refunds?.data ?? []).map((r: any) => ({ id: r.id, amount: r.amount, currency: r.currency, status: r.status, created: r.created })),
  };
}

export type GatewayCall = { method: keyof PaymentsGateway; args: unknown[] };

export function subscriptionSnapshot(overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot {
  return {
    id: 'sub_1',
    customerId: 'cus_1',
    status: 'active',
    currentPeriodStart: new Date('2026-03-01T00:00:00.000Z'),
    currentPeriodEnd: new Date('2027-03-01T00:00:00.000Z'),
    cancelAtPeriodEnd: false,
    endedAt: null,
    metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' },
    latestInvoicePaid: true,
    ...overrides,
  };
}

export function checkoutSnapshot(overrides: Partial<CheckoutSnapshot> = {}): CheckoutSnapshot {
  return {
    id: 'cs_1',
    url: 'https://checkout.stripe.test/c/pay/cs_1',
    status: 'open',
    paymentStatus: 'unpaid',
    mode: 'subscription',
    customerId: 'cus_1',
    subscriptionId: null,
    paymentIntentId: null,
    amountTotal: 5000,
    currency: 'eur',
    metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' },
    created: 1_772_000_000,
    ...overrides,
  };
}

export class FakePayments implements PaymentsGateway {
  readonly calls: GatewayCall[] = [];
  /** Live subscriptions by id; an array answers its snapshots in turn (the last one repeats). */
  readonly subscriptions = new Map<string, SubscriptionSnapshot | SubscriptionSnapshot[]>();
  readonly checkouts = new Map<string, CheckoutSnapshot>();
  readonly accounts = new Map<string, AccountSnapshot>();
  readonly invoicesOfIntents = new Map<string, string>();
  /** Live charges by id, as Stripe's API answers them (with their refunds list). */
  readonly charges = new Map<string, any>();
  private byKey = new Map<string, unknown>();
  private seq = 0;

  private record(method: keyof PaymentsGateway, ...args: unknown[]) {
    this.calls.push({ method, args });
  }
  /** Calls of one method, their first argument each. */
  callsOf(method: keyof PaymentsGateway): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
  private once<T>(key: string, make: () => T): T {
    if (!this.byKey.has(key)) this.byKey.set(key, make());
    return this.byKey.get(key) as T;
  }

  async createAccount(input: { email: string; associationId: string; idempotencyKey: string }): Promise<AccountSnapshot> {
    this.record('createAccount', input);
    return this.once(input.idempotencyKey, () => {
      const a = { id: `acct_${++this.seq}`, chargesEnabled: false, detailsSubmitted: false };
      this.accounts.set(a.id, a);
      return a;
    });
  }
  async accountOnboardingLink(input: { account: string; refreshUrl: string; returnUrl: string }): Promise<string> {
    this.record('accountOnboardingLink', input);
    return `https://connect.stripe.test/setup/${input.account}`;
  }
  async retrieveAccount(account: string): Promise<AccountSnapshot> {
    this.record('retrieveAccount', account);
    const a = this.accounts.get(account);
    if (!a) throw new Error(`fake payments: no account ${account}`);
    return a;
  }
  async createCustomer(input: { account: string; email: string; name: string; metadata: Record<string, string>; idempotencyKey: string }): Promise<string> {
    this.record('createCustomer', input);
    return this.once(`${input.account}|${input.idempotencyKey}`, () => `cus_${++this.seq}`);
  }
  async createCheckout(input: CheckoutRequest): Promise<CheckoutSnapshot> {
    this.record('createCheckout', input);
    return this.once(`${input.account}|${input.idempotencyKey}`, () => {
      const id = `cs_new_${++this.seq}`;
      const s = checkoutSnapshot({ id, url: `https://checkout.stripe.test/c/pay/${id}`, mode: input.mode, customerId: input.customerId, amountTotal: input.amount, currency: input.currency, metadata: input.metadata });
      this.checkouts.set(id, s);
      return s;
    });
  }
  async retrieveCheckout(account: string, id: string): Promise<CheckoutSnapshot> {
    this.record('retrieveCheckout', account, id);
    const s = this.checkouts.get(id);
    if (!s) throw new Error(`fake payments: no checkout ${id}`);
    return s;
  }
  async retrieveSubscription(account: string, id: string): Promise<SubscriptionSnapshot> {
    this.record('retrieveSubscription', account, id);
    const s = this.subscriptions.get(id);
    if (!s) throw new Error(`fake payments: no subscription ${id}`);
    if (!Array.isArray(s)) return s;
    return s.length > 1 ? s.shift()! : s[0]!;
  }
  async billingPortalUrl(input: { account: string; customerId: string; returnUrl: string }): Promise<string> {
    this.record('billingPortalUrl', input);
    return `https://billing.stripe.test/session/${input.customerId}`;
  }
  async cancelSubscription(account: string, subscriptionId: string, idempotencyKey: string): Promise<void> {
    this.record('cancelSubscription', account, subscriptionId, idempotencyKey);
  }

  async retrieveCharge(account: string, id: string) {
    this.record('retrieveCharge', account, id);
    const c = this.charges.get(id);
    if (!c) throw Object.assign(new Error(`No such charge: '${id}'`), { statusCode: 404, code: 'resource_missing' });
    return chargeSnapshotOf(c);
  }

  async invoiceOfPaymentIntent(account: string, paymentIntentId: string): Promise<string | undefined> {
    this.record('invoiceOfPaymentIntent', account, paymentIntentId);
    return this.invoicesOfIntents.get(paymentIntentId);
  }
}
