/** Counter logic without a table (domain/stats.ts): buckets, deltas of item changes, series read back from totals and deltas. */
import { counterDeltas, membersSeries, rsvpSeries, slotOf, ratingsOf } from '../../../functions/core/domain/stats.js';
import { statsRange } from '../../../functions/core/services/stats.js';
import { HttpProblem } from '../../../functions/core/errors.js';

const at = '2026-01-01T00:00:00.000Z';

describe('buckets', () => {
  it('puts an instant in its quarter hour', () => {
    expect(slotOf('2026-05-01T14:00:00.000Z')).toBe('2026-05-01T14:00');
    expect(slotOf('2026-05-01T14:14:59.999Z')).toBe('2026-05-01T14:00');
    expect(slotOf('2026-05-01T14:15:00.000Z')).toBe('2026-05-01T14:15');
    expect(slotOf('2026-05-01T14:59:00.000Z')).toBe('2026-05-01T14:45');
  });
});

describe('counterDeltas', () => {
  const m = { entity: 'member', associationId: 'a', userId: 'u', status: 'active', currentPeriodEnd: '2026-09-01T00:00:00.000Z', updatedAt: '2026-02-01T12:00:00.000Z' };
  it('a removed member leaves its status and its renewal', () => {
    expect(counterDeltas({ eventName: 'REMOVE', old: m }, '2026-02-03T00:00:00.000Z')).toEqual([
      { kind: 'members', associationId: 'a', day: '2026-02-03', add: { active: -1 } },
      { kind: 'renewals', associationId: 'a', day: '2026-09-01', add: { count: -1 } },
    ]);
  });
  it('a rejoin over a cancelled membership (a Put seen as MODIFY) moves cancelled to the new status', () => {
    const old = { ...m, status: 'cancelled', currentPeriodEnd: null };
    const rejoined = { ...m, status: 'pending', currentPeriodEnd: null, updatedAt: '2026-03-01T08:00:00.000Z' };
    expect(counterDeltas({ eventName: 'MODIFY', old, new: rejoined }, at)).toEqual([{ kind: 'members', associationId: 'a', day: '2026-03-01', add: { cancelled: -1, pending: 1 } }]);
  });
  it('past due still renews; lapsed and cancelled do not', () => {
    expect(counterDeltas({ eventName: 'MODIFY', old: m, new: { ...m, status: 'past_due' } }, at).filter((d) => d.kind === 'renewals')).toEqual([]);
    expect(counterDeltas({ eventName: 'MODIFY', old: m, new: { ...m, status: 'cancelled' } }, at).filter((d) => d.kind === 'renewals')).toHaveLength(1);
  });
  it('a guest added to a going RSVP adds a seat; a not-going RSVP counts nothing', () => {
    const r = { entity: 'rsvp', eventId: 'e', status: 'going', guests: 0, updatedAt: '2026-02-01T12:30:00.000Z' };
    expect(counterDeltas({ eventName: 'MODIFY', old: r, new: { ...r, guests: 2 } }, at)).toEqual([{ kind: 'rsvps', eventId: 'e', hour: '2026-02-01T12', add: { going: 2 } }]);
    expect(counterDeltas({ eventName: 'INSERT', new: { ...r, status: 'not_going' } }, at)).toEqual([]);
  });
  it('a rewritten ledger entry (erasure pseudonymises it) counts no money twice', () => {
    const p = { entity: 'payment', associationId: 'a', type: 'payment', amount: 100, currency: 'eur', paidAt: at };
    expect(counterDeltas({ eventName: 'MODIFY', old: p, new: { ...p, userId: 'erased' } }, at)).toEqual([]);
  });
  it('other items count nothing', () => {
    expect(counterDeltas({ eventName: 'INSERT', new: { entity: 'outbox', associationId: 'a' } }, at)).toEqual([]);
    expect(counterDeltas({ eventName: 'INSERT', new: { entity: 'stat', associationId: 'a', active: 1 } }, at)).toEqual([]);
  });
});

describe('membersSeries', () => {
  it('reads each day back as the total less the changes after it; days before the counters began show none', () => {
    const total = { active: 3, pending: 1, lapsed: 1 };
    const deltas = [
      { day: '2026-04-02', add: { pending: 2 } },
      { day: '2026-04-03', add: { pending: -2, active: 2 } },
      { day: '2026-04-05', add: { active: -1, lapsed: 1 } },
      { day: '2026-04-07', add: { active: 2, pending: 1 } }, // after `to`
    ];
    const series = membersSeries(total, deltas, '2026-04-01', '2026-04-05');
    expect(series.map((d) => [d.date, d.pending, d.active, d.lapsed])).toEqual([
      ['2026-04-01', 0, 0, 0],
      ['2026-04-02', 2, 0, 0],
      ['2026-04-03', 0, 2, 0],
      ['2026-04-04', 0, 2, 0],
      ['2026-04-05', 0, 1, 1],
    ]);
    expect(series[0]).toEqual({ date: '2026-04-01', pending: 0, active: 0, past_due: 0, lapsed: 0, cancelled: 0 });
  });
});

describe('rsvpSeries and ratings', () => {
  it('gives the seats after each hour that changed them, oldest first', () => {
    expect(rsvpSeries({ going: 5, waitlisted: 1 }, [{ hour: '2026-03-02T10', going: 3 }, { hour: '2026-03-01T09', going: 2, waitlisted: 2 }, { hour: '2026-03-03T08', waitlisted: -1 }])).toEqual([
      { at: '2026-03-01T09:00:00.000Z', going: 2, waitlisted: 2 },
      { at: '2026-03-02T10:00:00.000Z', going: 5, waitlisted: 2 },
      { at: '2026-03-03T08:00:00.000Z', going: 5, waitlisted: 1 },
    ]);
  });
  it('never shows a negative count', () => {
    expect(ratingsOf({ r1: -1, r5: 2, met: 1, rated: 2 })).toEqual({ 1: 0, 2: 0, 3: 0, 4: 0, 5: 2, met: 1, rated: 2 });
  });
});

describe('statsRange', () => {
  const now = new Date('2026-06-30T12:00:00.000Z');
  const refusal = (q: { from?: string; to?: string }) => {
    try {
      statsRange(q, now);
    } catch (err) {
      return { status: (err as HttpProblem).statusCode, fields: (err as HttpProblem).errors?.map((e) => e.path) };
    }
    return undefined;
  };
  it('defaults to the last 365 days', () => expect(statsRange({}, now)).toEqual({ from: '2025-07-01', to: '2026-06-30' }));
  it('refuses, by field, a range that ends in the future, runs backwards, is too long or starts too far back', () => {
    expect(refusal({ to: '2026-07-01' })).toEqual({ status: 400, fields: ['to'] });
    expect(refusal({ from: '2026-06-02', to: '2026-06-01' })).toEqual({ status: 400, fields: ['from'] });
    expect(refusal({ from: '2025-06-29', to: '2026-06-30' })).toEqual({ status: 400, fields: ['from'] });
    expect(refusal({ from: '2024-01-01', to: '2024-06-01' })).toEqual({ status: 400, fields: ['from'] });
    expect(refusal({ from: '2025-06-30', to: '2026-06-30' })).toBeUndefined();
  });
});
