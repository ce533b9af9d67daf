/**
 * Dues through Stripe Connect: onboarding, checkout, the billing portal, webhook effects
 * and the daily job. Stripe's live objects are the truth: every webhook re-reads the
 * subscription after reading the membership, and the write is conditional on the version
 * read, so events that arrive twice, late or out of order converge on Stripe's state.
 */
import type { Store } from '../data/store.js';
import { AlreadyApplied, ConditionFailed, StaleMember } from '../data/store.js';
import type { PaymentsGateway, SubscriptionSnapshot } from '../payments/gateway.js';
import type { Association, Member, OutboxMail, Payment, Plan } from '../domain/types.js';
import { conflict, unavailable, unprocessable } from '../errors.js';
import { dailyAction, decideMembership, matchCheckout, subscriptionIsMembership, nextDueAt, reminderTag, type MembershipFact, type MemberState, memberState } from '../domain/dues.js';
import { lapsedMail, paymentFailedMail, receiptMail, renewalReminderMail } from '../domain/emails.js';
import { sweepOutbox } from './outbox-sweep.js';
import { newMail } from './mail-item.js';
import { logger } from '../http/logger.js';
import type { AssociationsRepo, MembersRepo, OutboxRepo, PaymentsRepo, PlansRepo, RsvpsRepo, StripeEventsRepo, SuppressionsRepo, UnitsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type DuesStore = AssociationsRepo & MembersRepo & OutboxRepo & PaymentsRepo & PlansRepo & RsvpsRepo & StripeEventsRepo & SuppressionsRepo & UnitsRepo;

export interface DuesDeps {
  store: DuesStore;
  payments: PaymentsGateway;
  appUrl: string;
  platformFeePercent: number;
}

/**
 * The daily job's: its retry of unsent mail is paced. Nothing here sends mail: it is queued in
 * the outbox with the change that causes it, and the stream consumer sends it (services/outbox.ts).
 */
export interface DuesJobDeps extends DuesDeps {
  /** Emails per second the sweep may ask the stream consumer to send again (SES_MAX_SEND_RATE). */
  sendRate: number;
}

/** Where dues mails and the billing portal send people back: their memberships on the account page. */
const billingUrl = (deps: DuesDeps, _associationId: string) => `${deps.appUrl}/account#memberships`;

// ------------------------------------------------------------------ onboarding

/** The owner's Stripe onboarding link; the connected account is created once. */
export async function connect(deps: DuesDeps, association: Association, owner: { userId: string; email: string }, now: Date) {
  let accountId = association.stripeAccountId;
  if (!accountId) {
    const account = await deps.payments.createAccount({ email: owner.email, associationId: association.associationId, idempotencyKey: `connect:${association.associationId}` });
    try {
      await deps.store.linkStripeAccount(association.associationId, account.id, owner.userId, now.toISOString());
      accountId = account.id;
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      // A concurrent request linked first (same idempotency key, so the same account).
      accountId = (await deps.store.getAssociation(association.associationId))!.stripeAccountId!;
    }
  }
  const base = `${deps.appUrl}/associations/${association.associationId}/stripe`;
  return { url: await deps.payments.accountOnboardingLink({ account: accountId, refreshUrl: `${base}/refresh`, returnUrl: `${base}/return` }), accountId };
}

// ------------------------------------------------------------------ checkout

/** Refuses a paid checkout the association cannot take (not connected, or not enabled yet). */
export function assertCanTakePayments(association: Association, field = 'planId') {
  if (!association.stripeAccountId || !association.chargesEnabled) {
    throw unprocessable('This association cannot take card payments yet: its owner must finish connecting Stripe.', [
      { path: field, message: 'is a paid plan and the association cannot take payments yet' },
    ]);
  }
}

/**
 * A Stripe Checkout URL for the member's plan. An open session is reused; otherwise the
 * idempotency key is derived from the state read, so a retried request gets the same session.
 */
export async function checkout(deps: DuesDeps, association: Association, member: Member, now: Date): Promise<{ url: string }> {
  const plan = member.planId ? await deps.store.getPlan(association.associationId, member.planId) : undefined;
  if (!plan || plan.amount === 0) throw unprocessable('There is nothing to pay on this plan.', [{ path: 'planId', message: 'is not a paid plan' }]);
  assertCanTakePayments(association);
  if (member.status === 'active' && (plan.interval === 'once' || (member.stripeSubscriptionId && member.autoRenew !== false))) {
    throw conflict('This membership is already paid up.');
  }
  const account = association.stripeAccountId!;

  let m = member;
  for (let attempt = 0; ; attempt++) {
    try {
      if (m.checkoutSessionId && m.status === 'pending') {
        const previous = await deps.payments.retrieveCheckout(account, m.checkoutSessionId);
        if (previous.status === 'open' && previous.url) return { url: previous.url };
        // Paid, and Stripe's event is on its way: never send the member to pay twice.
        if (previous.status === 'complete') throw conflict('Your payment is being processed; your membership will be active in a moment.');
      }
      const customerId =
        m.stripeCustomerId ??
        (await deps.payments.createCustomer({
          account,
          email: m.email,
          name: m.name,
          metadata: { associationId: association.associationId, userId: m.userId },
          idempotencyKey: `customer:${association.associationId}:${m.userId}`,
        }));
      const metadata = { associationId: association.associationId, userId: m.userId, planId: plan.planId };
      const session = await deps.payments.createCheckout({
        account,
        customerId,
        mode: plan.interval === 'once' ? 'payment' : 'subscription',
        currency: plan.currency,
        amount: plan.amount,
        interval: plan.interval === 'once' ? undefined : plan.interval,
        productName: `${association.name}: ${plan.name}`,
        // Back to pages that exist: the account after paying, the association's plans when cancelled.
        successUrl: `${deps.appUrl}/account?saved=paid#memberships`,
        cancelUrl: `${deps.appUrl}/a/${encodeURIComponent(association.slug)}`,
        metadata,
        platformFeePercent: deps.platformFeePercent,
        idempotencyKey: `checkout:${association.associationId}:${m.userId}:${plan.planId}:${m.checkoutSessionId ?? 'first'}`,
      });
      const after: Member = { ...m, stripeCustomerId: customerId, checkoutSessionId: session.id, checkoutStartedAt: now.toISOString(), updatedAt: now.toISOString() };
      after.dueAt = nextDueAt(after, association.gracePeriodDays, now);
      await deps.store.saveMember({ before: m, after, audit: { action: 'member.checkout_started', actorId: m.userId, data: { sessionId: session.id } } });
      return { url: session.url! };
    } catch (err) {
      if (!(err instanceof StaleMember) || attempt >= 3) throw err;
      m = (await deps.store.getMember(association.associationId, member.userId))!;
    }
  }
}

export async function billingPortal(deps: DuesDeps, association: Association, member: Member): Promise<{ url: string }> {
  // A checkout opened a customer, but only a paying member has anything to manage.
  if (!association.stripeAccountId || !member.stripeCustomerId || member.status === 'pending') {
    throw unprocessable('There is no card on file for this membership.', [{ path: 'member', message: 'has never paid through Stripe' }]);
  }
  return { url: await deps.payments.billingPortalUrl({ account: association.stripeAccountId, customerId: member.stripeCustomerId, returnUrl: billingUrl(deps, association.associationId) }) };
}

// ------------------------------------------------------------------ webhooks

/** The parts of a Stripe event we use (the SDK's Stripe.Event, loosely typed). */
export interface StripeEvent {
  id: string;
  type: string;
  account?: string | null;
  created: number;
  data: { object: any };
}

/** unmatched: a payment that is not the membership's, recorded for the admins, changing no status. */
export type EventOutcome = 'applied' | 'duplicate' | 'ignored' | 'unmatched';

interface EventCtx {
  deps: DuesDeps;
  event: StripeEvent;
  association: Association;
  account: string;
  now: Date;
}

type EventHandler = (ctx: EventCtx) => Promise<EventOutcome>;

const subscriptionIdOfInvoice = (invoice: any): string | undefined =>
  invoice?.parent?.subscription_details?.subscription ?? (typeof invoice?.subscription === 'string' ? invoice.subscription : invoice?.subscription?.id) ?? undefined;

/**
 * account.updated on its own: the webhook applies it itself (services/stripe-queue.ts), and
 * with only this handler its bundle leaves the membership and ledger services out.
 */
const accountUpdated: EventHandler = async ({ deps, event, association, account, now }) => {
  const live = await deps.payments.retrieveAccount(account);
  // Already as Stripe has it (another delivery applied it): nothing to write, so repeated
  // deliveries at once do not meet on the association item.
  if (!!association.chargesEnabled === live.chargesEnabled && !!association.stripeDetailsSubmitted === live.detailsSubmitted) return 'applied';
  try {
    await deps.store.updateStripeAccountStatus(association.associationId, account, live, event.id, now.toISOString());
    return 'applied';
  } catch (err) {
    if (err instanceof ConditionFailed) return 'duplicate';
    throw err;
  }
};

/** The event types we act on: the webhook records only those (a test checks this is the handlers' list). */
export const HANDLED_TYPES: ReadonlySet<string> = new Set([
  'account.updated',
  'checkout.session.completed',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'charge.refunded',
  'refund.created',
  'refund.updated',
  'charge.refund.updated',
]);

/** One service per event family; unknown types are acknowledged and ignored. */
const handlers: Record<string, EventHandler> = {
  'account.updated': accountUpdated,
  'checkout.session.completed': async (ctx) => {
    const s = ctx.event.data.object;
    const userId = s.metadata?.userId ?? s.client_reference_id;
    // Not naming one of our members (a shop's checkout on the same account, say): not ours.
    if (!userId || (s.metadata?.associationId && s.metadata.associationId !== ctx.association.associationId)) return ignore(ctx, 'checkout for another association');
    const member = await ctx.deps.store.getMember(ctx.association.associationId, userId);
    if (!member) return ignore(ctx, 'no such member');
    const plan = member.planId ? await ctx.deps.store.getPlan(ctx.association.associationId, member.planId) : undefined;
    const match = matchCheckout(member, plan, ctx.association.associationId, { id: s.id, mode: s.mode, amountTotal: s.amount_total ?? null, currency: s.currency ?? null, metadata: s.metadata });
    if (!match.matched) {
      if (s.payment_status !== 'paid') return ignore(ctx, `unpaid checkout, ${match.reason}`);
      return recordUnmatched(ctx, member, s, match.reason);
    }
    if (s.mode === 'subscription') {
      return syncMember(ctx, userId, { subscriptionId: typeof s.subscription === 'string' ? s.subscription : s.subscription?.id, customerId: s.customer });
    }
    if (s.payment_status !== 'paid') return ignore(ctx, 'checkout not paid yet');
    const paymentIntentId = typeof s.payment_intent === 'string' ? s.payment_intent : s.payment_intent?.id;
    return syncMember(ctx, userId, {
      customerId: s.customer,
      // The session's own time, not the event's: the same payment seen twice (Stripe's event and
      // the daily job's reconciliation) makes the same ledger entry, which can be written once.
      lifetimePayment: { amount: s.amount_total ?? 0, currency: s.currency, objectId: paymentIntentId ?? s.id, paidAt: new Date((s.created ?? ctx.event.created) * 1000) },
    });
  },

  'invoice.paid': async (ctx) => invoiceEvent(ctx, 'payment'),
  'invoice.payment_failed': async (ctx) => invoiceEvent(ctx, 'failure'),
  'customer.subscription.created': async (ctx) => subscriptionEvent(ctx),
  'customer.subscription.updated': async (ctx) => subscriptionEvent(ctx),
  'customer.subscription.deleted': async (ctx) => subscriptionEvent(ctx),

  'charge.refunded': async (ctx) => refundEvent(ctx),
  // Refund objects: Stripe may send these besides (or instead of) charge.refunded.
  'refund.created': async (ctx) => refundEvent(ctx),
  'refund.updated': async (ctx) => refundEvent(ctx),
  'charge.refund.updated': async (ctx) => refundEvent(ctx),
};

/** Whether an event type changes anything of ours: the webhook records only those. */
export const handlesStripeEventType = (type: string): boolean => HANDLED_TYPES.has(type);

/** The dispatcher's own list, for the test that HANDLED_TYPES names exactly these. */
export const dispatchedStripeEventTypes = (): string[] => Object.keys(handlers);

const idOf = (v: string | { id: string } | null | undefined) => (v == null ? undefined : typeof v === 'string' ? v : v.id);

/**
 * A paid checkout that is not this membership's: one ledger entry (keyed by the session, so
 * any number of events make one), no status change, no receipt. Its payment intent is linked
 * as unmatched, so a refund of it is recorded too but changes no membership.
 */
async function recordUnmatched(ctx: EventCtx, member: Member, s: any, reason: string): Promise<EventOutcome> {
  const paidAt = new Date((s.created ?? ctx.event.created) * 1000).toISOString();
  const entry: Payment = {
    paymentId: `${paidAt}_unmatched_${s.id}`,
    associationId: ctx.association.associationId,
    userId: member.userId,
    kind: 'stripe',
    type: 'unmatched',
    amount: s.amount_total ?? 0,
    currency: s.currency ?? ctx.association.currency,
    paidAt,
    periodStart: null,
    periodEnd: null,
    recordedBy: 'stripe',
    createdAt: ctx.now.toISOString(),
    reason,
    stripe: { eventId: ctx.event.id, checkoutSessionId: s.id, paymentIntentId: idOf(s.payment_intent), subscriptionId: idOf(s.subscription), customerId: idOf(s.customer) },
  };
  logger.warn('unmatched checkout recorded', { eventId: ctx.event.id, sessionId: s.id, reason });
  try {
    const pi = idOf(s.payment_intent);
    await ctx.deps.store.recordLedger(entry, ctx.event.id, [], pi ? [{ accountId: ctx.account, objectId: pi }] : []);
  } catch (err) {
    if (err instanceof ConditionFailed) return 'duplicate';
    throw err;
  }
  return 'unmatched';
}

/**
 * charge.refunded carries a cumulative amount_refunded; refund events carry one refund. Either
 * way the live charge is read and each of its succeeded refunds becomes its own ledger entry,
 * keyed by the refund id: any number of events, in any order, record each refund once.
 */
async function refundEvent(ctx: EventCtx): Promise<EventOutcome> {
  const obj = ctx.event.data.object;
  const isRefund = obj?.object === 'refund' || ctx.event.type !== 'charge.refunded';
  const chargeId = isRefund ? idOf(obj?.charge) : obj?.id;
  const piId = idOf(obj?.payment_intent);
  const invoiceId = isRefund ? undefined : idOf(obj?.invoice);
  if (!chargeId) return ignore(ctx, 'refund without a charge');
  // One-off payments are known by their payment intent; subscription payments by their
  // invoice, which Stripe links to the intent through invoice payments.
  let ref = piId ? await ctx.deps.store.paymentRef(ctx.account, piId) : undefined;
  const viaInvoice = invoiceId ?? (piId && !ref ? await ctx.deps.payments.invoiceOfPaymentIntent(ctx.account, piId) : undefined);
  if (!ref && viaInvoice) ref = await ctx.deps.store.paymentRef(ctx.account, viaInvoice);
  if (!ref || ref.associationId !== ctx.association.associationId) return ignore(ctx, 'refund of an unknown payment');
  const charge = await retrieveChargeOrNull(ctx, chargeId);
  if (!charge) return ignore(ctx, 'charge not on this account');

  let recorded = 0;
  for (const r of charge.refunds) {
    if (r.status !== 'succeeded') continue; // pending, failed or canceled: no money back (yet)
    const at = new Date(r.created * 1000).toISOString();
    const written = await ctx.deps.store.addLedgerEntry({
      paymentId: `${at}_refund_${r.id}`,
      associationId: ctx.association.associationId,
      userId: ref.userId,
      kind: 'stripe',
      type: 'refund',
      amount: r.amount,
      currency: r.currency,
      paidAt: at,
      periodStart: null,
      periodEnd: null,
      recordedBy: 'stripe',
      createdAt: ctx.now.toISOString(),
      stripe: { eventId: ctx.event.id, chargeId: charge.id, refundId: r.id, paymentIntentId: charge.paymentIntentId ?? undefined },
    });
    if (written) recorded++;
  }
  const refund = { fullyRefunded: charge.amountRefunded >= charge.amount };
  // A refunded unmatched payment never bought anything: the membership is not the refund's to change.
  if (ref.unmatched) return settle(await ignore(ctx, 'refund of an unmatched payment'));
  // Most refunds change no membership: then only the event marker is written, so many refund
  // events at once do not contend on the membership's version.
  const member = await ctx.deps.store.getMember(ctx.association.associationId, ref.userId);
  const plan = member?.planId ? await ctx.deps.store.getPlan(ctx.association.associationId, member.planId) : undefined;
  const unchanged = !member || JSON.stringify(decideMembership(member, plan, { kind: 'refund', ...refund }, ctx.now, ctx.association.gracePeriodDays)) === JSON.stringify(memberState(member));
  return settle(unchanged ? await ignore(ctx, 'refund changes no membership') : await syncMember(ctx, ref.userId, { refund }));

  function settle(outcome: EventOutcome): EventOutcome {
    return recorded > 0 ? 'applied' : outcome;
  }
}

async function retrieveChargeOrNull(ctx: EventCtx, chargeId: string) {
  try {
    return await ctx.deps.payments.retrieveCharge(ctx.account, chargeId);
  } catch (err) {
    const e = err as { statusCode?: number; code?: string };
    if (e.statusCode === 404 || e.code === 'resource_missing') return null;
    throw err;
  }
}

async function invoiceEvent(ctx: EventCtx, kind: 'payment' | 'failure'): Promise<EventOutcome> {
  const invoice = ctx.event.data.object;
  const subscriptionId = subscriptionIdOfInvoice(invoice);
  if (!subscriptionId) return ignore(ctx, 'invoice without subscription');
  const named = invoice.parent?.subscription_details?.metadata?.associationId;
  if (named && named !== ctx.association.associationId) return ignore(ctx, 'invoice of another association');
  const sub = await retrieveOrNull(ctx, subscriptionId);
  if (!sub) return ignore(ctx, 'subscription not on this account');
  const userId = sub.metadata.userId;
  if (!userId || (sub.metadata.associationId && sub.metadata.associationId !== ctx.association.associationId)) return ignore(ctx, 'subscription of another association');
  const line = invoice.lines?.data?.[0];
  return syncMember(ctx, userId, {
    subscriptionId,
    subscription: sub,
    invoice: {
      kind,
      id: invoice.id,
      amount: kind === 'payment' ? invoice.amount_paid : invoice.amount_due,
      currency: invoice.currency,
      at: new Date(((kind === 'payment' ? invoice.status_transitions?.paid_at : null) ?? ctx.event.created) * 1000),
      periodStart: line?.period?.start ? new Date(line.period.start * 1000) : null,
      periodEnd: line?.period?.end ? new Date(line.period.end * 1000) : null,
      paymentIntentId: typeof invoice.payment_intent === 'string' ? invoice.payment_intent : undefined,
    },
  });
}

/** The live subscription, or null when this account has no such subscription (Stripe's 404). */
async function retrieveOrNull(ctx: EventCtx, subscriptionId: string): Promise<SubscriptionSnapshot | null> {
  try {
    return await ctx.deps.payments.retrieveSubscription(ctx.account, subscriptionId);
  } catch (err) {
    const e = err as { statusCode?: number; code?: string };
    if (e.statusCode === 404 || e.code === 'resource_missing') return null;
    throw err;
  }
}

async function subscriptionEvent(ctx: EventCtx): Promise<EventOutcome> {
  const obj = ctx.event.data.object;
  const userId = obj.metadata?.userId;
  if (!userId || (obj.metadata?.associationId && obj.metadata.associationId !== ctx.association.associationId)) return ignore(ctx, 'subscription of another association');
  return syncMember(ctx, userId, { subscriptionId: obj.id });
}

async function ignore(ctx: EventCtx, why: string): Promise<EventOutcome> {
  logger.info('stripe event ignored', { eventId: ctx.event.id, type: ctx.event.type, why });
  try {
    await ctx.deps.store.markEventProcessed(ctx.event.id, ctx.now.toISOString());
  } catch (err) {
    if (err instanceof ConditionFailed) return 'duplicate';
    throw err;
  }
  return 'ignored';
}

interface SyncInput {
  subscriptionId?: string;
  subscription?: SubscriptionSnapshot;
  customerId?: string;
  invoice?: { kind: 'payment' | 'failure'; id: string; amount: number; currency: string; at: Date; periodStart: Date | null; periodEnd: Date | null; paymentIntentId?: string };
  lifetimePayment?: { amount: number; currency: string; objectId: string; paidAt: Date };
  /** The refunds themselves are already in the ledger (one entry each); this is what they do to the membership. */
  refund?: { fullyRefunded: boolean };
}

/**
 * Brings one membership in line with Stripe and records what the event adds (ledger,
 * mail), all in one conditional write. The member is read before Stripe is asked, so a
 * write based on an older answer always loses to a newer one and is retried.
 */
async function syncMember(ctx: EventCtx, userId: string, input: SyncInput): Promise<EventOutcome> {
  const { deps, association, event, now } = ctx;
  for (let attempt = 0; attempt < 4; attempt++) {
    const member = await deps.store.getMember(association.associationId, userId);
    if (!member) return ignore(ctx, 'no such member');
    const plan = member.planId ? await deps.store.getPlan(association.associationId, member.planId) : undefined;
    const subscriptionId = input.subscriptionId ?? member.stripeSubscriptionId;
    // A fresh read on every attempt but the first (which may reuse the one the caller made).
    const sub = subscriptionId ? (attempt === 0 && input.subscription ? input.subscription : await retrieveOrNull(ctx, subscriptionId)) ?? undefined : undefined;
    if (subscriptionId && !sub && !input.lifetimePayment && !input.refund) return ignore(ctx, 'subscription not on this account');
    if (sub && !subscriptionIsMembership(member, association.associationId, sub)) return ignore(ctx, 'a subscription this membership did not create');
    const change = planSync(ctx, member, plan, sub, input);
    try {
      await deps.store.saveMember({ ...change, eventId: event.id });
    } catch (err) {
      if (err instanceof AlreadyApplied) return 'duplicate';
      if (err instanceof StaleMember) continue;
      throw err;
    }
    return 'applied';
  }
  throw unavailable('The membership is changing concurrently; Stripe will retry.');
}

function planSync(ctx: EventCtx, member: Member, plan: Plan | undefined, sub: SubscriptionSnapshot | undefined, input: SyncInput) {
  const { association, event, now, deps } = ctx;
  const at = now.toISOString();
  // Every fact this event brings, decided in turn by the one domain rule.
  const facts: MembershipFact[] = [];
  if (sub) facts.push({ kind: 'subscription', subscription: sub });
  if (input.lifetimePayment) facts.push({ kind: 'lifetime_payment' });
  if (input.refund) facts.push({ kind: 'refund', fullyRefunded: input.refund.fullyRefunded });
  const state = facts.reduce<MemberState>((st, fact) => decideMembership({ ...member, ...st }, plan, fact, now, association.gracePeriodDays), memberState(member));

  const after: Member = {
    ...member,
    ...state,
    stripeSubscriptionId: sub?.id ?? member.stripeSubscriptionId,
    stripeCustomerId: member.stripeCustomerId ?? (typeof input.customerId === 'string' ? input.customerId : undefined),
    updatedAt: at,
  };
  after.dueAt = nextDueAt(after, association.gracePeriodDays, now);

  const ledger: Payment[] = [];
  const paymentRefs: { accountId: string; objectId: string }[] = [];
  const outbox: OutboxMail[] = [];
  const mailFacts = { associationName: association.name, memberName: member.name, planName: plan?.name ?? 'membership', timezone: association.timezone };
  const mailTo = (kind: string, mail: ReturnType<typeof receiptMail>) =>
    outbox.push(newMail({ to: member.email, fromName: association.name, kind, associationId: association.associationId, mail }, now));
  // Ledger ids start with the time of the Stripe object (so the ledger sorts by time) and
  // end with the object: one entry per payment, whichever event reports it.
  const entry = (type: Payment['type'], objectId: string, p: Partial<Payment>): Payment => ({
    paymentId: `${p.paidAt ?? new Date(event.created * 1000).toISOString()}_${type}_${objectId}`,
    associationId: association.associationId,
    userId: member.userId,
    kind: 'stripe',
    type,
    amount: 0,
    currency: association.currency,
    paidAt: new Date(event.created * 1000).toISOString(),
    periodStart: null,
    periodEnd: null,
    recordedBy: 'stripe',
    createdAt: at,
    stripe: { eventId: event.id },
    ...p,
  });

  if (input.invoice?.kind === 'payment') {
    const inv = input.invoice;
    ledger.push(entry('payment', inv.id, { amount: inv.amount, currency: inv.currency, paidAt: inv.at.toISOString(), periodStart: inv.periodStart?.toISOString() ?? null, periodEnd: inv.periodEnd?.toISOString() ?? null, stripe: { eventId: event.id, invoiceId: inv.id, subscriptionId: sub?.id, paymentIntentId: inv.paymentIntentId } }));
    paymentRefs.push({ accountId: ctx.account, objectId: inv.id });
    if (inv.paymentIntentId) paymentRefs.push({ accountId: ctx.account, objectId: inv.paymentIntentId });
    mailTo('receipt', receiptMail({ ...mailFacts, amount: inv.amount, currency: inv.currency, paidAt: inv.at.toISOString(), periodEnd: inv.periodEnd?.toISOString() ?? after.currentPeriodEnd, accountUrl: billingUrl(deps, association.associationId) }));
  }
  if (input.invoice?.kind === 'failure') {
    const inv = input.invoice;
    ledger.push(entry('failure', inv.id, { amount: inv.amount, currency: inv.currency, stripe: { eventId: event.id, invoiceId: inv.id, subscriptionId: sub?.id } }));
    if (after.status === 'past_due') {
      mailTo('payment_failed', paymentFailedMail({ ...mailFacts, amount: inv.amount, currency: inv.currency, graceUntil: after.graceUntil ?? null, billingUrl: billingUrl(deps, association.associationId) }));
    }
  }
  if (input.lifetimePayment) {
    const p = input.lifetimePayment;
    ledger.push(entry('payment', p.objectId, { amount: p.amount, currency: p.currency ?? association.currency, paidAt: p.paidAt.toISOString(), periodStart: p.paidAt.toISOString(), stripe: { eventId: event.id, paymentIntentId: p.objectId } }));
    paymentRefs.push({ accountId: ctx.account, objectId: p.objectId });
    mailTo('receipt', receiptMail({ ...mailFacts, amount: p.amount, currency: p.currency ?? association.currency, paidAt: p.paidAt.toISOString(), periodEnd: null, accountUrl: billingUrl(deps, association.associationId) }));
  }
  if (after.status === 'lapsed' && member.status !== 'lapsed') {
    mailTo('lapsed', lapsedMail({ ...mailFacts, billingUrl: billingUrl(deps, association.associationId) }));
  }
  const audit = after.status !== member.status ? { action: `member.${after.status}`, actorId: 'stripe', data: { from: member.status, to: after.status, eventType: event.type } } : undefined;
  return { before: member, after, ledger, paymentRefs, outbox, audit };
}

/**
 * Verifies nothing (the handler did) and applies one event exactly once. Events of a
 * connected account we do not know, or for another association, change nothing.
 */
export const handleStripeEvent = (deps: DuesDeps, event: StripeEvent, now: Date): Promise<EventOutcome> => applyWith(handlers, deps, event, now);

/** The same for account.updated alone (the webhook's inline event): nothing else is bundled with it. */
export const handleAccountEvent = (deps: DuesDeps, event: StripeEvent, now: Date): Promise<EventOutcome> => applyWith({ 'account.updated': accountUpdated }, deps, event, now);

/** Once per event id, for an association whose connected account sent it. */
async function applyWith(table: Record<string, EventHandler>, deps: DuesDeps, event: StripeEvent, now: Date): Promise<EventOutcome> {
  if (await deps.store.eventProcessed(event.id)) return 'duplicate';
  const handler = table[event.type];
  if (!handler) return 'ignored';
  const account = event.account ?? (event.type === 'account.updated' ? event.data.object?.id : undefined);
  const associationId = account ? await deps.store.associationIdForStripeAccount(account) : undefined;
  const association = associationId ? await deps.store.getAssociation(associationId) : undefined;
  if (!account || !association || association.stripeAccountId !== account) {
    logger.warn('stripe event for an unknown account', { eventId: event.id, type: event.type });
    return 'ignored';
  }
  return handler({ deps, event, association, account, now });
}

// ------------------------------------------------------------------ daily job

/**
 * The daily job: for each membership due today or in the past week (gsi2, by day),
 * reconcile with Stripe, send renewal reminders, start grace periods and lapse.
 * Each membership is written conditionally, so two overlapping runs do each thing once.
 */
export async function runDaily(deps: DuesJobDeps, now: Date, lookbackDays = 7) {
  const counts: Record<string, number> = {};
  const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const associations = new Map<string, Association | undefined>();
  const associationOf = async (id: string) => {
    if (!associations.has(id)) associations.set(id, await deps.store.getAssociation(id));
    return associations.get(id);
  };
  for (let d = lookbackDays; d >= 0; d--) {
    const day = new Date(now.getTime() - d * 86_400_000).toISOString().slice(0, 10);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.membersDueOn(day, { limit: 100, startKey });
      for (const m of page.items) {
        if (!m.dueAt || m.dueAt > now.toISOString()) continue;
        const association = await associationOf(m.associationId);
        if (!association) continue;
        try {
          bump(await dailyForMember(deps, association, m, now));
        } catch (err) {
          bump('error');
          logger.error('daily job failed for a membership', { associationId: m.associationId, errorName: (err as Error).name });
        }
      }
      startKey = page.lastKey;
    } while (startKey);
  }
  const mail = await sweepOutbox(deps.store, now, 3, deps.sendRate);
  return { memberships: counts, mail };
}

