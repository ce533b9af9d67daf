/**
 * Dues end to end over HTTP against the local stack and its Stripe stand-in: connecting
 * Stripe, paid joins through hosted checkout, receipts, a failed renewal with its grace
 * period, lapsing in the daily job, a recovered renewal, the billing portal and the ledger
 * (cursors and CSV).
 */
import { parse } from 'csv-parse/sync';
import { call, callBytes, signIn, type Res } from '../support/http.js';
import { errorPaths, expectProblem, type User } from '../support/fixtures.js';
import {
  allPayments,
  completeOnboarding,
  getMember,
  joinAndPay,
  joinPaid,
  mailsTo,
  payCheckout,
  paymentsOf,
  paymentsPath,
  renew,
  setUpUnconnectedAssociation,
  sleep,
  stripeUrl,
  waitFor,
  waitForMember,
  type PaidAssociation,
} from '../support/dues.js';

const DAY = 86_400_000;
const MINUTES_5 = 5 * 60_000;

/** `t` plus `years` calendar years (as Stripe bills a yearly price). */
const plusYears = (t: number, years: number) => {
  const d = new Date(t);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
};
const expectNear = (iso: string | null | undefined, expected: number, tolerance = MINUTES_5) => {
  expect(typeof iso).toBe('string');
  const delta = Math.abs(Date.parse(iso!) - expected);
  if (delta > tolerance) throw new Error(`${iso} is ${Math.round(delta / 1000)} s away from ${new Date(expected).toISOString()}`);
};
/** The display name of a From header: `"Name" <address>` → Name. */
const displayNameOf = (from: string) => /^"?([^"<]*?)"?\s*<[^>]+>$/.exec(from)?.[1] ?? from;
const mailsMatching = (email: string, subject: RegExp) => mailsTo(email).then((ms) => ms.filter((m) => subject.test(m.subject)));
const waitForMail = (email: string, subject: RegExp, count = 1) =>
  waitFor(`${count} mail(s) "${subject}" to ${email}`, () => mailsMatching(email, subject), (ms) => ms.length >= count);

