/** Request schemas of the associations and plans routes (schemas.ts says how they are used). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { id, text, timezone } from './common.js';

const currencies = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

export const currency = z.string().check(
  z.regex(/^[a-z]{3}$/, 'must be a lowercase ISO 4217 code such as usd'),
  z.refine((c) => currencies.has(c), 'is not an ISO 4217 currency'),
);

export const slug = z
  .string()
  .check(z.regex(/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/, 'must be 1-60 lowercase letters, digits or dashes, not starting or ending with a dash'));

export const PlanParams = z.strictObject({ associationId: id, planId: id });

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

export type AssociationCreate = z.infer<typeof AssociationCreate>;
export type AssociationPatch = z.infer<typeof AssociationPatch>;
export type PlanCreate = z.infer<typeof PlanCreate>;
export type PlanPatch = z.infer<typeof PlanPatch>;
