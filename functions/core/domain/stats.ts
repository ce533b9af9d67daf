/**
 * Dashboard counters: what one item change adds to which counter, and how counters read
 * back as series. Pure: the stream consumer and the backfill feed it plain item images;
 * the data module (data/stats.ts) turns deltas into ADD updates. docs/data-model.md says
 * why counters are kept as per-bucket deltas beside a running total.
 */
import { memberStatuses, type MemberStatus } from './roles.js';

/** A plain item image (the attributes the counters read; anything else is ignored). */
export type Img = Record<string, unknown>;
export type ItemChange = { eventName: 'INSERT' | 'MODIFY' | 'REMOVE'; old?: Img; new?: Img };

/**
 * One change to counters. `members` and `rsvps` deltas change a bucket's delta AND the
 * running total (so a day's value is the total minus what came after); the others are
 * plain per-bucket sums.
 */
export type CounterDelta =
  | { kind: 'members'; associationId: string; day: string; add: Partial<Record<MemberStatus, number>> }
  | { kind: 'dues'; associationId: string; month: string; currency: string; add: { amount?: number; refunded?: number } }
  | { kind: 'renewals'; associationId: string; day: string; add: { count: number } }
  | { kind: 'rsvps'; eventId: string; hour: string; add: { going?: number; waitlisted?: number } }
  | { kind: 'checkIns'; eventId: string; slot: string; add: { count: number } }
  | { kind: 'ratings'; eventId: string; add: Partial<Record<RatingField, number>> };

export type RatingField = 'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'met' | 'rated';

// ---- buckets (UTC; ISO strings sort as they compare, which the key ranges rely on)
export const dayOf = (iso: string) => iso.slice(0, 10);
export const monthOf = (iso: string) => iso.slice(0, 7);
/** The hour bucket an instant falls in: `2026-05-01T14`. */
export const hourOf = (iso: string) => iso.slice(0, 13);
/** The 15-minute bucket an instant falls in: `2026-05-01T14:45`. */
export function slotOf(iso: string): string {
  const minutes = Number(iso.slice(14, 16));
  return `${iso.slice(0, 14)}${String(Math.floor(minutes / 15) * 15).padStart(2, '0')}`;
}
export const hourInstant = (hour: string) => `${hour}:00:00.000Z`;
export const slotInstant = (slot: string) => `${slot}:00.000Z`;

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const isStatus = (v: unknown): v is MemberStatus => typeof v === 'string' && (memberStatuses as readonly string[]).includes(v);

/** Memberships that will renew: in good standing with a period end. */
function renewalDay(m: Img | undefined): string | undefined {
  if (!m || !(m.status === 'active' || m.status === 'past_due')) return undefined;
  const end = str(m.currentPeriodEnd);
  return end ? dayOf(end) : undefined;
}

function memberDeltas(c: ItemChange, fallbackAt: string): CounterDelta[] {
  const before = c.eventName === 'INSERT' ? undefined : c.old;
  const after = c.eventName === 'REMOVE' ? undefined : c.new;
  const associationId = str(after?.associationId) ?? str(before?.associationId);
  if (!associationId) return [];
  const out: CounterDelta[] = [];
  // The transition happened when the item was last written.
  const at = str(after?.updatedAt) ?? str(after?.joinedAt) ?? fallbackAt;
  const was = isStatus(before?.status) ? before!.status as MemberStatus : undefined;
  const is = isStatus(after?.status) ? after!.status as MemberStatus : undefined;
  if (was !== is) {
    const add: Partial<Record<MemberStatus, number>> = {};
    if (was) add[was] = -1;
    if (is) add[is] = (add[is] ?? 0) + 1;
    out.push({ kind: 'members', associationId, day: dayOf(at), add });
  }
  const oldDue = renewalDay(before);
  const newDue = renewalDay(after);
  if (oldDue !== newDue) {
    if (oldDue) out.push({ kind: 'renewals', associationId, day: oldDue, add: { count: -1 } });
    if (newDue) out.push({ kind: 'renewals', associationId, day: newDue, add: { count: 1 } });
  }
  return out;
}

