/**
 * Events and RSVPs. Seats are taken in the same transaction as the RSVP (store.saveRsvp),
 * so capacity holds under any concurrency; a lost race is retried with a fresh read.
 * Mail goes through the outbox: written with the change, sent by the stream consumer.
 */
import { randomInt } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { ConditionFailed, type Broadcast, type RsvpChange, type Store, type TicketClaim } from '../data/store.js';
import type { CounterTake } from '../data/units.js';
import type { RsvpReadAhead } from '../data/rsvps.js';
import type { DeferredLimits } from '../http/rate-limit.js';
import type { Association, Member } from '../domain/types.js';
import {
  canSee,
  eventView,
  materialChange,
  reminderAt,
  rsvpClosed,
  seatsOf,
  spotsLeft,
  validateAnswers,
  waitKey,
  waitPriority,
  ticketWaitKey,
  ticketPosition,
  rsvpsCalmly,
  rsvpTotals,
  quietForRecount,
  rsvpMailId,
  rsvpMailDue,
  type RsvpMailKind,
  type Event,
  type Rsvp,
} from '../domain/events.js';
import {
  eventCancelledMail,
  eventChangedMail,
  eventReminderMail,
  promotedMail,
  rsvpConfirmedMail,
  waitlistedMail,
  type EventFacts,
} from '../domain/emails.js';
import type { EventCreate, EventPatch, RsvpPut } from '../schemas.js';
import { HttpProblem, conflict, notFound, unavailable, unprocessable, StoreBusy, RateWindowFull } from '../errors.js';
import { newMail } from './mail-item.js';
import { CHECK_IN_QR_CID, checkInQrAttachment } from './check-in-qr.js';
import { signLink } from '../http/links.js';
import type { Scheduler } from '../scheduling.js';
import type { Caller } from '../http/access.js';
import { logger } from '../http/logger.js';
import { config } from '../config.js';
import type { AssociationsRepo, EventsRepo, ExportsRepo, MatchesRepo, MembersRepo, OutboxRepo, PlansRepo, ProfilesRepo, RsvpsRepo, UnitsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type EventsStore = AssociationsRepo & EventsRepo & ExportsRepo & MatchesRepo & MembersRepo & OutboxRepo & PlansRepo & ProfilesRepo & RsvpsRepo & UnitsRepo & Pick<Store, 'batchPut' | 'waitlist' | 'noteFollowUp' | 'networkPage'>;

const nextUlid = monotonicFactory();

export interface EventsDeps {
  store: EventsStore;
  appUrl: string;
  /** Where API links point (unsubscribe, leave the waitlist, calendar). */
  apiUrl: string;
}

/**
 * Creating, moving or cancelling an event also keeps its schedules in step: only the
 * functions that do so are handed a scheduler (and bundle its client).
 */
export interface SchedulingDeps extends EventsDeps {
  scheduler: Scheduler;
}

const reminderName = (eventId: string) => `event-reminder-${eventId}`;
const eventUrl = (deps: EventsDeps, e: Event) => `${deps.appUrl}/e/${e.eventId}`;

function facts(deps: EventsDeps, e: Event, association: Pick<Association, 'name'>, attendeeName: string): EventFacts {
  return {
    associationName: association.name,
    attendeeName,
    title: e.title,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    timezone: e.timezone,
    where: e.venue ?? e.onlineUrl ?? 'to be announced',
    eventUrl: eventUrl(deps, e),
  };
}

/**
 * The calendar module, loaded on first use: `ics` (CommonJS, with yup) is then bundled only by
 * the functions that build a calendar file, not by every one that imports this module (the
 * check-in QR code is loaded the same way, check-in-qr.ts).
 */
const calendar = () => import('../domain/calendar.js');

const icsAttachment = async (e: Event, organizerName: string, url: string) => {
  const { eventIcs } = await calendar();
  return [{ filename: 'event.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', contentBase64: Buffer.from(eventIcs(e, { organizerName, organizerEmail: config.mailFrom, url })).toString('base64') }];
};

/** Retries a write that lost a race (condition or transaction conflict), with jittered backoff. */
async function withRetries<T>(fn: (attempt: number) => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const busy = err instanceof Error && (err instanceof StoreBusy || err instanceof LostRace);
      if (!busy) throw err;
      if (attempt >= attempts) throw unavailable('Too many people are registering at once; retry in a moment.', err);
      await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** attempt) * Math.random()));
    }
  }
}

/** An RSVP write lost a race with another; read again and retry. */
class LostRace extends Error {
  constructor() {
    super('lost a race; read again');
    this.name = 'LostRace';
  }
}
const retry = () => new LostRace();

// ------------------------------------------------------------------ events

