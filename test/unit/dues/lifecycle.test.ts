/**
 * The dues lifecycle as pure functions of (membership, Stripe's subscription, grace, now):
 * what the membership becomes for each Stripe status, from each membership status, and
 * what the daily job must do next and when.
 */
import { dailyAction, nextDueAt, PENDING_RECONCILE_MS, reminderTag, startGrace, stateFromSubscription } from '../../../functions/core/domain/dues.js';
import type { Member } from '../../../functions/core/domain/types.js';
import type { MemberStatus } from '../../../functions/core/domain/roles.js';
import { makeMember } from '../../support/factories.js';
import { subscriptionSnapshot } from '../../support/fake-payments.js';

const DAY = 86_400_000;
const GRACE = 14;
const now = new Date('2026-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

const PERIOD_END = iso(100 * DAY); // the member's paid-through date, well ahead
const NEXT_END = new Date(now.getTime() + 465 * DAY); // what Stripe says after a renewal

const statuses: MemberStatus[] = ['pending', 'active', 'past_due', 'lapsed', 'cancelled'];

/** A membership in `status`, with the fields that status carries. */
function inStatus(status: MemberStatus, overrides: Partial<Member> = {}): Member {
  const base: Record<MemberStatus, Partial<Member>> = {
    pending: { currentPeriodEnd: null, checkoutSessionId: 'cs_1', checkoutStartedAt: iso(-10 * 60_000) },
    active: { currentPeriodEnd: PERIOD_END },
    past_due: { currentPeriodEnd: iso(-5 * DAY), pastDueSince: iso(-5 * DAY), graceUntil: iso(9 * DAY) },
    lapsed: { currentPeriodEnd: iso(-40 * DAY), pastDueSince: iso(-40 * DAY), graceUntil: iso(-26 * DAY), lapsedAt: iso(-26 * DAY) },
    cancelled: { currentPeriodEnd: iso(-3 * DAY), autoRenew: false },
  };
  return makeMember({ status, stripeSubscriptionId: status === 'pending' ? undefined : 'sub_1', stripeCustomerId: 'cus_1', autoRenew: true, ...base[status], ...overrides });
}

const sub = subscriptionSnapshot;

describe('stateFromSubscription: active', () => {
  it('a paid first invoice makes a pending membership active, paid through the period end', () => {
    const s = stateFromSubscription(inStatus('pending'), sub({ status: 'active', latestInvoicePaid: true, currentPeriodEnd: NEXT_END }), GRACE, now);
    expect(s).toEqual({ status: 'active', currentPeriodEnd: NEXT_END.toISOString(), pastDueSince: null, graceUntil: null, lapsedAt: null, autoRenew: true });
  });

  it.each(['active', 'past_due', 'lapsed'] as const)('a paid renewal makes a %s membership active and clears grace and lapse', (status) => {
    const s = stateFromSubscription(inStatus(status), sub({ status: 'active', latestInvoicePaid: true, currentPeriodEnd: NEXT_END }), GRACE, now);
    expect(s).toEqual({ status: 'active', currentPeriodEnd: NEXT_END.toISOString(), pastDueSince: null, graceUntil: null, lapsedAt: null, autoRenew: true });
  });

  it.each(statuses)('billed but not paid yet (latestInvoicePaid false) changes nothing of a %s membership', (status) => {
    const m = inStatus(status);
    const s = stateFromSubscription(m, sub({ status: 'active', latestInvoicePaid: false, currentPeriodEnd: NEXT_END }), GRACE, now);
    expect(s.status).toBe(status);
    expect(s.currentPeriodEnd).toBe(m.currentPeriodEnd);
    expect(s.pastDueSince).toBe(m.pastDueSince ?? null);
    expect(s.graceUntil).toBe(m.graceUntil ?? null);
    expect(s.lapsedAt).toBe(m.lapsedAt ?? null);
  });

  it('auto-renew follows cancel_at_period_end', () => {
    expect(stateFromSubscription(inStatus('active'), sub({ cancelAtPeriodEnd: true }), GRACE, now).autoRenew).toBe(false);
    expect(stateFromSubscription(inStatus('active', { autoRenew: false }), sub({ cancelAtPeriodEnd: false }), GRACE, now).autoRenew).toBe(true);
  });
});

describe('stateFromSubscription: trialing', () => {
  it('a trial whose (zero) invoice is paid is an active membership through the trial end', () => {
    const trialEnd = at(30 * DAY);
    const s = stateFromSubscription(inStatus('pending'), sub({ status: 'trialing', latestInvoicePaid: true, currentPeriodEnd: trialEnd }), GRACE, now);
    expect(s).toMatchObject({ status: 'active', currentPeriodEnd: trialEnd.toISOString() });
  });

  it('a trial without a paid invoice does not make a pending membership active', () => {
    // docs/dues.md: "pending becomes active only" when the latest invoice is paid; active with
    // currentPeriodEnd null would be a membership that never expires.
    const s = stateFromSubscription(inStatus('pending'), sub({ status: 'trialing', latestInvoicePaid: false, currentPeriodEnd: at(30 * DAY) }), GRACE, now);
    expect(s.status).toBe('pending');
    expect(s.currentPeriodEnd).toBeNull();
  });
});

describe.each(['past_due', 'unpaid'])('stateFromSubscription: %s', (stripeStatus) => {
  const failed = (extra: Parameters<typeof sub>[0] = {}) => sub({ status: stripeStatus, latestInvoicePaid: false, currentPeriodEnd: NEXT_END, ...extra });

  it('an active membership goes past due now, with a grace period from now, paid period unchanged', () => {
    const m = inStatus('active');
    const s = stateFromSubscription(m, failed(), GRACE, now);
    expect(s).toEqual({ status: 'past_due', currentPeriodEnd: m.currentPeriodEnd, pastDueSince: now.toISOString(), graceUntil: iso(GRACE * DAY), lapsedAt: null, autoRenew: true });
  });

  it('a membership already past due keeps the date it went past due (within grace)', () => {
    const m = inStatus('past_due');
    const s = stateFromSubscription(m, failed(), GRACE, now);
    expect(s).toMatchObject({ status: 'past_due', pastDueSince: m.pastDueSince, graceUntil: new Date(Date.parse(m.pastDueSince!) + GRACE * DAY).toISOString(), lapsedAt: null });
  });

  it('lapses once the grace period counted from the first failure is over', () => {
    const m = inStatus('past_due', { pastDueSince: iso(-GRACE * DAY), graceUntil: now.toISOString() });
    const s = stateFromSubscription(m, failed(), GRACE, now);
    expect(s).toMatchObject({ status: 'lapsed', pastDueSince: m.pastDueSince, graceUntil: now.toISOString(), lapsedAt: now.toISOString() });
    // One millisecond earlier it is still inside the grace period.
    expect(stateFromSubscription(m, failed(), GRACE, at(-1)).status).toBe('past_due');
  });

  it('a lapsed membership stays lapsed and keeps the date it lapsed', () => {
    const m = inStatus('lapsed');
    const s = stateFromSubscription(m, failed(), GRACE, now);
    expect(s).toMatchObject({ status: 'lapsed', lapsedAt: m.lapsedAt, pastDueSince: m.pastDueSince });
  });

  it('with no grace period a failed renewal lapses at once', () => {
    expect(stateFromSubscription(inStatus('active'), failed(), 0, now)).toMatchObject({ status: 'lapsed', lapsedAt: now.toISOString() });
  });

  it('a failed first payment leaves a pending membership pending', () => {
    const m = inStatus('pending');
    const s = stateFromSubscription(m, failed(), GRACE, now);
    expect(s).toEqual({ status: 'pending', currentPeriodEnd: null, pastDueSince: null, graceUntil: null, lapsedAt: null, autoRenew: true });
  });
});

describe('stateFromSubscription: canceled', () => {
  it.each(['active', 'past_due', 'lapsed', 'cancelled'] as const)('a %s membership is cancelled, auto-renew off, paid period kept', (status) => {
    const m = inStatus(status);
    const s = stateFromSubscription(m, sub({ status: 'canceled', latestInvoicePaid: false, endedAt: now }), GRACE, now);
    expect(s).toEqual({ status: 'cancelled', currentPeriodEnd: m.currentPeriodEnd, pastDueSince: null, graceUntil: null, lapsedAt: m.lapsedAt ?? null, autoRenew: false });
  });

  it('a pending membership stays pending (it never started)', () => {
    const m = inStatus('pending');
    expect(stateFromSubscription(m, sub({ status: 'canceled', latestInvoicePaid: false }), GRACE, now)).toMatchObject({ status: 'pending', currentPeriodEnd: null });
  });
});

describe.each(['incomplete', 'incomplete_expired'])('stateFromSubscription: %s', (stripeStatus) => {
  it.each(statuses)('changes nothing of a %s membership', (status) => {
    const m = inStatus(status);
    const s = stateFromSubscription(m, sub({ status: stripeStatus, latestInvoicePaid: false, currentPeriodEnd: NEXT_END }), GRACE, now);
    expect(s).toEqual({ status, currentPeriodEnd: m.currentPeriodEnd, pastDueSince: m.pastDueSince ?? null, graceUntil: m.graceUntil ?? null, lapsedAt: m.lapsedAt ?? null, autoRenew: m.autoRenew });
  });
});

describe('stateFromSubscription: paused', () => {
  it('an active membership lapses now', () => {
    const m = inStatus('active');
    expect(stateFromSubscription(m, sub({ status: 'paused', latestInvoicePaid: false }), GRACE, now)).toMatchObject({ status: 'lapsed', lapsedAt: now.toISOString(), currentPeriodEnd: m.currentPeriodEnd });
  });

  it('a lapsed membership keeps the date it lapsed', () => {
    const m = inStatus('lapsed');
    expect(stateFromSubscription(m, sub({ status: 'paused', latestInvoicePaid: false }), GRACE, now)).toMatchObject({ status: 'lapsed', lapsedAt: m.lapsedAt });
  });

  it('a pending membership that never paid stays pending (it cannot lapse)', () => {
    // Like past_due, unpaid and canceled: "never paid: stays pending" (docs/dues.md); lapsed
    // would mail "your membership has lapsed because it was not renewed" to someone who never paid.
    const m = inStatus('pending');
    const s = stateFromSubscription(m, sub({ status: 'paused', latestInvoicePaid: false }), GRACE, now);
    expect(s.status).toBe('pending');
    expect(s.lapsedAt).toBeNull();
  });
});

describe('stateFromSubscription: invariants', () => {
  const allStripe = ['active', 'trialing', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused'];

  it.each(allStripe)('the paid period never shrinks (%s, an older period end from Stripe)', (stripeStatus) => {
    for (const status of statuses) {
      const m = inStatus(status, { currentPeriodEnd: PERIOD_END });
      for (const paid of [true, false]) {
        const s = stateFromSubscription(m, sub({ status: stripeStatus, latestInvoicePaid: paid, currentPeriodEnd: at(5 * DAY) }), GRACE, now);
        expect(s.currentPeriodEnd).toBe(PERIOD_END);
      }
    }
  });

  it.each(allStripe)('a renewal that is billed but not paid does not extend the paid period (%s)', (stripeStatus) => {
    for (const status of statuses) {
      const m = inStatus(status);
      const s = stateFromSubscription(m, sub({ status: stripeStatus, latestInvoicePaid: false, currentPeriodEnd: NEXT_END }), GRACE, now);
      expect(s.currentPeriodEnd).toBe(m.currentPeriodEnd);
    }
  });

  it.each(allStripe)('pending never becomes active without a paid invoice (%s)', (stripeStatus) => {
    const s = stateFromSubscription(inStatus('pending'), sub({ status: stripeStatus, latestInvoicePaid: false, currentPeriodEnd: NEXT_END }), GRACE, now);
    expect(s.status).not.toBe('active');
  });
});

describe('startGrace (offline and lifetime members)', () => {
  it('counts the grace period from the end of the paid period', () => {
    const m = inStatus('active', { stripeSubscriptionId: undefined, currentPeriodEnd: iso(-2 * DAY) });
    expect(startGrace(m, GRACE, now)).toEqual({ status: 'past_due', currentPeriodEnd: m.currentPeriodEnd, pastDueSince: m.currentPeriodEnd, graceUntil: iso((GRACE - 2) * DAY), lapsedAt: null, autoRenew: true });
  });

  it('lapses at once when the grace period is already over', () => {
    const m = inStatus('active', { stripeSubscriptionId: undefined, currentPeriodEnd: iso(-(GRACE + 1) * DAY) });
    expect(startGrace(m, GRACE, now)).toMatchObject({ status: 'lapsed', lapsedAt: now.toISOString(), graceUntil: iso(-DAY) });
  });
});

// ---------------------------------------------------------------- the daily job's decisions

const stripeMember = (end: string, extra: Partial<Member> = {}) => inStatus('active', { currentPeriodEnd: end, stripeSubscriptionId: 'sub_1', ...extra });
const offlineMember = (end: string, extra: Partial<Member> = {}) => inStatus('active', { currentPeriodEnd: end, stripeSubscriptionId: undefined, stripeCustomerId: undefined, ...extra });
const endIn = (days: number) => iso(days * DAY);

describe('dailyAction: pending checkouts', () => {
  it('re-reads a checkout an hour after it started, not before', () => {
    expect(dailyAction(inStatus('pending', { checkoutStartedAt: iso(-PENDING_RECONCILE_MS + 1) }), GRACE, now)).toBeNull();
    expect(dailyAction(inStatus('pending', { checkoutStartedAt: iso(-PENDING_RECONCILE_MS) }), GRACE, now)).toEqual({ kind: 'reconcile_checkout' });
    expect(dailyAction(inStatus('pending', { checkoutStartedAt: iso(-3 * DAY) }), GRACE, now)).toEqual({ kind: 'reconcile_checkout' });
  });

  it('does nothing for a pending membership without a checkout', () => {
    expect(dailyAction(inStatus('pending', { checkoutSessionId: undefined, checkoutStartedAt: undefined }), GRACE, now)).toBeNull();
  });
});

describe('dailyAction: renewal reminders', () => {
  it.each([
    ['20 days before', 20, [], null],
    ['exactly 14 days before', 14, [], 14],
    ['10 days before', 10, [], 14],
    ['10 days before, 14-day reminder sent', 10, [14], null],
    ['exactly 3 days before, 14-day reminder sent', 3, [14], 3],
    ['1 day before, both sent', 1, [14, 3], null],
  ] as const)('%s', (_, daysLeft, sent, expected) => {
    for (const member of [stripeMember, offlineMember]) {
      const end = endIn(daysLeft);
      const m = member(end, { remindersSent: sent.map((d) => reminderTag(d, end)) });
      expect(dailyAction(m, GRACE, now)).toEqual(expected === null ? null : { kind: 'remind', daysBefore: expected, periodEnd: end });
    }
  });

  it('sends only the 3-day reminder when both are due, and never the missed 14-day one afterwards', () => {
    const end = endIn(2);
    const first = dailyAction(stripeMember(end), GRACE, now);
    expect(first).toEqual({ kind: 'remind', daysBefore: 3, periodEnd: end });
    // Once the 3-day one is recorded, nothing else is due before the period ends.
    const after = stripeMember(end, { remindersSent: [reminderTag(3, end)] });
    expect(dailyAction(after, GRACE, now)).toBeNull();
    expect(dailyAction(after, GRACE, at(DAY))).toBeNull();
    expect(dailyAction(after, GRACE, at(2 * DAY - 1))).toBeNull();
  });

  it('never sends the same reminder twice for the same period', () => {
    const end = endIn(10);
    const m = stripeMember(end, { remindersSent: [reminderTag(14, end)] });
    for (let h = 0; h < 7 * 24; h += 6) expect(dailyAction(m, GRACE, at(h * 3_600_000))).toBeNull();
  });

  it('reminds again for a new period: tags of the previous period do not count', () => {
    const oldEnd = endIn(-355);
    const end = endIn(10);
    const m = stripeMember(end, { remindersSent: [reminderTag(14, oldEnd), reminderTag(3, oldEnd)] });
    expect(dailyAction(m, GRACE, now)).toEqual({ kind: 'remind', daysBefore: 14, periodEnd: end });
  });

  it('a lifetime membership (no period end) is never reminded', () => {
    expect(dailyAction(inStatus('active', { currentPeriodEnd: null, stripeSubscriptionId: undefined }), GRACE, now)).toBeNull();
  });
});

describe('dailyAction: period end and grace', () => {
  it('at the period end, asks Stripe about a subscribed member (a missed renewal webhook)', () => {
    expect(dailyAction(stripeMember(now.toISOString()), GRACE, now)).toEqual({ kind: 'reconcile_subscription' });
    expect(dailyAction(stripeMember(endIn(-3)), GRACE, now)).toEqual({ kind: 'reconcile_subscription' });
  });

  it('at the period end, starts the grace period of an offline member', () => {
    expect(dailyAction(offlineMember(now.toISOString()), GRACE, now)).toEqual({ kind: 'start_grace' });
  });

  it('past due: nothing until the grace period is over, then reconcile (Stripe) or lapse (offline)', () => {
    const stripePastDue = inStatus('past_due', { graceUntil: iso(1) });
    const offlinePastDue = inStatus('past_due', { graceUntil: iso(1), stripeSubscriptionId: undefined });
    expect(dailyAction(stripePastDue, GRACE, now)).toBeNull();
    expect(dailyAction(offlinePastDue, GRACE, now)).toBeNull();
    expect(dailyAction(stripePastDue, GRACE, at(1))).toEqual({ kind: 'reconcile_subscription' });
    expect(dailyAction(offlinePastDue, GRACE, at(1))).toEqual({ kind: 'lapse' });
  });

  it.each(['cancelled', 'lapsed'] as const)('nothing for a %s membership, whatever its dates', (status) => {
    for (const end of [endIn(-30), endIn(-1), endIn(2), endIn(10), endIn(40)]) {
      for (const sid of ['sub_1', undefined]) {
        expect(dailyAction(inStatus(status, { currentPeriodEnd: end, stripeSubscriptionId: sid, graceUntil: endIn(-1) }), GRACE, now)).toBeNull();
      }
    }
  });
});

describe('nextDueAt', () => {
  it('a pending checkout is due an hour after it started; without one, never', () => {
    const started = iso(-10 * 60_000);
    expect(nextDueAt(inStatus('pending', { checkoutStartedAt: started }), GRACE, now)).toBe(new Date(Date.parse(started) + PENDING_RECONCILE_MS).toISOString());
    expect(nextDueAt(inStatus('pending', { checkoutSessionId: undefined, checkoutStartedAt: undefined }), GRACE, now)).toBeNull();
  });

  it('an active membership is due at its next unsent reminder, then at its period end', () => {
    const end = endIn(30);
    expect(nextDueAt(stripeMember(end), GRACE, now)).toBe(endIn(16));
    expect(nextDueAt(stripeMember(end, { remindersSent: [reminderTag(14, end)] }), GRACE, now)).toBe(endIn(27));
    expect(nextDueAt(stripeMember(end, { remindersSent: [reminderTag(14, end), reminderTag(3, end)] }), GRACE, now)).toBe(end);
  });

  it('skips a reminder whose time has passed unsent (it will not be sent late)', () => {
    const end = endIn(2);
    expect(nextDueAt(stripeMember(end, { remindersSent: [reminderTag(3, end)] }), GRACE, now)).toBe(end);
  });

  it('a past-due membership is due when its grace period ends', () => {
    const m = inStatus('past_due');
    expect(nextDueAt(m, GRACE, now)).toBe(m.graceUntil);
  });

  it('cancelled, lapsed and lifetime memberships are never due', () => {
    expect(nextDueAt(inStatus('cancelled'), GRACE, now)).toBeNull();
    expect(nextDueAt(inStatus('lapsed'), GRACE, now)).toBeNull();
    expect(nextDueAt(offlineMember(endIn(1), { currentPeriodEnd: null }), GRACE, now)).toBeNull();
  });

  it('is now when an action is due now', () => {
    expect(nextDueAt(stripeMember(endIn(10)), GRACE, now)).toBe(now.toISOString());
    expect(nextDueAt(stripeMember(endIn(-1)), GRACE, now)).toBe(now.toISOString());
    expect(nextDueAt(inStatus('pending', { checkoutStartedAt: iso(-2 * PENDING_RECONCILE_MS) }), GRACE, now)).toBe(now.toISOString());
  });

  it('is never in the past, and is now exactly when an action is due now', () => {
    const states: Member[] = [];
    for (const days of [-20, -1, 0, 1, 2.5, 3, 5, 13, 14, 15, 30, 400]) {
      const end = endIn(days);
      for (const sent of [[], [14], [3], [14, 3]]) {
        const remindersSent = sent.map((d) => reminderTag(d, end));
        states.push(stripeMember(end, { remindersSent }), offlineMember(end, { remindersSent }));
      }
      states.push(inStatus('past_due', { graceUntil: end }), inStatus('past_due', { graceUntil: end, stripeSubscriptionId: undefined }));
      states.push(inStatus('lapsed', { currentPeriodEnd: end }), inStatus('cancelled', { currentPeriodEnd: end }));
      states.push(inStatus('pending', { checkoutStartedAt: endIn(days / 10) }));
    }
    states.push(inStatus('pending', { checkoutSessionId: undefined, checkoutStartedAt: undefined }), offlineMember(endIn(1), { currentPeriodEnd: null }));

    for (const m of states) {
      for (const t of [now, at(-DAY), at(7 * DAY), at(3_600_000)]) {
        const due = nextDueAt(m, GRACE, t);
        const action = dailyAction(m, GRACE, t);
        if (action) expect(due).toBe(t.toISOString());
        else expect(due === null || due > t.toISOString()).toBe(true);
      }
    }
  });
});
