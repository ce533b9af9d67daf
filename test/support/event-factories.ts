/**
 * Test factories for events, RSVPs and the items the events services keep next to them
 * (waitlist entries, outbox mails, broadcasts, suppressions), plus their stored form
 * (keys and `entity` added) for an in-memory table or a mocked DynamoDB answer.
 */
import * as keys from '../../functions/core/data/keys.js';
import type { Broadcast } from '../../functions/core/data/store.js';
import type { Event, Rsvp } from '../../functions/core/domain/events.js';
import type { Association, Member, OutboxMail, Profile } from '../../functions/core/domain/types.js';

const at = '2026-01-15T10:00:00.000Z';

/**
 * A scheduled public event in March 2026 with 10 seats, a waitlist and no questions. Its
 * `seatsLeft` follows capacity and goingCount unless given (`seatsLeft: undefined`: an event
 * stored before seatsLeft existed).
 */
export function makeEvent(overrides: Partial<Event> = {}): Event {
  const e = baseEvent(overrides);
  return 'seatsLeft' in overrides ? e : { ...e, seatsLeft: e.capacity === null ? undefined : e.capacity - e.goingCount };
}

function baseEvent(overrides: Partial<Event>): Event {
  return {
    eventId: 'evt1',
    associationId: 'assocA',
    title: 'Spring meetup',
    description: 'Talks and drinks.',
    startsAt: '2026-03-10T18:00:00.000Z',
    endsAt: '2026-03-10T21:00:00.000Z',
    timezone: 'Europe/Paris',
    venue: 'Hall 1, Lyon',
    capacity: 10,
    visibility: 'public',
    waitlist: true,
    membersFirst: false,
    maxGuests: 2,
    questions: [],
    status: 'scheduled',
    goingCount: 0,
    waitlistCount: 0,
    attendedCount: 0,
    version: 1,
    createdBy: 'user-organizer',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** A going RSVP without guests. */
export function makeRsvp(overrides: Partial<Rsvp> = {}): Rsvp {
  return {
    eventId: 'evt1',
    associationId: 'assocA',
    userId: 'user-member',
    status: 'going',
    guests: 0,
    answers: {},
    name: 'Ada Member',
    email: 'ada@example.test',
    checkInCode: 'ABCD2345',
    checkedInAt: null,
    rsvpAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

/** A pending outbox mail. */
export function makeMail(overrides: Partial<OutboxMail> = {}): OutboxMail {
  return {
    mailId: 'mail1',
    associationId: 'assocA',
    kind: 'rsvp_confirmed',
    to: 'ada@example.test',
    fromName: 'Engineers of Lyon',
    subject: "You're going: Spring meetup",
    text: 'Hello Ada',
    html: '<p>Hello Ada</p>',
    status: 'pending',
    attempts: 0,
    createdAt: at,
    ...overrides,
  };
}

export type StoredItem = Record<string, unknown> & { pk: string; sk: string };

export const eventItem = (e: Event): StoredItem => ({ ...keys.event(e.eventId), ...keys.eventOfAssociation(e.associationId, e.startsAt, e.eventId), entity: 'event', ...e });

export const rsvpItem = (r: Rsvp, startsAt = '2026-03-10T18:00:00.000Z'): StoredItem => ({
  ...keys.rsvp(r.eventId, r.userId),
  ...keys.rsvpOfUser(r.userId, startsAt, r.eventId),
  entity: 'rsvp',
  ...r,
});

/** The waitlist entry of a waitlisted RSVP (it must have a waitKey). */
export const waitItem = (r: Rsvp): StoredItem => ({ ...keys.waiting(r.eventId, r.waitKey!), entity: 'waiting', userId: r.userId, seats: 1 + r.guests });

export const codeItem = (r: Rsvp): StoredItem => ({ ...keys.checkInCode(r.eventId, r.checkInCode), entity: 'checkin_code', userId: r.userId });

export const outboxItem = (m: OutboxMail): StoredItem => ({ ...keys.outbox(m.mailId), ...keys.outboxPending(m.createdAt, m.mailId), entity: 'outbox', ...m });

export const broadcastItem = (b: Broadcast): StoredItem => ({ ...keys.broadcast(b.broadcastId), entity: 'broadcast', ...b });

export const suppressionItem = (email: string, kind: string, reason = 'bounce'): StoredItem => ({ ...keys.suppression(email, kind), entity: 'suppression', reason, at });

export const associationEntity = (a: Association): StoredItem => ({ ...keys.association(a.associationId), entity: 'association', ...a });

export const memberEntity = (m: Member): StoredItem => ({
  ...keys.member(m.associationId, m.userId),
  ...keys.memberByUser(m.userId, m.associationId),
  entity: 'member',
  ...m,
  nameLower: m.name.toLowerCase(),
  emailLower: m.email.toLowerCase(),
});

export const profileEntity = (p: Profile): StoredItem => ({ ...keys.profile(p.userId), entity: 'profile', ...p });

/** A waitlisted RSVP with its wait key (priority 1 unless said), plus its waitlist entry. */
export function waitlisted(userId: string, arrival: string, overrides: Partial<Rsvp> = {}): { rsvp: Rsvp; items: StoredItem[] } {
  const rsvp = makeRsvp({ userId, status: 'waitlisted', name: `Waiting ${userId}`, email: `${userId}@example.test`, checkInCode: `W${arrival.padStart(7, '0')}`, waitKey: `1#${arrival}`, ...overrides });
  return { rsvp, items: [rsvpItem(rsvp), waitItem(rsvp), codeItem(rsvp)] };
}
