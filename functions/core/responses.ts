/**
 * Zod schemas of the success bodies, one per route (the catalog's `response`). They are
 * written from the services' views (memberView, eventView, ...); the type checks at the end
 * of this file fail the build when a view and its schema part, and in local mode the router
 * validates every answer against them (RESPONSE_VALIDATION, see http/router.ts).
 * Objects are strict: a field a view adds without its schema is drift, not a silent extra.
 * Metadata is `.register(z.globalRegistry, ...)`, not `.check(z.meta(...))`: a meta check is
 * copied into `z.extend` results, so two schemas would share one id and z.toJSONSchema throws.
 */
import * as z from 'zod/mini';
import './zod-locale.js';
import { intents } from './domain/vocabulary.js';
import { memberStatuses, roles } from './domain/roles.js';

// Stored instants are ISO strings; `format` documents them without a parse at runtime.
const instant = z.string().register(z.globalRegistry, { format: 'date-time' });
const nullableInstant = z.nullable(instant);

/** A list page: `nextCursor` is null on the last page. */
export const page = <T extends z.ZodMiniType>(item: T, id: string) =>
  z.strictObject({ items: z.array(item), nextCursor: z.nullable(z.string()).register(z.globalRegistry, { description: 'Pass as ?cursor= for the next page; null on the last' }) }).register(z.globalRegistry, { id });

// ---- associations and plans
export const Association = z
  .strictObject({
    associationId: z.string(),
    name: z.string(),
    slug: z.string(),
    currency: z.string(),
    timezone: z.string(),
    description: z.nullable(z.string()),
    acceptsCardPayments: z.boolean().register(z.globalRegistry, { description: 'Paid plans can be joined (Stripe connected and able to take charges)' }),
    createdAt: instant,
  })
  .register(z.globalRegistry, { id: 'Association' });
/** What admins see after a change: the public summary and the settings. */
export const AssociationSettings = z.extend(Association, { gracePeriodDays: z.int() }).register(z.globalRegistry, { id: 'AssociationSettings' });

export const Plan = z
  .strictObject({
    planId: z.string(),
    associationId: z.string(),
    name: z.string(),
    amount: z.int(),
    currency: z.string(),
    interval: z.enum(['year', 'month', 'once']),
    description: z.nullable(z.string()),
    benefits: z.array(z.string()),
    archived: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
  })
  .register(z.globalRegistry, { id: 'Plan' });

export const MyMembership = z
  .strictObject({
    association: Association,
    role: z.enum(roles),
    status: z.enum(memberStatuses),
    planId: z.nullable(z.string()),
    currentPeriodEnd: nullableInstant,
    joinedAt: instant,
  })
  .register(z.globalRegistry, { id: 'MyMembership' });

// ---- members
export const EffectivePreferences = z.strictObject({ matchOptIn: z.boolean(), directoryVisible: z.boolean() }).register(z.globalRegistry, { id: 'EffectivePreferences' });

export const Member = z
  .strictObject({
    userId: z.string(),
    associationId: z.string(),
    role: z.enum(roles),
    planId: z.nullable(z.string()),
    status: z.enum(memberStatuses),
    currentPeriodEnd: nullableInstant,
    joinedAt: instant,
    name: z.string(),
    email: z.string(),
    billing: z.strictObject({
      method: z.nullable(z.enum(['stripe', 'offline'])),
      autoRenew: z.boolean(),
      pastDueSince: nullableInstant,
      graceUntil: nullableInstant,
      lapsedAt: nullableInstant,
    }),
  })
  .register(z.globalRegistry, { id: 'Member' });
export const MemberDetail = z.extend(Member, { preferences: EffectivePreferences }).register(z.globalRegistry, { id: 'MemberDetail' });
/** Joining a paid plan: pending, with the checkout to pay (null when Stripe could not be reached; ask again). */
export const Joined = z.extend(Member, { checkoutUrl: z.optional(z.nullable(z.string())) }).register(z.globalRegistry, { id: 'Joined' });

export const DirectoryEntry = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    role: z.enum(roles),
    headline: z.nullable(z.string()),
    company: z.nullable(z.string()),
    jobTitle: z.nullable(z.string()),
    industry: z.nullable(z.string()),
    skills: z.array(z.string()),
    interests: z.array(z.string()),
    offers: z.array(z.enum(intents)),
    seeks: z.array(z.enum(intents)),
  })
  .register(z.globalRegistry, { id: 'DirectoryEntry' });