export async function createEvent(deps: SchedulingDeps, association: Association, caller: Caller, input: EventCreate, now: Date) {
  const at = now.toISOString();
  const e: Event = {
    eventId: nextUlid(now.getTime()),
    associationId: association.associationId,
    title: input.title,
    description: input.description,
    startsAt: new Date(input.startsAt).toISOString(),
    endsAt: new Date(input.endsAt).toISOString(),
    timezone: input.timezone,
    venue: input.venue,
    onlineUrl: input.onlineUrl,
    capacity: input.capacity ?? null,
    visibility: input.visibility,
    waitlist: input.waitlist,
    membersFirst: input.membersFirst,
    rsvpDeadline: input.rsvpDeadline ? new Date(input.rsvpDeadline).toISOString() : undefined,
    maxGuests: input.maxGuests,
    questions: input.questions,
    matchmaking: input.matchmaking,
    status: 'scheduled',
    goingCount: 0,
    seatsLeft: input.capacity ?? undefined,
    waitlistCount: 0,
    attendedCount: 0,
    waiting0: 0,
    version: 1,
    createdBy: caller.userId,
    createdAt: at,
    updatedAt: at,
  };
  if (Date.parse(e.startsAt) < now.getTime()) throw unprocessable('An event cannot start in the past.', [{ path: 'startsAt', message: 'is in the past' }]);
  await deps.store.createEvent(e);
  await keepSchedulesInStep(deps, e, now);
  return eventView(e);
}

/**
 * The reminder fires 24 h before the start, matchmaking at `matchmaking.sendAt` (default
 * the same time); moving the event moves both, cancelling removes them.
 */
async function keepSchedulesInStep(deps: SchedulingDeps, e: Event, now: Date) {
  const at = e.status === 'scheduled' ? reminderAt(e, now) : null;
  const mm = e.matchmaking;
  const matchAt = e.status === 'scheduled' && mm?.enabled ? (mm.sendAt ? new Date(mm.sendAt).toISOString() : reminderAt(e, now)) : null;
  try {
    if (at) await deps.scheduler.upsert(reminderName(e.eventId), at, { kind: 'event_reminder', eventId: e.eventId, startsAt: e.startsAt });
    else await deps.scheduler.remove(reminderName(e.eventId));
    if (matchAt && matchAt > now.toISOString()) await deps.scheduler.upsert(`event-matchmaking-${e.eventId}`, matchAt, { kind: 'event_matchmaking', eventId: e.eventId, startsAt: e.startsAt });
    else await deps.scheduler.remove(`event-matchmaking-${e.eventId}`);
  } catch (err) {
    // The event is saved; a schedule that failed is re-made by the next change. Logged for the operator.
    logger.error('could not update the event reminder schedule', { eventId: e.eventId, errorName: (err as Error).name });
  }
}

export async function listEvents(store: EventsStore, association: Association, membership: Member | undefined, q: { from?: string; past?: string }, limit: number, startKey: Record<string, unknown> | undefined, now: Date) {
  const past = q.past === 'true';
  const from = q.from ? new Date(q.from).toISOString() : now.toISOString();
  const includeMembersOnly = canSee({ visibility: 'members' } as Event, membership);
  const page = await store.eventsOfAssociation(association.associationId, { from, past, includeMembersOnly }, { limit, startKey });
  return { items: page.items.map(eventView), lastKey: page.lastKey };
}

export async function patchEvent(deps: SchedulingDeps, association: Association, event: Event, caller: Caller, patch: EventPatch, now: Date) {
  if (event.status === 'cancelled') throw conflict('This event was cancelled and cannot be changed.');
  const fields: Partial<Event> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    (fields as Record<string, unknown>)[k] = ['startsAt', 'endsAt', 'rsvpDeadline'].includes(k) ? new Date(v as string).toISOString() : v;
  }
  // An explicit matchmaking time moves with the event, unless the patch sets a new one.
  if (fields.startsAt && event.matchmaking?.sendAt && !patch.matchmaking) {
    const shift = Date.parse(fields.startsAt) - Date.parse(event.startsAt);
    fields.matchmaking = { ...event.matchmaking, sendAt: new Date(Date.parse(event.matchmaking.sendAt) + shift).toISOString() };
  }
  const after = { ...event, ...fields } as Event;
  if (Date.parse(after.endsAt) <= Date.parse(after.startsAt)) throw unprocessable('The event must end after it starts.', [{ path: 'endsAt', message: 'must be after startsAt' }]);
  if (!after.venue && !after.onlineUrl) throw unprocessable('Give a venue or an online URL.', [{ path: 'venue', message: 'give a venue or an onlineUrl' }]);
  if (after.capacity !== null && after.capacity < event.goingCount) {
    throw unprocessable(`The capacity cannot go below the ${event.goingCount} seats already taken.`, [{ path: 'capacity', message: `must be at least ${event.goingCount}` }]);
  }
  const changed = materialChange(event, after);
  const broadcast: Broadcast | undefined = changed.length
    ? { broadcastId: `${event.eventId}.changed.${event.version + 1}`, eventId: event.eventId, kind: 'event_changed', audience: ['going', 'waitlisted'], createdAt: now.toISOString(), data: { changed } }
    : undefined;
  try {
    await deps.store.updateEvent(event, fields, caller.userId, now.toISOString(), { broadcast });
  } catch (err) {
    if (!(err instanceof ConditionFailed)) throw err;
    const fresh = (await deps.store.getEvent(event.eventId, true))!;
    if (fresh.status === 'cancelled') throw conflict('This event was cancelled and cannot be changed.');
    if (after.capacity !== null && after.capacity < fresh.goingCount) {
      throw unprocessable(`The capacity cannot go below the ${fresh.goingCount} seats already taken.`, [{ path: 'capacity', message: `must be at least ${fresh.goingCount}` }]);
    }
    throw conflict('The event changed meanwhile; reload and retry.');
  }
  const saved = (await deps.store.getEvent(event.eventId, true))!;
  if (fields.startsAt || fields.matchmaking) await keepSchedulesInStep(deps, saved, now);
  // More seats: the waitlist moves up at once.
  if (saved.waitlistCount > 0 && (saved.capacity === null || saved.capacity > event.capacity!)) await promoteWaitlisted(deps, saved.eventId, now);
  return eventView((await deps.store.getEvent(event.eventId, true))!);
}

