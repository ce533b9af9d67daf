/**
 * Retried and concurrent dues requests: asking for checkout again hands back the same
 * Stripe session, and a user racing to join a paid plan gets one membership.
 */
import { call, signIn } from '../support/http.js';
import { expectProblem } from '../support/fixtures.js';
import { joinPaid, payCheckout, setUpPaidAssociation, stripeUrl, waitForMember, type PaidAssociation } from '../support/dues.js';

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {});

describe('dues idempotency', () => {
  let fx: PaidAssociation;
  const checkout = (token: string) => call('POST', `/associations/${fx.associationId}/members/me/checkout`, { token });

  beforeAll(async () => {
    fx = await setUpPaidAssociation('Idem Club');
  });

  it('checkout twice for a pending member → the same url (the session opened at join)', async () => {
    const u = await signIn('twice');
    const joined = await joinPaid(u, fx);
    const first = await checkout(u.token);
    const second = await checkout(u.token);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.url).toMatch(new RegExp(`^${stripeUrl()}/checkout/cs_test_\\w+$`));
    expect(second.body.url).toBe(first.body.url);
    expect(first.body.url).toBe(joined.checkoutUrl);
  });

  it('checkout 5 times at once → one url', async () => {
    const u = await signIn('burst');
    const joined = await joinPaid(u, fx);
    const results = await Promise.all(Array.from({ length: 5 }, () => checkout(u.token)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.url))).toEqual(new Set([joined.checkoutUrl]));
  });

  it('checkout once paid up → 409', async () => {
    const u = await signIn('paid-up');
    const joined = await joinPaid(u, fx);
    await payCheckout(joined.checkoutUrl);
    await waitForMember(fx, u.userId, (m) => m.status === 'active');
    expectProblem(await checkout(u.token), 409);
  });

  it('10 concurrent joins of a paid plan by the same user → one 201, the rest 409, one checkout', async () => {
    const u = await signIn('racer');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', `/associations/${fx.associationId}/members`, { token: u.token, body: { planId: fx.yearlyPlanId } })),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 201: 1, 409: 9 });
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 409);
    const winner = results.find((r) => r.status === 201)!;
    expect(winner.body).toEqual(expect.objectContaining({ status: 'pending', checkoutUrl: expect.stringMatching(/\/checkout\/cs_test_/) }));
    const again = await checkout(u.token);
    expect(again.status).toBe(200);
    expect(again.body.url).toBe(winner.body.checkoutUrl);

    const list = await call('GET', `/associations/${fx.associationId}/members?limit=200`, { token: fx.owner.token });
    expect(list.body.items.filter((m: any) => m.userId === u.userId)).toHaveLength(1);
  });
});