export const ExportRecord = z
  .strictObject({
    exportId: z.string(),
    what: z.string(),
    subjectId: z.nullable(z.string()),
    actorId: z.string(),
    rows: z.int(),
    format: z.string().register(z.globalRegistry, { description: 'inline (the CSV in the answer) or url (a file link)' }),
    at: instant,
  })
  .register(z.globalRegistry, { id: 'ExportRecord' });

/** `?format=url`: a time-limited link to the file instead of the CSV itself. */
export const ExportLink = z.strictObject({ url: z.string(), rows: z.int(), expiresAt: instant }).register(z.globalRegistry, { id: 'ExportLink' });

/** 202 of an export too long for one response: the background job makes the file; GET statusUrl (also in Location) follows it. */
export const ExportAccepted = z
  .strictObject({ exportId: z.string(), state: z.literal('pending'), statusUrl: z.string().register(z.globalRegistry, { description: 'GET it for the state and, when ready, the file link' }) })
  .register(z.globalRegistry, { id: 'ExportAccepted' });

/** An export job: pending, then ready with a fresh time-limited link (or failed). */
export const ExportStatus = z
  .strictObject({
    exportId: z.string(),
    state: z.enum(['pending', 'ready', 'failed']),
    url: z.nullable(z.string()).register(z.globalRegistry, { description: 'when ready: a link to the CSV file, valid until expiresAt' }),
    rows: z.nullable(z.int()),
    expiresAt: z.nullable(instant),
    createdAt: instant,
    finishedAt: z.nullable(instant),
  })
  .register(z.globalRegistry, { id: 'ExportStatus' });

/** The caller's data download: the stored records as they are (docs/privacy.md). */
export const MyData = z
  .looseObject({
    generatedAt: instant,
    userId: z.string(),
    email: z.string(),
    profile: z.nullable(z.looseObject({})),
    memberships: z.array(z.looseObject({})),
    payments: z.array(z.looseObject({})),
    rsvps: z.array(z.looseObject({})),
    matches: z.array(z.looseObject({})),
    exports: z.array(z.looseObject({})),
    suppressions: z.array(z.looseObject({})),
    audit: z.array(z.looseObject({})),
  })
  .register(z.globalRegistry, { id: 'MyData' });

// ---- dues
export const Link = z.strictObject({ url: z.string() }).register(z.globalRegistry, { id: 'Link' });

export const Payment = z
  .strictObject({
    paymentId: z.string(),
    userId: z.string(),
    type: z.enum(['payment', 'failure', 'refund', 'unmatched']),
    kind: z.enum(['offline', 'stripe']),
    amount: z.int(),
    currency: z.string(),
    paidAt: instant,
    periodStart: nullableInstant,
    periodEnd: nullableInstant,
    note: z.nullable(z.string()),
    reason: z.nullable(z.string()),
    recordedBy: z.string(),
    stripe: z.nullable(z.record(z.string(), z.string())),
  })
  .register(z.globalRegistry, { id: 'Payment' });

export const WebhookReceipt = z.strictObject({ received: z.literal(true), outcome: z.enum(['recorded', 'applied', 'duplicate', 'ignored', 'unmatched']) }).register(z.globalRegistry, { id: 'WebhookReceipt' });

// ---- events and RSVPs
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

// ---- matching
// `name`: the person a `mutual_connection` reason names (shown only to the two matched).
const Reason = z.strictObject({ kind: z.string(), tag: z.string(), giver: z.optional(z.string()), receiver: z.optional(z.string()), weight: z.number(), name: z.optional(z.string()) }).register(z.globalRegistry, { id: 'MatchReason' });
export const MatchFigures = z
  .strictObject({
    attendees: z.int(),
    matched: z.int(),
    withK: z.int(),
    totalScore: z.number(),
    candidatePairs: z.int(),
    coverable: z.int(),
    needsMet: z.int(),
    needsCoverable: z.int(),
    ms: z.number(),
  })
  .register(z.globalRegistry, { id: 'MatchFigures' });
