/**
 * One zod schema per request body, query and path. The router validates with these and
 * /openapi.json is generated from them, so the docs cannot disagree with the code.
 * Objects are strict: a client can never set a field it does not own.
 */
import { z } from 'zod';
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
  })
  .meta({ id: 'Profile' });

export type AssociationCreate = z.infer<typeof AssociationCreate>;
export type AssociationPatch = z.infer<typeof AssociationPatch>;
export type PlanCreate = z.infer<typeof PlanCreate>;
export type PlanPatch = z.infer<typeof PlanPatch>;
export type MemberPatch = z.infer<typeof MemberPatch>;
export type ProfilePut = z.infer<typeof ProfilePut>;
export type MembersQuery = z.infer<typeof MembersQuery>;
