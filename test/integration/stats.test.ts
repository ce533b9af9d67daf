/**
 * Dashboard statistics end to end over HTTP against DynamoDB Local: members join, pay
 * (hosted checkout and offline), and lapse after a failed renewal; RSVPs fill an event to its
 * capacity and a waitlist, people check in; then the stats routes, which read only the
 * counters the local stream poller keeps, return those series.
 */
import { call, signIn } from '../support/http.js';
import { expectStatus, type User } from '../support/fixtures.js';
import { joinAndPay, joinPaid, memberPath, renew, setUpPaidAssociation, waitFor, waitForMember, type PaidAssociation } from '../support/dues.js';
import { createEvent, futureTime, rsvp } from '../support/events.js';

const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const stats = (fx: PaidAssociation, q = '') => call('GET', `/associations/${fx.associationId}/stats${q}`, { token: fx.owner.token });

// The counters' stream reader is serial (its transactions share counter items); in a full run it
// has every other suite's records ahead of it, bulk writes of tens of thousands included (as charts.test.ts).
const COUNTERS_WAIT_MS = 120_000;

describe('stats from counters', () => {
  let fx: PaidAssociation;

  beforeAll(async () => {
    fx = await setUpPaidAssociation('Stats Club');
    // No grace period: a failed renewal lapses the member today.
    expectStatus(await call('PATCH', `/associations/${fx.associationId}`, { token: fx.owner.token, body: { gracePeriodDays: 0 } }), 200, 'grace period');
  }, 60_000);

  it('members by status, dues per month and renewals due follow joins, payments, a failure and a lapse', async () => {
    const [payer, failing, cheque, waiting] = await Promise.all([signIn('st-payer'), signIn('st-failing'), signIn('st-cheque'), signIn('st-pending')]);
    await joinAndPay(payer, fx);
    const { subscriptionId } = await joinAndPay(failing, fx);
    await renew(subscriptionId!, 'failed');
    // Without a grace period the failed renewal lapses the membership at once.
    await waitForMember(fx, failing.userId, (m) => m.status === 'lapsed');
    // Paid by cheque 355 days ago: a yearly period that ends in 10 days.
    await joinPaid(cheque, fx);
    const paidAt = new Date(Date.now() - 355 * DAY).toISOString();
    expectStatus(await call('PATCH', memberPath(fx, cheque.userId), { token: fx.owner.token, body: { offlinePayment: { amount: 12000, paidAt } } }), 200, 'offline payment');
    await joinPaid(waiting, fx);

    const body = await waitFor(
      'member counters',
      async () => expectStatus(await stats(fx), 200, 'stats').body,
      (b) => {
        const t = b.membersByStatus.at(-1);
        return t.active === 3 && t.pending === 1 && t.lapsed === 1 && t.past_due === 0 && b.renewalsDue.some((d: { count: number }) => d.count > 0);
      },
      COUNTERS_WAIT_MS,
    );
    // The owner, the payer and the cheque payer are active.
    expect(body.to).toBe(today());
    expect(body.membersByStatus).toHaveLength(365);
    expect(body.membersByStatus.at(-1)).toEqual({ date: today(), pending: 1, active: 3, past_due: 0, lapsed: 1, cancelled: 0 });
    // Before the association existed: nobody.
    expect(body.membersByStatus[0]).toEqual(expect.objectContaining({ active: 0, pending: 0 }));
    const month = today().slice(0, 7);
    expect(body.duesByMonth.find((d: { month: string }) => d.month === month)).toEqual({ month, currency: 'eur', amount: 24000, refunded: 0 });
    expect(body.duesByMonth.find((d: { month: string }) => d.month === paidAt.slice(0, 7))).toEqual({ month: paidAt.slice(0, 7), currency: 'eur', amount: 12000, refunded: 0 });
    expect(body.renewalsDue).toHaveLength(30);
    const due = body.renewalsDue.filter((d: { count: number }) => d.count > 0);
    expect(due).toEqual([{ date: new Date(Date.parse(paidAt) + 365 * DAY).toISOString().slice(0, 10), count: 1 }]);
  }, COUNTERS_WAIT_MS + 120_000);

  it('refuses a range that is too long, naming the field, and other associations\' admins', async () => {
    const res = await stats(fx, `?from=2020-01-01&to=${today()}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['from']);
    const stranger = await signIn('st-stranger');
    expectStatus(await call('POST', '/associations', { token: stranger.token, body: { name: 'Other club', slug: `other-${Date.now()}`, currency: 'eur', timezone: 'Europe/Paris' } }), 201, 'other association');
    expect((await call('GET', `/associations/${fx.associationId}/stats`, { token: stranger.token })).status).toBe(403);
  });

  it('RSVPs against capacity, check-ins per quarter hour', async () => {
    const ev = await createEvent(fx.owner, fx.associationId, { capacity: 2, waitlist: true, startsAt: futureTime(0, 5), endsAt: futureTime(0, 120) });
    const people: User[] = await Promise.all([0, 1, 2].map((i) => signIn(`st-rsvp${i}`)));
    for (const p of people) expectStatus(await rsvp(p, ev.eventId), 200, 'rsvp');
    for (const p of people.slice(0, 2)) expectStatus(await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.owner.token, body: { userId: p.userId } }), 200, 'check-in');
    const body = await waitFor(
      'event counters',
      async () => expectStatus(await call('GET', `/events/${ev.eventId}/stats`, { token: fx.owner.token }), 200, 'event stats').body,
      (b) => b.rsvps.at(-1)?.going === 2 && b.rsvps.at(-1)?.waitlisted === 1 && b.checkIns.reduce((n: number, c: { count: number }) => n + c.count, 0) === 2,
      COUNTERS_WAIT_MS,
    );
    expect(body.capacity).toBe(2);
    expect(body.rsvps.at(-1)).toEqual({ at: `${new Date().toISOString().slice(0, 13)}:00:00.000Z`, going: 2, waitlisted: 1 });
    const quarter = Math.floor(new Date().getUTCMinutes() / 15) * 15;
    const busy = body.checkIns.filter((c: { count: number }) => c.count > 0);
    expect(busy).toEqual([{ at: `${new Date().toISOString().slice(0, 14)}${String(quarter).padStart(2, '0')}:00.000Z`, count: 2 }]);
    expect(body.ratings).toEqual({ 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, met: 0, rated: 0 });
    // A member of the association is not staff.
    expect((await call('GET', `/events/${ev.eventId}/stats`, { token: people[0]!.token })).status).toBe(403);
  }, COUNTERS_WAIT_MS + 60_000);
});
