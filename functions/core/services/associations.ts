/** Associations and their plans: orchestration of domain rules over the store. */
import { ulid } from 'ulid';
import { ConditionFailed, type Store } from '../data/store.js';
import { conflict, notFound } from '../errors.js';
import type { AssociationCreate, AssociationPatch, PlanCreate, PlanPatch } from '../schemas.js';
import type { Caller } from '../http/access.js';
import type { Association, Member, Plan } from '../domain/types.js';
import { displayName } from '../domain/membership.js';
import type { AssociationsRepo, PlansRepo, ProfilesRepo } from '../data/store.js';
import type { MemberReads } from '../data/members.js';

/** The repositories this service uses (functions/core/data/). */
/** Memberships are only read here: the owner's is written with the association (associationsRepo). */
export type AssociationsStore = AssociationsRepo & MemberReads & PlansRepo & ProfilesRepo;

export const DEFAULT_GRACE_PERIOD_DAYS = 14;

/** What anyone may see of an association. */
export const publicAssociation = (a: Association) => ({
  associationId: a.associationId,
  name: a.name,
  slug: a.slug,
  currency: a.currency,
  timezone: a.timezone,
  description: a.description ?? null,
  /** Whether paid plans can be joined (Stripe connected and able to take charges). */
  acceptsCardPayments: !!(a.stripeAccountId && a.chargesEnabled),
  createdAt: a.createdAt,
});

export const publicPlan = (p: Plan) => ({
  planId: p.planId,
  associationId: p.associationId,
  name: p.name,
  amount: p.amount,
  currency: p.currency,
  interval: p.interval,
  description: p.description ?? null,
  benefits: p.benefits ?? [],
  archived: p.archived,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export async function createAssociation(store: AssociationsStore, caller: Caller, input: AssociationCreate, now: Date) {
  const at = now.toISOString();
  const association: Association = {
    associationId: ulid(now.getTime()),
    name: input.name,
    slug: input.slug,
    currency: input.currency,
    timezone: input.timezone,
    description: input.description,
    gracePeriodDays: DEFAULT_GRACE_PERIOD_DAYS,
    ownerCount: 1,
    createdAt: at,
    updatedAt: at,
  };
  const profile = await store.getProfile(caller.userId);
  // The owner is a member with no plan: staff rights do not depend on dues.
  const owner: Member = {
    associationId: association.associationId,
    userId: caller.userId,
    role: 'owner',
    planId: '',
    status: 'active',
    currentPeriodEnd: null,
    joinedAt: at,
    name: displayName(profile?.name, caller.name, caller.email),
    email: caller.email,
    directoryVisible: profile?.directoryVisible ?? false,
    version: 1,
    updatedAt: at,
  };
  try {
    await store.createAssociation(association, owner);
  } catch (err) {
    if (err instanceof ConditionFailed) {
      throw conflict('That slug is taken.', [{ path: 'slug', message: 'is already used by another association' }]);
    }
    throw err;
  }
  return { ...publicAssociation(association), gracePeriodDays: association.gracePeriodDays };
}

export async function updateAssociation(store: AssociationsStore, association: Association, caller: Caller, patch: AssociationPatch, now: Date) {
  const updated = await store.updateAssociation(association.associationId, patch, caller.userId, now.toISOString());
  return { ...publicAssociation(updated), gracePeriodDays: updated.gracePeriodDays };
}

/** The caller's memberships, each with its association's public summary. */
export async function myAssociations(store: AssociationsStore, caller: Caller, limit: number, startKey?: Record<string, unknown>) {
  const page = await store.membershipsOfUser(caller.userId, { limit, startKey });
  const associations = await store.batchGetAssociations(page.items.map((m) => m.associationId));
  return {
    items: page.items
      .filter((m) => associations.has(m.associationId))
      .map((m) => ({
        association: publicAssociation(associations.get(m.associationId)!),
        role: m.role,
        status: m.status,
        planId: m.planId || null,
        currentPeriodEnd: m.currentPeriodEnd,
        joinedAt: m.joinedAt,
      })),
    lastKey: page.lastKey,
  };
}

export async function createPlan(store: AssociationsStore, association: Association, caller: Caller, input: PlanCreate, now: Date) {
  const at = now.toISOString();
  const plan: Plan = {
    planId: ulid(now.getTime()),
    associationId: association.associationId,
    name: input.name,
    amount: input.amount,
    currency: association.currency,
    interval: input.interval,
    description: input.description,
    benefits: input.benefits,
    archived: false,
    createdAt: at,
    updatedAt: at,
  };
  await store.putPlan(plan, caller.userId);
  return publicPlan(plan);
}

export async function activePlans(store: AssociationsStore, association: Association) {
  const plans = await store.plansOfAssociation(association.associationId);
  return plans.filter((p) => !p.archived).map(publicPlan);
}

export async function updatePlan(store: AssociationsStore, association: Association, planId: string, caller: Caller, patch: PlanPatch, now: Date) {
  try {
    return publicPlan(await store.updatePlan(association.associationId, planId, patch, caller.userId, now.toISOString()));
  } catch (err) {
    if (err instanceof ConditionFailed) throw notFound('No such plan.');
    throw err;
  }
}
