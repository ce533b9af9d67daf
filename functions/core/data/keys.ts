/**
 * Every key format of the single table lives here, and only here.
 * Prefixes are UPPERCASE, ids are used as given (ULIDs, Cognito subs).
 * docs/data-model.md lists the access patterns these serve.
 * One export per key, read as `import * as keys from './keys.js'` and `keys.member(...)`: esbuild
 * keeps only the builders a function calls (an object of them would be kept whole).
 */
export type Key = { pk: string; sk: string };

export const association = (associationId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: 'ASSOC' });
/** Uniqueness guard for slugs: written in the same transaction as the association. */
export const slug = (slug: string): Key => ({ pk: `SLUG#${slug}`, sk: 'SLUG' });
export const plan = (associationId: string, planId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `PLAN#${planId}` });
export const plansPrefix = (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'PLAN#' });
export const member = (associationId: string, userId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `MEMBER#${userId}` });
export const membersPrefix = (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'MEMBER#' });
/** gsi1: a user's memberships across associations. */
export const memberByUser = (userId: string, associationId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `MEMBER#${associationId}` });
export const membershipsOfUserPrefix = (userId: string) => ({ gsi1pk: `USER#${userId}`, gsi1skPrefix: 'MEMBER#' });
/**
 * Sparse member indexes (gsi3-gsi7), each selecting exactly one kind of member list so a
 * filtered list never reads the rest of the association's partition. Sort keys are the
 * lower-cased name (or email) then the user id: alphabetical, unique, prefix-searchable.
 * Only store.memberItem sets them, from the member's whole state.
 */
