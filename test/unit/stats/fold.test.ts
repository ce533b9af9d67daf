/**
 * Folding a batch of item changes into counter increments (domain/stats.ts, `foldChanges`):
 * the sums do not depend on the order of the changes, a change met twice counts once, each
 * chunk fits one transaction (markers plus counter items, at most 100), and chunks are
 * consecutive runs of the batch so a retry from a failed chunk's first change counts nothing
 * twice.
 */
import { cellId, foldChanges, MAX_TRANSACTION_ITEMS, type CountedChange, type CountingChunk, type Img } from '../../../functions/core/domain/stats.js';

const at = '2026-05-01T10:00:00.000Z';
const rsvp = (userId: string, status: string, over: Img = {}): Img => ({ entity: 'rsvp', eventId: 'e1', userId, status, guests: 0, updatedAt: '2026-05-01T10:15:00.000Z', ...over });
const member = (userId: string, status: string, updatedAt: string): Img => ({ entity: 'member', associationId: 'a1', userId, status, updatedAt });

const changes: CountedChange[] = [
  { id: 'r1', change: { eventName: 'INSERT', new: rsvp('u1', 'going', { guests: 1 }) }, at },
  { id: 'r2', change: { eventName: 'INSERT', new: rsvp('u2', 'waitlisted') }, at },
  { id: 'r3', change: { eventName: 'MODIFY', old: rsvp('u2', 'waitlisted'), new: rsvp('u2', 'going', { updatedAt: '2026-05-01T11:05:00.000Z' }) }, at },
  { id: 'm1', change: { eventName: 'INSERT', new: member('u1', 'pending', '2026-05-01T09:00:00.000Z') }, at },
  { id: 'm2', change: { eventName: 'MODIFY', old: member('u1', 'pending', '2026-05-01T09:00:00.000Z'), new: member('u1', 'active', '2026-05-02T09:00:00.000Z') }, at },
  { id: 'x1', change: { eventName: 'INSERT', new: { entity: 'outbox', mailId: 'm' } }, at }, // counts nothing
];

/** What the chunks add per counter item in all, zeros left out. */
function totals(chunks: CountingChunk[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of chunks)
    for (const i of c.increments) {
      const into = (out[cellId(i.cell)] ??= {});
      for (const [f, v] of Object.entries(i.add)) into[f] = (into[f] ?? 0) + v;
    }
  for (const cell of Object.values(out)) for (const f of Object.keys(cell)) if (!cell[f]) delete cell[f];
  return Object.fromEntries(Object.entries(out).filter(([, v]) => Object.keys(v).length));
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('foldChanges', () => {
  it('sums each counter item once per batch: one chunk, one update per item, a marker per change that counts', () => {
    const chunks = foldChanges(changes);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.ids).toEqual(['r1', 'r2', 'r3', 'm1', 'm2']);
    expect(totals(chunks)).toEqual({
      'eventTotals|e1': { going: 3 },
      'rsvpsHour|e1|2026-05-01T10': { going: 2, waitlisted: 1 },
      'rsvpsHour|e1|2026-05-01T11': { going: 1, waitlisted: -1 },
      'membersTotal|a1': { active: 1 },
      'membersDay|a1|2026-05-01': { pending: 1 },
      'membersDay|a1|2026-05-02': { pending: -1, active: 1 },
    });
    // A transaction names an item once.
    const cells = chunks[0]!.increments.map((i) => cellId(i.cell));
    expect(new Set(cells).size).toBe(cells.length);
  });

  it('gives the same sums whatever the order of the records (all 720 orders)', () => {
    const expected = totals(foldChanges(changes));
    for (const order of permutations(changes)) expect(totals(foldChanges(order))).toEqual(expected);
  });

  it('counts a record met twice in a batch once, at its first place', () => {
    const twice = [changes[0]!, changes[1]!, changes[0]!, changes[2]!, changes[1]!];
    const chunks = foldChanges(twice);
    expect(chunks.flatMap((c) => c.ids)).toEqual(['r1', 'r2', 'r3']);
    expect(totals(chunks)).toEqual(totals(foldChanges(changes.slice(0, 3))));
  });

  it('keeps the markers of changes whose sums cancel out, so a later redelivery of one of them alone is refused', () => {
    const join = { id: 'j', change: { eventName: 'INSERT' as const, new: rsvp('u9', 'going') }, at };
    const leave = { id: 'l', change: { eventName: 'MODIFY' as const, old: rsvp('u9', 'going'), new: rsvp('u9', 'not_going') }, at };
    const [chunk] = foldChanges([join, leave]);
    expect(chunk).toEqual({ ids: ['j', 'l'], increments: [] });
  });

  it('chunks past 100 transaction items, in stream order, each chunk within the limit and every change in exactly one', () => {
    const many: CountedChange[] = Array.from({ length: 250 }, (_, i) => ({
      id: `r${i}`,
      change: { eventName: 'INSERT', new: rsvp(`u${i}`, 'going', { updatedAt: new Date(Date.parse(at) + i * 60_000).toISOString() }) },
      at,
    }));
    const chunks = foldChanges(many);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c.ids.length + c.increments.length).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    expect(chunks.flatMap((c) => c.ids)).toEqual(many.map((c) => c.id));
    // 250 minutes of joins: about 5 hours of buckets, plus the running total.
    expect(totals(chunks)['eventTotals|e1']).toEqual({ going: 250 });
    const hours = Object.entries(totals(chunks)).filter(([k]) => k.startsWith('rsvpsHour|'));
    expect(hours.reduce((n, [, v]) => n + v.going!, 0)).toBe(250);
  });

  it('retried from a failed chunk\'s first change, counts what came before it no more and what came after once', () => {
    const many: CountedChange[] = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, change: { eventName: 'INSERT', new: rsvp(`u${i}`, 'going') }, at }));
    const first = foldChanges(many, 10);
    expect(first.map((c) => c.ids.length)).toEqual([8, 8, 8, 6]); // 8 markers + 2 counter items
    // The second chunk failed: the first is counted; Lambda redelivers from r8, with more behind it.
    const counted = first[0]!;
    const retried = foldChanges([...many.slice(8), { id: 'r30', change: { eventName: 'INSERT', new: rsvp('u30', 'going') }, at }], 10);
    const all = [counted, ...retried];
    expect(all.flatMap((c) => c.ids)).toEqual([...many.map((c) => c.id), 'r30']);
    expect(totals(all)['eventTotals|e1']).toEqual({ going: 31 });
  });
});