export async function cancelEvent(deps: SchedulingDeps, event: Event, caller: Caller, now: Date) {
  if (event.status === 'cancelled') throw conflict('This event is already cancelled.');
  const broadcast: Broadcast = { broadcastId: `${event.eventId}.cancelled`, eventId: event.eventId, kind: 'event_cancelled', audience: ['going', 'waitlisted'], createdAt: now.toISOString() };
  try {
    await deps.store.updateEvent(event, { status: 'cancelled', cancelledAt: now.toISOString() }, caller.userId, now.toISOString(), { broadcast });
  } catch (err) {
    if (err instanceof ConditionFailed) throw conflict('The event changed meanwhile; reload and retry.');
    throw err;
  }
  const saved = (await deps.store.getEvent(event.eventId, true))!;
  await keepSchedulesInStep(deps, saved, now);
  return eventView(saved);
}

// ------------------------------------------------------------------ RSVPs

export interface RsvpResult {
  status: 'going' | 'waitlisted' | 'not_going';
  waitlistPosition?: number;
  guests?: number;
  checkInCode?: string;
}

const newCode = () => Array.from({ length: 8 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[randomInt(32)]).join('');

/** What the router read ahead for PUT /events/{eventId}/rsvp, and the rate limits the RSVP's own write counts. */
export interface RsvpOptions {
  readAhead?: RsvpReadAhead;
  rate?: DeferredLimits;
}

/**
 * RSVP going or not going. Going takes seats if they are free, else joins the waitlist
 * (if the event has one), else 409. Repeating the same request changes nothing. A newcomer
 * costs one read (what the router read ahead) and one transaction of small items: the
 * mail is built by the stream consumer from the RSVP (queueRsvpMail), the rate limit is
 * counted in the transaction, and a waitlist ticket is taken in it too.
 */
export async function rsvp(
  deps: EventsDeps,
  eventId: string,
  caller: Caller,
  member: Member | undefined,
  input: RsvpPut,
  now: Date,
  opts: RsvpOptions = {},
): Promise<RsvpResult> {
  if (input.status === 'not_going') {
    await opts.rate?.charge();
    return withdraw(deps, eventId, caller, now);
  }
  // A waitlist ticket taken by one attempt is kept by the next (it marks this arrival); one
  // left unused when the request ends is recorded as gone so positions behind it stay exact.
  let ticket: { priority: number; n: number; used: boolean } | undefined;
  let unrefused: RsvpReadAhead | undefined;
  // The last read, and the event as a refused take found it: the next attempt decides on that instead of reading again.
  let lastRead: RsvpReadAhead | undefined;
  let refusedBy: Event | undefined;
  try {
    return await takeOrWait();
  } finally {
    if (ticket && !ticket.used) await voidTicket(deps, eventId, ticket.priority, ticket.n);
  }

  function takeOrWait() {
    return withRetries(async (attempt) => {
      const rateKeys = opts.rate?.windows.map((w) => w.key) ?? [];
      // A calm transaction that only met another changed nothing and refused nothing: its read still serves.
      const ra =
        unrefused ??
        (refusedBy && lastRead ? { ...lastRead, event: refusedBy } : undefined) ??
        (attempt === 0 && opts.readAhead ? opts.readAhead : await deps.store.rsvpReadAhead(eventId, caller.userId, rateKeys, attempt > 0));
      unrefused = undefined;
      refusedBy = undefined;
      lastRead = ra;
      if (!ra.event) throw notFound('No such event.');
      const event = ra.event;
      if (opts.rate && ra.rateCounts.some((n, i) => n >= opts.rate!.windows[i]!.limit)) throw opts.rate.refused();
      const closed = rsvpClosed(event, now);
      if (closed) throw new HttpProblem(closed.status, closed.status === 409 ? 'Conflict' : 'Unprocessable Content', closed.detail);
      const before = ra.rsvp;
      const guests = input.guests ?? (before?.status !== 'not_going' ? before?.guests : 0) ?? 0;
      if (guests > event.maxGuests) {
        throw unprocessable(event.maxGuests ? `At most ${event.maxGuests} guests per attendee.` : 'This event does not take guests.', [{ path: 'guests', message: `must be at most ${event.maxGuests}` }]);
      }
      if (event.capacity !== null && seatsOf(guests) > event.capacity) {
        // Such a party could never be seated and would block the waitlist behind it.
        throw unprocessable(`This event has ${event.capacity} seats in all.`, [{ path: 'guests', message: `a party of ${seatsOf(guests)} exceeds the capacity` }]);
      }
      const answers = input.answers ?? before?.answers ?? {};
      const answerErrors = validateAnswers(event.questions, answers);
      if (answerErrors.length) throw unprocessable('Some answers are not valid.', answerErrors);

      const at = now.toISOString();
      const profile = before ? undefined : ra.profile;
      const base: Rsvp = before
        ? { ...before, guests, answers, updatedAt: at }
        : {
            eventId,
            associationId: event.associationId,
            userId: caller.userId,
            status: 'not_going',
            guests,
            answers,
            name: profile?.name ?? member?.name ?? caller.name ?? caller.email.split('@')[0]!,
            email: caller.email,
            company: profile?.company,
            jobTitle: profile?.jobTitle,
            checkInCode: newCode(),
            checkedInAt: null,
            rsvpAt: at,
            updatedAt: at,
            version: 0,
          };

      // Already going or waiting: only guests and answers may change.
      if (before?.status === 'going' || before?.status === 'waitlisted') {
        const after: Rsvp = { ...base, status: before.status };
        if (before.status === 'going' && guests > before.guests && event.capacity !== null && spotsLeft(event)! < guests - before.guests) {
          throw conflict(`Only ${spotsLeft(event)} more spots are free.`, [{ path: 'guests', message: 'not enough free spots' }]);
        }
        // Free seats belong to the people waiting (the store refuses this write, so a retry would only end in 503).
        if (before.status === 'going' && guests > before.guests && event.capacity !== null && event.waitlistCount > 0) {
          throw conflict('People are waiting for seats: no more guests can be added now.', [{ path: 'guests', message: `the waitlist comes first; at most ${before.guests} now` }]);
        }
        await save(deps, { event, before, after, rate: opts.rate?.windows }, opts);
        // Fewer guests free seats: they go to the waitlist now, like a cancellation's.
        if (before.status === 'going' && guests < before.guests && event.waitlistCount > 0) await promoteWaitlisted(deps, eventId, now);
        return result(deps, after);
      }

      const seats = seatsOf(guests);
      // A calm event takes the newcomer in one transaction with its counters, sent once: if it
      // meets another, the retry goes the surge way (counters first, then the RSVP).
      const surge = attempt > 0 || !rsvpsCalmly(event, now);
      // While anyone waits, newcomers wait too: freed seats belong to the waitlist.
      const fits = event.capacity === null || (event.goingCount + seats <= event.capacity && event.waitlistCount === 0);
      if (fits) {
        const after: Rsvp = { ...base, status: 'going', waitKey: undefined, rsvpAt: before ? at : base.rsvpAt };
        askForMail(before, after, 'rsvp_confirmed', eventId, caller.userId, now);
        // An event from before seatsLeft gets it derived by its next transaction.
        if (surge && (event.capacity === null || event.seatsLeft !== undefined)) {
          const take: CounterTake = { eventId, seats, limited: event.capacity !== null, at };
          await takeThenSave(take, { event, before, after, rate: opts.rate?.windows });
        } else {
          try {
            await save(deps, { event, before, after, rate: opts.rate?.windows, seatedAt: at, once: true }, opts);
          } catch (err) {
            if (err instanceof StoreBusy) unrefused = ra;
            throw err;
          }
        }
        return result(deps, after);
      }
      if (!event.waitlist) throw conflict('This event is full.', [{ path: 'status', message: 'no spots left and no waitlist' }]);
      const priority = waitPriority(event, member);
      if (ticket && ticket.priority !== priority) {
        await voidTicket(deps, eventId, ticket.priority, ticket.n); // standing changed between attempts
        ticket = undefined;
      }
      const ticketsHere = !ra.separateTickets && (event.waitTicket0 !== undefined || event.waitTicket1 !== undefined);
      // A waitlist from before tickets keeps arrival ULIDs until it empties.
      const beforeTickets = !ra.separateTickets && !ticketsHere && event.waitlistCount > 0;
      if (surge && !ra.separateTickets && !beforeTickets && !ticket && event.seatsLeft !== undefined) {
        // The surge path: the ticket and the waitlist counts with one single-item write, then the entry.
        const take: CounterTake = { eventId, line: { priority, party: seats }, at };
        const taken = await takeCounters(take);
        const n = (priority === 0 ? taken.waitTicket0 : taken.waitTicket1)!;
        const after: Rsvp = { ...base, status: 'waitlisted', waitKey: ticketWaitKey(priority, n), rsvpAt: before ? at : base.rsvpAt };
        askForMail(before, after, 'rsvp_waitlisted', eventId, caller.userId, now);
        await saveTaken(take, { event, before, after, rate: opts.rate?.windows }, n);
        // The counters as the ticket was taken: everyone ahead of it then, minus nobody.
        return { status: 'waitlisted' as const, waitlistPosition: ticketPosition(n, (priority === 0 ? taken.departed0 : taken.departed1) ?? 0, priority === 1 ? (taken.waiting0 ?? 0) : 0), guests: after.guests };
      }
      let claim: TicketClaim | undefined;
      if (!ticket && !beforeTickets) {
        // Only a first attempt on a calm waitlist takes its ticket in the transaction: one that
        // already lost a race, or that joins in a surge, would mostly lose it to another joiner.
        if (!ra.separateTickets && !surge) {
          claim = { priority, ticket: ((priority === 0 ? event.waitTicket0 : event.waitTicket1) ?? 0) + 1, departed: (priority === 0 ? event.departed0 : event.departed1) ?? 0, waiting0: event.waiting0 ?? 0 };
        } else {
          const n = await deps.store.waitlist.takeTicket(eventId, priority, ra.separateTickets);
          if (n !== undefined) ticket = { priority, n, used: false };
        }
      }
      const arrival = claim ? claim.ticket : ticket ? ticket.n : nextUlid(now.getTime());
      const key = waitKey(event, member, arrival);
      const after: Rsvp = { ...base, status: 'waitlisted', waitKey: key, rsvpAt: before ? at : base.rsvpAt };
      askForMail(before, after, 'rsvp_waitlisted', eventId, caller.userId, now);
      await save(deps, { event, before, after, claim, rate: opts.rate?.windows, joinedAt: at, once: !!claim }, opts);
      if (ticket) ticket.used = true;
      // A ticket taken in the write: its position follows from the counters it was conditional on.
      if (claim) return { status: 'waitlisted' as const, waitlistPosition: ticketPosition(claim.ticket, claim.departed, priority === 1 ? claim.waiting0 : 0), guests: after.guests };
      return result(deps, after);
    });
  }

  /** The surge path's first write; the event no longer as read (full, freed, cancelled) means read again. */
  async function takeCounters(take: CounterTake) {
    try {
      return await deps.store.takeCounters(take);
    } catch (err) {
      if (err instanceof ConditionFailed) {
        // Only the event changed (its counters are all the take was conditional on); the rest of the read still holds.
        refusedBy = err.current as Event | undefined;
        throw retry();
      }
      throw err;
    }
  }

  /** Seats taken, then the RSVP and its code in one transaction without the event item. */
  async function takeThenSave(take: CounterTake, change: RsvpChange) {
    await takeCounters(take);
    await saveTaken(take, change);
  }

  /**
   * The RSVP's transaction after its counters were taken; if it fails, what was taken is given
   * back first (seats freed that way go to anyone who joined the waitlist meanwhile). A crash
   * in between leaves seats counted for nobody, never an overbooking (docs/events.md).
   */
  async function saveTaken(take: CounterTake, change: RsvpChange, ticketN?: number) {
    try {
      await save(deps, { ...change, countersTaken: true }, opts);
    } catch (err) {
      try {
        const { waitlistCount } = await deps.store.returnCounters(take, ticketN);
        if (waitlistCount > 0) await promoteWaitlisted(deps, eventId, now, (take as { seats: number }).seats);
      } catch (giveBackErr) {
        logger.error('could not give back the counters of a failed RSVP write', { eventId, errorName: (giveBackErr as Error).name });
      }
      throw err;
    }
  }
}


/**
 * Asks for the mail of this RSVP state, unless one of its kind went out within the window
 * (the person toggled back): recorded on `after` (saved in the same transaction), built and
 * queued by the stream consumer (queueRsvpMail). The mail id is deterministic per window, so
 * two writes asking for the same mail queue it once.
 */
function askForMail(before: Rsvp | undefined, after: Rsvp, kind: RsvpMailKind, eventId: string, userId: string, now: Date) {
  if (!rsvpMailDue(before, kind, now)) return;
  after.mailedAt = { ...before?.mailedAt, [kind]: now.toISOString() };
  after.mail = { kind, mailId: rsvpMailId(kind, eventId, userId, now) };
}

/** The event and its association, for the mail of its RSVPs. */
export type MailLookup = (eventId: string) => Promise<{ event?: Event; association?: Association }>;

/**
 * Reads each event (and its association) once per lookup: the stream consumer makes one per
 * batch, whose records are often many RSVPs to one event (a surge).
 */
export function mailLookup(deps: EventsDeps): MailLookup {
  const seen = new Map<string, Promise<{ event?: Event; association?: Association }>>();
  return (eventId) => {
    let found = seen.get(eventId);
    if (!found) {
      found = (async () => {
        const event = await deps.store.getEvent(eventId);
        return { event, association: event && (await deps.store.getAssociation(event.associationId)) };
      })();
      seen.set(eventId, found);
    }
    return found;
  };
}

/**
 * Builds and queues the mail an RSVP write asked for (Rsvp.mail), from the stream consumer:
 * the confirmation with its .ics invite and check-in QR code, or the waitlisted mail whose
 * position is filled in when it is sent. Idempotent: the outbox item's id is the mail's.
 */
export async function queueRsvpMail(deps: EventsDeps, r: Rsvp, now: Date, lookup: MailLookup = mailLookup(deps)): Promise<boolean> {
  if (!r.mail) return false;
  const { event, association } = await lookup(r.eventId);
  if (!event || !association) return false;
  const f = facts(deps, event, association, r.name);
  const common = { to: r.email, fromName: association.name, kind: r.mail.kind, associationId: association.associationId, mailId: r.mail.mailId };
  const mail =
    r.mail.kind === 'rsvp_confirmed' || r.mail.kind === 'rsvp_promoted'
      ? newMail(
          {
            ...common,
            mail:
              r.mail.kind === 'rsvp_confirmed'
                ? rsvpConfirmedMail({ ...f, guests: r.guests, checkInCode: r.checkInCode, qrCid: CHECK_IN_QR_CID })
                : promotedMail({ ...f, checkInCode: r.checkInCode, qrCid: CHECK_IN_QR_CID }),
            attachments: [...(await icsAttachment(event, association.name, f.eventUrl)), await checkInQrAttachment(r.checkInCode)],
          },
          now,
        )
      : newMail(
          {
            ...common,
            mail: waitlistedMail({
              ...f,
              position: '{{position}}' as unknown as number,
              leaveUrl: `${deps.apiUrl}/events/${r.eventId}/waitlist/leave?token=${await signLink('leave-waitlist', { eventId: r.eventId, userId: r.userId }, now)}`,
            }),
            fill: { position: { eventId: r.eventId, waitKey: r.waitKey! } },
          },
          now,
        );
  return deps.store.enqueueMailOnce(mail);
}

async function voidTicket(deps: EventsDeps, eventId: string, priority: number, n: number) {
  try {
    await deps.store.waitlist.voidTicket(eventId, priority, n, ticketWaitKey(priority, n));
  } catch (err) {
    // Positions behind this ticket read one too high until it is recorded; logged for the operator.
    logger.error('could not record an unused waitlist ticket', { eventId, priority, ticket: n, errorName: (err as Error).name });
  }
}

async function save(deps: EventsDeps, change: RsvpChange, opts: RsvpOptions = {}) {
  try {
    await deps.store.saveRsvp(change);
    if (change.rate?.length) opts.rate!.counted = true;
  } catch (err) {
    if (err instanceof RateWindowFull) throw opts.rate!.refused();
    // Seats went, seats freed, or the RSVP changed: read everything again.
    if (err instanceof ConditionFailed) throw retry();
    throw err;
  }
}

async function result(deps: EventsDeps, r: Rsvp): Promise<RsvpResult> {
  if (r.status === 'waitlisted') return { status: 'waitlisted', waitlistPosition: await deps.store.waitlistPosition(r.eventId, r.waitKey!), guests: r.guests };
  if (r.status === 'going') return { status: 'going', guests: r.guests, checkInCode: r.checkInCode };
  return { status: 'not_going' };
}

/** Cancels an RSVP (going or waitlisted); freed seats go to the waitlist at once. */
export async function withdraw(deps: EventsDeps, eventId: string, caller: Caller, now: Date): Promise<RsvpResult> {
  const freed = await withRetries(async () => {
    const event = (await deps.store.getEvent(eventId, true))!;
    const before = await deps.store.getRsvp(eventId, caller.userId);
    if (!before) throw notFound('You have no RSVP for this event.');
    if (before.status === 'not_going') return 0;
    const after: Rsvp = { ...before, status: 'not_going', waitKey: undefined, updatedAt: now.toISOString() };
    // Counters outside the transaction: concurrent cancellations would meet on the event item.
    // Sent once: the same person's cancellations at once (an erasure, a double click) meet on the
    // RSVP, and the next round reads it again, finding it cancelled (withRetries).
    await save(deps, { event, before, after, split: true, once: true });
    return before.status === 'going' ? seatsOf(before.guests) : 0;
  });
  // Hand over at most the seats this cancellation freed, so concurrent cancellations do not all
  // fight over the same waitlist head; anything left is promoted by the stream consumer.
  if (freed) await promoteWaitlisted(deps, eventId, now, freed);
  return { status: 'not_going' };
}

/**
 * Gives free seats to the waitlist, earliest first, each promotion one transaction.
 * Stops at the first party that does not fit, so nobody is overtaken. Safe to run
 * concurrently and repeatedly (the stream consumer runs it too).
 */
export async function promoteWaitlisted(deps: EventsDeps, eventId: string, now: Date, maxPromotions = Infinity): Promise<number> {
  let promoted = 0;
  for (let guard = 0; guard < 10_000 && promoted < maxPromotions; guard++) {
    const event = (await deps.store.getEvent(eventId, true))!;
    if (event.status !== 'scheduled' || event.waitlistCount === 0) break;
    const free = spotsLeft(event);
    if (free === 0) break;
    // Everyone in the run of the line that fits the free seats is seated now, so which of them
    // this promoter takes does not matter: concurrent promoters (cancellations at once, the
    // stream consumer) spread over that run instead of all racing for its first entry.
    const heads = await deps.store.waitlistHead(eventId, free === null ? 1 : Math.min(free, 25));
    let fitting = 0;
    for (let seats = 0; fitting < heads.length && (free === null || seats + heads[fitting]!.seats <= free); fitting++) seats += heads[fitting]!.seats;
    if (!fitting) break; // the head does not fit (or nobody waits): nobody behind it overtakes it
    const head = heads[fitting === 1 ? 0 : randomInt(fitting)]!;
    const before = await deps.store.getRsvp(eventId, head.userId);
    if (!before || before.status !== 'waitlisted' || before.waitKey !== head.waitKey) {
      await new Promise((r) => setTimeout(r, 5));
      continue; // a concurrent promoter or a cancellation is mid-way
    }
    if (free !== null && seatsOf(before.guests) > free) break;
    // The mail (with its invite and QR code) is asked for on the RSVP and built by the stream
    // consumer (queueRsvpMail), so the functions that cancel and promote carry neither library.
    const after: Rsvp = { ...before, status: 'going', waitKey: undefined, updatedAt: now.toISOString(), mail: { kind: 'rsvp_promoted', mailId: `promoted.${eventId}.${before.userId}.${before.version}` } };
    try {
      // Stamped like a newcomer's seats: a recount waits until no promotion can be half-way.
      await deps.store.saveRsvp({ event, before, after, outbox: [], split: true, seatedAt: now.toISOString() });
      promoted++;
    } catch (err) {
      if (err instanceof ConditionFailed || err instanceof StoreBusy) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
        continue;
      }
      throw err;
    }
  }
  return promoted;
}