export const memberInDirectory = (associationId: string, nameLower: string, userId: string) => ({ gsi3pk: `ASSOC#${associationId}#DIRECTORY`, gsi3sk: `${nameLower}#${userId}` });
export const directoryOf = (associationId: string) => ({ gsi3pk: `ASSOC#${associationId}#DIRECTORY` });
export const memberByStatus = (associationId: string, status: string, nameLower: string, userId: string) => ({ gsi4pk: `ASSOC#${associationId}#STATUS#${status}`, gsi4sk: `${nameLower}#${userId}` });
export const membersWithStatus = (associationId: string, status: string) => ({ gsi4pk: `ASSOC#${associationId}#STATUS#${status}` });
export const memberByName = (associationId: string, nameLower: string, userId: string) => ({ gsi5pk: `ASSOC#${associationId}#NAMES`, gsi5sk: `${nameLower}#${userId}` });
export const membersByName = (associationId: string) => ({ gsi5pk: `ASSOC#${associationId}#NAMES` });
export const memberByEmail = (associationId: string, emailLower: string, userId: string) => ({ gsi6pk: `ASSOC#${associationId}#EMAILS`, gsi6sk: `${emailLower}#${userId}` });
export const membersByEmail = (associationId: string) => ({ gsi6pk: `ASSOC#${associationId}#EMAILS` });
export const memberByPlan = (associationId: string, planId: string, nameLower: string, userId: string) => ({ gsi7pk: `ASSOC#${associationId}#PLAN#${planId}`, gsi7sk: `${nameLower}#${userId}` });
export const membersOnPlan = (associationId: string, planId: string) => ({ gsi7pk: `ASSOC#${associationId}#PLAN#${planId}` });
export const profile = (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'PROFILE' });
/** Append-only history of an association: who did what, when. */
export const audit = (associationId: string, auditId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `AUDIT#${auditId}` });
export const auditPrefix = (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'AUDIT#' });
/** gsi1: audit entries about a person (member and RSVP actions), for their own export. */
export const auditOfUser = (userId: string, associationId: string, auditId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `AUDIT#${associationId}#${auditId}` });
export const auditOfUserPrefix = (userId: string) => ({ gsi1pk: `USER#${userId}`, gsi1skPrefix: 'AUDIT#' });
/** Ledger entries, in time order: `paymentId` starts with the time it happened. */
export const payment = (associationId: string, paymentId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `PAYMENT#${paymentId}` });
export const paymentsPrefix = (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'PAYMENT#' });
/** gsi1: the ledger entries about one person, across associations (their export; unlinked by erasure). */
export const paymentOfUser = (userId: string, associationId: string, paymentId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `PAYMENT#${associationId}#${paymentId}` });
export const paymentsOfUserPrefix = (userId: string) => ({ gsi1pk: `USER#${userId}`, gsi1skPrefix: 'PAYMENT#' });
/** One payer's entries in one association, newest last: the same gsi1 entries, narrowed by association. */
export const paymentsOfPayer = (associationId: string, userId: string) => ({ gsi1pk: `USER#${userId}`, gsi1skPrefix: `PAYMENT#${associationId}#` });
/** gsi2: memberships the daily job must look at on a given UTC day. */
export const memberDue = (dueAt: string, associationId: string, userId: string) => ({ gsi2pk: `DUE#${dueAt.slice(0, 10)}`, gsi2sk: `${dueAt}#${associationId}#${userId}` });
export const membersDueOn = (day: string) => ({ gsi2pk: `DUE#${day}` });
/** Which association a connected Stripe account belongs to (webhooks name only the account). */
export const stripeAccount = (accountId: string): Key => ({ pk: `STRIPEACCT#${accountId}`, sk: 'STRIPEACCT' });
/** A processed Stripe event, kept past Stripe's 3 days of retries, then expired by TTL. */
export const stripeEvent = (eventId: string): Key => ({ pk: `STRIPEEVENT#${eventId}`, sk: 'EVENT' });
/** A received Stripe event, raw, waiting for the stream consumer: one partition per customer (membership), sorted by Stripe's time. */
export const stripeQueued = (accountId: string, group: string, created: number, eventId: string): Key => ({ pk: `STRIPEQ#${accountId}#${group}`, sk: `${String(created).padStart(10, '0')}#${eventId}` });
/** A received Stripe event the consumer gave up on after its attempts, per account, for the operator to replay. */
export const stripeDead = (accountId: string, created: number, eventId: string): Key => ({ pk: `STRIPEDEAD#${accountId}`, sk: `${String(created).padStart(10, '0')}#${eventId}` });
/** Which membership a Stripe payment object (invoice, payment intent) paid for, per account. */
export const paymentRef = (accountId: string, objectId: string): Key => ({ pk: `PAYREF#${accountId}#${objectId}`, sk: 'PAYREF' });
/** An email to send; gsi2 lists unsent ones by day so a sweep can retry them. */
export const outbox = (mailId: string): Key => ({ pk: `OUTBOX#${mailId}`, sk: 'OUTBOX' });
export const outboxPending = (createdAt: string, mailId: string) => ({ gsi2pk: `OUTBOX#${createdAt.slice(0, 10)}`, gsi2sk: `${createdAt}#${mailId}` });
export const outboxPendingOn = (day: string) => ({ gsi2pk: `OUTBOX#${day}` });
export const event = (eventId: string): Key => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' });
/** gsi1: an association's events in start order. */
export const eventOfAssociation = (associationId: string, startsAt: string, eventId: string) => ({ gsi1pk: `ASSOC#${associationId}#EVENTS`, gsi1sk: `${startsAt}#${eventId}` });
export const eventsOfAssociation = (associationId: string) => ({ gsi1pk: `ASSOC#${associationId}#EVENTS` });
export const rsvp = (eventId: string, userId: string): Key => ({ pk: `EVENT#${eventId}`, sk: `RSVP#${userId}` });
export const rsvpsPrefix = (eventId: string) => ({ pk: `EVENT#${eventId}`, skPrefix: 'RSVP#' });
/** gsi2, sparse: an event's checked-in attendees (set on the RSVP at check-in), in user id order. */
export const rsvpCheckedIn = (eventId: string, userId: string) => ({ gsi2pk: `EVENT#${eventId}#CHECKEDIN`, gsi2sk: userId });
export const checkedInOf = (eventId: string) => ({ gsi2pk: `EVENT#${eventId}#CHECKEDIN` });
/** gsi1: a user's RSVPs in event start order. */
export const rsvpOfUser = (userId: string, startsAt: string, eventId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `RSVP#${startsAt}#${eventId}` });
export const rsvpsOfUserPrefix = (userId: string) => ({ gsi1pk: `USER#${userId}`, gsi1skPrefix: 'RSVP#' });
/** gsi1: a user's RSVPs to events starting at or after an instant (the lower bound of a range read). */
export const rsvpsOfUserFrom = (userId: string, startsAt: string) => ({ gsi1pk: `USER#${userId}`, gsi1skFrom: `RSVP#${startsAt}`, gsi1skTo: 'RSVP#\uffff' });
/** The waitlist, in order: priority then arrival. */
export const waiting = (eventId: string, waitKey: string): Key => ({ pk: `EVENT#${eventId}`, sk: `WAIT#${waitKey}` });
export const waitingPrefix = (eventId: string) => ({ pk: `EVENT#${eventId}`, skPrefix: 'WAIT#' });
/**
 * A waitlist ticket that left the line (promoted, withdrawn, or taken and never used), and
 * per block of tickets how many left: a position is its ticket minus the departures before it.
 */
