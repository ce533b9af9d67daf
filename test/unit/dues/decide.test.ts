/**
 * The one function that decides a membership's status from a payment fact
 * (domain/dues.ts decideMembership), and the check that a completed checkout is the one
 * the membership created (matchCheckout). Pure: no I/O, time given.
 */
import { decideMembership, matchCheckout, stateFromSubscription, startGrace, subscriptionIsMembership } from '../../../functions/core/domain/dues.js';
import type { Member } from '../../../functions/core/domain/types.js';
import { makeMember, makePlan } from '../../support/factories.js';
import { subscriptionSnapshot } from '../../support/fake-payments.js';

const DAY = 86_400_000;
const now = new Date('2026-03-01T10:00:00.000Z');
const yearly = makePlan({ planId: 'planYearly', amount: 5000, interval: 'year' });
const lifetime = makePlan({ planId: 'planLife', amount: 20000, interval: 'once' });
const grace = 14;
const status = (m: Member, fact: Parameters<typeof decideMembership>[2], plan = yearly) => decideMembership(m, plan, fact, now, grace).status;

const pending = makeMember({ status: 'pending', currentPeriodEnd: null, checkoutSessionId: 'cs_1' });
const active = makeMember({ status: 'active', currentPeriodEnd: new Date(now.getTime() + 30 * DAY).toISOString(), stripeSubscriptionId: 'sub_1' });
const offlineEnded = makeMember({ status: 'active', currentPeriodEnd: new Date(now.getTime() - DAY).toISOString() });

describe('decideMembership over every payment fact', () => {
  const sub = (extra: Parameters<typeof subscriptionSnapshot>[0] = {}) => subscriptionSnapshot({ currentPeriodEnd: new Date(now.getTime() + 365 * DAY), ...extra });

  it('paid invoice (live subscription paid up): pending and past due become active through the period end', () => {
    const s = sub();
    expect(decideMembership(pending, yearly, { kind: 'subscription', subscription: s }, now, grace)).toMatchObject({ status: 'active', currentPeriodEnd: s.currentPeriodEnd!.toISOString() });
    expect(status({ ...active, status: 'past_due', pastDueSince: now.toISOString() }, { kind: 'subscription', subscription: s })).toBe('active');
  });

  it('failed invoice: an active member goes past due with grace; a pending one stays pending', () => {
    const s = sub({ status: 'past_due', latestInvoicePaid: false });
    expect(decideMembership(active, yearly, { kind: 'subscription', subscription: s }, now, grace)).toMatchObject({ status: 'past_due', graceUntil: new Date(now.getTime() + grace * DAY).toISOString() });
    expect(status(pending, { kind: 'subscription', subscription: s })).toBe('pending');
  });

  it('subscription deleted or paused: cancelled or lapsed; never paid stays pending', () => {
    expect(status(active, { kind: 'subscription', subscription: sub({ status: 'canceled' }) })).toBe('cancelled');
    expect(status(active, { kind: 'subscription', subscription: sub({ status: 'paused' }) })).toBe('lapsed');
    expect(status(pending, { kind: 'subscription', subscription: sub({ status: 'canceled', latestInvoicePaid: false }) })).toBe('pending');
  });

  it('is stateFromSubscription for subscription facts (one rule for webhooks and the daily job)', () => {
    for (const s of [sub(), sub({ status: 'past_due', latestInvoicePaid: false }), sub({ status: 'canceled' }), sub({ status: 'unpaid' })]) {
      for (const m of [pending, active, offlineEnded]) expect(decideMembership(m, yearly, { kind: 'subscription', subscription: s }, now, grace)).toEqual(stateFromSubscription(m, s, grace, now));
    }
  });

  it('checkout completed (one-time, matched): active for life; a cancelled membership is not revived', () => {
    expect(decideMembership(pending, lifetime, { kind: 'lifetime_payment' }, now, grace)).toMatchObject({ status: 'active', currentPeriodEnd: null, pastDueSince: null });
    expect(status({ ...pending, status: 'cancelled' }, { kind: 'lifetime_payment' }, lifetime)).toBe('cancelled');
  });

  it('an unmatched payment changes nothing', () => {
    for (const m of [pending, active, offlineEnded]) {
      const d = decideMembership(m, yearly, { kind: 'unmatched_payment' }, now, grace);
      expect(d).toEqual({ status: m.status, currentPeriodEnd: m.currentPeriodEnd, pastDueSince: m.pastDueSince ?? null, graceUntil: m.graceUntil ?? null, lapsedAt: m.lapsedAt ?? null, autoRenew: m.autoRenew });
    }
  });

  it('offline payment: active through the period it bought, grace cleared', () => {
    const end = new Date(now.getTime() + 365 * DAY).toISOString();
    const lapsed = makeMember({ status: 'lapsed', pastDueSince: 'x', graceUntil: 'y', lapsedAt: 'z' });
    expect(decideMembership(lapsed, yearly, { kind: 'offline_payment', periodEnd: end }, now, grace)).toEqual(
      expect.objectContaining({ status: 'active', currentPeriodEnd: end, pastDueSince: null, graceUntil: null, lapsedAt: null }),
    );
  });

  it('grace end (daily job, no subscription): past due from the period end, then lapsed once grace is over', () => {
    expect(decideMembership(offlineEnded, yearly, { kind: 'period_check' }, now, grace)).toEqual(startGrace(offlineEnded, grace, now));
    const pastDue = { ...offlineEnded, ...startGrace(offlineEnded, grace, now) };
    const later = new Date(Date.parse(pastDue.graceUntil!) + 1000);
    expect(decideMembership(pastDue, yearly, { kind: 'period_check' }, later, grace)).toMatchObject({ status: 'lapsed', lapsedAt: later.toISOString(), graceUntil: pastDue.graceUntil, pastDueSince: pastDue.pastDueSince });
    // Still inside the period, or a lifetime membership: nothing.
    expect(status(active, { kind: 'period_check' })).toBe('active');
    expect(status({ ...active, currentPeriodEnd: null }, { kind: 'period_check' }, lifetime)).toBe('active');
  });

  it('refund: a full refund of a lifetime membership cancels it; a partial one, or one of a yearly plan, changes nothing', () => {
    const life = makeMember({ status: 'active', currentPeriodEnd: null, planId: 'planLife' });
    expect(status(life, { kind: 'refund', fullyRefunded: true }, lifetime)).toBe('cancelled');
    expect(status(life, { kind: 'refund', fullyRefunded: false }, lifetime)).toBe('active');
    expect(status(active, { kind: 'refund', fullyRefunded: true })).toBe('active');
  });
});

