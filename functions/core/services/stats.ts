/**
 * Dashboard statistics: counting item changes from the table's stream into precomputed
 * counters (a batch at a time, each stream record once), and reading them back as the series the stats routes
 * and the dashboards' charts show. A page view reads a few bounded key ranges of the
 * counter partitions, never the members, ledger or RSVPs themselves.
 */
import type { StatsReads, StatsRepo } from '../data/stats.js';
import type { Association } from '../domain/types.js';
import type { Event } from '../domain/events.js';
import { badRequest } from '../errors.js';
import { addDays, daysBetween, addMonths, foldChanges, monthOf, membersSeries, ratingsOf, rsvpSeries, slotInstant, slotOf, MAX_TRANSACTION_ITEMS, type CountedChange, type CountingChunk, type Img, type ItemChange } from '../domain/stats.js';
import { afterConflict } from './contention.js';
import type { AssociationStats, EventStats } from '../responses/stats.js';

export type StatsStore = StatsRepo;
/** What the stats routes read: a function serving them needs no counter writes. */
export type StatsReadStore = StatsReads;

/** Longest range of days one request may ask for, and how far back it may start. */
export const MAX_RANGE_DAYS = 366;
export const MAX_LOOKBACK_DAYS = 730;
export const RENEWAL_DAYS = 30;
/** Hourly RSVP buckets read per event (the newest), and quarter hours of check-ins. */
const MAX_HOURS = 2000;
const MAX_SLOTS = 2000;

// ---- counting stream records

type AttributeValue = { S?: string; N?: string; BOOL?: boolean; NULL?: boolean; M?: Record<string, AttributeValue>; L?: AttributeValue[] };
/**
 * A stream image as plain values, tolerantly: only strings, numbers, booleans, maps and
 * lists are read (DynamoDB Local writes some empty maps without a type; those are skipped).
 */
export function plainImage(img: Record<string, AttributeValue> | undefined): Img | undefined {
  if (!img) return undefined;
  const value = (v: AttributeValue | undefined): unknown => {
    if (!v || typeof v !== 'object') return undefined;
    if (v.S !== undefined) return v.S;
    if (v.N !== undefined) return Number(v.N);
    if (v.BOOL !== undefined) return v.BOOL;
    if (v.NULL) return null;
    if (v.M) return plainImage(v.M);
    if (v.L) return v.L.map(value);
    return undefined;
  };
  return Object.fromEntries(Object.entries(img).map(([k, v]) => [k, value(v)]));
}

export type StreamRecordLike = {
  eventID?: string;
  eventName?: string;
  dynamodb?: { NewImage?: unknown; OldImage?: unknown; ApproximateCreationDateTime?: number | Date };
};

/** The record as a change to count, or undefined for one the counters never read (no id, another kind of event). */
function countedChange(record: StreamRecordLike, now: Date): CountedChange | undefined {
  const eventName = record.eventName as ItemChange['eventName'];
  if (!record.eventID || !['INSERT', 'MODIFY', 'REMOVE'].includes(eventName)) return undefined;
  const change: ItemChange = { eventName, old: plainImage(record.dynamodb?.OldImage as never), new: plainImage(record.dynamodb?.NewImage as never) };
  const approx = record.dynamodb?.ApproximateCreationDateTime;
  const at = approx instanceof Date ? approx : typeof approx === 'number' ? new Date(approx * 1000) : now;
  return { id: record.eventID, change, at: at.toISOString() };
}

/**
 * A batch of stream records, in stream order, as chunks to count (domain/stats.ts,
 * `foldChanges`): each counter item's increments summed, one marker per record. Pure.
 */
export function countingChunks(records: StreamRecordLike[], now: Date, maxItems = MAX_TRANSACTION_ITEMS): CountingChunk[] {
  return foldChanges(
    records.map((r) => countedChange(r, now)).filter((c): c is CountedChange => !!c),
    maxItems,
  );
}

export type BatchCount<R> = { counted: number; failed?: { from: R; error: unknown } };

/**
 * Counts a batch of stream records into the counters, each once, with one transaction per
 * chunk (usually one for the whole batch) instead of one per record. Chunks are written in
 * stream order and the first that fails stops the batch: `failed.from` is its first record,
 * the place a retry must start from (everything before it is counted; anything after it is
 * not, or is a redelivery its markers refuse). Records counted before (a retried batch) are
 * left out and the rest of their chunk folded again; after a conflict on the hot counter
 * items the chunk waits and is sent again (services/contention.ts), as a 503 in the end.
 */
