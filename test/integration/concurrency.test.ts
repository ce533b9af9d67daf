/** Races through HTTP: the invariants must hold however requests interleave. */
import { call, signIn } from '../support/http.js';
import { buildAssociation, expectProblem, setRole, uniqueSlug } from '../support/fixtures.js';

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {});

describe('concurrent requests', () => {
  it('20 joins by the same user at once: exactly one 201, the rest 409, one member item', async () => {
    const fx = await buildAssociation();
    const u = await signIn('racer');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', `/associations/${fx.associationId}/members`, { token: u.token, body: { planId: fx.freePlanId } })),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 201: 1, 409: 19 });
    for (const r of results.filter((r) => r.status === 409)) expectProblem(r, 409);

    const list = await call('GET', `/associations/${fx.associationId}/members?limit=200`, { token: fx.admin.token });
    expect(list.body.items.filter((m: any) => m.userId === u.userId)).toHaveLength(1);
    const mine = await call('GET', '/me/associations', { token: u.token });
    expect(mine.body.items).toHaveLength(1);
  });

  it('10 creates with the same slug at once: exactly one 201, the rest 409 naming slug', async () => {
    const slug = uniqueSlug('race');
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(`slugger${i}`)));
    const results = await Promise.all(
      users.map((u, i) => call('POST', '/associations', { token: u.token, body: { name: `Racer ${i}`, slug, currency: 'usd', timezone: 'UTC' } })),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 201: 1, 409: 9 });
    for (const r of results.filter((r) => r.status === 409)) {
      expectProblem(r, 409);
      expect(r.body.errors.map((e: any) => e.path)).toContain('slug');
    }
    // Only the winner owns an association.
    const owned = await Promise.all(users.map((u) => call('GET', '/me/associations', { token: u.token })));
    expect(owned.map((r) => r.body.items.length).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('two owners demoting each other at once never leave zero owners', async () => {
    for (let round = 0; round < 5; round++) {
      const fx = await buildAssociation();
      await setRole(fx.owner, fx.associationId, fx.admin.userId, 'owner');
      const [a, b] = await Promise.all([
        call('PATCH', `/associations/${fx.associationId}/members/${fx.admin.userId}`, { token: fx.owner.token, body: { role: 'member' } }),
        call('PATCH', `/associations/${fx.associationId}/members/${fx.owner.userId}`, { token: fx.admin.token, body: { role: 'member' } }),
      ]);
      const wins = [a, b].filter((r) => r.status === 200).length;
      // At most one demotion can win. The loser is refused: 409 if it still acted as an
      // owner (the last-owner rule), or 403 if it was already demoted when it was checked.
      expect(wins).toBeLessThanOrEqual(1);
      for (const r of [a, b]) if (r.status !== 200) expectProblem(r, r.status === 403 ? 403 : 409);

      const list = await call('GET', `/associations/${fx.associationId}/members?limit=200&status=active`, { token: fx.organizer.token });
      const owners = list.body.items.filter((m: any) => m.role === 'owner');
      expect(owners.length).toBeGreaterThanOrEqual(1);
      // The owners left are exactly those the answers say were not demoted.
      expect(owners.length).toBe(2 - wins);
      // And the surviving owner still acts as one: they cannot leave as the last owner.
      if (owners.length === 1) {
        const last = owners[0].userId === fx.owner.userId ? fx.owner : fx.admin;
        expectProblem(await call('DELETE', `/associations/${fx.associationId}/members/${last.userId}`, { token: last.token }), 409);
      }
    }
  });

  it('two owners leaving at once never leave zero owners', async () => {
    for (let round = 0; round < 5; round++) {
      const fx = await buildAssociation({ coOwner: true });
      const [a, b] = await Promise.all([
        call('DELETE', `/associations/${fx.associationId}/members/${fx.owner.userId}`, { token: fx.owner.token }),
        call('DELETE', `/associations/${fx.associationId}/members/${fx.coOwner!.userId}`, { token: fx.coOwner!.token }),
      ]);
      expect([a.status, b.status].filter((s) => s === 204).length).toBeLessThanOrEqual(1);
      for (const r of [a, b]) if (r.status !== 204) expectProblem(r, 409);
      const list = await call('GET', `/associations/${fx.associationId}/members?limit=200&status=active`, { token: fx.organizer.token });
      expect(list.body.items.filter((m: any) => m.role === 'owner').length).toBeGreaterThanOrEqual(1);
    }
  });
});
