/**
 * The business rules of events and RSVPs, through HTTP: who may see and join, capacity
 * and guests, questions, deadlines, cancelled and full events, input validation, and the
 * mail attendees get when the time changes.
 */
import { call, signIn } from '../support/http.js';
import { buildAssociation, errorPaths, expectProblem, join, type AssociationFixture, type User } from '../support/fixtures.js';
import {
  addHours,
  allItems,
  createEvent,
  eventBody,
  futureTime,
  getEvent,
  rsvp,
  settledMail,
  subjectStarts,
} from '../support/events.js';

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation();
});

describe('members-only events', () => {
  it('are invisible (404) to outsiders, who cannot RSVP (403); active members can', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { visibility: 'members', title: 'Members night' });
    const outsider = await signIn('outsider');

    expectProblem(await call('GET', `/events/${ev.eventId}`), 404);
    expectProblem(await call('GET', `/events/${ev.eventId}`, { token: outsider.token }), 404);
    expectProblem(await call('GET', `/events/${ev.eventId}/calendar.ics`, { token: outsider.token }), 404);
    const listed = await call('GET', `/associations/${fx.associationId}/events`, { token: outsider.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((e: { eventId: string }) => e.eventId)).not.toContain(ev.eventId);
    const refused = await rsvp(outsider, ev.eventId);
    expectProblem(refused, 403);

    expect((await call('GET', `/events/${ev.eventId}`, { token: fx.member.token })).status).toBe(200);
    const ok = await rsvp(fx.member, ev.eventId);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('going');
    const memberList = await call('GET', `/associations/${fx.associationId}/events`, { token: fx.member.token });
    expect(memberList.body.items.map((e: { eventId: string }) => e.eventId)).toContain(ev.eventId);
    expect(await getEvent(ev.eventId, fx.member.token)).toMatchObject({ goingCount: 1 });
  });

  it('a member who left keeps no rights: no RSVP, no view', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { visibility: 'members' });
    const leaver = await signIn('leaver');
    await join(leaver, fx.associationId, fx.freePlanId);
    expect((await call('GET', `/events/${ev.eventId}`, { token: leaver.token })).status).toBe(200);

    const left = await call('DELETE', `/associations/${fx.associationId}/members/${leaver.userId}`, { token: leaver.token });
    expect(left.status).toBe(204);
    expectProblem(await rsvp(leaver, ev.eventId), 403);
    expectProblem(await call('GET', `/events/${ev.eventId}`, { token: leaver.token }), 404);
    expect(await getEvent(ev.eventId, fx.member.token)).toMatchObject({ goingCount: 0 });
  });

  it('a member whose paid membership is still pending cannot RSVP', async () => {
    const paidFx = await buildAssociation({ stripe: true });
    const ev = await createEvent(paidFx.organizer, paidFx.associationId, { visibility: 'members' });
    const pending = await signIn('pending');
    const joined = await join(pending, paidFx.associationId, paidFx.paidPlanId);
    expect(joined.status).toBe('pending');
    expectProblem(await rsvp(pending, ev.eventId), 403);
  });
});

describe('capacity', () => {
  it('cannot go below the seats taken (422 naming capacity)', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 5 });
    const people = await Promise.all([0, 1, 2].map((i) => signIn(`cap${i}`)));
    for (const p of people) expect((await rsvp(p, ev.eventId)).body.status).toBe('going');
    const res = await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { capacity: 2 } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toContain('capacity');
    expect(await getEvent(ev.eventId)).toMatchObject({ capacity: 5, goingCount: 3, spotsLeft: 2 });
    // Down to exactly the seats taken is fine.
    const exact = await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { capacity: 3 } });
    expect(exact.status).toBe(200);
    expect(exact.body).toMatchObject({ capacity: 3, spotsLeft: 0 });
  });

  it('growing promotes the waitlist in order', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    const people = await Promise.all([0, 1, 2, 3].map((i) => signIn(`grow${i}`)));
    const statuses: string[] = [];
    for (const p of people) statuses.push((await rsvp(p, ev.eventId)).body.status);
    expect(statuses).toEqual(['going', 'waitlisted', 'waitlisted', 'waitlisted']);

    const res = await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { capacity: 3 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ capacity: 3, goingCount: 3, waitlistCount: 1, spotsLeft: 0 });
    const going = await allItems(`/events/${ev.eventId}/attendees?status=going`, fx.organizer.token);
    expect(going.map((a) => a.userId).sort()).toEqual(people.slice(0, 3).map((p) => p.userId).sort());
    const waiting = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    expect(waiting.map((a) => [a.userId, a.waitlistPosition])).toEqual([[people[3]!.userId, 1]]);
    for (const p of [people[1]!, people[2]!]) expect(await settledMail(p.email, subjectStarts('A spot opened up'), 1)).toHaveLength(1);
  });
});

