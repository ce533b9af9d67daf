/**
 * One zod schema per request body, query and path. The router validates with these and
 * /openapi.json is generated from them, so the docs cannot disagree with the code.
 * Objects are strict: a client can never set a field it does not own.
 * zod/mini's functional forms keep the bundles small; metadata goes on as in responses.ts.
 */
import * as z from 'zod/mini';
import './zod-locale.js';
import { intents } from './domain/vocabulary.js';
import { memberStatuses, roles } from './domain/roles.js';

const timeZones = new Set(Intl.supportedValuesOf('timeZone'));
timeZones.add('UTC');
/** Node's list holds older aliases (Asia/Calcutta); current names (Asia/Kolkata) are valid too. */
const isTimeZone = (tz: string) => {
  if (timeZones.has(tz)) return true;
  if (!/^[A-Za-z]+(\/[A-Za-z0-9_+-]+)+$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
const currencies = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

export const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id of 1-64 letters, digits, _ or -'));
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const tags = z.array(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(60))).check(z.maxLength(30));

export const timezone = z
  .string()
  .check(z.refine(isTimeZone, 'must be an IANA time zone name such as Europe/Paris'))
  .register(z.globalRegistry, { example: 'Europe/Paris' });
export const currency = z.string().check(
  z.regex(/^[a-z]{3}$/, 'must be a lowercase ISO 4217 code such as usd'),
  z.refine((c) => currencies.has(c), 'is not an ISO 4217 currency'),
);
export const slug = z
  .string()
  .check(z.regex(/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/, 'must be 1-60 lowercase letters, digits or dashes, not starting or ending with a dash'));

// ---- params
export const AssociationParams = z.strictObject({ associationId: id });
export const ExportParams = z.strictObject({ associationId: id, exportId: id });
export const PlanParams = z.strictObject({ associationId: id, planId: id });
export const MemberParams = z.strictObject({ associationId: id, userId: id });

// ---- queries
const limit = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50);
export const PageQuery = z.strictObject({ limit: z.optional(limit), cursor: z.optional(z.string().check(z.maxLength(2048))) });
export const MembersQuery = z.extend(PageQuery, {
  status: z.optional(z.enum(memberStatuses)),
  planId: z.optional(id),
  q: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(100))),
});

export const PaymentsQuery = z.extend(PageQuery, { userId: z.optional(id) });
/** Member and ledger exports: inline CSV, or `url` for a time-limited link to a file. */
export const ListExportQuery = z.strictObject({ format: z._default(z.enum(['csv', 'url']), 'csv') });
/** No query fields: an unknown one is refused by name rather than ignored. */
export const NoQuery = z.strictObject({});

// ---- bodies
export const AssociationCreate = z
  .strictObject({
    name: text(120),
    slug,
    currency,
    timezone,
    description: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
  })
  .register(z.globalRegistry, { id: 'AssociationCreate' });

export const AssociationPatch = z
  .strictObject({
    name: z.optional(text(120)),
    timezone: z.optional(timezone),
    description: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
    /** Days a past-due membership keeps its rights (dues issue). */
    gracePeriodDays: z.optional(z.int().check(z.gte(0), z.lte(90))),
  })
  .check(z.refine((o) => Object.keys(o).length > 0, 'give at least one field to change'))
  .register(z.globalRegistry, { id: 'AssociationPatch' });

export const PlanCreate = z
  .strictObject({
    name: text(120),
    amount: z.int().check(z.gte(0), z.lte(100_000_000)).register(z.globalRegistry, { description: 'Minor units of the association currency; 0 = free plan' }),
    interval: z.enum(['year', 'month', 'once']),
    description: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
    benefits: z.optional(z.array(text(200)).check(z.maxLength(20))),
  })
  .register(z.globalRegistry, { id: 'PlanCreate' });

export const PlanPatch = z
  .strictObject({
    name: z.optional(text(120)),
    description: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
    benefits: z.optional(z.array(text(200)).check(z.maxLength(20))),
    archived: z.optional(z.boolean()),
  })
  .check(z.refine((o) => Object.keys(o).length > 0, 'give at least one field to change'))
  .register(z.globalRegistry, { id: 'PlanPatch' });

export const MemberJoin = z.strictObject({ planId: id }).register(z.globalRegistry, { id: 'MemberJoin' });