/** The waitlist ticket counters of an event (one per priority), apart from the busy event item. */
export const waitTickets = (eventId: string): Key => ({ pk: `EVENT#${eventId}`, sk: 'WAITTICKETS' });
export const waitDeparture = (eventId: string, priority: number, ticket: number): Key => ({ pk: `EVENT#${eventId}`, sk: `WAITGONE#${priority}#${String(ticket).padStart(10, '0')}` });
export const waitDepartureBlock = (eventId: string, priority: number, block: number): Key => ({ pk: `EVENT#${eventId}`, sk: `WAITGONEN#${priority}#${String(block).padStart(6, '0')}` });
/** Check-in code → attendee. */
export const checkInCode = (eventId: string, code: string): Key => ({ pk: `EVENT#${eventId}`, sk: `CODE#${code}` });
/** A mail to every attendee of an event, expanded into outbox items by the stream consumer. */
export const broadcast = (broadcastId: string): Key => ({ pk: `BROADCAST#${broadcastId}`, sk: 'BROADCAST' });
/** Addresses that must not get a kind of mail (`ALL` after a bounce or complaint). */
export const suppression = (email: string, kind: string): Key => ({ pk: `SUPPRESS#${email.toLowerCase()}`, sk: kind });
export const suppressionsOf = (email: string) => ({ pk: `SUPPRESS#${email.toLowerCase()}` });
/** A record of an attendee, member or ledger export: who, when, how many rows. Newest last (ULIDs). */
export const exportRecord = (associationId: string, exportId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `EXPORT#${exportId}` });
export const exportsPrefix = (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'EXPORT#' });
/** A list export too long for one response, made by the background job: its state and file. Not under EXPORT#, so the export log never lists it. */
export const exportJob = (associationId: string, exportId: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `EXPORTJOB#${exportId}` });
/**
 * gsi1: the exports of one list (`members`, `payments`, or an event's attendees), so a
 * person's export can name the exports that may have included them, read from a time on.
 */
export const exportOfList = (associationId: string, list: string, exportId: string) => ({ gsi1pk: `ASSOC#${associationId}#EXPORTS#${list}`, gsi1sk: exportId });
export const exportsOfList = (associationId: string, list: string) => ({ gsi1pk: `ASSOC#${associationId}#EXPORTS#${list}` });
/** Local mode's stand-in for EventBridge Scheduler: one-time schedules by day (gsi2). */
/** A fixed-window request counter: one item per limit, subject and window start, expired by TTL. */
export const rateWindow = (bucket: string, subject: string, windowStart: number): Key => ({ pk: `RATE#${bucket}#${subject}`, sk: `WINDOW#${windowStart}` });
export const localSchedule = (name: string): Key => ({ pk: `SCHEDULE#${name}`, sk: 'SCHEDULE' });
export const localScheduleDue = (at: string, name: string) => ({ gsi2pk: `SCHEDULE#${at.slice(0, 10)}`, gsi2sk: `${at}#${name}` });
export const localSchedulesOn = (day: string) => ({ gsi2pk: `SCHEDULE#${day}` });
/** One run of matchmaking for an event: makes sending happen once. */
export const matchRun = (eventId: string): Key => ({ pk: `EVENT#${eventId}`, sk: 'MATCHRUN' });
export const match = (eventId: string, matchId: string): Key => ({ pk: `EVENT#${eventId}`, sk: `MATCH#${matchId}` });
export const matchesPrefix = (eventId: string) => ({ pk: `EVENT#${eventId}`, skPrefix: 'MATCH#' });
/** gsi1 and gsi2 select one attendee's matches of an event: gsi1 by side a, gsi2 by side b. */
export const matchOfSideA = (eventId: string, userId: string, matchId: string) => ({ gsi1pk: `EVENT#${eventId}#MATCHES#${userId}`, gsi1sk: `MATCH#${matchId}` });
export const matchOfSideB = (eventId: string, userId: string, matchId: string) => ({ gsi2pk: `EVENT#${eventId}#MATCHES#${userId}`, gsi2sk: `MATCH#${matchId}` });
export const matchesOfAttendee = (eventId: string, userId: string) => ({ gsi1pk: `EVENT#${eventId}#MATCHES#${userId}`, gsi2pk: `EVENT#${eventId}#MATCHES#${userId}` });
/** Pairs introduced at an association (excluded next time) with their feedback. */
export const pair = (associationId: string, a: string, b: string): Key => ({ pk: `ASSOC#${associationId}`, sk: `PAIR#${a < b ? `${a}#${b}` : `${b}#${a}`}` });
export const pairsPrefix = (associationId: string) => ({ pk: `ASSOC#${associationId}`, skPrefix: 'PAIR#' });
/** A person's side of a match (a match names two people; each gets a pointer in their own partition). */
export const matchOfUser = (userId: string, eventId: string, matchId: string): Key => ({ pk: `USER#${userId}`, sk: `MATCH#${eventId}#${matchId}` });
export const matchesOfUserPrefix = (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'MATCH#' });
// Connections (data/connections.ts, docs/connections.md)
/** The id of a pair, the same whoever asks: the lower user id first ('.' is not an id character). */
export const connectionId = (x: string, y: string) => (x < y ? `${x}.${y}` : `${y}.${x}`);
/** The shared record of a pair: its one state, so one ask per pair is a conditional write. */
export const connection = (connectionId: string): Key => ({ pk: `CONN#${connectionId}`, sk: 'CONN' });
/** Each person's own side of a connection (note, tags), in their partition. */
export const connectionSide = (userId: string, connectionId: string): Key => ({ pk: `USER#${userId}`, sk: `CONN#${connectionId}` });
export const connectionSidesPrefix = (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'CONN#' });
/**
 * Sparse network indexes of a side, sorted by the other person's lower-cased name then id
 * (alphabetical, name-prefix searchable): gsi3 my accepted connections (or my pending asks,
 * under a pk of their own), gsi4 accepted by association, gsi5 accepted by the event where we met.
 */
