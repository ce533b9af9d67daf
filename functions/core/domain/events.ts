/**
 * Events and RSVPs, free of I/O: who may RSVP, whether a seat is free, how answers are
 * checked, what people see. Seat counts are enforced by conditional writes in the store;
 * these rules decide what to ask the store for. Time is always a parameter.
 */
import type { FieldError } from '../errors.js';
import type { Member } from './types.js';
import { inGoodStanding, roleAtLeast } from './roles.js';

export type Question = { id: string; label: string; type: 'text' | 'single' | 'multiple'; required: boolean; options?: string[] };
export type Answers = Record<string, string | string[]>;

export interface Event {
  eventId: string;
  associationId: string;
  title: string;
  description: string;
  /** UTC instants; shown in `timezone`. */
  startsAt: string;
  endsAt: string;
  timezone: string;
  venue?: string;
  onlineUrl?: string;
  capacity: number | null;
  visibility: 'public' | 'members';
  waitlist: boolean;
  membersFirst: boolean;
  rsvpDeadline?: string;
  maxGuests: number;
  questions: Question[];
  matchmaking?: { enabled: boolean; sendAt?: string; matchesPerAttendee: number };
  status: 'scheduled' | 'cancelled';
  /** Seats taken by going attendees and their guests. */
  goingCount: number;
  /** capacity - goingCount, kept in the same writes (absent without a capacity, and on events from before it). */
  seatsLeft?: number;
  waitlistCount: number;
  attendedCount: number;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt?: string;
  /** Priority-0 entries with a ticket waiting now: everyone of priority 1 stands behind them. */
  waiting0?: number;
  /** The last waitlist ticket issued per priority (absent until the first; on events whose waitlist began before they moved here, on a WAITTICKETS item). */
  waitTicket0?: number;
  waitTicket1?: number;
  /** Tickets of each priority that left the line (promoted, withdrawn, never used): a joiner's position is its ticket minus these. */
  departed0?: number;
  departed1?: number;
  /** When someone last joined the waitlist (kept by every join): see `rsvpsCalmly`. */
  lastJoinAt?: string;
  /** When a newcomer last took seats (kept by every such write): see `rsvpsCalmly`. */
  lastSeatAt?: string;
}

export type RsvpStatus = 'going' | 'waitlisted' | 'not_going';

export interface Rsvp {
  eventId: string;
  associationId: string;
  userId: string;
  status: RsvpStatus;
  guests: number;
  answers: Answers;
  name: string;
  email: string;
  company?: string;
  jobTitle?: string;
  /** Sort key of the waitlist entry while waitlisted: priority, then arrival. */
  waitKey?: string;
  checkInCode: string;
  checkedInAt?: string | null;
  rsvpAt: string;
  updatedAt: string;
  version: number;
  /** When the last confirmation / waitlisted mail was queued: toggling back inside the window sends none. */
  mailedAt?: Partial<Record<RsvpMailKind, string>>;
  /**
   * The last mail this RSVP asked for: a write that sets a new one makes the stream consumer
   * build and queue it (services/events.ts queueRsvpMail), so the RSVP write stays small.
   */
  mail?: { kind: RsvpMailKind; mailId: string };
}

/** The mails an RSVP write asks for, built by the stream consumer (a promotion's too: its invite and QR code stay out of the request functions). */
export type RsvpMailKind = 'rsvp_confirmed' | 'rsvp_waitlisted' | 'rsvp_promoted';

export const seatsOf = (guests: number) => 1 + guests;

export function spotsLeft(e: Pick<Event, 'capacity' | 'goingCount' | 'seatsLeft'>): number | null {
  // The stored seatsLeft is what writes are checked against; older events derive it.
  return e.capacity === null ? null : Math.max(0, e.seatsLeft ?? e.capacity - e.goingCount);
}

/** May this person see the event? Public events: anyone. Members-only: members in good standing and staff. */
export function canSee(e: Event, m: Member | undefined): boolean {
  if (e.visibility === 'public') return true;
  return !!m && m.status !== 'cancelled' && (roleAtLeast(m.role, 'organizer') || inGoodStanding(m.status));
}

/** Where an event stands at `now`; the organizer's page offers what still makes sense. */
export type EventPhase = 'cancelled' | 'upcoming' | 'under way' | 'over';

export function eventPhase(e: Pick<Event, 'status' | 'startsAt' | 'endsAt'>, now: Date): EventPhase {
  if (e.status === 'cancelled') return 'cancelled';
  const t = now.toISOString();
  return t < e.startsAt ? 'upcoming' : t < e.endsAt ? 'under way' : 'over';
}

