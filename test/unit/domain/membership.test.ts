import { addInterval, canAssignRole, displayName, newMembership, periodForPayment } from '../../../functions/core/domain/membership.js';
import { roles, type Role } from '../../../functions/core/domain/roles.js';
import { makeMember, makePlan } from '../../support/factories.js';

const utc = (iso: string) => new Date(iso);

describe('addInterval', () => {
  it('adds a calendar month, keeping the day and the time of day', () => {
    expect(addInterval(utc('2026-01-15T09:30:00.000Z'), 'month')).toEqual(utc('2026-02-15T09:30:00.000Z'));
  });

  it('adds a calendar year', () => {
    expect(addInterval(utc('2026-03-10T00:00:00.000Z'), 'year')).toEqual(utc('2027-03-10T00:00:00.000Z'));
  });

  it('rolls December into January of the next year', () => {
    expect(addInterval(utc('2026-12-31T12:00:00.000Z'), 'month')).toEqual(utc('2027-01-31T12:00:00.000Z'));
  });

  it('gives no end for a lifetime (once) plan', () => {
    expect(addInterval(utc('2026-01-15T00:00:00.000Z'), 'once')).toBeNull();
  });

  it('does not change the date it is given', () => {
    const from = utc('2026-01-15T00:00:00.000Z');
    addInterval(from, 'month');
    addInterval(from, 'year');
    expect(from.toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });

  describe('at the end of a month', () => {
    it('ends one month after 31 January on the last day of February', () => {
      expect(addInterval(utc('2026-01-31T10:00:00.000Z'), 'month')).toEqual(utc('2026-02-28T10:00:00.000Z'));
    });

    it('ends one month after 31 January of a leap year on 29 February', () => {
      expect(addInterval(utc('2024-01-31T10:00:00.000Z'), 'month')).toEqual(utc('2024-02-29T10:00:00.000Z'));
    });

    it('ends one month after 31 March on 30 April, never in May', () => {
      expect(addInterval(utc('2026-03-31T10:00:00.000Z'), 'month')).toEqual(utc('2026-04-30T10:00:00.000Z'));
    });

    it('keeps 28 February as 28 March', () => {
      expect(addInterval(utc('2026-02-28T10:00:00.000Z'), 'month')).toEqual(utc('2026-03-28T10:00:00.000Z'));
    });
  });

  describe('across leap years', () => {
    it('ends one year after 29 February on 28 February, never in March', () => {
      expect(addInterval(utc('2024-02-29T10:00:00.000Z'), 'year')).toEqual(utc('2025-02-28T10:00:00.000Z'));
    });

    it('ends one year after 28 February 2023 on 28 February 2024', () => {
      expect(addInterval(utc('2023-02-28T10:00:00.000Z'), 'year')).toEqual(utc('2024-02-28T10:00:00.000Z'));
    });

    it('ends one year after 1 March 2023 on 1 March 2024', () => {
      expect(addInterval(utc('2023-03-01T00:00:00.000Z'), 'year')).toEqual(utc('2024-03-01T00:00:00.000Z'));
    });
  });
});

describe('newMembership', () => {
  const now = utc('2026-05-01T08:00:00.000Z');
  const joiner = { userId: 'u1', name: 'Grace', email: 'grace@example.test', directoryVisible: true };

  it('makes a member on a free plan active at once, with no end', () => {
    const m = newMembership('assocA', makePlan({ planId: 'free', amount: 0 }), joiner, 'member', now);
    expect(m).toEqual({
      associationId: 'assocA',
      userId: 'u1',
      role: 'member',
      planId: 'free',
      status: 'active',
      currentPeriodEnd: null,
      joinedAt: '2026-05-01T08:00:00.000Z',
      name: 'Grace',
      email: 'grace@example.test',
      directoryVisible: true,
      version: 1,
      updatedAt: '2026-05-01T08:00:00.000Z',
    });
  });

  it('makes a member on a paid plan pending until payment, with no paid period yet', () => {
    const m = newMembership('assocA', makePlan({ amount: 5000 }), joiner, 'member', now);
    expect(m.status).toBe('pending');
    expect(m.currentPeriodEnd).toBeNull();
  });

  it('gives the role it is asked for', () => {
    expect(newMembership('assocA', makePlan({ amount: 0 }), joiner, 'organizer', now).role).toBe('organizer');
  });
});

describe('periodForPayment', () => {
  const yearly = makePlan({ interval: 'year' });

  it('extends from the current end when paying early', () => {
    const member = makeMember({ status: 'active', currentPeriodEnd: '2026-06-01T00:00:00.000Z' });
    const period = periodForPayment(member, yearly, utc('2026-05-20T12:00:00.000Z'));
    expect(period).toEqual({ start: utc('2026-06-01T00:00:00.000Z'), end: utc('2027-06-01T00:00:00.000Z') });
  });

  it('extends a past-due member whose period still runs from its end', () => {
    const member = makeMember({ status: 'past_due', currentPeriodEnd: '2026-06-01T00:00:00.000Z' });
    expect(periodForPayment(member, yearly, utc('2026-05-31T00:00:00.000Z')).start).toEqual(utc('2026-06-01T00:00:00.000Z'));
  });

  it('starts on the payment date when paying late, leaving the unpaid gap visible', () => {
    const member = makeMember({ status: 'lapsed', currentPeriodEnd: '2026-03-01T00:00:00.000Z' });
    const paidAt = utc('2026-04-10T15:00:00.000Z');
    const period = periodForPayment(member, yearly, paidAt);
    expect(period).toEqual({ start: paidAt, end: utc('2027-04-10T15:00:00.000Z') });
    expect(period.start.getTime()).toBeGreaterThan(new Date(member.currentPeriodEnd!).getTime());
  });

  it('starts on the payment date for a first payment (no period yet)', () => {
    const member = makeMember({ status: 'pending', currentPeriodEnd: null });
    const paidAt = utc('2026-04-10T15:00:00.000Z');
    expect(periodForPayment(member, makePlan({ interval: 'month' }), paidAt)).toEqual({ start: paidAt, end: utc('2026-05-10T15:00:00.000Z') });
  });

  it('starts on the payment date for a cancelled member, whatever end was left', () => {
    const member = makeMember({ status: 'cancelled', currentPeriodEnd: '2026-12-01T00:00:00.000Z' });
    const paidAt = utc('2026-04-10T15:00:00.000Z');
    expect(periodForPayment(member, yearly, paidAt).start).toEqual(paidAt);
  });

  it('has no end for a lifetime (once) plan', () => {
    const member = makeMember({ currentPeriodEnd: null, status: 'pending' });
    const paidAt = utc('2026-04-10T15:00:00.000Z');
    expect(periodForPayment(member, makePlan({ interval: 'once' }), paidAt)).toEqual({ start: paidAt, end: null });
  });
});

describe('canAssignRole', () => {
  const staffOnly: Role[] = ['member', 'organizer'];
  // Expected answer for every (actor, current, next): owners may do anything; admins may
  // move people between member and organizer only; organizers and members nothing.
  const expected = (actor: Role, current: Role, next: Role) =>
    actor === 'owner' || (actor === 'admin' && staffOnly.includes(current) && staffOnly.includes(next));
  const table = roles.flatMap((actor) => roles.flatMap((current) => roles.map((next) => [actor, current, next, expected(actor, current, next)] as const)));

  it('covers all 64 combinations', () => {
    expect(table).toHaveLength(64);
  });

  it.each(table)('%s changing %s to %s → %s', (actor, current, next, allowed) => {
    expect(canAssignRole(actor, current, next)).toBe(allowed);
  });
});

describe('displayName', () => {
  it('prefers the profile name, then the token name, then the email local part', () => {
    expect(displayName('Profile Name', 'Claim Name', 'x@example.test')).toBe('Profile Name');
    expect(displayName(undefined, 'Claim Name', 'x@example.test')).toBe('Claim Name');
    expect(displayName(undefined, undefined, 'x@example.test')).toBe('x');
    expect(displayName('', '', '@example.test')).toBe('@example.test');
  });
});
