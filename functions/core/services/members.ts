/** Joining, listing, managing and removing members of an association. */
import { config } from '../config.js';
import { ulid } from 'ulid';
import { AlreadyApplied, ConditionFailed, StaleMember, type MemberFilter, type Store } from '../data/store.js';
import { decideMembership, nextDueAt } from '../domain/dues.js';
import { receiptMail } from '../domain/emails.js';
import { newMail } from './mail-item.js';
import { conflict, forbidden, notFound, unprocessable } from '../errors.js';
import type { Caller } from '../http/access.js';
import type { Association, Member, Payment } from '../domain/types.js';
import { canAssignRole, displayName, newMembership, periodForPayment } from '../domain/membership.js';
import type { MemberPatch } from '../schemas.js';
import type { Column } from '../domain/csv.js';
import { allPages, exportRows, onePage, PAGE_ROWS, type ExportDeps, type ExportPlan } from './exports.js';
import type { Role } from '../domain/roles.js';
import { assertCanTakePayments } from './dues.js';
import { logger } from '../http/logger.js';
import { effectivePreferences, mergePreferences, type OwnPreferences } from '../domain/preferences.js';
import type { ExportsRepo, MembersRepo, PlansRepo, ProfilesRepo, UnitsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type MembersStore = ExportsRepo & MembersRepo & PlansRepo & ProfilesRepo & UnitsRepo;

/** The member as admins and the member see it. */
export const memberView = (m: Member) => ({
  userId: m.userId,
  associationId: m.associationId,
  role: m.role,
  planId: m.planId || null,
  status: m.status,
  currentPeriodEnd: m.currentPeriodEnd,
  joinedAt: m.joinedAt,
  name: m.name,
  email: m.email,
  /** Dues details: how the member pays and where a failed payment leaves them. */
  billing: {
    method: (m.stripeSubscriptionId || m.stripeCustomerId ? 'stripe' : m.currentPeriodEnd ? 'offline' : null) as 'stripe' | 'offline' | null,
    autoRenew: m.stripeSubscriptionId ? m.autoRenew !== false : false,
    pastDueSince: m.pastDueSince ?? null,
    graceUntil: m.graceUntil ?? null,
    lapsedAt: m.lapsedAt ?? null,
  },
});

/**
 * Joins on a plan. A paid plan needs an association that can take payments; the member
 * is written `pending` first and then sent to checkout, so a failed Stripe call loses
 * nothing (the member can ask for checkout again).
 */
export async function join(
  store: MembersStore,
  association: Association,
  caller: Caller,
  planId: string,
  now: Date,
  startCheckout?: (member: Member) => Promise<{ url: string }>,
) {
  const plan = await store.getPlan(association.associationId, planId);
  if (!plan || plan.archived) {
    throw unprocessable('That plan cannot be joined.', [{ path: 'planId', message: plan ? 'is archived' : 'is not a plan of this association' }]);
  }
  if (plan.amount > 0) assertCanTakePayments(association);
  const existing = await store.getMember(association.associationId, caller.userId);
  if (existing && existing.status !== 'cancelled' && existing.status !== 'lapsed') {
    throw conflict('You are already a member of this association.');
  }
  const profile = await store.getProfile(caller.userId);
  const fresh = newMembership(
    association.associationId,
    plan,
    {
      userId: caller.userId,
      name: displayName(profile?.name, caller.name, caller.email),
      email: caller.email,
      directoryVisible: profile?.directoryVisible ?? false,
    },
    'member',
    now,
  );
  // Someone rejoining keeps what they chose for this association (an opt-out above all).
  const own = existing?.preferences;
  const member: Member = own ? { ...fresh, preferences: own, directoryVisible: effectivePreferences(own, profile).directoryVisible } : fresh;
  try {
    await store.join(member);
  } catch (err) {
    if (err instanceof ConditionFailed) throw conflict('You are already a member of this association.');
    throw err;
  }
  if (member.status !== 'pending') return memberView(member);
  let checkoutUrl: string | null = null;
  try {
    checkoutUrl = startCheckout ? (await startCheckout(member)).url : null;
  } catch (err) {
    logger.warn('checkout could not be started at join', { errorName: (err as Error).name });
  }
  return { ...memberView(member), checkoutUrl };
}

export async function list(store: MembersStore, association: Association, filter: MemberFilter, limit: number, startKey?: Record<string, unknown>) {
  const page = await store.membersOfAssociation(association.associationId, filter, { limit, startKey });
  return { items: page.items.map(memberView), lastKey: page.lastKey };
}

/**
 * Opted-in members in good standing, with their public profile and never their email.
 * The directory index holds exactly those members, so every page is full and in name order.
 */
export async function directory(store: MembersStore, association: Association, limit: number, startKey?: Record<string, unknown>) {
  const page = await store.directoryOf(association.associationId, { limit, startKey });
  const profiles = await store.batchGetProfiles(page.items.map((m) => m.userId));
  const items = page.items.map((m) => {
    const p = profiles.get(m.userId);
    return {
      userId: m.userId,
      name: p?.name ?? m.name,
      role: m.role,
      headline: p?.headline ?? null,
      company: p?.company ?? null,
      jobTitle: p?.jobTitle ?? null,
      industry: p?.industry ?? null,
      skills: p?.skills ?? [],
      interests: p?.interests ?? [],
      offers: p?.offers ?? [],
      seeks: p?.seeks ?? [],
    };
  });
  return { items, lastKey: page.lastKey };
}

/** One member, with the preferences in effect for this association. */
export async function getOne(store: MembersStore, association: Association, userId: string) {
  const [m, profile] = await Promise.all([store.getMember(association.associationId, userId), store.getProfile(userId)]);
  if (!m) throw notFound('No such member.');
  return { ...memberView(m), preferences: effectivePreferences(m.preferences, profile) };
}

/**
 * Sets the caller's own matching opt-in and directory visibility for this association;
 * what is not sent keeps its earlier value (or keeps following the profile). Returns the
 * preferences in effect. Written at the version read; a concurrent change is re-read.
 */
export async function setPreferences(store: MembersStore, association: Association, caller: Caller, change: OwnPreferences, now: Date) {
  const profile = await store.getProfile(caller.userId);
  for (let attempt = 0; ; attempt++) {
    const m = await store.getMember(association.associationId, caller.userId);
    if (!m || m.status === 'cancelled') throw notFound('No such member.');
    const own = mergePreferences(m.preferences, change);
    const effective = effectivePreferences(own, profile);
    try {
      await store.savePreferences(m, { ...m, preferences: own, directoryVisible: effective.directoryVisible, updatedAt: now.toISOString() });
      return effective;
    } catch (err) {
      if (!(err instanceof StaleMember)) throw err;
      if (attempt >= 5) throw conflict('The membership changed meanwhile; retry.');
      // Spread out writers racing for the same membership.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
    }
  }
}

/** Changes a role and/or records an offline payment; each is its own atomic write, with its mail queued in the outbox (sent by the stream consumer). */
export async function patch(
  store: MembersStore,
  association: Association,
  actor: Member,
  userId: string,
  input: MemberPatch,
  now: Date,
) {
  const at = now.toISOString();
  let m = await store.getMember(association.associationId, userId);
  if (!m || m.status === 'cancelled') throw notFound('No such member.');

  // Every check comes before the first write, so a refused request changes nothing.
  const roleChange = input.role !== undefined && input.role !== m.role;
  if (roleChange && !canAssignRole(actor.role, m.role, input.role as Role)) {
    throw forbidden('Only an owner may grant or change the admin and owner roles.');
  }
  const plan = input.offlinePayment && m.planId ? await store.getPlan(association.associationId, m.planId) : undefined;
  if (input.offlinePayment) {
    if (!plan || plan.amount === 0) {
      throw unprocessable('This member has no paid plan to pay for.', [{ path: 'offlinePayment', message: 'the member is not on a paid plan' }]);
    }
    if (Date.parse(input.offlinePayment.paidAt) > now.getTime() + 60_000) {
      throw unprocessable('A payment cannot be recorded in the future.', [{ path: 'offlinePayment.paidAt', message: 'is in the future' }]);
    }
  }

  if (roleChange) {
    try {
      await store.changeRole(m, input.role as Role, actor.userId, at);
    } catch (err) {
      if (err instanceof ConditionFailed) {
        throw conflict(
          m.role === 'owner' ? 'An association must keep at least one owner.' : 'The member changed meanwhile; reload and retry.',
          [{ path: 'role', message: m.role === 'owner' ? 'would leave no owner' : 'was changed concurrently' }],
        );
      }
      throw err;
    }
    m = (await store.getMember(association.associationId, userId))!;
  }

  if (input.offlinePayment && plan) {
    const paidAt = new Date(input.offlinePayment.paidAt);
    const { start, end } = periodForPayment(m, plan, paidAt);
    const payment: Payment = {
      paymentId: `${paidAt.toISOString()}_offline_${ulid(now.getTime())}`,
      associationId: association.associationId,
      userId,
      kind: 'offline',
      type: 'payment',
      amount: input.offlinePayment.amount,
      currency: association.currency,
      paidAt: paidAt.toISOString(),
      note: input.offlinePayment.note,
      periodStart: start.toISOString(),
      periodEnd: end ? end.toISOString() : null,
      recordedBy: actor.userId,
      createdAt: at,
    };
    // The same rule as Stripe's payments and the daily job (domain/dues.ts decideMembership).
    const after: Member = { ...m, ...decideMembership(m, plan, { kind: 'offline_payment', periodEnd: payment.periodEnd }, now, association.gracePeriodDays), updatedAt: at };
    after.dueAt = nextDueAt(after, association.gracePeriodDays, now);
    const receipt = receiptMail({
      associationName: association.name,
      memberName: m.name,
      planName: plan.name,
      timezone: association.timezone,
      amount: payment.amount,
      currency: payment.currency,
      paidAt: payment.paidAt,
      periodEnd: payment.periodEnd,
      accountUrl: `${config.appUrl}/account#memberships`,
    });
    const mail = newMail({ to: m.email, fromName: association.name, kind: 'receipt', associationId: association.associationId, mail: receipt }, now);
    try {
      await store.saveMember({
        before: m,
        after,
        ledger: [payment],
        outbox: [mail],
        audit: { action: 'member.offline_payment', actorId: actor.userId, data: { paymentId: payment.paymentId, amount: payment.amount } },
      });
    } catch (err) {
      if (err instanceof StaleMember || err instanceof AlreadyApplied) throw conflict('The member changed meanwhile; reload and retry.');
      throw err;
    }
    m = (await store.getMember(association.associationId, userId))!;
  }
  return memberView(m);
}

export async function remove(
  store: MembersStore,
  association: Association,
  actor: Member | undefined,
  caller: Caller,
  userId: string,
  now: Date,
  stopBilling?: (account: string, subscriptionId: string) => Promise<void>,
  /** The write sent once (a conflict reaches the caller as StoreBusy): for a caller that reads again after one. */
  opts: { once?: boolean } = {},
) {
  const m = await store.getMember(association.associationId, userId);
  if (!m || m.status === 'cancelled') throw notFound('No such member.');
  // Removing someone takes their role away: the same rule as demoting them to member.
  if (caller.userId !== userId && !(actor && canAssignRole(actor.role, m.role, 'member'))) {
    throw forbidden('Only an owner may remove an admin or an owner.');
  }
  try {
    await store.removeMember(m, caller.userId, now.toISOString(), opts);
  } catch (err) {
    if (err instanceof ConditionFailed) {
      throw conflict(m.role === 'owner' ? 'The last owner cannot leave; make someone else owner first.' : 'The member changed meanwhile; retry.');
    }
    throw err;
  }
  // Someone who left is not charged again. If Stripe cannot be reached now, its
  // subscription.deleted never comes and the operator sees the logged error.
  if (m.stripeSubscriptionId && association.stripeAccountId && stopBilling) {
    await stopBilling(association.stripeAccountId, m.stripeSubscriptionId).catch((err) =>
      logger.error('could not cancel the Stripe subscription of a member who left', { associationId: association.associationId, errorName: (err as Error).name }),
    );
  }
}

const memberColumns = (planNames: Map<string, string>): Column<Member>[] => [
  { header: 'userId', value: (m) => m.userId },
  { header: 'name', value: (m) => m.name },
  { header: 'email', value: (m) => m.email },
  { header: 'role', value: (m) => m.role },
  { header: 'status', value: (m) => m.status },
  { header: 'plan', value: (m) => planNames.get(m.planId) ?? '' },
  { header: 'currentPeriodEnd', value: (m) => m.currentPeriodEnd },
  { header: 'joinedAt', value: (m) => m.joinedAt },
];

/** How the member list is read for an export (by the request, or by the job for a long list). */
export async function membersExportPlan(store: MembersStore, association: Association): Promise<ExportPlan<Member>> {
  const plans = await store.plansOfAssociation(association.associationId);
  const planNames = new Map(plans.map((p) => [p.planId, p.name]));
  const read = (startKey?: Record<string, unknown>) => store.membersOfAssociation(association.associationId, {}, { limit: PAGE_ROWS, startKey });
  return {
    what: 'members',
    associationName: association.name,
    listName: 'members',
    fileName: `${association.slug}-members.csv`,
    columns: memberColumns(planNames),
    fitsOnePage: () => onePage(read),
    pages: () => allPages(read),
  };
}

/** Every member, read page by page, through the shared exporter (recorded; inline, a file, or the job for a long list). */
export async function exportCsv(deps: ExportDeps<MembersStore>, association: Association, actor: { userId: string; email: string }, now: Date, format: 'csv' | 'url' = 'csv') {
  return exportRows<Member>({ ...deps, associationId: association.associationId, spec: { list: 'members' }, plan: await membersExportPlan(deps.store, association), actor, format, now });
}