/** Why an RSVP cannot be taken now, as a field error, or null. */
export function rsvpClosed(e: Event, now: Date): { status: 409 | 422; detail: string } | null {
  if (e.status === 'cancelled') return { status: 409, detail: 'This event was cancelled.' };
  if (now.toISOString() >= e.endsAt) return { status: 422, detail: 'This event is over.' };
  if (e.rsvpDeadline && now.toISOString() > e.rsvpDeadline) return { status: 422, detail: 'Registration for this event has closed.' };
  return null;
}

/** Checks answers against the event's questions; unknown, missing or invalid ones are field errors. */
export function validateAnswers(questions: Question[], answers: Answers = {}): FieldError[] {
  const errors: FieldError[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const key of Object.keys(answers)) if (!byId.has(key)) errors.push({ path: `answers.${key}`, message: 'is not a question of this event' });
  for (const q of questions) {
    const a = answers[q.id];
    const empty = a === undefined || (typeof a === 'string' ? a.trim() === '' : a.length === 0);
    if (empty) {
      if (q.required) errors.push({ path: `answers.${q.id}`, message: 'is required' });
      continue;
    }
    if (q.type === 'text' && typeof a !== 'string') errors.push({ path: `answers.${q.id}`, message: 'must be text' });
    if (q.type === 'single' && (typeof a !== 'string' || !q.options!.includes(a))) errors.push({ path: `answers.${q.id}`, message: 'must be one of the options' });
    if (q.type === 'multiple') {
      const values = Array.isArray(a) ? a : [a];
      if (!values.every((v) => q.options!.includes(v)) || new Set(values).size !== values.length) {
        errors.push({ path: `answers.${q.id}`, message: 'must be distinct options of the question' });
      }
    }
  }
  return errors;
}

/** Members-first events put active members (priority 0) ahead of others (1). */
export function waitPriority(e: Event, member: Member | undefined): 0 | 1 {
  return e.membersFirst && member && inGoodStanding(member.status) ? 0 : 1;
}

/**
 * The waitlist's sort key: priority, then order of arrival. Arrival is the waitlist ticket
 * (`T` and ten digits, issued by the event's counter); events whose waitlist began before
 * tickets existed keep a ULID there (digits 0-7 first, so those sort ahead of any ticket).
 */
export function waitKey(e: Event, member: Member | undefined, arrival: string | number): string {
  const priority = waitPriority(e, member);
  return typeof arrival === 'number' ? ticketWaitKey(priority, arrival) : `${priority}#${arrival}`;
}

/**
 * How long after a newcomer's seats or join the event counts as busy. Far longer than a
 * transaction takes in AWS (milliseconds): a surge keeps renewing it, and a calm transaction
 * sent in a surge blocks every counter write on the event item while it is in flight, which
 * keeps the newcomer times from moving and makes the event look calm again (under load
 * DynamoDB Local takes most of a second per transaction). An event that gets a newcomer every
 * few seconds pays one request more per RSVP, never a conflict.
 */
export const BUSY_AFTER_NEWCOMER_MS = 10_000;

/**
 * Are RSVPs calm enough for a newcomer to take its seats or waitlist ticket in its RSVP
 * transaction (one read, one write)? Not within BUSY_AFTER_NEWCOMER_MS of the last newcomer's
 * seats or join: in a surge those transactions meet each other on the event item and cancel,
 * so a newcomer takes the counters with one single-item write first (docs/events.md, "The hot item").
 */
export function rsvpsCalmly(e: Pick<Event, 'lastJoinAt' | 'lastSeatAt'>, now: Date): boolean {
  const quiet = (at: string | undefined) => !at || now.getTime() - Date.parse(at) >= BUSY_AFTER_NEWCOMER_MS;
  return quiet(e.lastJoinAt) && quiet(e.lastSeatAt);
}

/** The event's counters as its RSVP items have them (reconcileCounters). */
export interface RsvpTotals {
  goingCount: number;
  waitlistCount: number;
  waiting0: number;
}

export function rsvpTotals(rsvps: Pick<Rsvp, 'status' | 'guests' | 'waitKey'>[]): RsvpTotals {
  const t: RsvpTotals = { goingCount: 0, waitlistCount: 0, waiting0: 0 };
  for (const r of rsvps) {
    if (r.status === 'going') t.goingCount += seatsOf(r.guests);
    if (r.status !== 'waitlisted') continue;
    t.waitlistCount++;
    const k = r.waitKey ? parseWaitKey(r.waitKey) : undefined;
    if (k?.priority === 0 && k.ticket !== undefined) t.waiting0++;
  }
  return t;
}