describe('coming back and moving up', () => {
  it('withdrawing then RSVPing again takes a seat again, counted once', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 2 });
    const u = await signIn('again');
    const first = await rsvp(u, ev.eventId);
    expect(first.body.status).toBe('going');
    expect((await call('DELETE', `/events/${ev.eventId}/rsvp`, { token: u.token })).body).toEqual({ status: 'not_going' });
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 0 });
    const again = await rsvp(u, ev.eventId);
    expect(again.body).toMatchObject({ status: 'going', checkInCode: first.body.checkInCode });
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1, spotsLeft: 1 });
    expect(await allItems(`/events/${ev.eventId}/attendees`, fx.organizer.token)).toHaveLength(1);
  });

  it('a waitlisted person who withdraws leaves the line; nobody is promoted', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    const [a, b, c] = await Promise.all([signIn('wa'), signIn('wb'), signIn('wc')]);
    for (const u of [a, b, c]) await rsvp(u, ev.eventId);
    expect((await call('DELETE', `/events/${ev.eventId}/rsvp`, { token: b.token })).status).toBe(200);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1, waitlistCount: 1 });
    const waiting = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    expect(waiting.map((x) => [x.userId, x.waitlistPosition])).toEqual([[c.userId, 1]]);
  });

  it('fewer guests free seats, and the waitlist moves up', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 3, maxGuests: 2 });
    const [host, next] = await Promise.all([signIn('host'), signIn('next')]);
    expect((await rsvp(host, ev.eventId, { status: 'going', guests: 2 })).body.status).toBe('going');
    expect((await rsvp(next, ev.eventId)).body.status).toBe('waitlisted');
    // Repeating the same RSVP changes nothing.
    expect((await rsvp(host, ev.eventId, { status: 'going', guests: 2 })).body).toMatchObject({ status: 'going', guests: 2 });
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 3, waitlistCount: 1 });
    const fewer = await rsvp(host, ev.eventId, { status: 'going', guests: 0 });
    expect(fewer.body).toMatchObject({ status: 'going', guests: 0 });
    const deadline = Date.now() + 10_000;
    let now = await getEvent(ev.eventId);
    while (now.waitlistCount > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      now = await getEvent(ev.eventId);
    }
    expect(now).toMatchObject({ goingCount: 2, waitlistCount: 0, spotsLeft: 1 });
    expect(await settledMail(next.email, subjectStarts('A spot opened up'), 1)).toHaveLength(1);
  });

  it('a seat freed by fewer guests goes to the person waiting, not to someone arriving after', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 3, maxGuests: 2 });
    const [host, waiter, newcomer] = await Promise.all([signIn('host'), signIn('waiter'), signIn('newcomer')]);
    expect((await rsvp(host, ev.eventId, { status: 'going', guests: 2 })).body.status).toBe('going');
    expect((await rsvp(waiter, ev.eventId)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect((await rsvp(host, ev.eventId, { status: 'going', guests: 1 })).body).toMatchObject({ status: 'going', guests: 1 });
    // Someone waits for exactly the seat that was freed: a newcomer queues behind them.
    const late = await rsvp(newcomer, ev.eventId);
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ status: 'waitlisted' });
    const deadline = Date.now() + 10_000;
    let now = await getEvent(ev.eventId);
    while (now.waitlistCount > 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      now = await getEvent(ev.eventId);
    }
    const going = await allItems(`/events/${ev.eventId}/attendees?status=going`, fx.organizer.token);
    expect(going.map((x) => x.userId).sort()).toEqual([host.userId, waiter.userId].sort());
  });

  it('members-first events put active members ahead of others on the waitlist', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, membersFirst: true });
    const [seated, outsider] = await Promise.all([signIn('seated'), signIn('outsider')]);
    await rsvp(seated, ev.eventId);
    expect((await rsvp(outsider, ev.eventId)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect((await rsvp(fx.other, ev.eventId)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    const waiting = await allItems(`/events/${ev.eventId}/attendees?status=waitlisted`, fx.organizer.token);
    expect(waiting.sort((x, y) => x.waitlistPosition - y.waitlistPosition).map((x) => x.userId)).toEqual([fx.other.userId, outsider.userId]);
    await call('DELETE', `/events/${ev.eventId}/rsvp`, { token: seated.token });
    const going = await allItems(`/events/${ev.eventId}/attendees?status=going`, fx.organizer.token);
    expect(going.map((x) => x.userId)).toEqual([fx.other.userId]);
  });
});

