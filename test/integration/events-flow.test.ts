/**
 * The event flow end to end, through HTTP only: RSVPs fill the seats and the waitlist,
 * a cancellation promotes the next person, the attendee export, check-in, cancelling the
 * event, and the calendar file. Steps run in order and share one event.
 */
import { call, callBytes, signIn } from '../support/http.js';
import { buildAssociation, expectProblem, expectStatus, type AssociationFixture, type User } from '../support/fixtures.js';
import {
  createEvent,
  csvObjects,
  getEvent,
  icsUtc,
  icsValue,
  parseCsvStrict,
  parseIcs,
  rsvp,
  settledMail,
  subjectStarts,
  waitForMail,
  withdraw,
  type EventView,
  type SentMail,
} from '../support/events.js';

const questions = [
  { id: 'track', label: 'Which track?', type: 'single', required: true, options: ['Product', 'Engineering'] },
  { id: 'diet', label: 'Dietary needs', type: 'text', required: false },
];

describe('event flow: RSVP, waitlist, promotion, export, check-in, cancellation, calendar', () => {
  let fx: AssociationFixture;
  let ev: EventView;
  let p1: User, p2: User, p3: User, p4: User;
  const codes = new Map<string, string>();
  let confirmations: SentMail[] = [];
  let icsScheduled = '';
  let icsCancelled = '';

  beforeAll(async () => {
    fx = await buildAssociation();
    [p1, p2, p3, p4] = await Promise.all([signIn('flow1', 'Ada Flow'), signIn('flow2', 'Grace Flow'), signIn('flow3', 'Linus Flow'), signIn('flow4', 'Barbara Flow')]);
    ev = await createEvent(fx.organizer, fx.associationId, { title: 'Flow meetup', capacity: 2, waitlist: true, questions });
  });

  it('three RSVPs to two seats: going, going, then waitlisted at position 1', async () => {
    expect(ev).toMatchObject({ capacity: 2, goingCount: 0, waitlistCount: 0, spotsLeft: 2, status: 'scheduled' });
    const r1 = await rsvp(p1, ev.eventId, { status: 'going', answers: { track: 'Product', diet: 'vegan' } });
    const r2 = await rsvp(p2, ev.eventId, { status: 'going', answers: { track: 'Engineering' } });
    const r3 = await rsvp(p3, ev.eventId, { status: 'going', answers: { track: 'Product', diet: 'none' } });
    expect([r1.status, r2.status, r3.status]).toEqual([200, 200, 200]);
    expect(r1.body).toMatchObject({ status: 'going', checkInCode: expect.stringMatching(/^[A-Z0-9]{6,12}$/) });
    expect(r2.body).toMatchObject({ status: 'going', checkInCode: expect.stringMatching(/^[A-Z0-9]{6,12}$/) });
    expect(r3.body).toEqual(expect.objectContaining({ status: 'waitlisted', waitlistPosition: 1 }));
    codes.set(p1.userId, r1.body.checkInCode);
    codes.set(p2.userId, r2.body.checkInCode);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 2, waitlistCount: 1, spotsLeft: 0 });

    const cal = await call('GET', `/events/${ev.eventId}/calendar.ics`);
    expect(cal.status).toBe(200);
    expect(cal.headers.get('content-type')).toMatch(/^text\/calendar/);
    icsScheduled = cal.text;
  });

  it('confirmation mails carry the check-in code and an .ics attachment; the waitlisted person is told the position', async () => {
    for (const p of [p1, p2]) {
      const [mail] = await settledMail(p.email, subjectStarts("You're going: Flow meetup"), 1);
      expect(mail!.body.text).toContain(codes.get(p.userId)!);
      const ics = mail!.attachments.filter((a) => a.filename?.endsWith('.ics'));
      expect(ics).toHaveLength(1);
      expect(ics[0]!.contentType).toMatch(/^text\/calendar/);
      expect(Buffer.from(ics[0]!.content, 'base64').toString('utf8')).toContain('BEGIN:VCALENDAR');
      confirmations.push(mail!);
    }
    const [waiting] = await waitForMail(p3.email, { filter: subjectStarts("You're on the waitlist: Flow meetup") });
    expect(waiting!.body.text).toContain('position 1');
  });

  it('a going attendee cancels: the waitlisted person is promoted and gets exactly one "spot opened" mail', async () => {
    const out = await withdraw(p1, ev.eventId);
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ status: 'not_going' });
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 2, waitlistCount: 0, spotsLeft: 0 });

    const going = await call('GET', `/events/${ev.eventId}/attendees?status=going`, { token: fx.organizer.token });
    expect(going.body.items.map((a: { userId: string }) => a.userId).sort()).toEqual([p2.userId, p3.userId].sort());

    const promoted = await settledMail(p3.email, subjectStarts('A spot opened up'), 1);
    expect(promoted).toHaveLength(1);
    expect(promoted[0]!.subject).toContain('Flow meetup');
    // Nobody else was promoted or told so.
    for (const p of [p1, p2]) expect(await settledMail(p.email, subjectStarts('A spot opened up'), 0, 0)).toHaveLength(0);
  });

  it('the attendee export opens as CSV: BOM, question labels in the header, every going attendee once', async () => {
    const res = await callBytes('GET', `/events/${ev.eventId}/attendees/export`, { token: fx.organizer.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = parseCsvStrict(res.bytes);
    expect(csv.header).toEqual(expect.arrayContaining(['name', 'email', 'status', 'guests', 'Which track?', 'Dietary needs']));
    expect(csv.header.slice(-2)).toEqual(['Which track?', 'Dietary needs']);
    const rows = csvObjects(csv);
    expect(rows.map((r) => r.email).sort()).toEqual([p2.email, p3.email].sort());
    const byEmail = new Map(rows.map((r) => [r.email, r]));
    expect(byEmail.get(p2.email)).toMatchObject({ name: 'Grace Flow', status: 'going', 'Which track?': 'Engineering', 'Dietary needs': '' });
    expect(byEmail.get(p3.email)).toMatchObject({ name: 'Linus Flow', status: 'going', 'Which track?': 'Product', 'Dietary needs': 'none' });
  });

  it('check-in by code and by userId counts each attendee once; a second check-in says alreadyCheckedIn', async () => {
    // The event fills again: p4 waits.
    const r4 = await rsvp(p4, ev.eventId, { status: 'going', answers: { track: 'Product' } });
    expect(r4.body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });

    const byCode = await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { code: codes.get(p2.userId) } });
    expect(byCode.status).toBe(200);
    expect(byCode.body).toMatchObject({ userId: p2.userId, alreadyCheckedIn: false, checkedInAt: expect.any(String) });
    const byUser = await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { userId: p3.userId } });
    expect(byUser.status).toBe(200);
    expect(byUser.body).toMatchObject({ userId: p3.userId, alreadyCheckedIn: false });
    expect(await getEvent(ev.eventId)).toMatchObject({ attendedCount: 2 });

    const again = await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { code: codes.get(p2.userId) } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ userId: p2.userId, alreadyCheckedIn: true });
    const againByUser = await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { userId: p3.userId } });
    expect(againByUser.body).toMatchObject({ alreadyCheckedIn: true });
    expect(await getEvent(ev.eventId)).toMatchObject({ attendedCount: 2 });

    // Only people who hold a seat can be checked in.
    expectProblem(await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { userId: p4.userId } }), 409);
    expectProblem(await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { userId: p1.userId } }), 409);
    expectProblem(await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { code: 'ZZZZZZZZ' } }), 404);
    expectProblem(await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { userId: p2.userId, code: codes.get(p2.userId) } }), 400);
  });

  it('cancelling the event mails every going and waitlisted attendee exactly once, and nobody else', async () => {
    const res = await call('POST', `/events/${ev.eventId}/cancel`, { token: fx.organizer.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled' });
    expectProblem(await call('POST', `/events/${ev.eventId}/cancel`, { token: fx.organizer.token }), 409);

    const cancelled = subjectStarts('Cancelled: Flow meetup');
    const counts = await Promise.all([p2, p3, p4].map(async (p) => (await settledMail(p.email, cancelled, 1, 2000)).length));
    expect(counts).toEqual([1, 1, 1]);
    expect(await settledMail(p1.email, cancelled, 0, 0)).toHaveLength(0);

    const cal = await call('GET', `/events/${ev.eventId}/calendar.ics`);
    expect(cal.status).toBe(200);
    icsCancelled = cal.text;
  });

  it('calendar.ics is valid RFC 5545 (CRLF, folding within 75 octets, nesting, DTSTAMP/UID/DTSTART) and says CANCELLED after the cancellation', () => {
    const before = parseIcs(icsScheduled);
    const [vevent] = before.children;
    expect(icsValue(vevent!, 'DTSTART')).toBe(icsUtc(ev.startsAt));
    expect(icsValue(vevent!, 'DTEND')).toBe(icsUtc(ev.endsAt));
    expect(icsValue(vevent!, 'SUMMARY')).toBe('Flow meetup');
    expect(icsValue(vevent!, 'STATUS')).toBe('CONFIRMED');
    const uid = icsValue(vevent!, 'UID');

    const after = parseIcs(icsCancelled);
    expect(icsValue(after.children[0]!, 'STATUS')).toBe('CANCELLED');
    // The same UID, so calendars replace the entry instead of adding one.
    expect(icsValue(after.children[0]!, 'UID')).toBe(uid);
  });

  it('the .ics attached to the confirmation mail is valid RFC 5545 too', () => {
    expect(confirmations).toHaveLength(2);
    for (const m of confirmations) {
      const att = m.attachments.find((a) => a.filename?.endsWith('.ics'))!;
      const cal = parseIcs(Buffer.from(att.content, 'base64').toString('utf8'));
      expect(icsValue(cal.children[0]!, 'DTSTART')).toBe(icsUtc(ev.startsAt));
    }
  });
});

describe('calendar file with a non-ASCII title', () => {
  it('folds lines at 75 octets, not 75 characters', async () => {
    const fx = await buildAssociation();
    const ev = await createEvent(fx.organizer, fx.associationId, {
      title: 'Soirée d’été des entrepreneurs — réseau, échanges et dégustation à Genève',
      description: 'Présentation détaillée: éèêë àâä ôö ùûü ç '.repeat(6),
    });
    const cal = expectStatus(await call('GET', `/events/${ev.eventId}/calendar.ics`), 200, 'calendar');
    const parsed = parseIcs(cal.text);
    expect(icsValue(parsed.children[0]!, 'SUMMARY')).toBe('Soirée d’été des entrepreneurs — réseau\\, échanges et dégustation à Genève');
  });
});
