/**
 * What a member can pay from their account page, free of I/O and given `now`: the first
 * payment, a renewal (once the renewal window opens, or when the membership is past due
 * or lapsed), or nothing (free plan, paid up, or renewed by Stripe on its own).
 */
import { REMINDER_DAYS } from './dues.js';
import type { Member, Plan } from './types.js';

const DAY = 86_400_000;
/** The window opens with the first renewal reminder, so the mail's link finds the button. */
export const RENEWAL_WINDOW_DAYS = Math.max(...REMINDER_DAYS);

export type PayAction = 'pay' | 'renew' | 'update_card' | null;

export function payAction(m: Pick<Member, 'status' | 'currentPeriodEnd' | 'stripeSubscriptionId' | 'autoRenew'>, plan: Pick<Plan, 'amount' | 'interval'> | undefined, acceptsCards: boolean, now: Date): PayAction {
  if (!plan || plan.amount <= 0 || !acceptsCards || m.status === 'cancelled') return null;
  if (m.status === 'pending') return 'pay';
  const renewsItself = !!m.stripeSubscriptionId && m.autoRenew !== false;
  // Stripe retries a live subscription's failed invoice: a second checkout would charge twice.
  if (m.status === 'past_due') return renewsItself ? 'update_card' : 'renew';
  if (m.status === 'lapsed') return 'renew';
  // active
  if (plan.interval === 'once' || renewsItself || !m.currentPeriodEnd) return null;
  return Date.parse(m.currentPeriodEnd) - now.getTime() <= RENEWAL_WINDOW_DAYS * DAY ? 'renew' : null;
}