describe('guests', () => {
  it('take seats: with maxGuests 2 and capacity 3, one RSVP with 2 guests fills the event', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 3, maxGuests: 2, waitlist: false });
    const host = await signIn('host');
    const res = await rsvp(host, ev.eventId, { status: 'going', guests: 2 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'going', guests: 2 });
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 3, spotsLeft: 0 });
    const late = await rsvp(await signIn('late'), ev.eventId);
    expectProblem(late, 409);
  });

  it('over maxGuests is refused (422 naming guests), nothing is taken', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 10, maxGuests: 2 });
    const res = await rsvp(await signIn('crowd'), ev.eventId, { status: 'going', guests: 3 });
    expectProblem(res, 422);
    expect(errorPaths(res)).toContain('guests');
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 0 });
    const none = await call('POST', `/associations/${fx.associationId}/events`, { token: fx.organizer.token, body: eventBody({ capacity: 10 }) });
    const plusOne = await rsvp(await signIn('plusone'), none.body.eventId, { status: 'going', guests: 1 });
    expectProblem(plusOne, 422);
    expect(errorPaths(plusOne)).toContain('guests');
  });
});

describe('questions', () => {
  const questions = [
    { id: 'company_size', label: 'Company size', type: 'single', required: true, options: ['1-10', '11-50', '51+'] },
    { id: 'topics', label: 'Topics', type: 'multiple', required: false, options: ['ai', 'cloud', 'data'] },
  ];

  it('a missing required answer is refused, naming answers.<id>', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { questions });
    const res = await rsvp(await signIn('noanswer'), ev.eventId, { status: 'going', answers: { topics: ['ai'] } });
    expectProblem(res, 422);
    expect(errorPaths(res)).toEqual(['answers.company_size']);
    const none = await rsvp(await signIn('noanswers'), ev.eventId);
    expectProblem(none, 422);
    expect(errorPaths(none)).toContain('answers.company_size');
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 0 });
  });

  it('a single-choice answer outside the options, or an unknown question, is refused', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { questions });
    const wrong = await rsvp(await signIn('wrong'), ev.eventId, { status: 'going', answers: { company_size: '1000+' } });
    expectProblem(wrong, 422);
    expect(errorPaths(wrong)).toEqual(['answers.company_size']);
    const unknown = await rsvp(await signIn('unknownq'), ev.eventId, { status: 'going', answers: { company_size: '1-10', shoe_size: '42' } });
    expectProblem(unknown, 422);
    expect(errorPaths(unknown)).toEqual(['answers.shoe_size']);
    const ok = await rsvp(await signIn('right'), ev.eventId, { status: 'going', answers: { company_size: '11-50', topics: ['ai', 'data'] } });
    expect(ok.status).toBe(200);
  });
});

describe('when an RSVP cannot be taken', () => {
  it('after the RSVP deadline: 422', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { rsvpDeadline: new Date(Date.now() - 60_000).toISOString() });
    expectProblem(await rsvp(await signIn('toolate'), ev.eventId), 422);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 0, waitlistCount: 0 });
  });

  it('to a cancelled event: 409', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId);
    expect((await call('POST', `/events/${ev.eventId}/cancel`, { token: fx.organizer.token })).status).toBe(200);
    expectProblem(await rsvp(await signIn('cancelled'), ev.eventId), 409);
    expectProblem(await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { capacity: 50 } }), 409);
  });

  it('after the event is cancelled, an attendee can still withdraw (never a 5xx)', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1 });
    const [goer, waiter] = await Promise.all([signIn('goer'), signIn('waiter')]);
    expect((await rsvp(goer, ev.eventId)).body.status).toBe('going');
    expect((await rsvp(waiter, ev.eventId)).body.status).toBe('waitlisted');
    expect((await call('POST', `/events/${ev.eventId}/cancel`, { token: fx.organizer.token })).status).toBe(200);
    for (const u of [goer, waiter]) {
      const res = await call('DELETE', `/events/${ev.eventId}/rsvp`, { token: u.token });
      expect(`${res.status} ${res.text}`).toMatch(/^(200|409) /);
      if (res.status === 200) expect(res.body).toEqual({ status: 'not_going' });
      else expectProblem(res, 409);
    }
  });

  it('to a full event without a waitlist: 409', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, waitlist: false });
    expect((await rsvp(await signIn('first'), ev.eventId)).body.status).toBe('going');
    const res = await rsvp(await signIn('second'), ev.eventId);
    expectProblem(res, 409);
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 1, waitlistCount: 0 });
  });
});