/**
 * Recounts an event's seats and waitlist from its RSVPs and corrects the counters if they
 * drifted: a function that died between taking the counters and writing the RSVP (or between
 * writing a cancellation and freeing its seats) leaves them too high, never too low (docs/events.md,
 * "The hot item"). Only on a quiet event: while a request may be half-way the counters are rightly
 * ahead of the RSVPs. The correction is conditional on nothing having moved them since the read;
 * seats it frees go to the waitlist through the stream consumer, as any freed seats do.
 */
export async function reconcileCounters(store: Pick<EventsRepo, 'getEvent'> & Pick<RsvpsRepo, 'rsvpsForRecount' | 'correctCounters'>, eventId: string, now: Date): Promise<'corrected' | 'exact' | 'busy' | 'gone'> {
  const event = await store.getEvent(eventId, true);
  if (!event || event.status !== 'scheduled') return 'gone';
  if (!quietForRecount(event, undefined, now)) return 'busy';
  const { rsvps, lastChange } = await store.rsvpsForRecount(eventId);
  if (!quietForRecount(event, lastChange, now)) return 'busy';
  const totals = rsvpTotals(rsvps);
  if (totals.goingCount === event.goingCount && totals.waitlistCount === event.waitlistCount && totals.waiting0 === (event.waiting0 ?? 0)) return 'exact';
  if (!(await store.correctCounters(event, totals))) return 'busy';
  logger.warn('corrected event counters from its RSVPs', { eventId, from: { goingCount: event.goingCount, waitlistCount: event.waitlistCount, waiting0: event.waiting0 }, to: totals });
  return 'corrected';
}

