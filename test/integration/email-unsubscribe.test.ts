/**
 * Reminders and the mail people can stop: the 24-hour reminder fires from its schedule
 * and follows the event when it moves; it carries one-click unsubscribe (RFC 8058);
 * the unsubscribe page never acts on a GET; a bounced address gets nothing more.
 */
import { call, signIn } from '../support/http.js';
import { buildAssociation, expectProblem, expectStatus, type AssociationFixture, type User } from '../support/fixtures.js';
import {
  addHours,
  createEvent,
  futureTime,
  header,
  rsvp,
  settledMail,
  subjectStarts,
  waitForMail,
  type EventView,
  type SentMail,
} from '../support/events.js';

const runSchedules = async (time: string) => {
  const res = expectStatus(await call('POST', '/dev/schedules/run', { body: { time } }), 200, 'run schedules');
  return res.body.fired as string[];
};

/** The one-click link of a reminder, from its List-Unsubscribe header. */
function unsubscribeLink(m: SentMail): string {
  const value = header(m, 'List-Unsubscribe');
  const url = /^<(https?:\/\/[^>]+)>$/.exec(value ?? '')?.[1];
  if (!url) throw new Error(`no List-Unsubscribe URL in ${JSON.stringify(m.headers)}`);
  return url;
}

describe('event reminders and unsubscribing', () => {
  let fx: AssociationFixture;
  let a: User, b: User, c: User, w: User;
  let e1: EventView, e2: EventView;
  const reminders = new Map<string, SentMail>();
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    fx = await buildAssociation();
    [a, b, c, w] = await Promise.all([signIn('remind-a'), signIn('remind-b'), signIn('remind-c'), signIn('remind-w')]);
    // Far ahead and at odd minutes, so no other test's reminder shares the moment.
    const day = 200 + Math.floor(Math.random() * 100);
    e1 = await createEvent(fx.organizer, fx.associationId, { title: `Reminder one ${tag}`, startsAt: futureTime(day, 7), endsAt: addHours(futureTime(day, 7), 2), capacity: 3 });
    e2 = await createEvent(fx.organizer, fx.associationId, { title: `Reminder two ${tag}`, startsAt: futureTime(day + 20, 13), endsAt: addHours(futureTime(day + 20, 13), 2) });
    for (const u of [a, b, c]) {
      expect((await rsvp(u, e1.eventId)).body.status).toBe('going');
      expect((await rsvp(u, e2.eventId)).body.status).toBe('going');
    }
    expect((await rsvp(w, e1.eventId)).body.status).toBe('waitlisted');
  });

  it('the 24 h reminder reaches going attendees only, with List-Unsubscribe and List-Unsubscribe-Post headers', async () => {
    expect(await runSchedules(addHours(e1.startsAt, -25))).not.toContain(`event-reminder-${e1.eventId}`);
    const fired = await runSchedules(addHours(e1.startsAt, -23));
    expect(fired).toContain(`event-reminder-${e1.eventId}`);

    const isReminder = subjectStarts(`Tomorrow: Reminder one ${tag}`);
    for (const u of [a, b, c]) {
      const mails = await settledMail(u.email, isReminder, 1, 500);
      expect(mails).toHaveLength(1);
      const m = mails[0]!;
      expect(header(m, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      const link = new URL(unsubscribeLink(m));
      expect(link.pathname).toBe('/email/unsubscribe');
      expect(link.searchParams.get('token')).toBeTruthy();
      reminders.set(u.userId, m);
    }
    expect(await settledMail(w.email, isReminder, 0, 0)).toHaveLength(0);
    // Firing again sends nothing twice.
    expect(await runSchedules(addHours(e1.startsAt, -23))).not.toContain(`event-reminder-${e1.eventId}`);
  });

  it('GET on the unsubscribe link shows a page with a form and unsubscribes nobody', async () => {
    const url = unsubscribeLink(reminders.get(b.userId)!);
    const res = await fetch(url);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toMatch(/<form[^>]*method="post"/i);
    expect(html).toMatch(/<button[^>]*type="submit"/i);
  });

  it('a one-click POST unsubscribes that address from reminders', async () => {
    const url = unsubscribeLink(reminders.get(a.userId)!);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: 'event_reminder' });
  });

  it('a tampered unsubscribe token is refused (400 problem) on GET and POST', async () => {
    const url = new URL(unsubscribeLink(reminders.get(c.userId)!));
    const token = url.searchParams.get('token')!;
    url.searchParams.set('token', `${token.slice(0, -2)}${token.endsWith('xx') ? 'yy' : 'xx'}`);
    for (const method of ['GET', 'POST']) {
      const res = await call(method, `${url.pathname}${url.search}`, method === 'POST' ? { raw: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {});
      expectProblem(res, 400);
    }
  });

  it('moving the event moves its reminder: the old time fires nothing, the new one reminds all but the unsubscribed', async () => {
    const startsAt = addHours(e2.startsAt, 72);
    const moved = await call('PATCH', `/events/${e2.eventId}`, { token: fx.organizer.token, body: { startsAt, endsAt: addHours(startsAt, 2) } });
    expect(moved.status).toBe(200);

    const isReminder = subjectStarts(`Tomorrow: Reminder two ${tag}`);
    expect(await runSchedules(addHours(e2.startsAt, -23))).not.toContain(`event-reminder-${e2.eventId}`);
    await new Promise((r) => setTimeout(r, 1500));
    for (const u of [a, b, c]) expect(await settledMail(u.email, isReminder, 0, 0)).toHaveLength(0);

    expect(await runSchedules(addHours(startsAt, -23))).toContain(`event-reminder-${e2.eventId}`);
    // b only looked at the page: still reminded. a unsubscribed: not.
    for (const u of [b, c]) expect(await settledMail(u.email, isReminder, 1, 500)).toHaveLength(1);
    expect(await settledMail(a.email, isReminder, 0, 1000)).toHaveLength(0);
  });

  it('after a bounce, the address gets no more mail; unsubscribing from reminders does not stop notices', async () => {
    const bounce = expectStatus(await call('POST', '/dev/ses/notification', { body: { type: 'Bounce', email: c.email } }), 200, 'bounce');
    expect(bounce.body).toMatchObject({ suppressed: 1 });
    expect((await call('POST', `/events/${e2.eventId}/cancel`, { token: fx.organizer.token })).status).toBe(200);

    const cancelled = subjectStarts(`Cancelled: Reminder two ${tag}`);
    // a unsubscribed from reminders only: the cancellation still reaches them.
    const [forA, forB] = await Promise.all([settledMail(a.email, cancelled, 1, 1500), settledMail(b.email, cancelled, 1, 1500)]);
    expect([forA.length, forB.length]).toEqual([1, 1]);
    expect(await settledMail(c.email, cancelled, 0, 0)).toHaveLength(0);
    // Nor anything else from now on: a new RSVP is taken but not confirmed by mail.
    const e3 = await createEvent(fx.organizer, fx.associationId, { title: `After the bounce ${tag}` });
    expect((await rsvp(c, e3.eventId)).body.status).toBe('going');
    expect((await rsvp(b, e3.eventId)).body.status).toBe('going');
    const confirmed = subjectStarts(`You're going: After the bounce ${tag}`);
    expect(await settledMail(b.email, confirmed, 1, 1500)).toHaveLength(1);
    expect(await settledMail(c.email, confirmed, 0, 0)).toHaveLength(0);
  });
});
