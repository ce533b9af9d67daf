/**
 * RSVP races through HTTP: seats, the waitlist's order and the promotion mails must be
 * exact however requests interleave. Users and tokens are made before the clock starts.
 */
import { call, type Res } from '../support/http.js';
import { buildAssociation, type AssociationFixture } from '../support/fixtures.js';
import {
  addressedTo,
  allItems,
  createEvent,
  getEvent,
  mailsTo,
  pool,
  rsvp,
  signInMany,
  sleep,
  subjectStarts,
  uniqueLabel,
  waitForMail,
  withdraw,
} from '../support/events.js';

const tally = (xs: (string | number)[]) => xs.reduce<Record<string, number>>((acc, x) => ((acc[x] = (acc[x] ?? 0) + 1), acc), {});
const serverErrors = (rs: Res[]) => rs.filter((r) => r.status >= 500).map((r) => `${r.status} ${r.text}`);

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation();
});

describe('RSVP races', () => {
  it('10 identical RSVPs by one user at once: one RSVP, goingCount 1, one confirmation mail', async () => {
    const [u] = await signInMany(1, uniqueLabel('same'));
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 5, title: 'Same user race' });
    const results = await Promise.all(Array.from({ length: 10 }, () => rsvp(u!, ev.eventId)));
    expect(serverErrors(results)).toEqual([]);
    expect(tally(results.map((r) => `${r.status} ${r.body.status}`))).toEqual({ '200 going': 10 });
    expect(new Set(results.map((r) => r.body.checkInCode)).size).toBe(1);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1, waitlistCount: 0, spotsLeft: 4 });
    const attendees = await allItems(`/events/${ev.eventId}/attendees`, fx.organizer.token);
    expect(attendees.map((a) => a.userId)).toEqual([u!.userId]);
    await waitForMail(u!.email, { filter: subjectStarts("You're going") });
    await sleep(1500);
    expect(addressedTo(await mailsTo(u!.email), u!.email).filter(subjectStarts("You're going"))).toHaveLength(1);
  });

  it('30 going cancel at once while 50 wait: exactly the first 30 of the waitlist are promoted, in order, each mailed once', async () => {
    const label = uniqueLabel('w30x');
    const users = await signInMany(80, label);
    const going = users.slice(0, 30);
    const waiting = users.slice(30);
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 30, title: 'Thirty seats' });

    const first = await pool(going, 30, (u) => rsvp(u, ev.eventId));
    expect(tally(first.map((r) => `${r.status} ${r.body.status}`))).toEqual({ '200 going': 30 });
    // The waitlist is joined one by one, so its order is known.
    for (const [i, u] of waiting.entries()) {
      const r = await rsvp(u, ev.eventId);
      expect({ i, status: r.status, body: r.body }).toEqual({ i, status: 200, body: expect.objectContaining({ status: 'waitlisted', waitlistPosition: i + 1 }) });
    }
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 30, waitlistCount: 50, spotsLeft: 0 });

    const cancels = await Promise.all(going.map((u) => withdraw(u, ev.eventId)));
    expect(serverErrors(cancels)).toEqual([]);
    expect(tally(cancels.map((r) => `${r.status} ${r.body.status}`))).toEqual({ '200 not_going': 30 });

    // Every cancellation promotes before it answers; the stream consumer may still be at it.
    const deadline = Date.now() + 15_000;
    let ev2 = await getEvent(ev.eventId);
    while ((ev2.goingCount !== 30 || ev2.waitlistCount !== 20) && Date.now() < deadline) {
      await sleep(200);
      ev2 = await getEvent(ev.eventId);
    }
    expect(ev2).toMatchObject({ goingCount: 30, waitlistCount: 20, spotsLeft: 0 });
    const nowGoing = await allItems(`/events/${ev.eventId}/attendees?status=going`, fx.organizer.token);
    expect(nowGoing.map((a) => a.userId).sort()).toEqual(waiting.slice(0, 30).map((u) => u.userId).sort());
    const stillWaiting = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    const order = [...stillWaiting].sort((a, b) => a.waitlistPosition - b.waitlistPosition).map((a) => [a.waitlistPosition, a.userId]);
    expect(order).toEqual(waiting.slice(30).map((u, i) => [i + 1, u.userId]));

    // Mail: one promotion each for the 30, none for the 20 still waiting nor for those who left.
    const promotedMail = subjectStarts('A spot opened up: you');
    await waitForMail(label, { filter: promotedMail, count: 30, timeoutMs: 60_000 });
    await sleep(2000);
    const mails = (await mailsTo(label)).filter(promotedMail);
    const perPerson = tally(mails.map((m) => m.destination.to[0]!.toLowerCase()));
    expect(perPerson).toEqual(Object.fromEntries(waiting.slice(0, 30).map((u) => [u.email.toLowerCase(), 1])));
  }, 120_000);

  it('1,000 RSVPs at once for 100 seats: exactly 100 going and 900 waitlisted at positions 1..900, no 5xx', async () => {
    const label = uniqueLabel('k1x');
    const users = await signInMany(1000, label, 100);
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 100, title: 'Thousand race' });

    const started = Date.now();
    const results = await pool(users, 100, (u) => rsvp(u, ev.eventId));
    const elapsed = Date.now() - started;
    console.log(`1,000 concurrent RSVPs (100 in flight): ${elapsed} ms`);

    expect(serverErrors(results)).toEqual([]);
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 1000 });
    expect(tally(results.map((r) => r.body.status))).toEqual({ going: 100, waitlisted: 900 });
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 100, waitlistCount: 900, spotsLeft: 0 });

    const going = await allItems(`/events/${ev.eventId}/attendees?status=going`, fx.organizer.token);
    expect(going).toHaveLength(100);
    const goingIds = new Set(results.flatMap((r, i) => (r.body.status === 'going' ? [users[i]!.userId] : [])));
    expect(new Set(going.map((a) => a.userId))).toEqual(goingIds);

    const waitlisted = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    expect(waitlisted).toHaveLength(900);
    expect(new Set(waitlisted.map((a) => a.userId)).size).toBe(900);
    expect(waitlisted.map((a) => a.waitlistPosition).sort((a, b) => a - b)).toEqual(Array.from({ length: 900 }, (_, i) => i + 1));
    // Nobody is both going and waiting.
    expect(waitlisted.filter((a) => goingIds.has(a.userId))).toEqual([]);
  }, 150_000);
});
