/**
 * Fixtures for integration tests, built only through the public HTTP API: associations,
 * plans, members in each role. Every helper fails loudly (with the response) when the
 * API does not answer as a fixture needs, so a broken fixture never looks like a test result.
 */
import { call, signIn, type Res } from './http.js';

export type User = Awaited<ReturnType<typeof signIn>>;
export type Role = 'member' | 'organizer' | 'admin' | 'owner';

let slugSeq = 0;
/** A slug no other test (or worker) uses. */
export const uniqueSlug = (prefix = 'assoc') =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${(slugSeq++).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

/** Throws with the whole response unless the status is the one expected. */
export function expectStatus<T>(res: Res<T>, status: number, what: string): Res<T> {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text}`);
  return res;
}

export async function createAssociation(owner: User, overrides: Record<string, unknown> = {}) {
  const body = { name: 'Test association', slug: uniqueSlug(), currency: 'eur', timezone: 'Europe/Paris', ...overrides };
  const res = await call('POST', '/associations', { token: owner.token, body });
  return expectStatus(res, 201, 'create association').body as { associationId: string; slug: string; name: string; currency: string };
}

export async function createPlan(token: string, associationId: string, overrides: Record<string, unknown> = {}) {
  const body = { name: 'Plan', amount: 0, interval: 'year', ...overrides };
  const res = await call('POST', `/associations/${associationId}/plans`, { token, body });
  return expectStatus(res, 201, 'create plan').body as { planId: string; amount: number; interval: string; archived: boolean };
}

export async function join(user: User, associationId: string, planId: string) {
  const res = await call('POST', `/associations/${associationId}/members`, { token: user.token, body: { planId } });
  return expectStatus(res, 201, 'join').body;
}

export async function setRole(actor: User, associationId: string, userId: string, role: Role) {
  const res = await call('PATCH', `/associations/${associationId}/members/${userId}`, { token: actor.token, body: { role } });
  return expectStatus(res, 200, `set role ${role}`).body;
}

/** Signs in a new user and joins them on `planId`, then gives them `role` (by `owner`). */
export async function newMember(owner: User, associationId: string, planId: string, role: Role = 'member', label: string = role, name?: string) {
  const user = await signIn(label, name);
  await join(user, associationId, planId);
  if (role !== 'member') await setRole(owner, associationId, user.userId, role);
  return user;
}

/**
 * Connects the association to the local Stripe stand-in and finishes onboarding, so it can
 * take paid joins. Waits until the account.updated webhook has been applied: until then a
 * paid join is refused (422) before anything else is checked, so the owner (already a
 * member) probing a paid join sees 422 before and 409 after, and nothing is written.
 */
export async function connectStripe(owner: User, associationId: string, paidPlanId: string) {
  const res = expectStatus(await call('POST', `/associations/${associationId}/stripe/connect`, { token: owner.token }), 200, 'stripe connect');
  const link = new URL(res.body.url);
  const account = /^\/connect\/([^/]+)$/.exec(link.pathname)?.[1];
  if (!account) throw new Error(`unexpected onboarding link ${res.body.url}`);
  const done = await fetch(`${link.origin}/connect/${account}/complete`, { method: 'POST', headers: { accept: 'application/json' } });
  if (!done.ok) throw new Error(`onboarding did not complete: ${done.status} ${await done.text()}`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = await call('POST', `/associations/${associationId}/members`, { token: owner.token, body: { planId: paidPlanId } });
    if (probe.status === 409) return account;
    if (probe.status !== 422 || Date.now() > deadline) throw new Error(`association never became able to take payments: ${probe.status} ${probe.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface AssociationFixture {
  associationId: string;
  slug: string;
  freePlanId: string;
  paidPlanId: string;
  owner: User;
  admin: User;
  organizer: User;
  member: User;
  /** A second plain member, the "somebody else" of selfOrAdmin routes. */
  other: User;
  /** Present with `coOwner: true`: a second owner, so the first may leave. */
  coOwner?: User;
}

/**
 * An association with a free and a paid plan and one user in each role, all active on
 * the free plan (staff too, so they are members in good standing). With `stripe: true`
 * it is connected to the Stripe stand-in, so people can join the paid plan.
 */
export async function buildAssociation(opts: { coOwner?: boolean; stripe?: boolean } = {}): Promise<AssociationFixture> {
  const owner = await signIn('owner');
  const a = await createAssociation(owner);
  const free = await createPlan(owner.token, a.associationId, { name: 'Free', amount: 0 });
  const paid = await createPlan(owner.token, a.associationId, { name: 'Paid', amount: 5000 });
  if (opts.stripe) await connectStripe(owner, a.associationId, paid.planId);
  const [admin, organizer, member, other, coOwner] = await Promise.all([
    newMember(owner, a.associationId, free.planId, 'admin'),
    newMember(owner, a.associationId, free.planId, 'organizer'),
    newMember(owner, a.associationId, free.planId, 'member'),
    newMember(owner, a.associationId, free.planId, 'member', 'other'),
    opts.coOwner ? newMember(owner, a.associationId, free.planId, 'owner', 'coowner') : Promise.resolve(undefined),
  ]);
  return { associationId: a.associationId, slug: a.slug, freePlanId: free.planId, paidPlanId: paid.planId, owner, admin, organizer, member, other, coOwner };
}

/** Asserts the RFC 9457 problem shape the contract promises for every 4xx. */
export function expectProblem(res: Res, status: number) {
  // Status and body together, so a failure shows what the API answered instead.
  expect(`${res.status} ${res.text}`).toMatch(new RegExp(`^${status} `));
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) }),
  );
}

/** The `path`s of a problem's `errors[]`. */
export const errorPaths = (res: Res): string[] => (Array.isArray(res.body?.errors) ? res.body.errors.map((e: { path: string }) => e.path) : []);
