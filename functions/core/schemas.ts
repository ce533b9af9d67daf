/**
 * One zod schema per request body, query and path. The router validates with these and
 * /openapi.json is generated from them, so the docs cannot disagree with the code.
 * Objects are strict: a client can never set a field it does not own.
 */
import * as z from 'zod';
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

export const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id of 1-64 letters, digits, _ or -');
const text = (max: number) => z.string().trim().min(1).max(max);
const tags = z.array(z.string().trim().toLowerCase().min(1).max(60)).max(30);

export const timezone = z
  .string()
  .refine(isTimeZone, 'must be an IANA time zone name such as Europe/Paris')
  .meta({ example: 'Europe/Paris' });
export const currency = z
  .string()
  .regex(/^[a-z]{3}$/, 'must be a lowercase ISO 4217 code such as usd')
  .refine((c) => currencies.has(c), 'is not an ISO 4217 currency');
export const slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/, 'must be 1-60 lowercase letters, digits or dashes, not starting or ending with a dash');

// ---- params
export const AssociationParams = z.strictObject({ associationId: id });
export const ExportParams = z.strictObject({ associationId: id, exportId: id });
export const PlanParams = z.strictObject({ associationId: id, planId: id });
export const MemberParams = z.strictObject({ associationId: id, userId: id });

// ---- queries
const limit = z.coerce.number().int().min(1).max(200).default(50);
export const PageQuery = z.strictObject({ limit: limit.optional(), cursor: z.string().max(2048).optional() });
export const MembersQuery = PageQuery.extend({
  status: z.enum(memberStatuses).optional(),
  planId: id.optional(),
  q: z.string().trim().toLowerCase().min(1).max(100).optional(),
});

export const PaymentsQuery = PageQuery.extend({ userId: id.optional() });
/** Member and ledger exports: inline CSV, or `url` for a time-limited link to a file. */
export const ListExportQuery = z.strictObject({ format: z.enum(['csv', 'url']).default('csv') });
/** No query fields: an unknown one is refused by name rather than ignored. */
export const NoQuery = z.strictObject({});

// ---- bodies
export const AssociationCreate = z
  .strictObject({
    name: text(120),
    slug,
    currency,
    timezone,
    description: z.string().trim().max(2000).optional(),
  })
  .meta({ id: 'AssociationCreate' });

export const AssociationPatch = z
  .strictObject({
    name: text(120).optional(),
    timezone: timezone.optional(),
    description: z.string().trim().max(2000).optional(),
    /** Days a past-due membership keeps its rights (dues issue). */
    gracePeriodDays: z.number().int().min(0).max(90).optional(),
  })
  .refine((o) => Object.keys(o).length > 0, 'give at least one field to change')
  .meta({ id: 'AssociationPatch' });

export const PlanCreate = z
  .strictObject({
    name: text(120),
    amount: z.number().int().min(0).max(100_000_000).meta({ description: 'Minor units of the association currency; 0 = free plan' }),
    interval: z.enum(['year', 'month', 'once']),
    description: z.string().trim().max(2000).optional(),
    benefits: z.array(text(200)).max(20).optional(),
  })
  .meta({ id: 'PlanCreate' });

export const PlanPatch = z
  .strictObject({
    name: text(120).optional(),
    description: z.string().trim().max(2000).optional(),
    benefits: z.array(text(200)).max(20).optional(),
    archived: z.boolean().optional(),
  })
  .refine((o) => Object.keys(o).length > 0, 'give at least one field to change')
  .meta({ id: 'PlanPatch' });

export const MemberJoin = z.strictObject({ planId: id }).meta({ id: 'MemberJoin' });

export const OfflinePayment = z.strictObject({
  amount: z.number().int().min(1).max(100_000_000),
  paidAt: z.iso.datetime({ offset: true }),
  note: z.string().trim().max(500).optional(),
});

export const MemberPatch = z
  .strictObject({
    role: z.enum(roles).optional(),
    offlinePayment: OfflinePayment.optional(),
  })
  .refine((o) => o.role !== undefined || o.offlinePayment !== undefined, 'give role or offlinePayment')
  .meta({ id: 'MemberPatch' });

/** This association's own choices; a field not sent keeps its value (or keeps following the profile). */
export const MemberPreferencesPut = z
  .strictObject({
    matchOptIn: z.boolean().optional(),
    directoryVisible: z.boolean().optional(),
  })
  .meta({ id: 'MemberPreferences' });

