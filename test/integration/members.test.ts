/** Members over HTTP: joining, lists and cursors, the directory, roles, offline payments, leaving, export. */
import { parse } from 'csv-parse/sync';
import { call, callBytes, signIn, type Res } from '../support/http.js';
import {
  buildAssociation,
  connectStripe,
  createAssociation,
  createPlan,
  errorPaths,
  expectProblem,
  join,
  newMember,
  setRole,
  type AssociationFixture,
  type User,
} from '../support/fixtures.js';

const members = (fx: { associationId: string }) => `/associations/${fx.associationId}/members`;
const member = (fx: { associationId: string }, u: { userId: string }) => `/associations/${fx.associationId}/members/${u.userId}`;

/** Reads every page of a list, following nextCursor; fails on a page error. */
async function walk(path: string, token: string, params: Record<string, string> = {}) {
  const pages: any[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const qs: URLSearchParams = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
    const res: Res = await call('GET', `${path}?${qs}`, { token });
    if (res.status !== 200) throw new Error(`page ${i}: ${res.status} ${res.text}`);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
    if (cursor === null) return pages;
  }
  throw new Error('the cursor never ended');
}

describe('joining', () => {
  let fx: AssociationFixture;
  beforeAll(async () => {
    fx = await buildAssociation({ stripe: true });
  });

  it('joins a free plan as an active member', async () => {
    const u = await signIn('free', 'Free Joiner');
    const res = await call('POST', members(fx), { token: u.token, body: { planId: fx.freePlanId } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(
      expect.objectContaining({
        userId: u.userId,
        associationId: fx.associationId,
        role: 'member',
        planId: fx.freePlanId,
        status: 'active',
        currentPeriodEnd: null,
        name: 'Free Joiner',
        email: u.email,
        joinedAt: expect.any(String),
      }),
    );
    expect(res.body.checkoutUrl).toBeUndefined();
    const mine = await call('GET', '/me/associations', { token: u.token });
    expect(mine.body.items).toEqual([expect.objectContaining({ role: 'member', status: 'active', planId: fx.freePlanId })]);
  });

  it('joins a paid plan as pending, with a checkoutUrl key', async () => {
    const u = await signIn('paid');
    const res = await call('POST', members(fx), { token: u.token, body: { planId: fx.paidPlanId } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(expect.objectContaining({ status: 'pending', planId: fx.paidPlanId, role: 'member' }));
    expect(Object.keys(res.body)).toContain('checkoutUrl');
    expect(res.body.checkoutUrl).toMatch(/^https?:\/\//);
    // Pending members have no member rights yet.
    expectProblem(await call('GET', `/associations/${fx.associationId}/directory`, { token: u.token }), 403);
  });

  it('refuses a paid plan with 422 naming planId while the association cannot take payments', async () => {
    const unconnected = await buildAssociation();
    const u = await signIn('early-bird');
    const res = await call('POST', members(unconnected), { token: u.token, body: { planId: unconnected.paidPlanId } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toEqual(['planId']);
    expectProblem(await call('GET', member(unconnected, u), { token: u.token }), 404);
    // The free plan is open all the same.
    await join(u, unconnected.associationId, unconnected.freePlanId);
  });

  it('refuses to join twice (409), on the same or another plan', async () => {
    const u = await signIn('twice');
    await join(u, fx.associationId, fx.freePlanId);
    expectProblem(await call('POST', members(fx), { token: u.token, body: { planId: fx.freePlanId } }), 409);
    expectProblem(await call('POST', members(fx), { token: u.token, body: { planId: fx.paidPlanId } }), 409);
    const me = await call('GET', member(fx, u), { token: u.token });
    expect(me.body).toEqual(expect.objectContaining({ planId: fx.freePlanId, status: 'active' }));
  });

  it('refuses an unknown plan with 422 naming planId', async () => {
    const u = await signIn('unknown');
    const res = await call('POST', members(fx), { token: u.token, body: { planId: '01HUNKNOWNPLAN000000000000' } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toEqual(['planId']);
    expectProblem(await call('GET', member(fx, u), { token: u.token }), 404);
  });

  it('refuses an archived plan with 422 naming planId', async () => {
    const plan = await createPlan(fx.owner.token, fx.associationId, { name: 'Old', amount: 0 });
    expect((await call('PATCH', `/associations/${fx.associationId}/plans/${plan.planId}`, { token: fx.owner.token, body: { archived: true } })).status).toBe(200);
    const u = await signIn('archived');
    const res = await call('POST', members(fx), { token: u.token, body: { planId: plan.planId } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toEqual(['planId']);
  });

  it('refuses a body that tries to set its own role or status (400)', async () => {
    const u = await signIn('sneaky');
    const res = await call('POST', members(fx), { token: u.token, body: { planId: fx.freePlanId, role: 'admin', status: 'active' } });
    expectProblem(res, 400);
    expect(errorPaths(res).sort()).toEqual(['role', 'status']);
  });
});

describe('listing members', () => {
  let fx: { associationId: string; free: string; paid: string };
  let owner: User;
  let organizer: User;
  const people: Record<string, User> = {};

  beforeAll(async () => {
    owner = await signIn('lister', 'Olivia Owner');
    const a = await createAssociation(owner);
    const free = await createPlan(owner.token, a.associationId, { name: 'Free', amount: 0 });
    const paid = await createPlan(owner.token, a.associationId, { name: 'Paid', amount: 3000, interval: 'month' });
    await connectStripe(owner, a.associationId, paid.planId);
    fx = { associationId: a.associationId, free: free.planId, paid: paid.planId };
    organizer = await newMember(owner, a.associationId, free.planId, 'organizer', 'orga', 'Oscar Organizer');
    const spec: [string, string, string, string][] = [
      ['alice', 'alice', 'Alice Martin', free.planId],
      ['alfred', 'alf', 'alfred Jones', free.planId],
      ['bob', 'zeta', 'Bob Stone', free.planId],
      ['carol', 'carol', 'Carol Paid', paid.planId],
      ['dave', 'dave', 'Dave Paid', paid.planId],
    ];
    for (const [key, label, name, planId] of spec) {
      people[key] = await signIn(label, name);
      await join(people[key]!, a.associationId, planId);
    }
  });

  const ids = (items: any[]) => items.map((m) => m.userId).sort();
  const list = (qs: string, token = organizer.token) => call('GET', `${members(fx)}?${qs}`, { token });

  it('lists every member for an organizer, with emails', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    expect(ids(res.body.items)).toEqual(ids([owner, organizer, ...Object.values(people)]));
    expect(res.body.nextCursor).toBeNull();
    const alice = res.body.items.find((m: any) => m.userId === people.alice!.userId);
    expect(alice).toEqual(expect.objectContaining({ name: 'Alice Martin', email: people.alice!.email, status: 'active', role: 'member' }));
  });

  it('filters by status', async () => {
    expect(ids((await list('status=pending')).body.items)).toEqual(ids([people.carol!, people.dave!]));
    expect(ids((await list('status=active')).body.items)).toEqual(ids([owner, organizer, people.alice!, people.alfred!, people.bob!]));
    expect((await list('status=lapsed')).body.items).toEqual([]);
    const bad = await list('status=sleeping');
    expectProblem(bad, 400);
    expect(errorPaths(bad)).toContain('status');
  });

  it('filters by plan', async () => {
    expect(ids((await list(`planId=${fx.paid}`)).body.items)).toEqual(ids([people.carol!, people.dave!]));
    expect(ids((await list(`planId=${fx.free}`)).body.items)).toEqual(ids([organizer, people.alice!, people.alfred!, people.bob!]));
    expect(ids((await list(`planId=${fx.paid}&status=active`)).body.items)).toEqual([]);
  });

  it('filters by a case-insensitive prefix of the name or the email', async () => {
    expect(ids((await list('q=AL')).body.items)).toEqual(ids([people.alice!, people.alfred!]));
    expect(ids((await list('q=alice%20m')).body.items)).toEqual(ids([people.alice!]));
    // "zeta" is only the start of Bob's email, not of his name.
    expect(ids((await list('q=ZeTa')).body.items)).toEqual(ids([people.bob!]));
    expect(ids((await list(`q=${encodeURIComponent(people.dave!.email.toUpperCase())}`)).body.items)).toEqual(ids([people.dave!]));
    // A prefix, not a substring.
    expect((await list('q=martin')).body.items).toEqual([]);
  });

  it('walks every member exactly once with limit=2', async () => {
    const pages = await walk(members(fx), organizer.token, { limit: '2' });
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(2);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    const all = pages.flat().map((m) => m.userId);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(ids([owner, organizer, ...Object.values(people)]));
  });

  it('walks a filtered list exactly once with limit=2', async () => {
    const pages = await walk(members(fx), organizer.token, { limit: '2', status: 'active' });
    const all = pages.flat().map((m) => m.userId);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(ids([owner, organizer, people.alice!, people.alfred!, people.bob!]));
    const q = (await walk(members(fx), organizer.token, { limit: '1', q: 'al' })).flat();
    expect(ids(q)).toEqual(ids([people.alice!, people.alfred!]));
  });

  it('finds a member under the name they give their profile later', async () => {
    const fx2 = await buildAssociation();
    expect((await call('PUT', '/me/profile', { token: fx2.other.token, body: { name: 'Quentin Renamed' } })).status).toBe(200);
    const res = await call('GET', `${members(fx2)}?q=quentin`, { token: fx2.organizer.token });
    expect(res.body.items.map((m: any) => [m.userId, m.name])).toEqual([[fx2.other.userId, 'Quentin Renamed']]);
    expect((await call('GET', `${members(fx2)}?q=other`, { token: fx2.organizer.token })).body.items.map((m: any) => m.userId)).toEqual([fx2.other.userId]);
  });

  it('refuses limits outside 1..200 with 400 naming limit', async () => {
    for (const l of ['0', '201', 'ten', '1.5']) {
      const res = await list(`limit=${l}`);
      expectProblem(res, 400);
      expect(errorPaths(res)).toContain('limit');
    }
  });

  describe('cursors', () => {
    let cursor: string;
    beforeAll(async () => {
      const first = await list('limit=2');
      cursor = first.body.nextCursor;
      expect(cursor).toEqual(expect.any(String));
    });

    it('accepts its own cursor', async () => {
      const res = await list(`limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(2);
    });

    it.each([
      ['a changed payload', (c: string) => {
        const [payload, mac] = c.split('.');
        const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
        decoded.k.sk = 'MEMBER#0';
        return `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${mac}`;
      }],
      ['a changed signature', (c: string) => `${c.slice(0, -2)}${c.endsWith('AA') ? 'BB' : 'AA'}`],
      ['no signature', (c: string) => c.split('.')[0]!],
      ['an extra segment after the signature', (c: string) => `${c}.tampered`],
      ['garbage', () => 'not-a-cursor'],
      ['an empty string', () => ''],
    ])('refuses %s with 400 naming cursor', async (_what, tamper) => {
      const res = await list(`limit=2&cursor=${encodeURIComponent(tamper(cursor))}`);
      expectProblem(res, 400);
      expect(errorPaths(res)).toEqual(['cursor']);
    });

    it('refuses a cursor issued for another filter', async () => {
      for (const qs of ['limit=2&status=active', 'limit=2&q=a', `limit=2&planId=${fx.free}`]) {
        const res = await list(`${qs}&cursor=${encodeURIComponent(cursor)}`);
        expectProblem(res, 400);
        expect(errorPaths(res)).toEqual(['cursor']);
      }
      // And the other way round.
      const filtered = (await list('limit=2&status=active')).body.nextCursor;
      expect(filtered).toEqual(expect.any(String));
      const res = await list(`limit=2&cursor=${encodeURIComponent(filtered)}`);
      expectProblem(res, 400);
    });

    it('refuses a cursor issued by another association', async () => {
      const other = await buildAssociation();
      const foreign = (await call('GET', `${members(other)}?limit=2`, { token: other.owner.token })).body.nextCursor;
      expect(foreign).toEqual(expect.any(String));
      const res = await list(`limit=2&cursor=${encodeURIComponent(foreign)}`, owner.token);
      expectProblem(res, 400);
      expect(errorPaths(res)).toEqual(['cursor']);
    });

    it('refuses a cursor issued by another kind of list', async () => {
      const mine = await signIn('many');
      for (let i = 0; i < 3; i++) await createAssociation(mine);
      const meCursor = (await call('GET', '/me/associations?limit=2', { token: mine.token })).body.nextCursor;
      expect(meCursor).toEqual(expect.any(String));
      expectProblem(await list(`limit=2&cursor=${encodeURIComponent(meCursor)}`, owner.token), 400);
      // ...and a member list cursor on someone else's /me/associations.
      expectProblem(await call('GET', `/me/associations?limit=2&cursor=${encodeURIComponent(cursor)}`, { token: mine.token }), 400);
    });
  });
});

describe('the directory', () => {
  it('shows only opted-in members in good standing, without emails', async () => {
    const fx = await buildAssociation({ stripe: true });
    const visible = await signIn('visible', 'Vera Visible');
    // Profile first, then join: the membership picks up the flag.
    await call('PUT', '/me/profile', { token: visible.token, body: { name: 'Vera Visible', headline: 'Designer', offers: ['mentoring'], directoryVisible: true } });
    await join(visible, fx.associationId, fx.freePlanId);
    // Join first, then opt in: the membership is kept in step.
    const later = await signIn('later', 'Leo Later');
    await join(later, fx.associationId, fx.freePlanId);
    expect((await call('PUT', '/me/profile', { token: later.token, body: { name: 'Leo Later', directoryVisible: true } })).status).toBe(200);
    // Opted out.
    const hidden = await signIn('hidden', 'Hugo Hidden');
    await call('PUT', '/me/profile', { token: hidden.token, body: { name: 'Hugo Hidden', directoryVisible: false } });
    await join(hidden, fx.associationId, fx.freePlanId);
    // Opted in but pending payment.
    const pending = await signIn('pending', 'Pat Pending');
    await call('PUT', '/me/profile', { token: pending.token, body: { name: 'Pat Pending', directoryVisible: true } });
    await join(pending, fx.associationId, fx.paidPlanId);
    // Opted in but gone.
    const gone = await signIn('gone', 'Gina Gone');
    await call('PUT', '/me/profile', { token: gone.token, body: { name: 'Gina Gone', directoryVisible: true } });
    await join(gone, fx.associationId, fx.freePlanId);
    expect((await call('DELETE', member(fx, gone), { token: gone.token })).status).toBe(204);
    // Opted in, then out again.
    const changed = await signIn('changed', 'Carl Changed');
    await call('PUT', '/me/profile', { token: changed.token, body: { name: 'Carl Changed', directoryVisible: true } });
    await join(changed, fx.associationId, fx.freePlanId);
    await call('PUT', '/me/profile', { token: changed.token, body: { name: 'Carl Changed', directoryVisible: false } });

    const res = await call('GET', `/associations/${fx.associationId}/directory`, { token: fx.member.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.userId).sort()).toEqual([visible.userId, later.userId].sort());
    const vera = res.body.items.find((i: any) => i.userId === visible.userId);
    expect(vera).toEqual(expect.objectContaining({ name: 'Vera Visible', headline: 'Designer', offers: ['mentoring'], role: 'member' }));
    for (const item of res.body.items) expect(item).not.toHaveProperty('email');
    expect(res.text).not.toMatch(/@example\.test/);
    expect(res.body.nextCursor).toBeNull();
  });

  it('pages with limit and refuses a members-list cursor', async () => {
    const fx = await buildAssociation();
    const users: User[] = [];
    for (let i = 0; i < 3; i++) {
      const u = await signIn(`dir${i}`, `Dir ${i}`);
      await call('PUT', '/me/profile', { token: u.token, body: { name: `Dir ${i}`, directoryVisible: true } });
      await join(u, fx.associationId, fx.freePlanId);
      users.push(u);
    }
    const pages = await walk(`/associations/${fx.associationId}/directory`, fx.member.token, { limit: '2' });
    const all = pages.flat().map((i) => i.userId);
    expect(all.sort()).toEqual(users.map((u) => u.userId).sort());
    const membersCursor = (await call('GET', `${members(fx)}?limit=2`, { token: fx.admin.token })).body.nextCursor;
    const res = await call('GET', `/associations/${fx.associationId}/directory?limit=2&cursor=${encodeURIComponent(membersCursor)}`, { token: fx.member.token });
    expectProblem(res, 400);
    expect(errorPaths(res)).toEqual(['cursor']);
  });
});

describe('roles', () => {
  let fx: AssociationFixture;
  beforeEach(async () => {
    fx = await buildAssociation();
  });

  it('lets an admin make a member organizer, and back', async () => {
    const res = await call('PATCH', member(fx, fx.member), { token: fx.admin.token, body: { role: 'organizer' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ userId: fx.member.userId, role: 'organizer', status: 'active' }));
    // The new organizer now has organizer rights.
    expect((await call('GET', members(fx), { token: fx.member.token })).status).toBe(200);
    const back = await call('PATCH', member(fx, fx.member), { token: fx.admin.token, body: { role: 'member' } });
    expect(back.body.role).toBe('member');
    expectProblem(await call('GET', members(fx), { token: fx.member.token }), 403);
  });

  it('refuses an admin granting admin or owner (403), or changing an admin or owner', async () => {
    for (const role of ['admin', 'owner']) {
      expectProblem(await call('PATCH', member(fx, fx.member), { token: fx.admin.token, body: { role } }), 403);
    }
    expectProblem(await call('PATCH', member(fx, fx.owner), { token: fx.admin.token, body: { role: 'member' } }), 403);
    const peer = await newMember(fx.owner, fx.associationId, fx.freePlanId, 'admin', 'peer');
    expectProblem(await call('PATCH', member(fx, peer), { token: fx.admin.token, body: { role: 'member' } }), 403);
    // Nor can an admin promote themselves.
    expectProblem(await call('PATCH', member(fx, fx.admin), { token: fx.admin.token, body: { role: 'owner' } }), 403);
    expect((await call('GET', member(fx, fx.member), { token: fx.owner.token })).body.role).toBe('member');
  });

  it('lets an owner grant admin', async () => {
    const res = await call('PATCH', member(fx, fx.member), { token: fx.owner.token, body: { role: 'admin' } });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('admin');
    expect((await call('GET', `${members(fx)}/export`, { token: fx.member.token })).status).toBe(200);
  });

  it('refuses a role that does not exist, and an empty patch (400)', async () => {
    const res = await call('PATCH', member(fx, fx.member), { token: fx.owner.token, body: { role: 'king' } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('role');
    expectProblem(await call('PATCH', member(fx, fx.member), { token: fx.owner.token, body: {} }), 400);
  });

  it('changes nothing when a PATCH is refused (role together with an invalid offline payment)', async () => {
    // The member is on the free plan: the payment part must be refused with 422...
    const res = await call('PATCH', member(fx, fx.member), {
      token: fx.admin.token,
      body: { role: 'organizer', offlinePayment: { amount: 5000, paidAt: new Date().toISOString() } },
    });
    expectProblem(res, 422);
    // ...and a refused request has no effect: the role is unchanged.
    const after = await call('GET', member(fx, fx.member), { token: fx.admin.token });
    expect(after.body).toEqual(expect.objectContaining({ role: 'member', currentPeriodEnd: null }));
  });

  it('answers 404 for a user who is not a member', async () => {
    const stranger = await signIn('stranger');
    expectProblem(await call('PATCH', member(fx, stranger), { token: fx.owner.token, body: { role: 'organizer' } }), 404);
    expectProblem(await call('GET', member(fx, stranger), { token: fx.owner.token }), 404);
    expectProblem(await call('DELETE', member(fx, stranger), { token: fx.owner.token }), 404);
  });

  it('keeps the last owner: cannot leave or be demoted (409); with a second owner the first can leave', async () => {
    const leave = await call('DELETE', member(fx, fx.owner), { token: fx.owner.token });
    expectProblem(leave, 409);
    const demote = await call('PATCH', member(fx, fx.owner), { token: fx.owner.token, body: { role: 'admin' } });
    expectProblem(demote, 409);
    expect(errorPaths(demote)).toContain('role');
    expect((await call('GET', member(fx, fx.owner), { token: fx.owner.token })).body).toEqual(expect.objectContaining({ role: 'owner', status: 'active' }));

    await setRole(fx.owner, fx.associationId, fx.admin.userId, 'owner');
    const ok = await call('DELETE', member(fx, fx.owner), { token: fx.owner.token });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe('');
    // Now the second owner is the last one.
    expectProblem(await call('DELETE', member(fx, fx.admin), { token: fx.admin.token }), 409);
    expectProblem(await call('PATCH', member(fx, fx.admin), { token: fx.admin.token, body: { role: 'member' } }), 409);
    // The one who left has no rights left.
    expectProblem(await call('PATCH', `/associations/${fx.associationId}`, { token: fx.owner.token, body: { name: 'x' } }), 403);
  });

  it('lets an owner demote another owner', async () => {
    await setRole(fx.owner, fx.associationId, fx.admin.userId, 'owner');
    const res = await call('PATCH', member(fx, fx.admin), { token: fx.owner.token, body: { role: 'organizer' } });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('organizer');
    expectProblem(await call('DELETE', member(fx, fx.owner), { token: fx.owner.token }), 409);
  });

  it('does not let an admin remove an owner or another admin (403)', async () => {
    // With two owners the last-owner rule does not stand in the way; only the role rule can.
    await setRole(fx.owner, fx.associationId, fx.organizer.userId, 'owner');
    const peer = await newMember(fx.owner, fx.associationId, fx.freePlanId, 'admin', 'peer');
    const owner = await call('DELETE', member(fx, fx.owner), { token: fx.admin.token });
    expectProblem(owner, 403);
    const admin = await call('DELETE', member(fx, peer), { token: fx.admin.token });
    expectProblem(admin, 403);
    expect((await call('GET', member(fx, fx.owner), { token: fx.owner.token })).body).toEqual(expect.objectContaining({ role: 'owner', status: 'active' }));
  });

  it('lets an admin remove a plain member', async () => {
    const res = await call('DELETE', member(fx, fx.member), { token: fx.admin.token });
    expect(res.status).toBe(204);
    expect((await call('GET', member(fx, fx.member), { token: fx.admin.token })).body.status).toBe('cancelled');
    expectProblem(await call('DELETE', member(fx, fx.member), { token: fx.admin.token }), 404);
  });
});

describe('offline payments', () => {
  let fx: AssociationFixture;
  beforeAll(async () => {
    fx = await buildAssociation({ stripe: true });
  });

  it('activate a pending member and set currentPeriodEnd to paidAt + 1 year', async () => {
    const u = await signIn('payer');
    expect((await join(u, fx.associationId, fx.paidPlanId)).status).toBe('pending');
    const paidAt = new Date(Date.now() - 3 * 86_400_000);
    const res = await call('PATCH', member(fx, u), { token: fx.admin.token, body: { offlinePayment: { amount: 5000, paidAt: paidAt.toISOString(), note: 'Cash at the meetup' } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ status: 'active', planId: fx.paidPlanId, role: 'member' }));
    const expected = new Date(paidAt);
    expected.setUTCFullYear(expected.getUTCFullYear() + 1);
    expect(Math.abs(Date.parse(res.body.currentPeriodEnd) - expected.getTime())).toBeLessThan(60_000);
    // The member now has member rights.
    expect((await call('GET', `/associations/${fx.associationId}/directory`, { token: u.token })).status).toBe(200);
    const me = await call('GET', member(fx, u), { token: u.token });
    expect(me.body).toEqual(expect.objectContaining({ status: 'active', currentPeriodEnd: res.body.currentPeriodEnd }));
  });

  it('accept a paidAt with an offset', async () => {
    const u = await signIn('offset');
    await join(u, fx.associationId, fx.paidPlanId);
    const res = await call('PATCH', member(fx, u), { token: fx.owner.token, body: { offlinePayment: { amount: 5000, paidAt: '2024-03-01T10:00:00+02:00' } } });
    expect(res.status).toBe(200);
    expect(res.body.currentPeriodEnd).toBe('2025-03-01T08:00:00.000Z');
  });

  it('refuse a member on a free plan (422)', async () => {
    const res = await call('PATCH', member(fx, fx.member), { token: fx.admin.token, body: { offlinePayment: { amount: 5000, paidAt: new Date().toISOString() } } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toContain('offlinePayment');
    expect((await call('GET', member(fx, fx.member), { token: fx.admin.token })).body.currentPeriodEnd).toBeNull();
  });

  it('refuse a payment in the future (422)', async () => {
    const u = await signIn('future');
    await join(u, fx.associationId, fx.paidPlanId);
    const res = await call('PATCH', member(fx, u), { token: fx.admin.token, body: { offlinePayment: { amount: 5000, paidAt: new Date(Date.now() + 86_400_000).toISOString() } } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toContain('offlinePayment.paidAt');
    expect((await call('GET', member(fx, u), { token: fx.admin.token })).body.status).toBe('pending');
  });

  it('refuse malformed payments (400) and organizers (403)', async () => {
    const u = await signIn('malformed');
    await join(u, fx.associationId, fx.paidPlanId);
    for (const [offlinePayment, path] of [
      [{ amount: 0, paidAt: new Date().toISOString() }, 'offlinePayment.amount'],
      [{ amount: 100, paidAt: 'yesterday' }, 'offlinePayment.paidAt'],
      [{ amount: 100, paidAt: '2024-03-01T10:00:00' }, 'offlinePayment.paidAt'],
      [{ amount: 100, paidAt: new Date().toISOString(), status: 'active' }, 'offlinePayment.status'],
    ] as const) {
      const res = await call('PATCH', member(fx, u), { token: fx.admin.token, body: { offlinePayment } });
      expectProblem(res, 400);
      expect(errorPaths(res)).toContain(path);
    }
    expectProblem(await call('PATCH', member(fx, u), { token: fx.organizer.token, body: { offlinePayment: { amount: 5000, paidAt: new Date().toISOString() } } }), 403);
  });
});

describe('leaving', () => {
  it('DELETE self is 204, the admin then sees status cancelled, history is kept, and rejoining works', async () => {
    const fx = await buildAssociation({ stripe: true });
    const u = await signIn('leaver', 'Lea Leaver');
    await join(u, fx.associationId, fx.freePlanId);
    await setRole(fx.owner, fx.associationId, u.userId, 'organizer');

    const res = await call('DELETE', member(fx, u), { token: u.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const seen = await call('GET', member(fx, u), { token: fx.admin.token });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual(expect.objectContaining({ userId: u.userId, status: 'cancelled', planId: fx.freePlanId, name: 'Lea Leaver' }));
    // The one who left keeps no role.
    expect(seen.body.role).toBe('member');
    const cancelled = await call('GET', `${members(fx)}?status=cancelled`, { token: fx.admin.token });
    expect(cancelled.body.items.map((m: any) => m.userId)).toEqual([u.userId]);
    // The member can still read their own record, but has no member rights.
    expect((await call('GET', member(fx, u), { token: u.token })).body.status).toBe('cancelled');
    expectProblem(await call('GET', members(fx), { token: u.token }), 403);
    expectProblem(await call('GET', `/associations/${fx.associationId}/directory`, { token: u.token }), 403);
    // Leaving twice: nothing left to leave.
    expectProblem(await call('DELETE', member(fx, u), { token: u.token }), 404);
    // /me/associations keeps the history too.
    const mine = await call('GET', '/me/associations', { token: u.token });
    expect(mine.body.items).toEqual([expect.objectContaining({ status: 'cancelled' })]);

    const again = await call('POST', members(fx), { token: u.token, body: { planId: fx.paidPlanId } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(expect.objectContaining({ status: 'pending', planId: fx.paidPlanId, role: 'member' }));
    const after = await call('GET', member(fx, u), { token: fx.admin.token });
    expect(after.body).toEqual(expect.objectContaining({ status: 'pending', role: 'member' }));
  });
});

describe('export', () => {
  it('is a CSV with a BOM, a header row and every member once, formulas neutralised', async () => {
    const fx = await buildAssociation({ stripe: true });
    const evil = await signIn('evil', '=HYPERLINK("x")');
    await join(evil, fx.associationId, fx.freePlanId);
    const plus = await signIn('plus', '+cmd|calc');
    await join(plus, fx.associationId, fx.paidPlanId);
    const comma = await signIn('comma', 'Doe, "Jane"\nSecond line');
    await join(comma, fx.associationId, fx.freePlanId);
    const accents = await signIn('accents', 'Zoë Éluard');
    await join(accents, fx.associationId, fx.freePlanId);

    const res = await callBytes('GET', `${members(fx)}/export`, { token: fx.admin.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain(`${fx.slug}-members.csv`);
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const rows: Record<string, string>[] = parse(res.bytes, {
      bom: true,
      columns: (header: string[]) => {
        expect(header).toEqual(['userId', 'name', 'email', 'role', 'status', 'plan', 'currentPeriodEnd', 'joinedAt']);
        return header;
      },
      relax_quotes: false,
      relax_column_count: false,
      skip_empty_lines: false,
    });
    const everyone = [fx.owner, fx.admin, fx.organizer, fx.member, fx.other, evil, plus, comma, accents];
    expect(rows.map((r) => r.userId).sort()).toEqual(everyone.map((u) => u.userId).sort());
    const byId = new Map(rows.map((r) => [r.userId, r]));
    expect(byId.get(evil.userId)!.name).toBe(`'=HYPERLINK("x")`);
    expect(byId.get(plus.userId)!.name).toBe(`'+cmd|calc`);
    expect(byId.get(plus.userId)).toEqual(expect.objectContaining({ status: 'pending', plan: 'Paid', email: plus.email }));
    expect(byId.get(comma.userId)!.name).toBe('Doe, "Jane"\nSecond line');
    expect(byId.get(accents.userId)!.name).toBe('Zoë Éluard');
    expect(byId.get(fx.owner.userId)).toEqual(expect.objectContaining({ role: 'owner', plan: '' }));
    for (const r of rows) for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('is refused to organizers (403)', async () => {
    const fx = await buildAssociation();
    expectProblem(await call('GET', `${members(fx)}/export`, { token: fx.organizer.token }), 403);
  });
});

describe('offline payments over time', () => {
  it('paying before the period ends extends it from its end, not from the payment date', async () => {
    const fx = await buildAssociation({ stripe: true });
    const monthly = await createPlan(fx.owner.token, fx.associationId, { name: 'Monthly', amount: 900, interval: 'month' });
    const u = await signIn('early');
    await join(u, fx.associationId, monthly.planId);
    const lastYear = new Date(Date.UTC(new Date().getUTCFullYear() - 1, 0, 1)).toISOString();
    const first = await call('PATCH', member(fx, u), { token: fx.admin.token, body: { offlinePayment: { amount: 900, paidAt: lastYear } } });
    expect(first.status).toBe(200);
    const firstEnd = new Date(first.body.currentPeriodEnd);
    // That month is long over: paying now leaves a gap, so the new period starts at the payment.
    const now = new Date(Date.now() - 60_000);
    const second = await call('PATCH', member(fx, u), { token: fx.admin.token, body: { offlinePayment: { amount: 900, paidAt: now.toISOString() } } });
    expect(second.status).toBe(200);
    const expectedGap = new Date(now);
    expectedGap.setUTCMonth(expectedGap.getUTCMonth() + 1);
    expect(Math.abs(Date.parse(second.body.currentPeriodEnd) - expectedGap.getTime())).toBeLessThan(1000);
    expect(firstEnd.getTime()).toBeLessThan(now.getTime());
    // A third payment now, while the second period still runs, extends from its end.
    const third = await call('PATCH', member(fx, u), { token: fx.admin.token, body: { offlinePayment: { amount: 900, paidAt: new Date().toISOString() } } });
    const expectedExt = new Date(second.body.currentPeriodEnd);
    expectedExt.setUTCMonth(expectedExt.getUTCMonth() + 1);
    expect(third.body.currentPeriodEnd).toBe(expectedExt.toISOString());
  });
});