describe('dues: connect, join, pay, renew, lapse', () => {
  let fx: PaidAssociation;
  let payer: User;
  let paidAt: number;
  let subscriptionId: string;
  let firstPeriodEnd: string;

  beforeAll(async () => {
    fx = await setUpUnconnectedAssociation('Flow Club');
  });

  it('hands the owner an onboarding link on the Stripe stand-in', () => {
    const link = new URL(fx.onboardingUrl);
    expect(link.origin).toBe(new URL(stripeUrl()).origin);
    expect(link.pathname).toMatch(/^\/connect\/acct_\w+$/);
  });

  it('refuses a paid join with 422 naming planId until onboarding is complete, and writes nothing', async () => {
    const early = await signIn('early', 'Early Bird');
    const res = await call('POST', `/associations/${fx.associationId}/members`, { token: early.token, body: { planId: fx.yearlyPlanId } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toEqual(['planId']);
    expectProblem(await call('GET', `/associations/${fx.associationId}/members/${early.userId}`, { token: fx.owner.token }), 404);
  });

  it('takes paid joins once onboarding is complete: pending with a checkoutUrl', async () => {
    await completeOnboarding(fx);
    payer = await signIn('payer', 'Pat Payer');
    const res = await call('POST', `/associations/${fx.associationId}/members`, { token: payer.token, body: { planId: fx.yearlyPlanId } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(expect.objectContaining({ userId: payer.userId, status: 'pending', planId: fx.yearlyPlanId, currentPeriodEnd: null }));
    expect(res.body.checkoutUrl).toMatch(new RegExp(`^${stripeUrl()}/checkout/cs_test_\\w+$`));

    // The card is declined: the stand-in sends no event and the member stays pending.
    const declined = await fetch(`${res.body.checkoutUrl}/fail`, { method: 'POST' });
    expect(declined.status).toBe(402);
    await sleep(300);
    expect(await getMember(fx, payer.userId)).toEqual(expect.objectContaining({ status: 'pending', currentPeriodEnd: null }));
    expect(await paymentsOf(fx, payer.userId)).toEqual([]);

    paidAt = Date.now();
    const session = await payCheckout(res.body.checkoutUrl);
    subscriptionId = session.subscription;
    expect(subscriptionId).toMatch(/^sub_/);
  });

  it('activates the member for a year once paid', async () => {
    const m = await waitForMember(fx, payer.userId, (m) => m.status === 'active');
    expectNear(m.currentPeriodEnd, plusYears(paidAt, 1));
    expect(m.billing).toEqual({ method: 'stripe', autoRenew: true, pastDueSince: null, graceUntil: null, lapsedAt: null });
    firstPeriodEnd = m.currentPeriodEnd;
  });

  it('records one payment with its period in the ledger', async () => {
    const ledger = await waitFor('one payment', () => paymentsOf(fx, payer.userId), (l) => l.length >= 1);
    await sleep(300);
    expect(await paymentsOf(fx, payer.userId)).toHaveLength(1);
    expect(ledger[0]).toEqual(
      expect.objectContaining({ userId: payer.userId, type: 'payment', kind: 'stripe', amount: 12000, currency: 'eur', periodEnd: firstPeriodEnd, recordedBy: 'stripe' }),
    );
    expectNear(ledger[0].periodStart, paidAt);
    expect(ledger[0].stripe).toEqual(expect.objectContaining({ invoiceId: expect.stringMatching(/^in_/), subscriptionId }));
  });

  it('mails the member a receipt from the association', async () => {
    const [receipt] = await waitForMail(payer.email, /receipt/i);
    expect(displayNameOf(receipt.from)).toBe(fx.name);
    expect(receipt.destination.to).toEqual([payer.email]);
    expect(receipt.body.text).toContain('€120.00');
  });

  it('activates a once-plan member for life (currentPeriodEnd null)', async () => {
    const lifer = await signIn('lifer', 'Lee Lifer');
    const { member } = await joinAndPay(lifer, fx, fx.oncePlanId);
    expect(member).toEqual(expect.objectContaining({ status: 'active', planId: fx.oncePlanId, currentPeriodEnd: null }));
    const [payment] = await waitFor('lifetime payment', () => paymentsOf(fx, lifer.userId), (l) => l.length >= 1);
    expect(payment).toEqual(expect.objectContaining({ type: 'payment', kind: 'stripe', amount: 30000, currency: 'eur', periodEnd: null }));
    const [receipt] = await waitForMail(lifer.email, /receipt/i);
    expect(displayNameOf(receipt.from)).toBe(fx.name);
    // A lifetime membership is paid up: nothing more to check out.
    expectProblem(await call('POST', `/associations/${fx.associationId}/members/me/checkout`, { token: lifer.token }), 409);
  });

  it('a failed renewal makes the member past_due with a 14-day grace period and a "payment failed" mail with a link', async () => {
    const failedAt = Date.now();
    await renew(subscriptionId, 'failed');
    const m = await waitForMember(fx, payer.userId, (m) => m.status === 'past_due');
    expectNear(m.billing.graceUntil, failedAt + 14 * DAY);
    expectNear(m.billing.pastDueSince, failedAt);
    // The renewal was not paid: the paid period does not move.
    expect(m.currentPeriodEnd).toBe(firstPeriodEnd);

    const [failed] = await waitForMail(payer.email, /payment failed/i);
    expect(displayNameOf(failed.from)).toBe(fx.name);
    expect(failed.body.text).toMatch(/https?:\/\/\S+/);
    expect(failed.body.html).toMatch(/<a href="https?:\/\/[^"]+"/);
    const failures = (await paymentsOf(fx, payer.userId)).filter((p) => p.type === 'failure');
    expect(failures).toEqual([expect.objectContaining({ amount: 12000, currency: 'eur' })]);
  });

  it('the daily job lapses the member once the grace period is over, and mails them', async () => {
    const { billing } = await getMember(fx, payer.userId);
    const time = new Date(Date.parse(billing.graceUntil) + 3_600_000).toISOString();
    const job = await call('POST', '/dev/jobs/daily', { body: { time } });
    expect(job.status).toBe(200);
    const m = await waitForMember(fx, payer.userId, (m) => m.status === 'lapsed');
    expect(m.billing.lapsedAt).toEqual(expect.any(String));
    const [lapsed] = await waitForMail(payer.email, /lapsed/i);
    expect(displayNameOf(lapsed.from)).toBe(fx.name);
  });

  it('a paid retry makes the member active again and the ledger shows both periods', async () => {
    await renew(subscriptionId, 'paid');
    const secondPeriodEnd = plusYears(Date.parse(firstPeriodEnd), 1);
    const m = await waitForMember(fx, payer.userId, (m) => m.status === 'active');
    expectNear(m.currentPeriodEnd, secondPeriodEnd, 60_000);
    expect(m.billing).toEqual(expect.objectContaining({ pastDueSince: null, graceUntil: null, lapsedAt: null }));

    const payments = await waitFor(
      'two payments',
      async () => (await paymentsOf(fx, payer.userId)).filter((p) => p.type === 'payment'),
      (l) => l.length >= 2,
    );
    const periods = payments.map((p) => [p.periodStart, p.periodEnd]).sort((a, b) => a[0].localeCompare(b[0]));
    expect(periods).toHaveLength(2);
    expectNear(periods[0][0], paidAt);
    expect(periods[0][1]).toBe(firstPeriodEnd);
    expect(periods[1][0]).toBe(firstPeriodEnd);
    expect(periods[1][1]).toBe(m.currentPeriodEnd);
    // One receipt per payment.
    await waitForMail(payer.email, /receipt/i, 2);
  });

  describe('billing portal', () => {
    it('gives a member who paid a portal url on the stand-in', async () => {
      const res = await call('POST', `/associations/${fx.associationId}/members/me/billing-portal`, { token: payer.token });
      expect(res.status).toBe(200);
      expect(res.body.url).toMatch(new RegExp(`^${stripeUrl()}/portal/bps_\\w+$`));
    });

    it('refuses (422) a member on a free plan, who never paid', async () => {
      const free = await signIn('free');
      expect((await call('POST', `/associations/${fx.associationId}/members`, { token: free.token, body: { planId: fx.freePlanId } })).status).toBe(201);
      const res = await call('POST', `/associations/${fx.associationId}/members/me/billing-portal`, { token: free.token });
      expectProblem(res, 422);
    });

    it('refuses (422) a pending member who never paid', async () => {
      const pending = await signIn('never-paid');
      await joinPaid(pending, fx);
      const res = await call('POST', `/associations/${fx.associationId}/members/me/billing-portal`, { token: pending.token });
      expectProblem(res, 422);
    });
  });

  describe('the ledger', () => {
    let all: any[];
    beforeAll(async () => {
      all = await allPayments(fx, { limit: '200' });
    });

    it('lists newest first with every entry of the flow', () => {
      // Yearly: payment, failure, payment; lifetime: payment.
      expect(all.map((p) => p.type).sort()).toEqual(['failure', 'payment', 'payment', 'payment']);
      const dates = all.map((p) => p.paidAt);
      expect([...dates].sort().reverse()).toEqual(dates);
    });

    it('pages one entry at a time with cursors, ending with nextCursor null', async () => {
      const seen: any[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const q: string = cursor ? `?limit=1&cursor=${encodeURIComponent(cursor)}` : '?limit=1';
        const res: Res = await call('GET', `${paymentsPath(fx)}${q}`, { token: fx.owner.token });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(1);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      expect(seen.map((p) => p.paymentId)).toEqual(all.map((p) => p.paymentId));
    });

    it('refuses a tampered cursor (400) and a non-admin (403)', async () => {
      const first = await call('GET', `${paymentsPath(fx)}?limit=1`, { token: fx.owner.token });
      const cursor: string = first.body.nextCursor;
      const tampered = cursor.slice(0, -2) + (cursor.endsWith('AA') ? 'BB' : 'AA');
      expectProblem(await call('GET', `${paymentsPath(fx)}?limit=1&cursor=${encodeURIComponent(tampered)}`, { token: fx.owner.token }), 400);
      expectProblem(await call('GET', paymentsPath(fx), { token: payer.token }), 403);
    });

    it('exports as CSV with a BOM, a header and one row per entry', async () => {
      const res = await callBytes('GET', `${paymentsPath(fx)}/export`, { token: fx.owner.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows: string[][] = parse(res.bytes.subarray(3).toString('utf8'));
      expect(rows[0]).toEqual(['date', 'type', 'source', 'userId', 'amount', 'currency', 'periodStart', 'periodEnd', 'note', 'stripeInvoice', 'stripeCharge', 'stripeRefund', 'stripeCheckout', 'reason']);
      const body = rows.slice(1);
      expect(body).toHaveLength(all.length);
      const byKey = (r: { date: string; type: string; userId: string; amount: string }) => `${r.date}|${r.type}|${r.userId}|${r.amount}`;
      expect(body.map((r) => byKey({ date: r[0], type: r[1], userId: r[3], amount: r[4] })).sort()).toEqual(
        all.map((p) => byKey({ date: p.paidAt, type: p.type, userId: p.userId, amount: String(p.amount) })).sort(),
      );
      for (const r of body) {
        expect(r[2]).toBe('stripe');
        expect(r[5]).toBe('eur');
      }
    });
  });
});