/** How long an event's counters and RSVPs must be untouched before they are recounted: well past any function's time limit. */
export const RECOUNT_QUIET_MS = 15 * 60_000;

/**
 * May the counters be recounted now? Only when no write can be half-way: seats and places are
 * taken before the RSVP is written and freed after (docs/events.md, "The hot item"), so while a
 * request may be between its two writes the counters are legitimately ahead of the items.
 */
export function quietForRecount(e: Pick<Event, 'lastJoinAt' | 'lastSeatAt'>, lastRsvpChange: string | undefined, now: Date): boolean {
  return [e.lastJoinAt, e.lastSeatAt, lastRsvpChange].every((at) => !at || now.getTime() - Date.parse(at) >= RECOUNT_QUIET_MS);
}

export const ticketWaitKey = (priority: number, ticket: number) => `${priority}#T${String(ticket).padStart(10, '0')}`;

/** The priority and ticket of a wait key; no ticket for a key from before tickets. */
export function parseWaitKey(key: string): { priority: number; ticket?: number } {
  const m = /^(\d)#T(\d{10})$/.exec(key);
  return m ? { priority: Number(m[1]), ticket: Number(m[2]) } : { priority: Number(key.slice(0, 1)) };
}

/** Tickets per departure counter: a position reads one counter per block ahead, and at most one block of departures. */
export const TICKET_BLOCK = 100;

/**
 * 1-based position of ticket `t`: tickets before it that have not left, plus one, after every
 * waiting entry of a higher priority. Pure arithmetic over counters the store keeps.
 */
export function ticketPosition(t: number, departedBefore: number, aheadOfPriority: number): number {
  return aheadOfPriority + t - departedBefore;
}

/** Repeating an RSVP state inside this window sends no second mail about it. */
export const RSVP_MAIL_WINDOW_MS = 10 * 60_000;

/**
 * The id of an RSVP confirmation or waitlisted mail: the same for the same event, person,
 * state and window, so toggling back and forth queues one mail per state per window.
 */
export function rsvpMailId(kind: RsvpMailKind, eventId: string, userId: string, now: Date): string {
  return `${kind}.${eventId}.${userId}.${Math.floor(now.getTime() / RSVP_MAIL_WINDOW_MS)}`;
}

/**
 * Is a mail of this kind due? Not within the window after the last one (a cooldown from that
 * mail, so toggling across a window boundary does not send a second one either).
 */
export function rsvpMailDue(r: Pick<Rsvp, 'mailedAt'> | undefined, kind: RsvpMailKind, now: Date): boolean {
  const last = r?.mailedAt?.[kind];
  return !last || now.getTime() - Date.parse(last) >= RSVP_MAIL_WINDOW_MS;
}

/** What changed that attendees must hear about (time or place). */
export function materialChange(before: Event, after: Event): string[] {
  const changed: string[] = [];
  if (before.startsAt !== after.startsAt || before.endsAt !== after.endsAt || before.timezone !== after.timezone) changed.push('time');
  if ((before.venue ?? '') !== (after.venue ?? '') || (before.onlineUrl ?? '') !== (after.onlineUrl ?? '')) changed.push('place');
  return changed;
}

/** When the 24-hour reminder goes out; null if that moment has passed. */
export function reminderAt(e: Pick<Event, 'startsAt'>, now: Date): string | null {
  const at = new Date(Date.parse(e.startsAt) - 24 * 3_600_000);
  return at > now ? at.toISOString() : null;
}

/** The event as the API shows it, with exact counts. */
export function eventView(e: Event) {
  return {
    eventId: e.eventId,
    associationId: e.associationId,
    title: e.title,
    description: e.description,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    timezone: e.timezone,
    venue: e.venue ?? null,
    onlineUrl: e.onlineUrl ?? null,
    capacity: e.capacity,
    visibility: e.visibility,
    waitlist: e.waitlist,
    membersFirst: e.membersFirst,
    rsvpDeadline: e.rsvpDeadline ?? null,
    maxGuests: e.maxGuests,
    questions: e.questions,
    matchmaking: e.matchmaking ?? { enabled: false, matchesPerAttendee: 3 },
    status: e.status,
    goingCount: e.goingCount,
    waitlistCount: e.waitlistCount,
    attendedCount: e.attendedCount,
    spotsLeft: spotsLeft(e),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
