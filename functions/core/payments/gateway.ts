/**
 * The Stripe calls the platform makes, behind one small interface. Services see plain
 * snapshots, never SDK types, so the dues rules are testable without Stripe; the real
 * implementation (stripe.ts) uses the official SDK against Stripe or the local stand-in.
 * Every call that creates something takes an idempotency key.
 */
export interface SubscriptionSnapshot {
  id: string;
  customerId: string;
  /** Stripe's status: active, trialing, past_due, unpaid, canceled, incomplete, incomplete_expired, paused. */
  status: string;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  endedAt: Date | null;
  metadata: Record<string, string>;
  /**
   * Whether the invoice for the current period is paid. Stripe moves the period forward
   * when it bills a renewal, before (and even if never) the money arrives.
   */
  latestInvoicePaid: boolean;
}

export interface CheckoutSnapshot {
  id: string;
  url: string | null;
  status: string | null; // open, complete, expired
  paymentStatus: string; // paid, unpaid, no_payment_required
  mode: 'subscription' | 'payment';
  customerId: string | null;
  subscriptionId: string | null;
  paymentIntentId: string | null;
  amountTotal: number | null;
  currency: string | null;
  metadata: Record<string, string>;
  /** Unix seconds when the session was created. */
  created: number;
}

/** A charge with every refund made on it (Stripe's live object). */
export interface ChargeSnapshot {
  id: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  paymentIntentId: string | null;
  refunds: { id: string; amount: number; currency: string; status: string | null; created: number }[];
}

export interface AccountSnapshot {
  id: string;
  chargesEnabled: boolean;
  detailsSubmitted: boolean;
}

export interface CheckoutRequest {
  account: string;
  customerId: string;
  mode: 'subscription' | 'payment';
  currency: string;
  amount: number;
  interval?: 'year' | 'month';
  productName: string;
  successUrl: string;
  cancelUrl: string;
  metadata: Record<string, string>;
  /** Percent of each payment kept by the platform (Connect application fee). */
  platformFeePercent?: number;
  idempotencyKey: string;
}

export interface PaymentsGateway {
  createAccount(input: { email: string; associationId: string; idempotencyKey: string }): Promise<AccountSnapshot>;
  accountOnboardingLink(input: { account: string; refreshUrl: string; returnUrl: string }): Promise<string>;
  retrieveAccount(account: string): Promise<AccountSnapshot>;
  createCustomer(input: { account: string; email: string; name: string; metadata: Record<string, string>; idempotencyKey: string }): Promise<string>;
  createCheckout(input: CheckoutRequest): Promise<CheckoutSnapshot>;
  retrieveCheckout(account: string, id: string): Promise<CheckoutSnapshot>;
  retrieveSubscription(account: string, id: string): Promise<SubscriptionSnapshot>;
  billingPortalUrl(input: { account: string; customerId: string; returnUrl: string }): Promise<string>;
  /** Ends a subscription now (the member left): no further charges. */
  cancelSubscription(account: string, subscriptionId: string, idempotencyKey: string): Promise<void>;
  /** A charge and all its refunds (refund events carry a single refund or a cumulative total). */
  retrieveCharge(account: string, chargeId: string): Promise<ChargeSnapshot>;
  /** The invoice a payment intent paid, if any (refunds name only the charge and its intent). */
  invoiceOfPaymentIntent(account: string, paymentIntentId: string): Promise<string | undefined>;
}
