/**
 * A renewal day with more memberships due than one page of the due index holds: the
 * daily job must follow every page (the gsi2 resume key once broke page 2) and remind
 * everyone, over HTTP on the local stack.
 */
import { call, signIn } from '../support/http.js';
import { expectStatus } from '../support/fixtures.js';
import { pool } from '../support/events.js';
import { mailsTo, memberPath, setUpPaidAssociation, waitFor, type PaidAssociation } from '../support/dues.js';

const MEMBERS = 250;
const DAY = 86_400_000;

describe('the daily job on a busy renewal day', () => {
  let fx: PaidAssociation;
  let people: { userId: string; email: string }[];
  // A day of its own in the past year, so no other suite's memberships fall due with these.
  const paidAt = new Date(Date.UTC(2026, 1 + Math.floor(Math.random() * 8), 1 + Math.floor(Math.random() * 27), 9)).toISOString();

  beforeAll(async () => {
    fx = await setUpPaidAssociation('Busy Renewals');
    people = await pool(Array.from({ length: MEMBERS }, (_, i) => i), 16, async (i) => {
      const user = await signIn(`due-${i}`, `Due Member ${i}`);
      expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: user.token, body: { planId: fx.yearlyPlanId } }), 201, 'join');
      // The treasurer records every dues payment on the same morning.
      expectStatus(
        await call('PATCH', memberPath(fx, user.userId), { token: fx.owner.token, body: { offlinePayment: { amount: 12000, paidAt, note: `cheque ${i}` } } }),
        200,
        'offline payment',
      );
      return { userId: user.userId, email: user.email };
    });
  }, 240_000);

  it(`reminds all ${MEMBERS} members due on one day in one run`, async () => {
    const member = expectStatus(await call('GET', memberPath(fx, people[0].userId), { token: fx.owner.token }), 200, 'member').body;
    const reminderTime = new Date(Date.parse(member.currentPeriodEnd) - 14 * DAY + 3_600_000).toISOString();

    const job = await call('POST', '/dev/jobs/daily', { body: { time: reminderTime } });

    expect(job.status).toBe(200);
    const reminded = await pool(people, 16, async (p) =>
      waitFor(`reminder to ${p.email}`, () => mailsTo(p.email), (mails) => mails.some((m) => /membership ends on/i.test(m.subject)), 60_000),
    );
    expect(reminded.filter((mails) => mails.some((m) => /membership ends on/i.test(m.subject)))).toHaveLength(MEMBERS);
  }, 240_000);

  it('a second run the same day sends nobody a second reminder', async () => {
    const member = expectStatus(await call('GET', memberPath(fx, people[0].userId), { token: fx.owner.token }), 200, 'member').body;
    const reminderTime = new Date(Date.parse(member.currentPeriodEnd) - 14 * DAY + 7_200_000).toISOString();

    expect((await call('POST', '/dev/jobs/daily', { body: { time: reminderTime } })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 2000));
    const counts = await pool(people.slice(0, 40), 16, async (p) => (await mailsTo(p.email)).filter((m) => /membership ends on/i.test(m.subject)).length);
    expect(counts.every((n) => n === 1)).toBe(true);
  }, 120_000);
});