export const networkOf = (userId: string, pending = false) => ({ gsi3pk: `NETWORK#${userId}${pending ? '#PENDING' : ''}` });
export const networkByAssociation = (userId: string, associationId: string) => ({ gsi4pk: `NETWORK#${userId}#ASSOC#${associationId}` });
export const networkByEvent = (userId: string, eventId: string) => ({ gsi5pk: `NETWORK#${userId}#EVENT#${eventId}` });
/** One item per tag I gave a connection, sorted like the network: a tag filter is one Query. */
export const networkTag = (userId: string, tag: string, nameKey: string): Key => ({ pk: `NETTAG#${userId}#${tag}`, sk: nameKey });
export const networkTagPrefix = (userId: string, tag: string) => ({ pk: `NETTAG#${userId}#${tag}` });
/** A follow-up offer after an event: one per pair and event, so a second run sends nothing. */
export const followUp = (eventId: string, connectionId: string): Key => ({ pk: `EVENT#${eventId}`, sk: `FOLLOWUP#${connectionId}` });
/** gsi2: the follow-up offers the daily job sends on a UTC day. */
export const followUpDue = (day: string, eventId: string, connectionId: string) => ({ gsi2pk: `FOLLOWUP#${day}`, gsi2sk: `${eventId}#${connectionId}` });
export const followUpsDueOn = (day: string) => ({ gsi2pk: `FOLLOWUP#${day}` });
/**
 * Dashboard counters (data/stats.ts), in partitions of their own so a chart reads only
 * them: a running total, per-bucket deltas and sums, keyed by UTC bucket (ISO text sorts
 * by time, so a range of buckets is one Query on a sort-key range).
 */
export const associationStats = (associationId: string) => ({ pk: `STATS#ASSOC#${associationId}` });
export const membersTotal = (associationId: string): Key => ({ pk: `STATS#ASSOC#${associationId}`, sk: 'MEMBERS' });
export const membersDay = (associationId: string, day: string): Key => ({ pk: `STATS#ASSOC#${associationId}`, sk: `MEMBERSDAY#${day}` });
export const duesMonth = (associationId: string, month: string, currency: string): Key => ({ pk: `STATS#ASSOC#${associationId}`, sk: `DUESMONTH#${month}#${currency}` });
export const renewalsDay = (associationId: string, day: string): Key => ({ pk: `STATS#ASSOC#${associationId}`, sk: `RENEWDAY#${day}` });
export const eventStats = (eventId: string) => ({ pk: `STATS#EVENT#${eventId}` });
export const eventTotals = (eventId: string): Key => ({ pk: `STATS#EVENT#${eventId}`, sk: 'TOTALS' });
export const rsvpsHour = (eventId: string, hour: string): Key => ({ pk: `STATS#EVENT#${eventId}`, sk: `RSVPHOUR#${hour}` });
export const checkInsSlot = (eventId: string, slot: string): Key => ({ pk: `STATS#EVENT#${eventId}`, sk: `CHECKIN#${slot}` });
/** A stream record already counted: makes a redelivered record count once; expired by TTL. */
export const statsApplied = (streamEventId: string): Key => ({ pk: `STATSEEN#${streamEventId}`, sk: 'SEEN' });
