/** Success bodies of the associations and plans routes (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { memberStatuses, roles } from '../domain/roles.js';
import { instant, nullableInstant, page } from './common.js';

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

export const AssociationPage = page(MyMembership, 'MyMembershipPage');
export const PlanPage = page(Plan, 'PlanPage');