export const ProfilePut = z
  .strictObject({
    name: text(120),
    headline: z.string().trim().max(160).optional(),
    company: z.string().trim().max(120).optional(),
    jobTitle: z.string().trim().max(120).optional(),
    industry: z.string().trim().toLowerCase().max(80).optional(),
    skills: tags.default([]),
    interests: tags.default([]),
    offers: z.array(z.enum(intents)).max(intents.length).default([]),
    seeks: z.array(z.enum(intents)).max(intents.length).default([]),
    matchOptIn: z.boolean().default(false),
    directoryVisible: z.boolean().default(false),
    // What connections see (docs/connections.md); the email stays hidden unless shared.
    // `network`: people I am matched with may learn who we both know ("You both know Dana Li"); off unless chosen.
    connectionsSee: z.strictObject({ email: z.boolean().default(false), company: z.boolean().default(true), network: z.boolean().default(false) }).default({ email: false, company: true, network: false }),
  })
  .meta({ id: 'Profile' });

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
  id: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be 1-40 lowercase letters, digits or _'),
  label: text(200),
  type: z.enum(['text', 'single', 'multiple']),
  required: z.boolean().default(false),
  options: z.array(text(100)).min(2).max(30).optional(),
});

export const Matchmaking = z.strictObject({
  enabled: z.boolean(),
  sendAt: isoDateTime.optional(),
  matchesPerAttendee: z.number().int().min(1).max(10).default(3),
});

const eventFields = {
  title: text(200),
  description: z.string().trim().max(10_000),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  timezone,
  venue: z.string().trim().min(1).max(500).optional(),
  onlineUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  capacity: z.number().int().min(1).max(1_000_000).nullable().optional(),
  visibility: z.enum(['public', 'members']),
  waitlist: z.boolean(),
  /** Active members go ahead of non-members on the waitlist. */
  membersFirst: z.boolean().default(false),
  rsvpDeadline: isoDateTime.optional(),
  /** How many guests (+N) one attendee may bring; 0 = none. Guests take seats. */
  maxGuests: z.number().int().min(0).max(20).default(0),
  questions: z.array(Question).max(30).default([]),
  matchmaking: Matchmaking.optional(),
};

/** Cross-field rules shared by create and update. */
function eventRules(e: Record<string, any>, ctx: z.RefinementCtx) {
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
  .superRefine((e, ctx) => {
    if (!e.venue && !e.onlineUrl) ctx.addIssue({ code: 'custom', path: ['venue'], message: 'give a venue or an onlineUrl' });
    eventRules(e, ctx);
  })
  .meta({ id: 'EventCreate' });

export const EventPatch = z
  .strictObject(Object.fromEntries(Object.entries(eventFields).map(([k, v]) => [k, (v as z.ZodType).optional()])) as { [K in keyof typeof eventFields]: z.ZodOptional<(typeof eventFields)[K]> })
  .superRefine((e, ctx) => {
    if (Object.keys(e).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'give at least one field to change' });
    eventRules(e, ctx);
  })
  .meta({ id: 'EventPatch' });

export const EventsQuery = PageQuery.extend({
  from: isoDateTime.optional(),
  past: z.enum(['true', 'false']).optional(),
});

export const RsvpPut = z
  .strictObject({
    status: z.enum(['going', 'not_going']),
    answers: z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(200)).max(30)])).optional(),
    guests: z.number().int().min(0).max(20).optional(),
  })
  .meta({ id: 'RsvpPut' });

export const AttendeesQuery = PageQuery.extend({ status: z.enum(['going', 'waitlisted', 'not_going']).optional() });

/**
 * Attendee export. `preset`: full (every column), door (a venue's list: name, company, guests;
 * `minimal` is its older name) or waitlist (full columns, the waitlist in its order).
 * `status` (default going; waitlisted for the waitlist preset) picks whose rows.
 */
export const ExportQuery = z
  .strictObject({
    format: z.enum(['csv', 'url']).default('csv'),
    preset: z.enum(['full', 'door', 'waitlist', 'minimal']).default('full'),
    status: z.enum(['going', 'waitlisted', 'all']).optional(),
  })
  .refine((q) => q.preset !== 'waitlist' || !q.status || q.status === 'waitlisted', { path: ['status'], message: 'must be waitlisted (or left out) with preset=waitlist' });

export const CheckIn = z
  .strictObject({ userId: id.optional(), code: z.string().regex(/^[A-Z0-9]{6,12}$/, 'must be the code from the confirmation mail').optional() })
  .refine((o) => !!o.userId !== !!o.code, 'give exactly one of userId or code')
  .meta({ id: 'CheckIn' });

export const TokenQuery = z.strictObject({ token: z.string().min(10).max(2000) });

export type EventCreate = z.infer<typeof EventCreate>;
export type EventPatch = z.infer<typeof EventPatch>;
export type RsvpPut = z.infer<typeof RsvpPut>;

// ---- matching
export const MatchParams = z.strictObject({ eventId: id, matchId: z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/, 'must be a match id') });
export const MatchFeedback = z
  .strictObject({ rating: z.number().int().min(1).max(5), met: z.boolean() })
  .meta({ id: 'MatchFeedback' });
export const MatchSendQuery = z.strictObject({});
