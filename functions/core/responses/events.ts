/** Success bodies of the events and RSVP routes (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { instant, nullableInstant, page } from './common.js';

const QuestionOut = z.strictObject({
  id: z.string(),
  label: z.string(),
  type: z.enum(['text', 'single', 'multiple']),
  required: z.boolean(),
  options: z.optional(z.array(z.string())),
});

export const Event = z
  .strictObject({
    eventId: z.string(),
    associationId: z.string(),
    title: z.string(),
    description: z.string(),
    startsAt: instant,
    endsAt: instant,
    timezone: z.string(),
    venue: z.nullable(z.string()),
    onlineUrl: z.nullable(z.string()),
    capacity: z.nullable(z.int()),
    visibility: z.enum(['public', 'members']),
    waitlist: z.boolean(),
    membersFirst: z.boolean(),
    rsvpDeadline: nullableInstant,
    maxGuests: z.int(),
    questions: z.array(QuestionOut),
    matchmaking: z.strictObject({ enabled: z.boolean(), sendAt: z.optional(instant), matchesPerAttendee: z.int() }),
    status: z.enum(['scheduled', 'cancelled']),
    goingCount: z.int().register(z.globalRegistry, { description: 'Seats taken, guests included' }),
    waitlistCount: z.int(),
    attendedCount: z.int(),
    spotsLeft: z.nullable(z.int()).register(z.globalRegistry, { description: 'Null without a capacity' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .register(z.globalRegistry, { id: 'Event' });

export const RsvpResult = z
  .strictObject({
    status: z.enum(['going', 'waitlisted', 'not_going']),
    waitlistPosition: z.optional(z.int()),
    guests: z.optional(z.int()),
    checkInCode: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'RsvpResult' });

const answers = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export const Attendee = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    email: z.string(),
    company: z.nullable(z.string()),
    jobTitle: z.nullable(z.string()),
    status: z.enum(['going', 'waitlisted', 'not_going']),
    guests: z.int(),
    answers,
    waitlistPosition: z.nullable(z.int()),
    rsvpAt: instant,
    checkedInAt: nullableInstant,
  })
  .register(z.globalRegistry, { id: 'Attendee' });

export const CheckInResult = z.extend(Attendee, { alreadyCheckedIn: z.boolean() }).register(z.globalRegistry, { id: 'CheckInResult' });
export const EventPage = page(Event, 'EventPage');
export const AttendeePage = page(Attendee, 'AttendeePage');
