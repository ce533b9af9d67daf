/**
 * Membership rules, free of I/O: what joining creates, what an offline payment does to
 * the paid period, who may hand out which role. Time is always a parameter.
 */
import type { Interval, Member, Plan } from './types.js';
import { roleAtLeast, type Role } from './roles.js';

/** Adds one billing interval; `once` (lifetime) has no end. */
export function addInterval(from: Date, interval: Interval): Date | null {
  if (interval === 'once') return null;
  const months = interval === 'year' ? 12 : 1;
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + months;
  // Clamp to the target month's last day: 31 Jan + 1 month is 28/29 Feb, not 3 March.
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(from);
  d.setUTCDate(1);
  d.setUTCFullYear(y, m, Math.min(from.getUTCDate(), lastDay));
  return d;
}

export interface Joiner {
  userId: string;
  name: string;
  email: string;
  directoryVisible: boolean;
}

/** A free plan is active at once and never expires; a paid one waits for payment. */
export function newMembership(associationId: string, plan: Plan, joiner: Joiner, role: Role, now: Date): Member {
  const at = now.toISOString();
  return {
    associationId,
    userId: joiner.userId,
    role,
    planId: plan.planId,
    status: plan.amount === 0 ? 'active' : 'pending',
    currentPeriodEnd: null,
    joinedAt: at,
    name: joiner.name,
    email: joiner.email,
    directoryVisible: joiner.directoryVisible,
    version: 1,
    updatedAt: at,
  };
}

/**
 * The period an offline payment buys: it starts where the current paid period ends if that
 * is still running (paying early extends), otherwise on the payment date (a gap shows).
 */
export function periodForPayment(member: Member, plan: Plan, paidAt: Date): { start: Date; end: Date | null } {
  const currentEnd = member.currentPeriodEnd ? new Date(member.currentPeriodEnd) : null;
  const start = currentEnd && currentEnd > paidAt && member.status !== 'cancelled' ? currentEnd : paidAt;
  return { start, end: addInterval(start, plan.interval) };
}

/**
 * Who may give which role. Admins manage organizers and members; only an owner may
 * create or change an admin or an owner.
 */
export function canAssignRole(actor: Role, current: Role, next: Role): boolean {
  if (!roleAtLeast(actor, 'admin')) return false;
  const touchesTop = roleAtLeast(current, 'admin') || roleAtLeast(next, 'admin');
  return touchesTop ? actor === 'owner' : true;
}

/** Display name for a new member: their profile, then the token's name, then the email's local part. */
export function displayName(profileName: string | undefined, claimName: string | undefined, email: string): string {
  return profileName || claimName || email.split('@')[0] || email;
}