/** Leave the waitlist from the link in the mail, without signing in. */
export async function leaveWaitlist(deps: EventsDeps, eventId: string, userId: string, now: Date) {
  const r = await deps.store.getRsvp(eventId, userId);
  if (!r || r.status !== 'waitlisted') return { status: r?.status ?? 'not_going' };
  return withdraw(deps, eventId, { userId, email: r.email }, now);
}

// ------------------------------------------------------------------ broadcasts and reminders

/**
 * Expands a broadcast into one outbox mail per attendee. Mail ids are derived from the
 * broadcast and the attendee, so a retried expansion queues nothing twice.
 */
export async function expandBroadcast(deps: EventsDeps, broadcastId: string, now: Date): Promise<string[]> {
  const b = await deps.store.getBroadcast(broadcastId);
  if (!b) return [];
  const event = await deps.store.getEvent(b.eventId, true);
  if (!event) return [];
  const association = await deps.store.getAssociation(event.associationId);
  if (!association) return [];
  const queued: string[] = [];
  for (const status of b.audience) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.rsvpsOfEvent(event.eventId, status, { limit: 100, startKey });
      for (const r of page.items) {
        const f = facts(deps, event, association, r.name);
        const unsubscribeUrl = `${deps.apiUrl}/email/unsubscribe?token=${await signLink('unsubscribe', { email: r.email, kind: b.kind })}`;
        const content =
          b.kind === 'event_cancelled' ? eventCancelledMail(f)
          : b.kind === 'event_changed' ? eventChangedMail({ ...f, changed: (b.data?.changed as string[]) ?? ['details'] })
          : eventReminderMail({ ...f, unsubscribeUrl });
        const mail = newMail(
          {
            mailId: `${broadcastId}.${r.userId}`,
            to: r.email,
            fromName: association.name,
            kind: b.kind,
            associationId: association.associationId,
            mail: content,
            // Reminder-type mail carries one-click unsubscribe (RFC 8058); notices about the event itself do not.
            headers: b.kind === 'event_reminder' ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : undefined,
            attachments: b.kind === 'event_changed' || b.kind === 'event_cancelled' ? await icsAttachment(event, association.name, f.eventUrl) : undefined,
          },
          now,
        );
        if (await deps.store.enqueueMailOnce(mail)) queued.push(mail.mailId);
      }
      startKey = page.lastKey;
    } while (startKey);
  }
  return queued;
}

