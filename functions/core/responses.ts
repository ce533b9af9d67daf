/**
 * Zod schemas of the success bodies, one per route (the catalog's `response`). They are
 * written from the services' views (memberView, eventView, ...); the type checks at the end
 * of this file fail the build when a view and its schema part, and in local mode the router
 * validates every answer against them (RESPONSE_VALIDATION, see http/router.ts).
 * Objects are strict: a field a view adds without its schema is drift, not a silent extra.
 */
import * as z from 'zod';
import { intents } from './domain/vocabulary.js';
import { memberStatuses, roles } from './domain/roles.js';

// Stored instants are ISO strings; `format` documents them without a parse at runtime.
const instant = z.string().meta({ format: 'date-time' });
const nullableInstant = instant.nullable();

/** A list page: `nextCursor` is null on the last page. */
export const page = <T extends z.ZodType>(item: T, id: string) =>
  z.strictObject({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null on the last' }) }).meta({ id });

// ---- associations and plans
export const Association = z
  .strictObject({
    associationId: z.string(),
    name: z.string(),
    slug: z.string(),
    currency: z.string(),
    timezone: z.string(),
    description: z.string().nullable(),
    acceptsCardPayments: z.boolean().meta({ description: 'Paid plans can be joined (Stripe connected and able to take charges)' }),
    createdAt: instant,
  })
  .meta({ id: 'Association' });
/** What admins see after a change: the public summary and the settings. */
export const AssociationSettings = Association.extend({ gracePeriodDays: z.number().int() }).meta({ id: 'AssociationSettings' });

export const Plan = z
  .strictObject({
    planId: z.string(),
    associationId: z.string(),
    name: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    interval: z.enum(['year', 'month', 'once']),
    description: z.string().nullable(),
    benefits: z.array(z.string()),
    archived: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Plan' });

export const MyMembership = z
  .strictObject({
    association: Association,
    role: z.enum(roles),
    status: z.enum(memberStatuses),
    planId: z.string().nullable(),
    currentPeriodEnd: nullableInstant,
    joinedAt: instant,
  })
  .meta({ id: 'MyMembership' });

// ---- members
export const EffectivePreferences = z.strictObject({ matchOptIn: z.boolean(), directoryVisible: z.boolean() }).meta({ id: 'EffectivePreferences' });

export const Member = z
  .strictObject({
    userId: z.string(),
    associationId: z.string(),
    role: z.enum(roles),
    planId: z.string().nullable(),
    status: z.enum(memberStatuses),
    currentPeriodEnd: nullableInstant,
    joinedAt: instant,
    name: z.string(),
    email: z.string(),
    billing: z.strictObject({
      method: z.enum(['stripe', 'offline']).nullable(),
      autoRenew: z.boolean(),
      pastDueSince: nullableInstant,
      graceUntil: nullableInstant,
      lapsedAt: nullableInstant,
    }),
  })
  .meta({ id: 'Member' });
export const MemberDetail = Member.extend({ preferences: EffectivePreferences }).meta({ id: 'MemberDetail' });
/** Joining a paid plan: pending, with the checkout to pay (null when Stripe could not be reached; ask again). */
export const Joined = Member.extend({ checkoutUrl: z.string().nullable().optional() }).meta({ id: 'Joined' });

export const DirectoryEntry = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    role: z.enum(roles),
    headline: z.string().nullable(),
    company: z.string().nullable(),
    jobTitle: z.string().nullable(),
    industry: z.string().nullable(),
    skills: z.array(z.string()),
    interests: z.array(z.string()),
    offers: z.array(z.enum(intents)),
    seeks: z.array(z.enum(intents)),
  })
  .meta({ id: 'DirectoryEntry' });

export const ExportRecord = z
  .strictObject({
    exportId: z.string(),
    what: z.string(),
    subjectId: z.string().nullable(),
    actorId: z.string(),
    rows: z.number().int(),
    format: z.string().meta({ description: 'inline (the CSV in the answer) or url (a file link)' }),
    at: instant,
  })
  .meta({ id: 'ExportRecord' });

/** `?format=url`: a time-limited link to the file instead of the CSV itself. */
export const ExportLink = z.strictObject({ url: z.string(), rows: z.number().int(), expiresAt: instant }).meta({ id: 'ExportLink' });

/** 202 of an export too long for one response: the background job makes the file; GET statusUrl (also in Location) follows it. */
export const ExportAccepted = z
  .strictObject({ exportId: z.string(), state: z.literal('pending'), statusUrl: z.string().meta({ description: 'GET it for the state and, when ready, the file link' }) })
  .meta({ id: 'ExportAccepted' });

/** An export job: pending, then ready with a fresh time-limited link (or failed). */
export const ExportStatus = z
  .strictObject({
    exportId: z.string(),
    state: z.enum(['pending', 'ready', 'failed']),
    url: z.string().nullable().meta({ description: 'when ready: a link to the CSV file, valid until expiresAt' }),
    rows: z.number().int().nullable(),
    expiresAt: instant.nullable(),
    createdAt: instant,
    finishedAt: instant.nullable(),
  })
  .meta({ id: 'ExportStatus' });

/** The caller's data download: the stored records as they are (docs/privacy.md). */
export const MyData = z
  .looseObject({
    generatedAt: instant,
    userId: z.string(),
    email: z.string(),
    profile: z.looseObject({}).nullable(),
    memberships: z.array(z.looseObject({})),
    payments: z.array(z.looseObject({})),
    rsvps: z.array(z.looseObject({})),
    matches: z.array(z.looseObject({})),
    exports: z.array(z.looseObject({})),
    suppressions: z.array(z.looseObject({})),
    audit: z.array(z.looseObject({})),
  })
  .meta({ id: 'MyData' });

// ---- dues
export const Link = z.strictObject({ url: z.string() }).meta({ id: 'Link' });

export const Payment = z
  .strictObject({
    paymentId: z.string(),
    userId: z.string(),
    type: z.enum(['payment', 'failure', 'refund', 'unmatched']),
    kind: z.enum(['offline', 'stripe']),
    amount: z.number().int(),
    currency: z.string(),
    paidAt: instant,
    periodStart: nullableInstant,
    periodEnd: nullableInstant,
    note: z.string().nullable(),
    reason: z.string().nullable(),
    recordedBy: z.string(),
    stripe: z.record(z.string(), z.string()).nullable(),
  })
  .meta({ id: 'Payment' });

export const WebhookReceipt = z.strictObject({ received: z.literal(true), outcome: z.enum(['recorded', 'applied', 'duplicate', 'ignored', 'unmatched']) }).meta({ id: 'WebhookReceipt' });

// ---- events and RSVPs
const QuestionOut = z.strictObject({
  id: z.string(),
  label: z.string(),
  type: z.enum(['text', 'single', 'multiple']),
  required: z.boolean(),
  options: z.array(z.string()).optional(),
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
    venue: z.string().nullable(),
    onlineUrl: z.string().nullable(),
    capacity: z.number().int().nullable(),
    visibility: z.enum(['public', 'members']),
    waitlist: z.boolean(),
    membersFirst: z.boolean(),
    rsvpDeadline: nullableInstant,
    maxGuests: z.number().int(),
    questions: z.array(QuestionOut),
    matchmaking: z.strictObject({ enabled: z.boolean(), sendAt: instant.optional(), matchesPerAttendee: z.number().int() }),
    status: z.enum(['scheduled', 'cancelled']),
    goingCount: z.number().int().meta({ description: 'Seats taken, guests included' }),
    waitlistCount: z.number().int(),
    attendedCount: z.number().int(),
    spotsLeft: z.number().int().nullable().meta({ description: 'Null without a capacity' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Event' });

export const RsvpResult = z
  .strictObject({
    status: z.enum(['going', 'waitlisted', 'not_going']),
    waitlistPosition: z.number().int().optional(),
    guests: z.number().int().optional(),
    checkInCode: z.string().optional(),
  })
  .meta({ id: 'RsvpResult' });

const answers = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export const Attendee = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    email: z.string(),
    company: z.string().nullable(),
    jobTitle: z.string().nullable(),
    status: z.enum(['going', 'waitlisted', 'not_going']),
    guests: z.number().int(),
    answers,
    waitlistPosition: z.number().int().nullable(),
    rsvpAt: instant,
    checkedInAt: nullableInstant,
  })
  .meta({ id: 'Attendee' });
export const CheckInResult = Attendee.extend({ alreadyCheckedIn: z.boolean() }).meta({ id: 'CheckInResult' });

// ---- matching
// `name`: the person a `mutual_connection` reason names (shown only to the two matched).
const Reason = z.strictObject({ kind: z.string(), tag: z.string(), giver: z.string().optional(), receiver: z.string().optional(), weight: z.number(), name: z.string().optional() }).meta({ id: 'MatchReason' });
export const MatchFigures = z
  .strictObject({
    attendees: z.number().int(),
    matched: z.number().int(),
    withK: z.number().int(),
    totalScore: z.number(),
    candidatePairs: z.number().int(),
    coverable: z.number().int(),
    needsMet: z.number().int(),
    needsCoverable: z.number().int(),
    ms: z.number(),
  })
  .meta({ id: 'MatchFigures' });
const person = z.strictObject({ userId: z.string(), name: z.string() });
export const MatchPreview = z
  .strictObject({
    figures: MatchFigures,
    matches: z.array(z.strictObject({ a: person, b: person, score: z.number(), reasons: z.array(Reason), sentences: z.array(z.string()) })),
  })
  .meta({ id: 'MatchPreview' });
export const MatchSendResult = z.strictObject({ figures: MatchFigures, matches: z.number().int(), mailsQueued: z.number().int() }).meta({ id: 'MatchSendResult' });
const Feedback = z.strictObject({ rating: z.number().int(), met: z.boolean(), at: instant.optional() });
export const EventMatches = z
  .strictObject({
    run: z.looseObject({ runId: z.string(), status: z.string(), at: instant }).nullable(),
    stats: z.strictObject({
      matches: z.number().int(),
      acceptanceRate: z.number().nullable(),
      introRate: z.number().nullable(),
      feedbackCount: z.number().int(),
      metRate: z.number().nullable(),
      averageRating: z.number().nullable(),
    }),
    items: z.array(
      z.strictObject({
        matchId: z.string(),
        a: z.string(),
        b: z.string(),
        score: z.number(),
        reasons: z.array(Reason),
        introRequestedBy: z.array(z.string()),
        introSentAt: nullableInstant,
        feedback: z.strictObject({ a: Feedback.optional(), b: Feedback.optional() }),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'EventMatches' });
export const MyMatches = z
  .strictObject({
    items: z.array(
      z.strictObject({
        matchId: z.string(),
        person: z.strictObject({ userId: z.string(), name: z.string(), headline: z.string().nullable(), company: z.string().nullable(), jobTitle: z.string().nullable() }),
        score: z.number(),
        reasons: z.array(Reason),
        sentences: z.array(z.string()),
        introRequested: z.boolean(),
        introduced: z.boolean(),
        feedback: Feedback.nullable(),
      }),
    ),
  })
  .meta({ id: 'MyMatches' });
export const MatchFeedbackResult = z.strictObject({ matchId: z.string(), rating: z.number().int(), met: z.boolean() }).meta({ id: 'MatchFeedbackResult' });
export const IntroduceResult = z
  .strictObject({ introduced: z.boolean(), waitingForOtherSide: z.boolean().optional(), queued: z.boolean().optional() })
  .meta({ id: 'IntroduceResult' });

// ---- email, profile, meta
export const Unsubscribed = z.strictObject({ unsubscribed: z.string() }).meta({ id: 'Unsubscribed' });

export const ProfileView = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    headline: z.string().optional(),
    company: z.string().optional(),
    jobTitle: z.string().optional(),
    industry: z.string().optional(),
    skills: z.array(z.string()),
    interests: z.array(z.string()),
    offers: z.array(z.enum(intents)),
    seeks: z.array(z.enum(intents)),
    matchOptIn: z.boolean(),
    directoryVisible: z.boolean(),
    // Absent on profiles saved before the setting existed (docs/connections.md, Privacy).
    connectionsSee: z.strictObject({ email: z.boolean(), company: z.boolean(), network: z.boolean().optional() }).optional(),
    updatedAt: instant,
  })
  .meta({ id: 'ProfileView' });

export const Vocabulary = z.strictObject({ intents: z.array(z.strictObject({ value: z.enum(intents), label: z.string() })) }).meta({ id: 'Vocabulary' });
/** The document itself; its shape is OpenAPI's, not ours. */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).meta({ id: 'OpenApiDocument' });

/** Bodies that are not JSON (CSV, iCalendar, HTML pages from mail links). */
export const Text = z.string();

// ---- problem details (RFC 9457), as http/problem.ts writes them
export const Problem = z
  .strictObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const AssociationPage = page(MyMembership, 'MyMembershipPage');
export const PlanPage = page(Plan, 'PlanPage');
export const MemberPage = page(Member, 'MemberPage');
export const DirectoryPage = page(DirectoryEntry, 'DirectoryPage');
export const ExportRecordPage = page(ExportRecord, 'ExportRecordPage');
export const PaymentPage = page(Payment, 'PaymentPage');
export const EventPage = page(Event, 'EventPage');
export const AttendeePage = page(Attendee, 'AttendeePage');