function paymentDeltas(c: ItemChange): CounterDelta[] {
  // Ledger entries are written once; a rewrite (erasure's pseudonym) changes no money.
  if (c.eventName !== 'INSERT' || !c.new) return [];
  const p = c.new;
  const associationId = str(p.associationId);
  const at = str(p.paidAt) ?? str(p.createdAt);
  const currency = str(p.currency)?.toLowerCase();
  const amount = num(p.amount);
  if (!associationId || !at || !currency || !amount) return [];
  const type = p.type ?? 'payment';
  // Failures moved no money; unmatched entries are not dues (docs/dues.md).
  if (type === 'payment') return [{ kind: 'dues', associationId, month: monthOf(at), currency, add: { amount } }];
  if (type === 'refund') return [{ kind: 'dues', associationId, month: monthOf(at), currency, add: { refunded: amount } }];
  return [];
}

/** Seats an RSVP holds in a line: going and waitlisted count seats (1 + guests), like capacity. */
function seatsIn(r: Img | undefined): { going: number; waitlisted: number } {
  const seats = 1 + num(r?.guests);
  return { going: r?.status === 'going' ? seats : 0, waitlisted: r?.status === 'waitlisted' ? seats : 0 };
}

function rsvpDeltas(c: ItemChange, fallbackAt: string): CounterDelta[] {
  const before = c.eventName === 'INSERT' ? undefined : c.old;
  const after = c.eventName === 'REMOVE' ? undefined : c.new;
  const eventId = str(after?.eventId) ?? str(before?.eventId);
  if (!eventId) return [];
  const out: CounterDelta[] = [];
  const a = seatsIn(before);
  const b = seatsIn(after);
  const going = b.going - a.going;
  const waitlisted = b.waitlisted - a.waitlisted;
  if (going || waitlisted) {
    const at = str(after?.updatedAt) ?? str(after?.rsvpAt) ?? fallbackAt;
    out.push({ kind: 'rsvps', eventId, hour: hourOf(at), add: { ...(going ? { going } : {}), ...(waitlisted ? { waitlisted } : {}) } });
  }
  const wasIn = str(before?.checkedInAt);
  const isIn = str(after?.checkedInAt);
  if (wasIn !== isIn) {
    if (wasIn) out.push({ kind: 'checkIns', eventId, slot: slotOf(wasIn), add: { count: -1 } });
    if (isIn) out.push({ kind: 'checkIns', eventId, slot: slotOf(isIn), add: { count: 1 } });
  }
  return out;
}

type Feedback = { rating?: unknown; met?: unknown } | undefined;
function feedbackFields(f: Feedback): Partial<Record<RatingField, number>> {
  if (!f || typeof f !== 'object') return {};
  const out: Partial<Record<RatingField, number>> = { rated: 1 };
  const r = Math.round(num(f.rating));
  if (r >= 1 && r <= 5) out[`r${r}` as RatingField] = 1;
  if (f.met === true) out.met = 1;
  return out;
}

function matchDeltas(c: ItemChange): CounterDelta[] {
  const before = c.eventName === 'INSERT' ? undefined : c.old;
  const after = c.eventName === 'REMOVE' ? undefined : c.new;
  const eventId = str(after?.eventId) ?? str(before?.eventId);
  if (!eventId) return [];
  const add: Partial<Record<RatingField, number>> = {};
  for (const side of ['a', 'b'] as const) {
    const was = feedbackFields((before?.feedback as Record<string, Feedback> | undefined)?.[side]);
    const is = feedbackFields((after?.feedback as Record<string, Feedback> | undefined)?.[side]);
    for (const k of new Set([...Object.keys(was), ...Object.keys(is)]) as Set<RatingField>) {
      const d = (is[k] ?? 0) - (was[k] ?? 0);
      if (d) add[k] = (add[k] ?? 0) + d;
    }
  }
  for (const k of Object.keys(add) as RatingField[]) if (!add[k]) delete add[k];
  return Object.keys(add).length ? [{ kind: 'ratings', eventId, add }] : [];
}

/**
 * What one item change adds to the counters. `fallbackAt` (the stream record's time) is
 * used only when the item carries no time of its own.
 */
