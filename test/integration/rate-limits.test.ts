/**
 * Rate limits over HTTP against DynamoDB Local: a user toggling an RSVP over and over feels
 * 429s with Retry-After, and the toggles that got through send only a few mails.
 */
import { call, type Res } from '../support/http.js';
import { buildAssociation, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, getEvent, mailsTo, addressedTo, rsvp, signInMany, sleep, uniqueLabel, withdraw } from '../support/events.js';

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation();
});

const expectTooMany = (r: Res) => {
  expect(r.status).toBe(429);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  expect(r.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
  const retry = Number(r.headers.get('retry-after'));
  expect(Number.isInteger(retry) && retry >= 1 && retry <= 60).toBe(true);
};

describe('RSVP changes: 10 per minute per user and event', () => {
  it('50 toggles by one user at once: exactly 10 get through, the rest are 429 with Retry-After; few mails; others unaffected', async () => {
    const [u, other] = await signInMany(2, uniqueLabel('toggle'));
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 5, title: 'Toggle storm' });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? rsvp(u!, ev.eventId) : withdraw(u!, ev.eventId))));
    expect(results.filter((r) => r.status >= 500).map((r) => r.text)).toEqual([]);
    const refused = results.filter((r) => r.status === 429);
    const through = results.filter((r) => r.status !== 429);
    // The counter is one conditional write: concurrency cannot push it past the limit.
    expect(through).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) expectTooMany(r);
    for (const r of through) expect([200, 204, 404, 409]).toContain(r.status);

    // The event is consistent: the user is going at most once.
    const view = await getEvent(ev.eventId);
    expect(view.goingCount).toBeLessThanOrEqual(1);

    // Another user on the same event has a counter of their own.
    expect((await rsvp(other!, ev.eventId)).status).toBe(200);

    // Only the RSVPs that got through can have mailed: at most one per accepted "going".
    await sleep(2000);
    const mails = addressedTo(await mailsTo(u!.email), u!.email);
    const acceptedGoing = results.filter((r, i) => i % 2 === 0 && r.status === 200).length;
    expect(acceptedGoing).toBeLessThanOrEqual(10);
    expect(mails.length).toBeLessThanOrEqual(acceptedGoing);
    expect(mails.length).toBeLessThanOrEqual(5);
  });

  it('sequential toggles: the 11th change within the window is refused, and nothing it asked for happens', async () => {
    const [u] = await signInMany(1, uniqueLabel('seq'));
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 5, title: 'Sequential toggles' });
    // Start right after a window boundary is not possible to force; 11 quick calls fit one window
    // unless they straddle it, in which case the second window refuses later: at least one is refused.
    const statuses: number[] = [];
    let last: Res | undefined;
    for (let i = 0; i < 21; i++) {
      last = i % 2 === 0 ? await rsvp(u!, ev.eventId) : await withdraw(u!, ev.eventId);
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(20);
    // The last call was a "going" toggle; if it was refused the user must not be going because of it.
    const attendees = await call('GET', `/events/${ev.eventId}/attendees`, { token: fx.organizer.token });
    const going = attendees.body.items.filter((a: any) => a.userId === u!.userId && a.status === 'going').length;
    const lastAcceptedIndex = statuses.map((s, i) => [s, i] as const).filter(([s]) => s !== 429).pop()![1];
    expect(going).toBe(lastAcceptedIndex % 2 === 0 ? 1 : 0);
  });
});

describe('CORS', () => {
  it('a 429 carries Retry-After readable by the browser app', async () => {
    const [u] = await signInMany(1, uniqueLabel('cors'));
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 5, title: 'CORS 429' });
    const results = await Promise.all(Array.from({ length: 12 }, () => call('PUT', `/events/${ev.eventId}/rsvp`, { token: u!.token, body: { status: 'going' }, headers: { origin: 'http://127.0.0.1:3000' } })));
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
  });
});