describe('input validation', () => {
  it('endsAt before startsAt: 400 naming endsAt, on create and on update', async () => {
    const startsAt = futureTime(12);
    const res = await call('POST', `/associations/${fx.associationId}/events`, { token: fx.organizer.token, body: eventBody({ startsAt, endsAt: addHours(startsAt, -1) }) });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('endsAt');

    const ev = await createEvent(fx.organizer, fx.associationId, { startsAt });
    const patch = await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { endsAt: addHours(startsAt, -1) } });
    expect([400, 422]).toContain(patch.status);
    expectProblem(patch, patch.status);
    expect(errorPaths(patch)).toContain('endsAt');
    expect(await getEvent(ev.eventId)).toMatchObject({ endsAt: ev.endsAt });
  });

  it('unknown body fields: 400 naming them, on create, update and RSVP', async () => {
    const create = await call('POST', `/associations/${fx.associationId}/events`, { token: fx.organizer.token, body: eventBody({ goingCount: 0 }) });
    expectProblem(create, 400);
    expect(errorPaths(create)).toContain('goingCount');

    const ev = await createEvent(fx.organizer, fx.associationId);
    const patch = await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { status: 'cancelled' } });
    expectProblem(patch, 400);
    expect(errorPaths(patch)).toContain('status');

    const r = await rsvp(await signIn('sneaky'), ev.eventId, { status: 'going', checkedInAt: new Date().toISOString() });
    expectProblem(r, 400);
    expect(errorPaths(r)).toContain('checkedInAt');
    expect(await getEvent(ev.eventId)).toMatchObject({ goingCount: 0, status: 'scheduled' });
  });

  it('an event starting in the past: 422 naming startsAt', async () => {
    const startsAt = new Date(Date.now() - 3_600_000).toISOString();
    const res = await call('POST', `/associations/${fx.associationId}/events`, { token: fx.organizer.token, body: eventBody({ startsAt, endsAt: addHours(startsAt, 3) }) });
    expectProblem(res, 422);
    expect(errorPaths(res)).toContain('startsAt');
  });
});

describe('changes attendees hear about', () => {
  it('a time change sends one "Changed" mail to each going and waitlisted attendee; a description change sends none', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { capacity: 1, title: 'Moving meetup' });
    const [goer, waiter, quitter]: User[] = await Promise.all([signIn('goer'), signIn('waiter'), signIn('quitter')]);
    expect((await rsvp(goer, ev.eventId)).body.status).toBe('going');
    expect((await rsvp(waiter, ev.eventId)).body.status).toBe('waitlisted');
    expect((await rsvp(quitter, ev.eventId)).body.status).toBe('waitlisted');
    expect((await rsvp(quitter, ev.eventId, { status: 'not_going' })).body.status).toBe('not_going');

    const res = await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { startsAt: addHours(ev.startsAt, 1), endsAt: addHours(ev.endsAt, 1) } });
    expect(res.status).toBe(200);
    const described = await call('PATCH', `/events/${ev.eventId}`, { token: fx.organizer.token, body: { description: 'Now with snacks.' } });
    expect(described.status).toBe(200);

    const changed = subjectStarts('Changed: Moving meetup');
    const [g, w] = await Promise.all([settledMail(goer.email, changed, 1, 2000), settledMail(waiter.email, changed, 1, 2000)]);
    expect([g.length, w.length]).toEqual([1, 1]);
    expect(g[0]!.body.text).toContain('time');
    expect(await settledMail(quitter.email, changed, 0, 0)).toHaveLength(0);
  });
});
