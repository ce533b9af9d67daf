/**
 * The dues lifecycle, free of I/O: pending → active → past_due (grace) → lapsed, and
 * cancelled when the subscription ends. Stripe's live subscription is the source of
 * truth for subscribed members; these functions say what our membership must become.
 * Time is always a parameter.
 */
import type { SubscriptionSnapshot } from '../payments/gateway.js';
import type { Member, Plan } from './types.js';

const DAY = 86_400_000;
export const REMINDER_DAYS = [14, 3] as const;
/** A pending checkout is re-read from Stripe after this long without a webhook. */
export const PENDING_RECONCILE_MS = 60 * 60 * 1000;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const later = (a: string | null | undefined, b: string | null | undefined) => {
  if (!a) return b ?? null;
  if (!b) return a;
  return a > b ? a : b;
};

export type MemberState = Pick<Member, 'status' | 'currentPeriodEnd' | 'pastDueSince' | 'graceUntil' | 'lapsedAt' | 'autoRenew'>;

/**
 * The membership that matches Stripe's current subscription. Moves to active only when
 * Stripe says the subscription is paid up; the paid period never shrinks (a late or
 * replayed event cannot take days away).
 */
export function stateFromSubscription(m: Member, sub: SubscriptionSnapshot, graceDays: number, now: Date): MemberState {
  // Paid through Stripe's current period only once its invoice is paid: Stripe moves the
  // period forward when it bills a renewal, before the money arrives (or if it never does).
  const periodEnd = sub.latestInvoicePaid ? later(m.currentPeriodEnd, iso(sub.currentPeriodEnd)) : m.currentPeriodEnd;
  const autoRenew = !sub.cancelAtPeriodEnd;
  switch (sub.status) {
    case 'active':
    case 'trialing':
      // Billed but not yet paid (a renewal in progress, or a first payment): nothing changes yet.
      if (!sub.latestInvoicePaid) return { ...memberState(m), autoRenew };
      return { status: 'active', currentPeriodEnd: periodEnd, pastDueSince: null, graceUntil: null, lapsedAt: null, autoRenew };
    case 'past_due':
    case 'unpaid': {
      if (m.status === 'pending') return memberState(m); // never paid: a failed first attempt changes nothing
      const since = m.pastDueSince ?? now.toISOString();
      const graceUntil = new Date(new Date(since).getTime() + graceDays * DAY).toISOString();
      if (now.toISOString() >= graceUntil) {
        return { status: 'lapsed', currentPeriodEnd: periodEnd, pastDueSince: since, graceUntil, lapsedAt: m.lapsedAt ?? now.toISOString(), autoRenew };
      }
      return { status: 'past_due', currentPeriodEnd: periodEnd, pastDueSince: since, graceUntil, lapsedAt: null, autoRenew };
    }
    case 'canceled':
      // Never paid: stays pending. Paid, then ended (even before any event reached us): cancelled.
      if (m.status === 'pending' && !sub.latestInvoicePaid) return memberState(m);
      return { status: 'cancelled', currentPeriodEnd: periodEnd, pastDueSince: null, graceUntil: null, lapsedAt: m.lapsedAt ?? null, autoRenew: false };
    case 'paused':
      if (m.status === 'pending') return memberState(m);
      return { status: 'lapsed', currentPeriodEnd: periodEnd, pastDueSince: m.pastDueSince ?? null, graceUntil: m.graceUntil ?? null, lapsedAt: m.lapsedAt ?? now.toISOString(), autoRenew };
    default:
      // incomplete, incomplete_expired: no confirmed payment yet.
      return memberState(m);
  }
}

/** The payment-derived part of a membership, as decideMembership returns it. */
export const memberState = (m: Member): MemberState => ({
  status: m.status,
  currentPeriodEnd: m.currentPeriodEnd,
  pastDueSince: m.pastDueSince ?? null,
  graceUntil: m.graceUntil ?? null,
  lapsedAt: m.lapsedAt ?? null,
  autoRenew: m.autoRenew,
});

/**
 * A payment fact, as the webhooks, the daily job and offline payments learn it. Every path
 * turns what it learnt into one of these and asks decideMembership, so no path can set a
 * status the others would not.
 */
