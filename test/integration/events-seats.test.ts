/**
 * Seats and waitlist positions under true concurrency, through HTTP against DynamoDB Local:
 * the capacity an RSVP obeys is the one stored when it is written (an organizer lowering it
 * meanwhile included), and a surge of RSVPs gives unique positions in promotion order.
 */
import { call, type Res } from '../support/http.js';
import { buildAssociation, type AssociationFixture } from '../support/fixtures.js';
import { allItems, createEvent, getEvent, rsvp, signInMany, uniqueLabel, withdraw } from '../support/events.js';

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
