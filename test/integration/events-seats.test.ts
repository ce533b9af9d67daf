/**
 * Seats and waitlist positions under true concurrency, through HTTP against DynamoDB Local:
 * the capacity an RSVP obeys is the one stored when it is written (an organizer lowering it
 * meanwhile included), and a surge of RSVPs gives unique positions in promotion order.
 */
import { call, signIn, type Res } from '../support/http.js';
import { buildAssociation, errorPaths, expectProblem, type AssociationFixture } from '../support/fixtures.js';
import { addressedTo, allItems, createEvent, getEvent, mailsTo, rsvp, signInMany, sleep, subjectStarts, uniqueLabel, waitForMail, withdraw } from '../support/events.js';

const tally = (xs: (string | number)[]) => xs.reduce<Record<string, number>>((acc, x) => ((acc[x] = (acc[x] ?? 0) + 1), acc), {});
const serverErrors = (rs: Res[]) => rs.filter((r) => r.status >= 500).map((r) => `${r.status} ${r.text}`);

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation();
});

describe('capacity against concurrent organizer changes', () => {
  it('RSVPs racing an organizer who keeps lowering the capacity to the seats taken never end with more going than seats', async () => {
    const N = 40;
    const users = await signInMany(N, uniqueLabel('capx'));
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: N, title: 'Shrinking room' });
    let done = false;
    const patches: Res[] = [];
    // The organizer shrinks the room to just above what is taken right now (never growing it, so an overshoot stays
    // visible), again and again, while everyone RSVPs at once.
    const shrink = async () => {
      while (!done) {
        const seen = await getEvent(ev.eventId);
        patches.push(await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { capacity: Math.min(seen.capacity!, seen.goingCount + 3) } }));
      }
    };
    // Several tabs open at once, so a shrink lands in many RSVPs' read-to-write windows.
    const organizer = Promise.all(Array.from({ length: 3 }, shrink));
    const results = await Promise.all(users.map((u) => rsvp(u, ev.eventId)));
    done = true;
    await organizer;

    expect(serverErrors([...results, ...patches])).toEqual([]);
    expect(tally(results.map((r) => r.status))).toEqual({ 200: N });
    // A shrink either applied, lost to a concurrent change (409) or came too late for the seats taken (422).
    expect(patches.filter((p) => ![200, 409, 422].includes(p.status))).toEqual([]);
    const final = await getEvent(ev.eventId);
    const going = await allItems(`/events/${ev.eventId}/attendees?status=going`, fx.organizer.token);
    expect(final.goingCount).toBeLessThanOrEqual(final.capacity!);
    expect(going.reduce((n, a) => n + 1 + a.guests, 0)).toBe(final.goingCount);
    expect(results.filter((r) => r.body.status === 'going')).toHaveLength(final.goingCount);
    expect(final.waitlistCount).toBe(N - final.goingCount);
    console.log(`capacity race: ${patches.length} PATCHes (${JSON.stringify(tally(patches.map((p) => p.status)))}), final ${final.goingCount}/${final.capacity}`);
  }, 120_000);
});

describe('a surge of RSVPs', () => {
  it('200 RSVPs at once for 20 seats: 20 going, positions 1..180 once each, and promotion follows positions', async () => {
    const users = await signInMany(200, uniqueLabel('surge'));
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 20, title: 'Surge' });

    const started = Date.now();
    const results = await Promise.all(users.map((u) => rsvp(u, ev.eventId)));
    console.log(`200 RSVPs at once: ${Date.now() - started} ms`);
    expect(serverErrors(results)).toEqual([]);
    expect(tally(results.map((r) => r.body.status))).toEqual({ going: 20, waitlisted: 180 });
    const positions = results.filter((r) => r.body.status === 'waitlisted').map((r) => r.body.waitlistPosition as number);
    expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 20, waitlistCount: 180 });

    // Who holds which position, as each was told.
    const byPosition = new Map(results.flatMap((r, i) => (r.body.status === 'waitlisted' ? [[r.body.waitlistPosition as number, users[i]!] as const] : [])));
    const goingUsers = users.filter((_, i) => results[i]!.body.status === 'going');
    // The organizer's list agrees with what people were told.
    const listed = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    expect(new Map(listed.map((a) => [a.waitlistPosition, a.userId]))).toEqual(new Map([...byPosition].map(([p, u]) => [p, u.userId])));

    // Three people leave from the middle: everyone behind moves up, and says so when asking again.
    for (const p of [50, 51, 120]) expect((await withdraw(byPosition.get(p)!, ev.eventId)).status).toBe(200);
    const asked = await Promise.all([49, 52, 119, 121, 180].map((p) => rsvp(byPosition.get(p)!, ev.eventId)));
    expect(asked.map((r) => r.body.waitlistPosition)).toEqual([49, 50, 117, 118, 177]);

    // Seats free one at a time: each goes to the lowest position, in order.
    for (const [i, u] of goingUsers.slice(0, 5).entries()) {
      expect((await withdraw(u, ev.eventId)).status).toBe(200);
      const promoted = byPosition.get(i + 1)!;
      const again = await rsvp(promoted, ev.eventId);
      expect({ i, status: again.body.status }).toEqual({ i, status: 'going' });
    }
    const next = await rsvp(byPosition.get(6)!, ev.eventId);
    expect(next.body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 20, waitlistCount: 180 - 3 - 5 });
  }, 180_000);
});

describe('guests and mail', () => {
  it('more guests while a party waits for the free seats: 409 naming guests, nothing changes', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 4, maxGuests: 2, title: 'Party waits' });
    const [a, b, party] = await Promise.all([signIn('seatA'), signIn('seatB'), signIn('party')]);
    expect((await rsvp(a, ev.eventId)).body.status).toBe('going');
    expect((await rsvp(b, ev.eventId, { status: 'going', guests: 1 })).body.status).toBe('going');
    // One seat is free; a party of three waits for it and more.
    expect((await rsvp(party, ev.eventId, { status: 'going', guests: 2 })).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    const more = await rsvp(a, ev.eventId, { status: 'going', guests: 1 });
    expectProblem(more, 409);
    expect(errorPaths(more)).toEqual(['guests']);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 3, waitlistCount: 1 });
  });

  // Four toggles and a last RSVP stay inside the RSVP rate limit (10 changes a minute); 50 toggles
  // meet the limit too (test/integration/rate-limits.test.ts).
  it('toggling an RSVP again and again sends one confirmation mail', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 10, title: 'Toggle' });
    const u = await signIn(uniqueLabel('toggle'));
    for (let i = 0; i < 4; i++) {
      expect((await rsvp(u, ev.eventId)).status).toBe(200);
      expect((await withdraw(u, ev.eventId)).status).toBe(200);
    }
    expect((await rsvp(u, ev.eventId)).body.status).toBe('going');
    await waitForMail(u.email, { filter: subjectStarts("You're going") });
    await sleep(2000);
    expect(addressedTo(await mailsTo(u.email), u.email).filter(subjectStarts("You're going"))).toHaveLength(1);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1 });
  }, 120_000);
});
