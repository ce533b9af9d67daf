/**
 * The PaymentsGateway over the official Stripe SDK. Locally the SDK points at our
 * stand-in (STRIPE_API_HOST/PORT/PROTOCOL); with a real sk_test_ key and no host it
 * talks to Stripe's test mode. Every call on behalf of an association passes its
 * connected account (the Stripe-Account header), so money goes to the association.
 */
import Stripe from 'stripe';
import type { AccountSnapshot, ChargeSnapshot, CheckoutSnapshot, PaymentsGateway, SubscriptionSnapshot } from './gateway.js';

export interface StripeSettings {
  secretKey: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

export function createStripe(s: StripeSettings): Stripe {
  return new Stripe(s.secretKey, {
    ...(s.host ? { host: s.host, port: s.port, protocol: s.protocol ?? 'https' } : {}),
    maxNetworkRetries: 2,
    timeout: 8000,
    appInfo: { name: 'assoc-platform' },
  });
}

const date = (unix: number | null | undefined) => (unix ? new Date(unix * 1000) : null);
const id = (v: string | { id: string } | null | undefined) => (v == null ? null : typeof v === 'string' ? v : v.id);

export function subscriptionSnapshot(sub: Stripe.Subscription): SubscriptionSnapshot {
  // Since API 2025-03 the billing period lives on the subscription items.
  const item = sub.items?.data?.[0] as (Stripe.SubscriptionItem & { current_period_start?: number; current_period_end?: number }) | undefined;
  const legacy = sub as unknown as { current_period_start?: number; current_period_end?: number };
  return {
    id: sub.id,
    customerId: id(sub.customer as string | { id: string })!,
    status: sub.status,
    currentPeriodStart: date(item?.current_period_start ?? legacy.current_period_start),
    currentPeriodEnd: date(item?.current_period_end ?? legacy.current_period_end),
    cancelAtPeriodEnd: !!sub.cancel_at_period_end,
    endedAt: date(sub.ended_at),
    metadata: (sub.metadata ?? {}) as Record<string, string>,
    latestInvoicePaid: typeof sub.latest_invoice === 'object' && sub.latest_invoice !== null ? sub.latest_invoice.status === 'paid' : false,
  };
}

export function checkoutSnapshot(s: Stripe.Checkout.Session): CheckoutSnapshot {
  return {
    id: s.id,
    url: s.url ?? null,
    status: s.status ?? null,
    paymentStatus: s.payment_status,
    mode: s.mode === 'payment' ? 'payment' : 'subscription',
    customerId: id(s.customer as string | { id: string } | null),
    subscriptionId: id(s.subscription as string | { id: string } | null),
    paymentIntentId: id(s.payment_intent as string | { id: string } | null),
    amountTotal: s.amount_total ?? null,
    currency: s.currency ?? null,
    metadata: (s.metadata ?? {}) as Record<string, string>,
    created: s.created,
  };
}

export function chargeSnapshot(c: Stripe.Charge, refunds: Stripe.Refund[]): ChargeSnapshot {
  return {
    id: c.id,
    amount: c.amount,
    amountRefunded: c.amount_refunded ?? 0,
    currency: c.currency,
    paymentIntentId: id(c.payment_intent as string | { id: string } | null),
    refunds: refunds.map((r) => ({ id: r.id, amount: r.amount, currency: r.currency, status: r.status ?? null, created: r.created })),
  };
}

const accountSnapshot = (a: Stripe.Account): AccountSnapshot => ({
  id: a.id,
  chargesEnabled: !!a.charges_enabled,
  detailsSubmitted: !!a.details_submitted,
});

export function stripeGateway(stripe: Stripe): PaymentsGateway {
  return {
    async createAccount({ email, associationId, idempotencyKey }) {
      const a = await stripe.accounts.create({ type: 'standard', email, metadata: { associationId } }, { idempotencyKey });
      return accountSnapshot(a);
    },
    async accountOnboardingLink({ account, refreshUrl, returnUrl }) {
      const link = await stripe.accountLinks.create({ account, refresh_url: refreshUrl, return_url: returnUrl, type: 'account_onboarding' });
      return link.url;
    },
    async retrieveAccount(account) {
      return accountSnapshot(await stripe.accounts.retrieve(account));
    },
    async createCustomer({ account, email, name, metadata, idempotencyKey }) {
      const c = await stripe.customers.create({ email, name, metadata }, { stripeAccount: account, idempotencyKey });
      return c.id;
    },
    async createCheckout(r) {
      const fee = r.platformFeePercent && r.platformFeePercent > 0 ? r.platformFeePercent : undefined;
      const session = await stripe.checkout.sessions.create(
        {
          mode: r.mode,
          customer: r.customerId,
          client_reference_id: r.metadata.userId,
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: r.currency,
                unit_amount: r.amount,
                product_data: { name: r.productName },
                ...(r.mode === 'subscription' && r.interval ? { recurring: { interval: r.interval } } : {}),
              },
            },
          ],
          success_url: r.successUrl,
          cancel_url: r.cancelUrl,
          metadata: r.metadata,
          ...(r.mode === 'subscription'
            ? { subscription_data: { metadata: r.metadata, ...(fee ? { application_fee_percent: fee } : {}) } }
            : { payment_intent_data: { metadata: r.metadata, ...(fee ? { application_fee_amount: Math.round((r.amount * fee) / 100) } : {}) } }),
        },
        { stripeAccount: r.account, idempotencyKey: r.idempotencyKey },
      );
      return checkoutSnapshot(session);
    },
    async retrieveCheckout(account, sessionId) {
      return checkoutSnapshot(await stripe.checkout.sessions.retrieve(sessionId, {}, { stripeAccount: account }));
    },
    async retrieveSubscription(account, subscriptionId) {
      return subscriptionSnapshot(await stripe.subscriptions.retrieve(subscriptionId, { expand: ['latest_invoice'] }, { stripeAccount: account }));
    },
    async billingPortalUrl({ account, customerId, returnUrl }) {
      const s = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl }, { stripeAccount: account });
      return s.url;
    },
    async cancelSubscription(account, subscriptionId, idempotencyKey) {
      await stripe.subscriptions.cancel(subscriptionId, {}, { stripeAccount: account, idempotencyKey });
    },
    async retrieveCharge(account, chargeId) {
      // Since API 2022-11-15 a charge carries its refunds only when expanded.
      const c = await stripe.charges.retrieve(chargeId, { expand: ['refunds'] }, { stripeAccount: account });
      let refunds = c.refunds?.data ?? [];
      if (c.refunds?.has_more) refunds = await stripe.refunds.list({ charge: chargeId, limit: 100 }, { stripeAccount: account }).autoPagingToArray({ limit: 10_000 });
      return chargeSnapshot(c, refunds);
    },
    async invoiceOfPaymentIntent(account, paymentIntentId) {
      const list = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: paymentIntentId }, limit: 1 }, { stripeAccount: account });
      const inv = list.data[0]?.invoice;
      return typeof inv === 'string' ? inv : inv?.id;
    },
  };
}