export function counterDeltas(c: ItemChange, fallbackAt: string): CounterDelta[] {
  const entity = str(c.new?.entity) ?? str(c.old?.entity);
  switch (entity) {
    case 'member':
      return memberDeltas(c, fallbackAt);
    case 'payment':
      return paymentDeltas(c);
    case 'rsvp':
      return rsvpDeltas(c, fallbackAt);
    case 'match':
      return matchDeltas(c);
    default:
      return [];
  }
}

// ---- counting a batch of changes

/**
 * One counter item, in domain terms: which counter and which bucket. A `members` or `rsvps`
 * delta touches two (its bucket and the running total); data/stats.ts gives each its key.
 */
export type CounterCell =
  | { kind: 'membersTotal'; associationId: string }
  | { kind: 'membersDay'; associationId: string; day: string }
  | { kind: 'dues'; associationId: string; month: string; currency: string }
  | { kind: 'renewals'; associationId: string; day: string }
  | { kind: 'eventTotals'; eventId: string }
  | { kind: 'rsvpsHour'; eventId: string; hour: string }
  | { kind: 'checkIns'; eventId: string; slot: string };
export type CellIncrement = { cell: CounterCell; add: Record<string, number> };

/** The counter items one delta adds to. */
export function cellsOf(d: CounterDelta): CellIncrement[] {
  const add = d.add as Record<string, number>;
  switch (d.kind) {
    case 'members':
      return [
        { cell: { kind: 'membersDay', associationId: d.associationId, day: d.day }, add },
        { cell: { kind: 'membersTotal', associationId: d.associationId }, add },
      ];
    case 'dues':
      return [{ cell: { kind: 'dues', associationId: d.associationId, month: d.month, currency: d.currency }, add }];
    case 'renewals':
      return [{ cell: { kind: 'renewals', associationId: d.associationId, day: d.day }, add }];
    case 'rsvps':
      return [
        { cell: { kind: 'rsvpsHour', eventId: d.eventId, hour: d.hour }, add },
        { cell: { kind: 'eventTotals', eventId: d.eventId }, add },
      ];
    case 'checkIns':
      return [{ cell: { kind: 'checkIns', eventId: d.eventId, slot: d.slot }, add }];
    case 'ratings':
      return [{ cell: { kind: 'eventTotals', eventId: d.eventId }, add }];
  }
}

/** A cell's identity (its kind and bucket fields, in a fixed order). */
export const cellId = (c: CounterCell) => [c.kind, ...Object.entries(c).filter(([k]) => k !== 'kind').sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v)].join('|');

/** Increments summed per cell, in first-seen order; fields that sum to zero, and cells left empty, dropped. */
export function sumIncrements(increments: CellIncrement[]): CellIncrement[] {
  const byCell = new Map<string, CellIncrement>();
  for (const { cell, add } of increments) {
    const id = cellId(cell);
    const into = byCell.get(id) ?? { cell, add: {} };
    for (const [f, v] of Object.entries(add)) into.add[f] = (into.add[f] ?? 0) + v;
    byCell.set(id, into);
  }
  const out: CellIncrement[] = [];
  for (const u of byCell.values()) {
    for (const f of Object.keys(u.add)) if (!u.add[f]) delete u.add[f];
    if (Object.keys(u.add).length) out.push(u);
  }
  return out;
}

/** One change to count, named by its stream record's id; `at` is the record's time. */
export type CountedChange = { id: string; change: ItemChange; at: string };
/**
 * Changes counted together, exactly once: the ids' markers and the summed increments go in
 * one transaction, so either all of them count or none does.
 */
export type CountingChunk = { ids: string[]; increments: CellIncrement[] };

/** DynamoDB's limit on the items of one transaction (markers plus counter items). */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * Folds a batch of changes, in stream order, into chunks of at most `maxItems` transaction
 * items (one marker per change, one update per counter item it touches), each counter
 * item's increments summed within a chunk. A change met twice (the same id) is counted at
 * its first place only; a change that adds nothing needs no marker and is left out.
 * Chunks are consecutive runs of the stream: a failed chunk leaves every later change
 * uncounted too, so a retry from its first change counts nothing twice.
 *
 *   foldChanges([{ id: 'e1', change: rsvpJoined, at }, { id: 'e2', change: rsvpJoined2, at }])
 *   // [{ ids: ['e1', 'e2'], increments: [{ cell: rsvpsHour…, add: { going: 2 } }, { cell: eventTotals…, add: { going: 2 } }] }]
 */