async function dailyForMember(deps: DuesDeps, association: Association, m: Member, now: Date): Promise<string> {
  const action = dailyAction(m, association.gracePeriodDays, now);
  const account = association.stripeAccountId;
  const plan = m.planId ? await deps.store.getPlan(association.associationId, m.planId) : undefined;
  const facts = { associationName: association.name, memberName: m.name, planName: plan?.name ?? 'membership', timezone: association.timezone };
  const at = now.toISOString();
  let after: Member = { ...m, updatedAt: at };
  const outbox: OutboxMail[] = [];
  const mail = (kind: string, content: ReturnType<typeof lapsedMail>) => outbox.push(newMail({ to: m.email, fromName: association.name, kind, associationId: association.associationId, mail: content }, now));
  let label: string = action?.kind ?? 'reindexed';

  if (action?.kind === 'reconcile_checkout' && account && m.checkoutSessionId) {
    const session = await deps.payments.retrieveCheckout(account, m.checkoutSessionId);
    if (session.status === 'complete' && session.paymentStatus === 'paid') {
      // The webhook never arrived: apply what it would have.
      const fake: StripeEvent = { id: `reconcile_${session.id}`, type: 'checkout.session.completed', account, created: Math.floor(now.getTime() / 1000), data: { object: { ...session, created: session.created, mode: session.mode, subscription: session.subscriptionId, payment_intent: session.paymentIntentId, customer: session.customerId, payment_status: session.paymentStatus, amount_total: session.amountTotal, currency: session.currency, metadata: session.metadata } } };
      return `reconciled_checkout:${await handleStripeEvent(deps, fake, now)}`;
    }
    // Still open or expired: look again at the next due time (none while it stays pending).
    after = { ...after, checkoutStartedAt: session.status === 'open' ? at : m.checkoutStartedAt, checkoutSessionId: session.status === 'expired' ? undefined : m.checkoutSessionId };
    if (session.status === 'expired') after.checkoutStartedAt = undefined;
  } else if (action?.kind === 'reconcile_subscription' && account && m.stripeSubscriptionId) {
    const sub = await deps.payments.retrieveSubscription(account, m.stripeSubscriptionId);
    const state = decideMembership(m, plan, { kind: 'subscription', subscription: sub }, now, association.gracePeriodDays);
    after = { ...after, ...state };
    if (state.status === 'lapsed' && m.status !== 'lapsed') mail('lapsed', lapsedMail({ ...facts, billingUrl: billingUrl(deps, association.associationId) }));
    label = `reconciled:${m.status}->${state.status}`;
  } else if (action?.kind === 'remind' && plan) {
    // Read the live subscription: never promise a renewal to someone who turned it off.
    const sub = account && m.stripeSubscriptionId ? await deps.payments.retrieveSubscription(account, m.stripeSubscriptionId) : undefined;
    const autoRenew = sub ? !sub.cancelAtPeriodEnd && (sub.status === 'active' || sub.status === 'trialing') : false;
    mail(`renewal_reminder_${action.daysBefore}`, renewalReminderMail({ ...facts, daysBefore: action.daysBefore, periodEnd: action.periodEnd, amount: plan.amount, currency: plan.currency, autoRenew, viaStripe: !!sub, billingUrl: billingUrl(deps, association.associationId) }));
    after = { ...after, autoRenew: sub ? autoRenew : m.autoRenew, remindersSent: [...(m.remindersSent ?? []), reminderTag(action.daysBefore, action.periodEnd)] };
  } else if (action?.kind === 'start_grace' || action?.kind === 'lapse') {
    after = { ...after, ...decideMembership(m, plan, { kind: 'period_check' }, now, association.gracePeriodDays) };
    if (after.status === 'lapsed' && m.status !== 'lapsed') mail('lapsed', lapsedMail({ ...facts, billingUrl: billingUrl(deps, association.associationId) }));
  }
  after.dueAt = nextDueAt(after, association.gracePeriodDays, now);
  // Guard against a job that would look at the same membership again at once.
  if (after.dueAt && after.dueAt <= at && after.status === m.status && JSON.stringify(after.remindersSent) === JSON.stringify(m.remindersSent)) {
    after.dueAt = new Date(now.getTime() + 86_400_000).toISOString();
  }
  try {
    await deps.store.saveMember({
      before: m,
      after,
      outbox,
      audit: after.status !== m.status ? { action: `member.${after.status}`, actorId: 'daily-job', data: { from: m.status, to: after.status } } : undefined,
    });
  } catch (err) {
    if (err instanceof StaleMember) return 'changed_meanwhile';
    throw err;
  }
  return label;
}