export const OfflinePayment = z.strictObject({
  amount: z.int().check(z.gte(1), z.lte(100_000_000)),
  paidAt: z.iso.datetime({ offset: true }),
  note: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});

export const MemberPatch = z
  .strictObject({
    role: z.optional(z.enum(roles)),
    offlinePayment: z.optional(OfflinePayment),
  })
  .check(z.refine((o) => o.role !== undefined || o.offlinePayment !== undefined, 'give role or offlinePayment'))
  .register(z.globalRegistry, { id: 'MemberPatch' });

/** This association's own choices; a field not sent keeps its value (or keeps following the profile). */
export const MemberPreferencesPut = z
  .strictObject({
    matchOptIn: z.optional(z.boolean()),
    directoryVisible: z.optional(z.boolean()),
  })
  .register(z.globalRegistry, { id: 'MemberPreferences' });

export const ProfilePut = z
  .strictObject({
    name: text(120),
    headline: z.optional(z.string().check(z.trim(), z.maxLength(160))),
    company: z.optional(z.string().check(z.trim(), z.maxLength(120))),
    jobTitle: z.optional(z.string().check(z.trim(), z.maxLength(120))),
    industry: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.maxLength(80))),
    skills: z._default(tags, []),
    interests: z._default(tags, []),
    offers: z._default(z.array(z.enum(intents)).check(z.maxLength(intents.length)), []),
    seeks: z._default(z.array(z.enum(intents)).check(z.maxLength(intents.length)), []),
    matchOptIn: z._default(z.boolean(), false),
    directoryVisible: z._default(z.boolean(), false),
    // What connections see (docs/connections.md); the email stays hidden unless shared.
    // `network`: people I am matched with may learn who we both know ("You both know Dana Li"); off unless chosen.
    connectionsSee: z._default(
      z.strictObject({ email: z._default(z.boolean(), false), company: z._default(z.boolean(), true), network: z._default(z.boolean(), false) }),
      { email: false, company: true, network: false },
    ),
  })
  .register(z.globalRegistry, { id: 'Profile' });

export type AssociationCreate = z.infer<typeof AssociationCreate>;
export type AssociationPatch = z.infer<typeof AssociationPatch>;
export type PlanCreate = z.infer<typeof PlanCreate>;
export type PlanPatch = z.infer<typeof PlanPatch>;
export type MemberPatch = z.infer<typeof MemberPatch>;
export type ProfilePut = z.infer<typeof ProfilePut>;
export type MemberPreferencesPut = z.infer<typeof MemberPreferencesPut>;
export type MembersQuery = z.infer<typeof MembersQuery>;

// ---- events and RSVPs
export const EventParams = z.strictObject({ eventId: id });
const isoDateTime = z.iso.datetime({ offset: true });

export const Question = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9_]{1,40}$/, 'must be 1-40 lowercase letters, digits or _')),
  label: text(200),
  type: z.enum(['text', 'single', 'multiple']),
  required: z._default(z.boolean(), false),
  options: z.optional(z.array(text(100)).check(z.minLength(2), z.maxLength(30))),
});

export const Matchmaking = z.strictObject({
  enabled: z.boolean(),
  sendAt: z.optional(isoDateTime),
  matchesPerAttendee: z._default(z.int().check(z.gte(1), z.lte(10)), 3),
});

const eventFields = {
  title: text(200),
  description: z.string().check(z.trim(), z.maxLength(10_000)),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  timezone,
  venue: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
  onlineUrl: z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2000))),
  capacity: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(1_000_000)))),
  visibility: z.enum(['public', 'members']),
  waitlist: z.boolean(),
  /** Active members go ahead of non-members on the waitlist. */
  membersFirst: z._default(z.boolean(), false),
  rsvpDeadline: z.optional(isoDateTime),
  /** How many guests (+N) one attendee may bring; 0 = none. Guests take seats. */
  maxGuests: z._default(z.int().check(z.gte(0), z.lte(20)), 0),
  questions: z._default(z.array(Question).check(z.maxLength(30)), []),
  matchmaking: z.optional(Matchmaking),
};

