/**
 * Leaving the waitlist from the link in the "you're on the waitlist" mail, without signing
 * in: the link is signed for one person and one event, and nothing else.
 */
import { call, signIn } from '../support/http.js';
import { buildAssociation, errorPaths, expectProblem, type AssociationFixture } from '../support/fixtures.js';
import { allItems, createEvent, getEvent, rsvp, subjectStarts, urlAfter, waitForMail } from '../support/events.js';

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation();
});

/** GET a link from a mail as a mail client would: no token. */
const open = async (url: string, method = 'GET') => {
  const res = await fetch(url, { method });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
};

/** The token of a link, with one character of its signature changed. */
function tamper(url: string): string {
  const u = new URL(url);
  const token = u.searchParams.get('token')!;
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  u.searchParams.set('token', token.slice(0, -1) + last);
  return u.toString();
}

describe('the leave-the-waitlist link', () => {
  it('opens a page that only asks; its button takes the person off the waitlist; the counts follow', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, title: 'Leave me' });
    const [seated, first, second] = await Promise.all([signIn('seated'), signIn('leaver1'), signIn('leaver2')]);
    expect((await rsvp(seated, ev.eventId)).body.status).toBe('going');
    expect((await rsvp(first, ev.eventId)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect((await rsvp(second, ev.eventId)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 2 });
    expect(await getEvent(ev.eventId)).toMatchObject({ waitlistCount: 2 });

    const [mail] = await waitForMail(first.email, { filter: subjectStarts("You're on the waitlist: Leave me") });
    const url = urlAfter(mail!, 'Leave the waitlist: ');
    expect(new URL(url).pathname).toBe(`/events/${ev.eventId}/waitlist/leave`);

    const page = await open(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<html/i);
    expect(page.text).toContain('Leave me');
    expect(page.text).toMatch(/<form method="post"/);
    // Opening the link (as mail scanners do) changes nothing.
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1, waitlistCount: 2 });

    const left = await open(url, 'POST');
    expect(left.status).toBe(200);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1, waitlistCount: 1 });
    const waiting = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    expect(waiting.map((a) => [a.userId, a.waitlistPosition])).toEqual([[second.userId, 1]]);
    const mine = await allItems(`/events/${ev.eventId}/attendees?status=not_going`, fx.organizer.token);
    expect(mine.map((a) => a.userId)).toEqual([first.userId]);

    // Using it again changes nothing more.
    expect((await open(url, 'POST')).status).toBe(200);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1, waitlistCount: 1 });
  });

  it('a tampered token, or one for another event, is refused with 400 and changes nothing', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, title: 'Tamper proof' });
    const other = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    const [seated, waiter] = await Promise.all([signIn('seated'), signIn('waiter')]);
    await rsvp(seated, ev.eventId);
    expect((await rsvp(waiter, ev.eventId)).body.status).toBe('waitlisted');
    const [mail] = await waitForMail(waiter.email, { filter: subjectStarts("You're on the waitlist: Tamper proof") });
    const url = urlAfter(mail!, 'Leave the waitlist: ');

    for (const method of ['GET', 'POST']) {
      const bad = await open(tamper(url), method);
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(bad.body).toMatchObject({ status: 400, detail: expect.any(String) });
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('token');
    }
    const elsewhere = new URL(url);
    elsewhere.pathname = `/events/${other.eventId}/waitlist/leave`;
    const wrongEvent = await call('GET', `${elsewhere.pathname}${elsewhere.search}`);
    expectProblem(wrongEvent, 400);
    expect(errorPaths(wrongEvent)).toContain('token');
    expectProblem(await call('GET', `/events/${ev.eventId}/waitlist/leave?token=${'x'.repeat(40)}`), 400);
    expectProblem(await call('GET', `/events/${ev.eventId}/waitlist/leave`), 400);

    expect(await getEvent(ev.eventId)).toMatchObject({ waitlistCount: 1 });

    // The genuine link, by POST, still works and answers JSON.
    const ok = await open(url, 'POST');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'not_going' });
    expect(await getEvent(ev.eventId)).toMatchObject({ waitlistCount: 0 });
  });

  it('the page shows the event title as text, never as markup (the organizer chooses the title)', async () => {
    const title = 'Party <img src=x onerror=alert(document.domain)> & "friends"';
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, title });
    const [seated, waiter] = await Promise.all([signIn('seated'), signIn('waiter')]);
    await rsvp(seated, ev.eventId);
    expect((await rsvp(waiter, ev.eventId)).body.status).toBe('waitlisted');
    const [mail] = await waitForMail(waiter.email, { filter: subjectStarts("You're on the waitlist: Party") });
    const page = await open(urlAfter(mail!, 'Leave the waitlist: '));
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<img');
    expect(page.text).toContain('Party &lt;img src=x onerror=alert(document.domain)&gt; &amp;');
  });
});