/** The scheduled 24-hour reminder. A schedule left over from before the event moved is ignored. */
export async function sendEventReminder(deps: { store: Pick<EventsRepo, 'getEvent' | 'putBroadcast'> }, eventId: string, startsAt: string, now: Date): Promise<'queued' | 'stale'> {
  const event = await deps.store.getEvent(eventId, true);
  if (!event || event.status !== 'scheduled' || event.startsAt !== startsAt) return 'stale';
  try {
    await deps.store.putBroadcast({ broadcastId: `${eventId}.reminder.${startsAt}`, eventId, kind: 'event_reminder', audience: ['going'], createdAt: now.toISOString() });
  } catch (err) {
    if (!(err instanceof ConditionFailed)) throw err; // already queued by an earlier run
  }
  return 'queued';
}

// ------------------------------------------------------------------ attendees, check-in, calendar

export const attendeeView = (r: Rsvp, position?: number) => ({
  userId: r.userId,
  name: r.name,
  email: r.email,
  company: r.company ?? null,
  jobTitle: r.jobTitle ?? null,
  status: r.status,
  guests: r.guests,
  answers: r.answers,
  waitlistPosition: position ?? null,
  rsvpAt: r.rsvpAt,
  checkedInAt: r.checkedInAt ?? null,
});