export type MembershipFact =
  /** Stripe's live subscription (invoice paid or failed, subscription created/updated/deleted/paused, subscription checkout, daily reconciliation). */
  | { kind: 'subscription'; subscription: SubscriptionSnapshot }
  /** A matched one-time checkout of a `once` plan. */
  | { kind: 'lifetime_payment' }
  /** A payment recorded by an admin: it bought the period ending at periodEnd (null: for life). */
  | { kind: 'offline_payment'; periodEnd: string | null }
  /** A refund on a payment of this membership; fullyRefunded when the whole charge is refunded. */
  | { kind: 'refund'; fullyRefunded: boolean }
  /** A payment that is not this membership's (wrong session, amount, currency or mode). */
  | { kind: 'unmatched_payment' }
  /** The daily job, for a membership without a subscription: has the paid period, then the grace period, ended? */
  | { kind: 'period_check' };

/** The one place that decides what a membership becomes from a payment fact. */
export function decideMembership(m: Member, plan: Plan | undefined, fact: MembershipFact, now: Date, graceDays: number): MemberState {
  switch (fact.kind) {
    case 'subscription':
      return stateFromSubscription(m, fact.subscription, graceDays, now);
    case 'lifetime_payment':
      // A refunded (cancelled) lifetime membership is not revived by a replayed payment.
      if (m.status === 'cancelled') return memberState(m);
      return { ...memberState(m), status: 'active', currentPeriodEnd: null, pastDueSince: null, graceUntil: null, lapsedAt: null };
    case 'offline_payment':
      return { ...memberState(m), status: 'active', currentPeriodEnd: fact.periodEnd, pastDueSince: null, graceUntil: null, lapsedAt: null };
    case 'refund':
      // Only a lifetime membership is bought by one charge; a subscription's refund leaves Stripe's state in charge.
      return fact.fullyRefunded && plan?.interval === 'once' ? { ...memberState(m), status: 'cancelled' } : memberState(m);
    case 'unmatched_payment':
      return memberState(m);
    case 'period_check': {
      if (m.status === 'past_due') {
        // Keep the dates of the grace period already running.
        if (!m.graceUntil || now.toISOString() < m.graceUntil) return memberState(m);
        return { ...memberState(m), status: 'lapsed', lapsedAt: m.lapsedAt ?? now.toISOString() };
      }
      if (m.status !== 'active' || !m.currentPeriodEnd || now.toISOString() < m.currentPeriodEnd) return memberState(m);
      return startGrace(m, graceDays, now);
    }
  }
}

/** The parts of a completed Checkout session that say whose payment it is. */
export interface CheckoutFacts {
  id: string;
  mode: string;
  amountTotal: number | null;
  currency: string | null;
  metadata: Record<string, string> | null | undefined;
}

/**
 * Is this completed session the one this membership created? Its stored session id, or
 * metadata naming this association, member and plan; and the plan's mode, amount and
 * currency. A client_reference_id alone proves nothing: anyone can put it on a session.
 */
export function matchCheckout(m: Member, plan: Plan | undefined, associationId: string, s: CheckoutFacts): { matched: true } | { matched: false; reason: string } {
  const md = s.metadata ?? {};
  const ours = (!!m.checkoutSessionId && s.id === m.checkoutSessionId) || (md.associationId === associationId && md.userId === m.userId && !!m.planId && md.planId === m.planId);
  if (!ours) return { matched: false, reason: 'not the checkout this membership created' };
  if (!plan) return { matched: false, reason: 'the membership has no plan' };
  const mode = plan.interval === 'once' ? 'payment' : 'subscription';
  if (s.mode !== mode) return { matched: false, reason: `mode ${s.mode} does not match the plan (${mode})` };
  if (s.currency !== plan.currency) return { matched: false, reason: `currency ${s.currency} does not match the plan (${plan.currency})` };
  if (s.amountTotal !== plan.amount) return { matched: false, reason: `amount ${s.amountTotal} does not match the plan (${plan.amount})` };
  return { matched: true };
}