/** Cross-field rules shared by create and update. */
function eventRules(e: Record<string, any>, ctx: z.core.$RefinementCtx) {
  if (e.startsAt && e.endsAt && Date.parse(e.endsAt) <= Date.parse(e.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  }
  if (e.rsvpDeadline && e.endsAt && Date.parse(e.rsvpDeadline) > Date.parse(e.endsAt)) {
    ctx.addIssue({ code: 'custom', path: ['rsvpDeadline'], message: 'must not be after the event ends' });
  }
  for (const [i, q] of (e.questions ?? []).entries()) {
    if (q.type !== 'text' && !q.options) ctx.addIssue({ code: 'custom', path: ['questions', i, 'options'], message: 'are required for choice questions' });
    if (q.type === 'text' && q.options) ctx.addIssue({ code: 'custom', path: ['questions', i, 'options'], message: 'are only for choice questions' });
  }
  const ids = (e.questions ?? []).map((q: { id: string }) => q.id);
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['questions'], message: 'ids must be unique' });
}

export const EventCreate = z
  .strictObject(eventFields)
  .check(
    z.superRefine((e, ctx) => {
      if (!e.venue && !e.onlineUrl) ctx.addIssue({ code: 'custom', path: ['venue'], message: 'give a venue or an onlineUrl' });
      eventRules(e, ctx);
    }),
  )
  .register(z.globalRegistry, { id: 'EventCreate' });

export const EventPatch = z
  .strictObject(Object.fromEntries(Object.entries(eventFields).map(([k, v]) => [k, z.optional(v)])) as { [K in keyof typeof eventFields]: z.ZodMiniOptional<(typeof eventFields)[K]> })
  .check(
    z.superRefine((e, ctx) => {
      if (Object.keys(e).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'give at least one field to change' });
      eventRules(e, ctx);
    }),
  )
  .register(z.globalRegistry, { id: 'EventPatch' });

export const EventsQuery = z.extend(PageQuery, {
  from: z.optional(isoDateTime),
  past: z.optional(z.enum(['true', 'false'])),
});

export const RsvpPut = z
  .strictObject({
    status: z.enum(['going', 'not_going']),
    answers: z.optional(z.record(z.string(), z.union([z.string().check(z.maxLength(2000)), z.array(z.string().check(z.maxLength(200))).check(z.maxLength(30))]))),
    guests: z.optional(z.int().check(z.gte(0), z.lte(20))),
  })
  .register(z.globalRegistry, { id: 'RsvpPut' });

export const AttendeesQuery = z.extend(PageQuery, { status: z.optional(z.enum(['going', 'waitlisted', 'not_going'])) });

/**
 * Attendee export. `preset`: full (every column), door (a venue's list: name, company, guests;
 * `minimal` is its older name) or waitlist (full columns, the waitlist in its order).
 * `status` (default going; waitlisted for the waitlist preset) picks whose rows.
 */
export const ExportQuery = z
  .strictObject({
    format: z._default(z.enum(['csv', 'url']), 'csv'),
    preset: z._default(z.enum(['full', 'door', 'waitlist', 'minimal']), 'full'),
    status: z.optional(z.enum(['going', 'waitlisted', 'all'])),
  })
  .check(z.refine((q) => q.preset !== 'waitlist' || !q.status || q.status === 'waitlisted', { path: ['status'], message: 'must be waitlisted (or left out) with preset=waitlist' }));

export const CheckIn = z
  .strictObject({ userId: z.optional(id), code: z.optional(z.string().check(z.regex(/^[A-Z0-9]{6,12}$/, 'must be the code from the confirmation mail'))) })
  .check(z.refine((o) => !!o.userId !== !!o.code, 'give exactly one of userId or code'))
  .register(z.globalRegistry, { id: 'CheckIn' });

export const TokenQuery = z.strictObject({ token: z.string().check(z.minLength(10), z.maxLength(2000)) });

export type EventCreate = z.infer<typeof EventCreate>;
export type EventPatch = z.infer<typeof EventPatch>;
export type RsvpPut = z.infer<typeof RsvpPut>;

// ---- matching
export const MatchParams = z.strictObject({ eventId: id, matchId: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,200}$/, 'must be a match id')) });
export const MatchFeedback = z
  .strictObject({ rating: z.int().check(z.gte(1), z.lte(5)), met: z.boolean() })
  .register(z.globalRegistry, { id: 'MatchFeedback' });
export const MatchSendQuery = z.strictObject({});