/** Marks an attendee present by user id or by the code from their confirmation mail. */
export async function checkIn(store: EventsStore, event: Event, caller: Caller, by: { userId?: string; code?: string }, now: Date) {
  const userId = by.userId ?? (await store.rsvpByCode(event.eventId, by.code!));
  const r = userId ? await store.getRsvp(event.eventId, userId) : undefined;
  if (!r) throw notFound(by.code ? 'No attendee has this code.' : 'This person has no RSVP for this event.');
  if (r.status !== 'going') throw conflict(`This person is ${r.status === 'waitlisted' ? 'on the waitlist' : 'not going'}, not registered.`);
  if (r.checkedInAt) return { ...attendeeView(r), alreadyCheckedIn: true };
  try {
    await store.checkIn(event, r, now.toISOString(), caller.userId);
  } catch (err) {
    if (err instanceof ConditionFailed) {
      const again = (await store.getRsvp(event.eventId, r.userId))!;
      if (again.checkedInAt) return { ...attendeeView(again), alreadyCheckedIn: true };
      throw conflict('This RSVP changed meanwhile; retry.');
    }
    throw err;
  }
  return { ...attendeeView({ ...r, checkedInAt: now.toISOString() }), alreadyCheckedIn: false };
}

export const calendarFile = async (deps: EventsDeps, event: Event, association: Association) =>
  (await calendar()).eventIcs(event, { organizerName: association.name, organizerEmail: config.mailFrom, url: eventUrl(deps, event) });