describe('matchCheckout', () => {
  const session = (extra: Partial<Parameters<typeof matchCheckout>[3]> = {}) => ({ id: 'cs_1', mode: 'subscription' as string, amountTotal: 5000, currency: 'eur', metadata: {}, ...extra });

  it('accepts the stored session id, or metadata naming this association, member and plan', () => {
    expect(matchCheckout(pending, yearly, 'assocA', session())).toEqual({ matched: true });
    expect(matchCheckout(pending, yearly, 'assocA', session({ id: 'cs_other', metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' } }))).toEqual({ matched: true });
  });

  it('refuses any other session, naming why', () => {
    const refused = (s: ReturnType<typeof session>, plan = yearly) => {
      const r = matchCheckout(pending, plan, 'assocA', s);
      return r.matched ? 'matched' : r.reason;
    };
    expect(refused(session({ id: 'cs_other' }))).toMatch(/not the checkout/);
    expect(refused(session({ id: 'cs_other', metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planLife' } }))).toMatch(/not the checkout/);
    expect(refused(session({ amountTotal: 100 }))).toMatch(/amount/);
    expect(refused(session({ currency: 'usd' }))).toMatch(/currency/);
    expect(refused(session({ mode: 'payment' }))).toMatch(/mode/);
    expect(refused(session({ amountTotal: null as unknown as number }))).toMatch(/amount/);
  });
});

describe('subscriptionIsMembership', () => {
  it('the linked subscription, or one whose metadata names this association, member and plan', () => {
    const linked = makeMember({ stripeSubscriptionId: 'sub_1' });
    expect(subscriptionIsMembership(linked, 'assocA', { id: 'sub_1', metadata: {} })).toBe(true);
    expect(subscriptionIsMembership(pending, 'assocA', { id: 'sub_2', metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planYearly' } })).toBe(true);
    expect(subscriptionIsMembership(pending, 'assocA', { id: 'sub_2', metadata: { userId: 'user-member' } })).toBe(false);
    expect(subscriptionIsMembership(pending, 'assocA', { id: 'sub_2', metadata: { associationId: 'assocA', userId: 'user-member', planId: 'planLife' } })).toBe(false);
    expect(subscriptionIsMembership(linked, 'assocA', { id: 'sub_other', metadata: { associationId: 'assocB', userId: 'user-member', planId: 'planYearly' } })).toBe(false);
  });
});