export function foldChanges(changes: CountedChange[], maxItems = MAX_TRANSACTION_ITEMS): CountingChunk[] {
  const chunks: CountingChunk[] = [];
  const seen = new Set<string>();
  let ids: string[] = [];
  let increments: CellIncrement[] = [];
  let cells = new Set<string>();
  const close = () => {
    if (ids.length) chunks.push({ ids, increments: sumIncrements(increments) });
    ids = [];
    increments = [];
    cells = new Set();
  };
  for (const { id, change, at } of changes) {
    if (seen.has(id)) continue;
    seen.add(id);
    const own = sumIncrements(counterDeltas(change, at).flatMap(cellsOf));
    if (!own.length) continue;
    const fresh = new Set(own.map((i) => cellId(i.cell)).filter((c) => !cells.has(c)));
    // Cells whose sum cancels out still count against the limit: conservative, and the limit never depends on values.
    if (ids.length && ids.length + 1 + cells.size + fresh.size > maxItems) close();
    ids.push(id);
    increments.push(...own);
    for (const c of own) cells.add(cellId(c.cell));
  }
  close();
  return chunks;
}

// ---- reading counters back as series

export type MemberCounts = Record<MemberStatus, number>;
const zeroMembers = (): MemberCounts => Object.fromEntries(memberStatuses.map((s) => [s, 0])) as MemberCounts;

/**
 * Members by status for each day from..to, from the running total (now) and the daily
 * deltas from `from` on: a day's value is the total minus the deltas of the days after it.
 * `deltas` must cover every day after `from` up to today (later days included).
 */
export function membersSeries(total: Partial<MemberCounts>, deltas: { day: string; add: Partial<MemberCounts> }[], from: string, to: string): ({ date: string } & MemberCounts)[] {
  const byDay = new Map(deltas.map((d) => [d.day, d.add]));
  const running = zeroMembers();
  for (const s of memberStatuses) running[s] = num(total[s]);
  // Undo the days after `to` first, then walk back from `to` to `from`.
  for (const d of deltas) if (d.day > to) for (const s of memberStatuses) running[s] -= num(d.add[s]);
  const out: ({ date: string } & MemberCounts)[] = [];
  for (let day = to; day >= from; day = addDays(day, -1)) {
    // Counters start from the backfill: a value below zero is a day before it, shown as none.
    out.push({ date: day, ...(Object.fromEntries(memberStatuses.map((s) => [s, Math.max(0, running[s])])) as MemberCounts) });
    const add = byDay.get(day);
    if (add) for (const s of memberStatuses) running[s] -= num(add[s]);
  }
  return out.reverse();
}

/**
 * Going and waitlisted seats after each hour that changed them, oldest first, from the
 * running totals and the newest hourly deltas (as many as were read).
 */
export function rsvpSeries(total: { going?: number; waitlisted?: number }, deltas: { hour: string; going?: number; waitlisted?: number }[]): { at: string; going: number; waitlisted: number }[] {
  let going = num(total.going);
  let waitlisted = num(total.waitlisted);
  const out: { at: string; going: number; waitlisted: number }[] = [];
  for (const d of [...deltas].sort((x, y) => (x.hour < y.hour ? 1 : -1))) {
    out.push({ at: hourInstant(d.hour), going: Math.max(0, going), waitlisted: Math.max(0, waitlisted) });
    going -= num(d.going);
    waitlisted -= num(d.waitlisted);
  }
  return out.reverse();
}

export function ratingsOf(t: Partial<Record<RatingField, number>>) {
  const n = (k: RatingField) => Math.max(0, num(t[k]));
  return { 1: n('r1'), 2: n('r2'), 3: n('r3'), 4: n('r4'), 5: n('r5'), met: n('met'), rated: n('rated') };
}
