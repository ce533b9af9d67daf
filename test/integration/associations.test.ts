/** Associations and membership plans over HTTP: creation, validation, settings, plans. */
import { call, signIn } from '../support/http.js';
import {
  buildAssociation,
  createAssociation,
  createPlan,
  errorPaths,
  expectProblem,
  join,
  uniqueSlug,
  type User,
} from '../support/fixtures.js';

const valid = () => ({ name: 'Paris Product Guild', slug: uniqueSlug('guild'), currency: 'eur', timezone: 'Europe/Paris', description: 'Product people in Paris' });

describe('POST /associations', () => {
  let owner: User;
  beforeAll(async () => {
    owner = await signIn('creator', 'Creator');
  });

  it('creates the association (201) and makes the caller its owner', async () => {
    const body = valid();
    const res = await call('POST', '/associations', { token: owner.token, body });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual(
      expect.objectContaining({
        associationId: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
        name: body.name,
        slug: body.slug,
        currency: 'eur',
        timezone: 'Europe/Paris',
        description: body.description,
        createdAt: expect.any(String),
      }),
    );
    expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);

    const mine = await call('GET', '/me/associations', { token: owner.token });
    expect(mine.status).toBe(200);
    const entry = mine.body.items.find((i: any) => i.association.associationId === res.body.associationId);
    expect(entry).toEqual(expect.objectContaining({ role: 'owner', status: 'active', association: expect.objectContaining({ slug: body.slug }) }));
    expect(mine.body).toHaveProperty('nextCursor');
  });

  it('refuses a slug that is taken with 409 naming slug', async () => {
    const body = valid();
    expect((await call('POST', '/associations', { token: owner.token, body })).status).toBe(201);
    const other = await signIn('second');
    const res = await call('POST', '/associations', { token: other.token, body: { ...body, name: 'Copycat' } });
    expectProblem(res, 409);
    expect(errorPaths(res)).toContain('slug');
    // The loser did not become owner of anything.
    const mine = await call('GET', '/me/associations', { token: other.token });
    expect(mine.body.items).toEqual([]);
  });

  it.each([
    ['currency', { currency: 'EUR' }],
    ['currency', { currency: 'xyz' }],
    ['currency', { currency: 'euro' }],
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['timezone', { timezone: '+02:00' }],
    ['slug', { slug: 'Has Spaces' }],
    ['slug', { slug: '-leading-dash' }],
    ['slug', { slug: 'trailing-dash-' }],
    ['slug', { slug: 'a'.repeat(61) }],
    ['slug', { slug: 'UPPER' }],
    ['name', { name: '' }],
    ['name', { name: '   ' }],
  ])('rejects a bad %s (%j) with 400 naming the field', async (field, patch) => {
    const res = await call('POST', '/associations', { token: owner.token, body: { ...valid(), ...patch } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain(field);
  });

  it('rejects a missing required field with 400 naming it', async () => {
    const { currency: _omit, ...body } = valid();
    const res = await call('POST', '/associations', { token: owner.token, body });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('currency');
  });

  it('rejects an unknown field with 400 naming it (no setting fields the client does not own)', async () => {
    const res = await call('POST', '/associations', { token: owner.token, body: { ...valid(), ownerCount: 99 } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('ownerCount');
  });

  it('rejects invalid JSON with 400', async () => {
    const res = await call('POST', '/associations', { token: owner.token, raw: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('body');
  });

  it('rejects a body that is not JSON, and a missing body, with 400', async () => {
    const form = await call('POST', '/associations', { token: owner.token, raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectProblem(form, 400);
    const empty = await call('POST', '/associations', { token: owner.token, raw: '', headers: { 'content-type': 'application/json' } });
    expectProblem(empty, 400);
    const array = await call('POST', '/associations', { token: owner.token, body: [valid()] });
    expectProblem(array, 400);
  });

  it('rejects a body over 64 KiB with 413', async () => {
    const res = await call('POST', '/associations', { token: owner.token, body: { ...valid(), description: 'x'.repeat(70 * 1024) } });
    expectProblem(res, 413);
  });

  it('accepts a body just under the limit up to validation (400, not 413)', async () => {
    // 60 KiB: the size is fine, the description is too long for the schema.
    const res = await call('POST', '/associations', { token: owner.token, body: { ...valid(), description: 'x'.repeat(60 * 1024) } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('description');
  });

  it('needs a token (401)', async () => {
    const res = await call('POST', '/associations', { body: valid() });
    expectProblem(res, 401);
    const bad = await call('POST', '/associations', { token: 'not-a-jwt', body: valid() });
    expectProblem(bad, 401);
  });
});

describe('GET /associations/{id}', () => {
  it('returns the public summary to anonymous callers', async () => {
    const owner = await signIn('owner');
    const a = await createAssociation(owner, { name: 'Public Club', description: 'Hello' });
    const res = await call('GET', `/associations/${a.associationId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      associationId: a.associationId,
      name: 'Public Club',
      slug: a.slug,
      currency: 'eur',
      timezone: 'Europe/Paris',
      description: 'Hello',
      // Not connected to Stripe yet: paid plans cannot be joined.
      acceptsCardPayments: false,
      createdAt: expect.any(String),
    });
  });

  it('answers 404 for an unknown association, on every association route', async () => {
    const user = await signIn('nobody');
    const ghost = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
    for (const [method, path, body] of [
      ['GET', `/associations/${ghost}`, undefined],
      ['PATCH', `/associations/${ghost}`, { name: 'x' }],
      ['GET', `/associations/${ghost}/plans`, undefined],
      ['POST', `/associations/${ghost}/plans`, { name: 'x', amount: 0, interval: 'year' }],
      ['PATCH', `/associations/${ghost}/plans/${ghost}`, { name: 'x' }],
      ['POST', `/associations/${ghost}/members`, { planId: ghost }],
      ['GET', `/associations/${ghost}/members`, undefined],
      ['GET', `/associations/${ghost}/members/export`, undefined],
      ['GET', `/associations/${ghost}/directory`, undefined],
      ['GET', `/associations/${ghost}/members/${user.userId}`, undefined],
      ['DELETE', `/associations/${ghost}/members/${user.userId}`, undefined],
    ] as const) {
      const res = await call(method, path, { token: user.token, body });
      expect(`${method} ${path} → ${res.status}`).toBe(`${method} ${path} → 404`);
      expectProblem(res, 404);
    }
  });

  it('answers 400 for an association id that is not an id', async () => {
    const res = await call('GET', `/associations/${encodeURIComponent('a b*c')}`);
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('associationId');
  });
});

describe('PATCH /associations/{id}', () => {
  it('lets an admin update settings, and the public summary shows them', async () => {
    const fx = await buildAssociation();
    const res = await call('PATCH', `/associations/${fx.associationId}`, {
      token: fx.admin.token,
      body: { name: 'Renamed', timezone: 'America/New_York', description: 'New text', gracePeriodDays: 30 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ name: 'Renamed', timezone: 'America/New_York', description: 'New text', gracePeriodDays: 30, slug: fx.slug }));
    const pub = await call('GET', `/associations/${fx.associationId}`);
    expect(pub.body).toEqual(expect.objectContaining({ name: 'Renamed', timezone: 'America/New_York', description: 'New text' }));
  });

  it('refuses fields that cannot be changed, an empty patch and bad values with 400', async () => {
    const fx = await buildAssociation();
    const slug = await call('PATCH', `/associations/${fx.associationId}`, { token: fx.owner.token, body: { slug: 'new-slug' } });
    expectProblem(slug, 400);
    expect(errorPaths(slug)).toContain('slug');
    const empty = await call('PATCH', `/associations/${fx.associationId}`, { token: fx.owner.token, body: {} });
    expectProblem(empty, 400);
    const tz = await call('PATCH', `/associations/${fx.associationId}`, { token: fx.owner.token, body: { timezone: 'Nowhere/Land' } });
    expectProblem(tz, 400);
    expect(errorPaths(tz)).toContain('timezone');
    const grace = await call('PATCH', `/associations/${fx.associationId}`, { token: fx.owner.token, body: { gracePeriodDays: 365 } });
    expectProblem(grace, 400);
    expect(errorPaths(grace)).toContain('gracePeriodDays');
  });

  it('refuses an organizer (403)', async () => {
    const fx = await buildAssociation();
    const res = await call('PATCH', `/associations/${fx.associationId}`, { token: fx.organizer.token, body: { name: 'Nope' } });
    expectProblem(res, 403);
    expect((await call('GET', `/associations/${fx.associationId}`)).body.name).toBe('Test association');
  });
});

describe('membership plans', () => {
  it('creates plans (201) in the association currency and lists them publicly', async () => {
    const owner = await signIn('owner');
    const a = await createAssociation(owner, { currency: 'chf' });
    const res = await call('POST', `/associations/${a.associationId}/plans`, {
      token: owner.token,
      body: { name: 'Supporter', amount: 12000, interval: 'year', description: 'Supports us', benefits: ['Newsletter', 'Discounts'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(
      expect.objectContaining({
        planId: expect.any(String),
        associationId: a.associationId,
        name: 'Supporter',
        amount: 12000,
        currency: 'chf',
        interval: 'year',
        description: 'Supports us',
        benefits: ['Newsletter', 'Discounts'],
        archived: false,
      }),
    );
    const free = await createPlan(owner.token, a.associationId, { name: 'Free', amount: 0, interval: 'once' });
    const list = await call('GET', `/associations/${a.associationId}/plans`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: any) => p.planId).sort()).toEqual([res.body.planId, free.planId].sort());
    expect(list.body.nextCursor).toBeNull();
  });

  it.each([
    ['amount', { amount: -1 }],
    ['amount', { amount: 10.5 }],
    ['amount', { amount: '100' }],
    ['interval', { interval: 'week' }],
    ['name', { name: '' }],
    ['currency', { currency: 'usd' }],
  ])('rejects a bad plan (%s: %j) with 400 naming the field', async (field, patch) => {
    const owner = await signIn('owner');
    const a = await createAssociation(owner);
    const res = await call('POST', `/associations/${a.associationId}/plans`, { token: owner.token, body: { name: 'P', amount: 100, interval: 'month', ...patch } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain(field);
  });

  it('updates plan text', async () => {
    const fx = await buildAssociation();
    const res = await call('PATCH', `/associations/${fx.associationId}/plans/${fx.paidPlanId}`, { token: fx.admin.token, body: { name: 'Gold', benefits: ['Lounge'] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ planId: fx.paidPlanId, name: 'Gold', benefits: ['Lounge'], amount: 5000, archived: false }));
  });

  it('refuses to change a plan price through PATCH (400)', async () => {
    const fx = await buildAssociation();
    const res = await call('PATCH', `/associations/${fx.associationId}/plans/${fx.paidPlanId}`, { token: fx.owner.token, body: { amount: 1 } });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('amount');
  });

  it('answers 404 for an unknown plan', async () => {
    const fx = await buildAssociation();
    const res = await call('PATCH', `/associations/${fx.associationId}/plans/01HNOPLANNOPLANNOPLANNOPLA`, { token: fx.owner.token, body: { name: 'x' } });
    expectProblem(res, 404);
  });

  it('archives a plan: it is no longer listed, and members on it keep it', async () => {
    const fx = await buildAssociation();
    const archived = await call('PATCH', `/associations/${fx.associationId}/plans/${fx.freePlanId}`, { token: fx.admin.token, body: { archived: true } });
    expect(archived.status).toBe(200);
    expect(archived.body.archived).toBe(true);

    const list = await call('GET', `/associations/${fx.associationId}/plans`);
    const ids = list.body.items.map((p: any) => p.planId);
    expect(ids).not.toContain(fx.freePlanId);
    expect(ids).toContain(fx.paidPlanId);

    // The plain member joined on the free plan before it was archived.
    const member = await call('GET', `/associations/${fx.associationId}/members/${fx.member.userId}`, { token: fx.member.token });
    expect(member.status).toBe(200);
    expect(member.body).toEqual(expect.objectContaining({ planId: fx.freePlanId, status: 'active' }));
    // ...and still has member rights.
    expect((await call('GET', `/associations/${fx.associationId}/directory`, { token: fx.member.token })).status).toBe(200);

    // Nobody new can join it.
    const late = await signIn('late');
    const res = await call('POST', `/associations/${fx.associationId}/members`, { token: late.token, body: { planId: fx.freePlanId } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toContain('planId');
  });

  it('keeps a plan of another association out of reach (404)', async () => {
    const fx = await buildAssociation();
    const other = await buildAssociation();
    const res = await call('PATCH', `/associations/${fx.associationId}/plans/${other.paidPlanId}`, { token: fx.owner.token, body: { archived: true } });
    expectProblem(res, 404);
    const plans = await call('GET', `/associations/${other.associationId}/plans`);
    expect(plans.body.items.map((p: any) => p.planId)).toContain(other.paidPlanId);
    // Nor can you join this association with another's plan.
    const joiner = await signIn('joiner');
    const join2 = await call('POST', `/associations/${fx.associationId}/members`, { token: joiner.token, body: { planId: other.freePlanId } });
    expectProblem(join2, 422);
    expect(errorPaths(join2)).toContain('planId');
    await join(joiner, other.associationId, other.freePlanId);
  });
});