/**
 * Is this subscription the membership's: the one it is linked to, or one our checkout made
 * for it (metadata naming this association, member and plan)? Another subscription on the
 * same account with the member's id in it must not renew or end this membership.
 */
export function subscriptionIsMembership(m: Member, associationId: string, sub: Pick<SubscriptionSnapshot, 'id' | 'metadata'>): boolean {
  if (m.stripeSubscriptionId && sub.id === m.stripeSubscriptionId) return true;
  const md = sub.metadata ?? {};
  return md.associationId === associationId && md.userId === m.userId && !!m.planId && md.planId === m.planId;
}

/** What the daily job should do with a membership now, if anything. */
export type DailyAction =
  | { kind: 'reconcile_checkout' }
  | { kind: 'reconcile_subscription' }
  | { kind: 'remind'; daysBefore: number; periodEnd: string }
  | { kind: 'start_grace' }
  | { kind: 'lapse' };

export function dailyAction(m: Member, graceDays: number, now: Date): DailyAction | null {
  const t = now.getTime();
  if (m.status === 'pending') {
    if (m.checkoutSessionId && m.checkoutStartedAt && t - new Date(m.checkoutStartedAt).getTime() >= PENDING_RECONCILE_MS) {
      return { kind: 'reconcile_checkout' };
    }
    return null;
  }
  if (m.status === 'past_due') {
    if (m.graceUntil && t >= new Date(m.graceUntil).getTime()) {
      return m.stripeSubscriptionId ? { kind: 'reconcile_subscription' } : { kind: 'lapse' };
    }
    return null;
  }
  if (m.status !== 'active' || !m.currentPeriodEnd) return null;
  const end = new Date(m.currentPeriodEnd).getTime();
  if (t >= end) {
    // The period is over and no renewal arrived: ask Stripe (a missed webhook), or start the grace period.
    return m.stripeSubscriptionId ? { kind: 'reconcile_subscription' } : { kind: 'start_grace' };
  }
  for (const days of [...REMINDER_DAYS].sort((a, b) => a - b)) {
    // The closest reminder that is due and not yet sent; a missed 14-day one is not sent late at 3 days.
    if (t >= end - days * DAY && !(m.remindersSent ?? []).includes(reminderTag(days, m.currentPeriodEnd))) {
      return { kind: 'remind', daysBefore: days, periodEnd: m.currentPeriodEnd };
    }
    if (t >= end - days * DAY) return null;
  }
  return null;
}

export const reminderTag = (days: number, periodEnd: string) => `${days}@${periodEnd}`;

/** Offline or lifetime member whose paid period ended: past due from the period end, with grace. */
export function startGrace(m: Member, graceDays: number, now: Date): MemberState {
  const since = m.currentPeriodEnd ?? now.toISOString();
  const graceUntil = new Date(new Date(since).getTime() + graceDays * DAY).toISOString();
  const lapsed = now.toISOString() >= graceUntil;
  return {
    status: lapsed ? 'lapsed' : 'past_due',
    currentPeriodEnd: m.currentPeriodEnd,
    pastDueSince: since,
    graceUntil,
    lapsedAt: lapsed ? now.toISOString() : null,
    autoRenew: m.autoRenew,
  };
}

/**
 * When the daily job must next look at a membership; null when never (it then has no
 * gsi2 entry). Keeps the job's date-keyed index small and exact.
 */
export function nextDueAt(m: Member, graceDays: number, now: Date): string | null {
  if (dailyAction(m, graceDays, now)) return now.toISOString();
  if (m.status === 'pending') {
    return m.checkoutStartedAt ? new Date(new Date(m.checkoutStartedAt).getTime() + PENDING_RECONCILE_MS).toISOString() : null;
  }
  if (m.status === 'past_due') return m.graceUntil ?? null;
  if (m.status !== 'active' || !m.currentPeriodEnd) return null;
  const end = new Date(m.currentPeriodEnd).getTime();
  const upcoming = REMINDER_DAYS.filter((d) => !(m.remindersSent ?? []).includes(reminderTag(d, m.currentPeriodEnd!)))
    .map((d) => end - d * DAY)
    .filter((t) => t > now.getTime());
  return new Date(Math.min(...upcoming, end)).toISOString();
}