const person = z.strictObject({ userId: z.string(), name: z.string() });
export const MatchPreview = z
  .strictObject({
    figures: MatchFigures,
    matches: z.array(z.strictObject({ a: person, b: person, score: z.number(), reasons: z.array(Reason), sentences: z.array(z.string()) })),
  })
  .register(z.globalRegistry, { id: 'MatchPreview' });
export const MatchSendResult = z.strictObject({ figures: MatchFigures, matches: z.int(), mailsQueued: z.int() }).register(z.globalRegistry, { id: 'MatchSendResult' });
const Feedback = z.strictObject({ rating: z.int(), met: z.boolean(), at: z.optional(instant) });
export const EventMatches = z
  .strictObject({
    run: z.nullable(z.looseObject({ runId: z.string(), status: z.string(), at: instant })),
    stats: z.strictObject({
      matches: z.int(),
      acceptanceRate: z.nullable(z.number()),
      introRate: z.nullable(z.number()),
      feedbackCount: z.int(),
      metRate: z.nullable(z.number()),
      averageRating: z.nullable(z.number()),
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
        feedback: z.strictObject({ a: z.optional(Feedback), b: z.optional(Feedback) }),
      }),
    ),
    nextCursor: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: 'EventMatches' });
export const MyMatches = z
  .strictObject({
    items: z.array(
      z.strictObject({
        matchId: z.string(),
        person: z.strictObject({ userId: z.string(), name: z.string(), headline: z.nullable(z.string()), company: z.nullable(z.string()), jobTitle: z.nullable(z.string()) }),
        score: z.number(),
        reasons: z.array(Reason),
        sentences: z.array(z.string()),
        introRequested: z.boolean(),
        introduced: z.boolean(),
        feedback: z.nullable(Feedback),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'MyMatches' });
export const MatchFeedbackResult = z.strictObject({ matchId: z.string(), rating: z.int(), met: z.boolean() }).register(z.globalRegistry, { id: 'MatchFeedbackResult' });
export const IntroduceResult = z
  .strictObject({ introduced: z.boolean(), waitingForOtherSide: z.optional(z.boolean()), queued: z.optional(z.boolean()) })
  .register(z.globalRegistry, { id: 'IntroduceResult' });

// ---- email, profile, meta
export const Unsubscribed = z.strictObject({ unsubscribed: z.string() }).register(z.globalRegistry, { id: 'Unsubscribed' });

export const ProfileView = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    headline: z.optional(z.string()),
    company: z.optional(z.string()),
    jobTitle: z.optional(z.string()),
    industry: z.optional(z.string()),
    skills: z.array(z.string()),
    interests: z.array(z.string()),
    offers: z.array(z.enum(intents)),
    seeks: z.array(z.enum(intents)),
    matchOptIn: z.boolean(),
    directoryVisible: z.boolean(),
    // Absent on profiles saved before the setting existed (docs/connections.md, Privacy).
    connectionsSee: z.optional(z.strictObject({ email: z.boolean(), company: z.boolean(), network: z.optional(z.boolean()) })),
    updatedAt: instant,
  })
  .register(z.globalRegistry, { id: 'ProfileView' });

export const Vocabulary = z.strictObject({ intents: z.array(z.strictObject({ value: z.enum(intents), label: z.string() })) }).register(z.globalRegistry, { id: 'Vocabulary' });
/** The document itself; its shape is OpenAPI's, not ours. */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).register(z.globalRegistry, { id: 'OpenApiDocument' });

/** Bodies that are not JSON (CSV, iCalendar, HTML pages from mail links). */
export const Text = z.string();

// ---- problem details (RFC 9457), as http/problem.ts writes them
export const Problem = z
  .strictObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
  })
  .register(z.globalRegistry, { id: 'Problem' });

export const AssociationPage = page(MyMembership, 'MyMembershipPage');
export const PlanPage = page(Plan, 'PlanPage');
export const MemberPage = page(Member, 'MemberPage');
export const DirectoryPage = page(DirectoryEntry, 'DirectoryPage');
export const ExportRecordPage = page(ExportRecord, 'ExportRecordPage');
export const PaymentPage = page(Payment, 'PaymentPage');
export const EventPage = page(Event, 'EventPage');
export const AttendeePage = page(Attendee, 'AttendeePage');