export async function countStreamBatch<R extends StreamRecordLike>(store: StatsStore, records: R[], now: Date): Promise<BatchCount<R>> {
  const queue = countingChunks(records, now);
  let counted = 0;
  let attempt = 0;
  for (let chunk = queue.shift(); chunk; ) {
    const ids = chunk.ids;
    try {
      const { alreadyCounted } = await store.applyCountingChunk(ids, chunk.increments, now);
      if (!alreadyCounted.length) {
        counted += ids.length;
        chunk = queue.shift();
        attempt = 0;
        continue;
      }
      // Folded again without them: the rest of the chunk still counts, once.
      const rest = new Set(ids.filter((id) => !alreadyCounted.includes(id)));
      chunk = countingChunks(records.filter((r) => r.eventID && rest.has(r.eventID)), now)[0] ?? queue.shift();
    } catch (err) {
      try {
        await afterConflict(err, attempt++);
      } catch (final) {
        return { counted, failed: { from: records.find((r) => r.eventID === ids[0])!, error: final } };
      }
    }
  }
  return { counted };
}

// ---- reading

/** The range of days a request asks for, bounded; refusals name the field. */
export function statsRange(q: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const today = now.toISOString().slice(0, 10);
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, -(MAX_RANGE_DAYS - 2)); // 365 days, today included
  if (to > today) throw badRequest('The range may not end after today.', [{ path: 'to', message: `must be on or before ${today}` }]);
  if (from > to) throw badRequest('The range starts after it ends.', [{ path: 'from', message: 'must be on or before to' }]);
  if (daysBetween(from, to).length > MAX_RANGE_DAYS) throw badRequest(`The range may cover at most ${MAX_RANGE_DAYS} days.`, [{ path: 'from', message: `must be at most ${MAX_RANGE_DAYS - 1} days before to` }]);
  if (from < addDays(today, -MAX_LOOKBACK_DAYS)) throw badRequest(`The range may start at most ${MAX_LOOKBACK_DAYS} days ago.`, [{ path: 'from', message: `must be on or after ${addDays(today, -MAX_LOOKBACK_DAYS)}` }]);
  return { from, to };
}

export async function associationStats(store: StatsReadStore, association: Association, q: { from?: string; to?: string }, now: Date): Promise<AssociationStats> {
  const { from, to } = statsRange(q, now);
  const today = now.toISOString().slice(0, 10);
  const renewTo = addDays(today, RENEWAL_DAYS - 1);
  const c = await store.associationCounters(association.associationId, { fromDay: from, fromMonth: monthOf(from), toMonth: monthOf(to), renewFrom: today, renewTo });
  // Days after `from`, up to today, are all read: a day's value is the total less what came after it.
  const members = membersSeries(c.total, c.days.filter((d) => d.day > from), from, to);
  const months: string[] = [];
  for (let m = monthOf(from); m <= monthOf(to); m = addMonths(m, 1)) months.push(m);
  const currencies = [...new Set([association.currency.toLowerCase(), ...c.dues.map((d) => d.currency)])];
  const dues = new Map(c.dues.map((d) => [`${d.month}|${d.currency}`, d]));
  const renewals = new Map(c.renewals.map((r) => [r.day, r.count]));
  return {
    from,
    to,
    membersByStatus: members,
    duesByMonth: months.flatMap((month) =>
      currencies.flatMap((currency) => {
        const d = dues.get(`${month}|${currency}`);
        // The association's own currency has a row every month; others only where money moved.
        if (!d && currency !== association.currency.toLowerCase()) return [];
        return [{ month, currency, amount: Math.max(0, d?.amount ?? 0), refunded: Math.max(0, d?.refunded ?? 0) }];
      }),
    ),
    renewalsDue: daysBetween(today, renewTo).map((date) => ({ date, count: Math.max(0, renewals.get(date) ?? 0) })),
  };
}

export async function eventStats(store: StatsReadStore, event: Event): Promise<EventStats> {
  const c = await store.eventCounters(event.eventId, { maxHours: MAX_HOURS, maxSlots: MAX_SLOTS });
  const stored = new Map(c.slots.map((s) => [s.slot, s.count]));
  // Quarter hours over the event (and any check-in outside it), zeros included, when that is a readable number of them.
  const first = [slotOf(event.startsAt), ...c.slots.map((s) => s.slot)].sort()[0]!;
  const last = [slotOf(event.endsAt), ...c.slots.map((s) => s.slot)].sort().reverse()[0]!;
  const span = (Date.parse(slotInstant(last)) - Date.parse(slotInstant(first))) / 900_000;
  const slots = span <= 4 * 24 ? Array.from({ length: span + 1 }, (_, i) => slotOf(new Date(Date.parse(slotInstant(first)) + i * 900_000).toISOString())) : [...stored.keys()].sort();
  return {
    capacity: event.capacity,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    rsvps: rsvpSeries(c.totals, c.hours),
    checkIns: slots.map((s) => ({ at: slotInstant(s), count: Math.max(0, stored.get(s) ?? 0) })),
    ratings: ratingsOf(c.totals),
  };
}
