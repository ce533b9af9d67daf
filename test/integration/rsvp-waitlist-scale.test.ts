/**
 * A long waitlist: positions must stay exact past the first page DynamoDB returns (1 MB,
 * about 8,000 waitlist entries). 9,000 waitlisted RSVPs are written straight into DynamoDB
 * Local, shaped as store.saveRsvp writes them (the RSVP and its waitlist entry, keyed by
 * waitlist ticket, and the event's counters); one more person then joins through the API.
 * Everything asserted is read through HTTP.
 */
import { signIn } from '../support/http.js';
import * as keys from '../../functions/core/data/keys.js';
import { buildAssociation } from '../support/fixtures.js';
import { allItems, batchWrite, createEvent, makeRsvp, rsvp, rsvpItem, setEventAttributes, waitingItem } from '../support/events.js';

const W = 9_000;

describe('a waitlist of 9,000', () => {
  it('every waitlisted attendee has their exact position, 1..9,001, in the attendee list', async () => {
    const fx = await buildAssociation();
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    const run = Math.random().toString(16).slice(2, 18).padEnd(16, '0');
    // Arrival order (the ticket, a permutation of 1..W) unrelated to user id order.
    const waiting = Array.from({ length: W }, (_, i) =>
      makeRsvp(ev, run, i, { status: 'waitlisted', waitKey: `1#T${String(((i * 7919) % W) + 1).padStart(10, '0')}`, email: `long.${i}.${run}@example.test` }),
    );
    const started = Date.now();
    await batchWrite(waiting.flatMap((r) => [rsvpItem(ev, r), waitingItem(ev, r)]));
    console.log(`wrote ${W} waitlisted RSVPs in ${Date.now() - started} ms`);

    // Through the API: one person takes the seat, the next joins the end of the line.
    const [seated, last] = await Promise.all([signIn('seated'), signIn('lastinline')]);
    expect((await rsvp(seated, ev.eventId)).body.status).toBe('going');
    // The counters the W joins would have moved: W tickets issued, W waiting.
    await batchWrite([{ ...keys.waitTickets(ev.eventId), entity: 'waitlist_tickets', waitTicket0: 0, waitTicket1: W }]);
    await setEventAttributes(ev.eventId, { waitlistCount: W, waiting0: 0 });
    const joined = await rsvp(last, ev.eventId);
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ status: 'waitlisted', waitlistPosition: W + 1 });

    const listed = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    expect(listed).toHaveLength(W + 1);
    const expected = new Map([...waiting].sort((a, b) => (a.waitKey! < b.waitKey! ? -1 : 1)).map((r, i) => [r.userId, i + 1]));
    expected.set(last.userId, W + 1);
    const wrong = listed.filter((a) => a.waitlistPosition !== expected.get(a.userId)).map((a) => ({ userId: a.userId, got: a.waitlistPosition, want: expected.get(a.userId) }));
    expect({ wrongCount: wrong.length, examples: wrong.slice(0, 3) }).toEqual({ wrongCount: 0, examples: [] });
    expect(listed.find((a) => a.userId === last.userId)?.waitlistPosition).toBe(W + 1);
  }, 120_000);
});
