/**
 * Members' own data over HTTP against DynamoDB Local: GET /me/export hands over everything
 * held about the caller; DELETE /me erases them. After an erasure the directory, the member
 * list, matches and attendee lists (and their CSV) no longer show the person, the waitlist
 * moves up into the seat they held, the ledger keeps its amounts, and the same person can
 * sign in again to an empty profile.
 */
import { call, callBytes, signIn } from '../support/http.js';
import { buildAssociation, createAssociation, errorPaths, expectProblem, expectStatus, join, type AssociationFixture, type User } from '../support/fixtures.js';
import { allItems, createEvent, csvObjects, getEvent, parseCsvStrict, rsvp, type EventView } from '../support/events.js';
import { putProfile } from '../support/matching.js';

const A = (fx: AssociationFixture) => `/associations/${fx.associationId}`;

describe('GET /me/export and DELETE /me', () => {
  let fx: AssociationFixture;
  let ada: User;
  let bob: User;
  let carl: User;
  let small: EventView;
  let matching: EventView;

  beforeAll(async () => {
    fx = await buildAssociation({ stripe: true });
    [ada, bob, carl] = await Promise.all([signIn('ada-erase', 'Ada Erased'), signIn('bob-partner', 'Bob Partner'), signIn('carl-waiting', 'Carl Waiting')]);
    await join(ada, fx.associationId, fx.paidPlanId);
    for (const u of [bob, carl]) await join(u, fx.associationId, fx.freePlanId);
    await putProfile(ada, { name: 'Ada Erased', company: 'Ada Co', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], matchOptIn: true, directoryVisible: true });
    await putProfile(bob, { name: 'Bob Partner', company: 'Bob Co', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], matchOptIn: true, directoryVisible: true });
    // Ada pays her paid plan offline: a ledger entry about her the association must keep.
    expectStatus(await call('PATCH', `${A(fx)}/members/${ada.userId}`, { token: fx.admin.token, body: { offlinePayment: { amount: 4200, paidAt: new Date().toISOString(), note: 'cash' } } }), 200, 'offline payment');
    // One seat: Ada holds it, Carl waits behind her.
    small = await createEvent(fx.organizer, fx.associationId, { title: 'Small dinner', capacity: 1, questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: false }] });
    expect((await rsvp(ada, small.eventId, { status: 'going', answers: { diet: 'vegan, nut allergy' } })).body.status).toBe('going');
    expect((await rsvp(carl, small.eventId)).body.status).toBe('waitlisted');
    matching = await createEvent(fx.organizer, fx.associationId, { title: 'Matchmaking night', matchmaking: { enabled: true, matchesPerAttendee: 1 } });
    for (const u of [ada, bob]) expect((await rsvp(u, matching.eventId)).body.status).toBe('going');
    const sent = expectStatus(await call('POST', `/events/${matching.eventId}/matches/send`, { token: fx.organizer.token }), 200, 'send matches');
    expect(sent.body.matches).toBe(1);
    // Exports that included Ada.
    expectStatus(await call('GET', `${A(fx)}/members/export`, { token: fx.admin.token }), 200, 'members export');
    expectStatus(await call('GET', `/events/${small.eventId}/attendees/export?status=all`, { token: fx.organizer.token }), 200, 'attendees export');
  }, 120_000);

  it('exports everything held about the caller as a JSON download', async () => {
    const res = await call('GET', '/me/export', { token: ada.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="my-data-.+\.json"$/);
    const data = res.body;
    expect(data.userId).toBe(ada.userId);
    expect(data.profile).toEqual(expect.objectContaining({ name: 'Ada Erased', company: 'Ada Co', matchOptIn: true }));
    expect(data.memberships).toEqual([expect.objectContaining({ associationId: fx.associationId, name: 'Ada Erased', email: ada.email })]);
    expect(data.payments).toEqual([expect.objectContaining({ associationId: fx.associationId, amount: 4200, note: 'cash' })]);
    const rsvps = new Map(data.rsvps.map((r: any) => [r.eventId, r]));
    expect(rsvps.get(small.eventId)).toEqual(expect.objectContaining({ status: 'going', answers: { diet: 'vegan, nut allergy' } }));
    expect(rsvps.get(matching.eventId)).toEqual(expect.objectContaining({ status: 'going' }));
    expect(data.matches).toEqual([expect.objectContaining({ eventId: matching.eventId, reasons: expect.any(Array) })]);
    const exported = data.exports.map((e: any) => `${e.what}:${e.subjectId ?? ''}`).sort();
    expect(exported).toEqual(expect.arrayContaining(['members:', `attendees:${small.eventId}`]));
    expect(data.suppressions).toEqual([]);
    expect(data.audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'member.joined', subjectId: ada.userId })]));
    // Nothing about anyone else: Bob's name appears nowhere in Ada's export.
    expect(res.text).not.toContain('Bob Partner');
    expect(res.text).not.toContain(bob.email);
  });

  it('refuses unknown query fields with a 400 naming them', async () => {
    const res = await call('GET', '/me/export?format=xml', { token: ada.token });
    expectProblem(res, 400);
    expect(errorPaths(res)).toContain('format');
    expectProblem(await call('GET', '/me/export'), 401);
    const del = await call('DELETE', '/me?now=1', { token: ada.token });
    expectProblem(del, 400);
    expect(errorPaths(del)).toContain('now');
  });

  it('refuses to erase the last owner of an association, and changes nothing', async () => {
    const owner = await signIn('sole-owner', 'Sole Owner');
    await createAssociation(owner);
    await putProfile(owner, { name: 'Sole Owner' });
    const res = await call('DELETE', '/me', { token: owner.token });
    expectProblem(res, 409);
    expect((await call('GET', '/me/profile', { token: owner.token })).body.name).toBe('Sole Owner');
    expect((await call('GET', '/me/associations', { token: owner.token })).body.items).toHaveLength(1);
  });

  describe('after DELETE /me', () => {
    beforeAll(async () => {
      const res = await call('DELETE', '/me', { token: ada.token });
      expect(`${res.status} ${res.text}`).toBe('204 ');
    }, 60_000);

    it('a second DELETE is 204 too', async () => {
      const res = await call('DELETE', '/me', { token: ada.token });
      expect(res.status).toBe(204);
    });

    it('drops the person from the directory and the member list', async () => {
      const directory = await allItems(`${A(fx)}/directory`, bob.token);
      expect(directory.map((m) => m.userId)).not.toContain(ada.userId);
      expect(JSON.stringify(directory)).not.toContain('Ada Erased');
      const members = await allItems(`${A(fx)}/members`, fx.organizer.token);
      const text = JSON.stringify(members);
      expect(text).not.toContain('Ada Erased');
      expect(text).not.toContain(ada.email);
      // What the books need stays as a pseudonym: a cancelled membership with no name or email.
      const row = members.find((m) => m.userId === ada.userId);
      expect(row).toEqual(expect.objectContaining({ name: 'Deleted member', email: '', status: 'cancelled' }));
      const csv = await callBytes('GET', `${A(fx)}/members/export`, { token: fx.admin.token });
      expect(csv.bytes.toString('utf8')).not.toContain(ada.email);
      expect(csv.bytes.toString('utf8')).not.toContain('Ada Erased');
    });

    it('cancels the upcoming RSVP properly: the waitlist moves up, the attendee lists and CSV show no name or email', async () => {
      const ev = await getEvent(small.eventId, fx.organizer.token);
      expect({ going: ev.goingCount, waiting: ev.waitlistCount }).toEqual({ going: 1, waiting: 0 });
      const going = await allItems(`/events/${small.eventId}/attendees?status=going`, fx.organizer.token);
      expect(going.map((a) => a.userId)).toEqual([carl.userId]);
      const all = await allItems(`/events/${small.eventId}/attendees`, fx.organizer.token);
      expect(JSON.stringify(all)).not.toContain('Ada Erased');
      expect(JSON.stringify(all)).not.toContain(ada.email);
      expect(JSON.stringify(all)).not.toContain('vegan');
      const file = await callBytes('GET', `/events/${small.eventId}/attendees/export?status=all`, { token: fx.organizer.token });
      expect(file.status).toBe(200);
      const rows = csvObjects(parseCsvStrict(file.bytes));
      expect(rows.map((r) => r.email)).toEqual([carl.email]);
      expect(file.bytes.toString('utf8')).not.toContain('Ada Erased');
      expect(file.bytes.toString('utf8')).not.toContain('vegan');
    });

    it("removes the person from the partner's matches and the organizer's list", async () => {
      const mine = expectStatus(await call('GET', `/events/${matching.eventId}/matches/me`, { token: bob.token }), 200, "bob's matches");
      expect(mine.body.items).toEqual([]);
      const stored = expectStatus(await call('GET', `/events/${matching.eventId}/matches`, { token: fx.organizer.token }), 200, 'stored matches');
      expect(stored.body.items.filter((m: any) => m.a === ada.userId || m.b === ada.userId)).toEqual([]);
      // Her RSVP to the matchmaking event is cancelled as well.
      const attendees = await allItems(`/events/${matching.eventId}/attendees?status=going`, fx.organizer.token);
      expect(attendees.map((a) => a.userId)).toEqual([bob.userId]);
    });

    it('keeps the ledger amounts under an opaque id', async () => {
      // The entry stays in the ledger under the opaque id; it is no longer filed under the person.
      const ledger = await allItems(`${A(fx)}/payments`, fx.admin.token);
      expect(ledger.filter((p) => p.userId === ada.userId).map((p) => p.amount)).toEqual([4200]);
      expect(await allItems(`${A(fx)}/payments?userId=${ada.userId}`, fx.admin.token)).toEqual([]);
      const csv = await callBytes('GET', `${A(fx)}/payments/export`, { token: fx.admin.token });
      const rows = csvObjects(parseCsvStrict(csv.bytes));
      expect(rows.filter((r) => r.userId === ada.userId).map((r) => r.amount)).toEqual(['4200']);
      expect(csv.bytes.toString('utf8')).not.toContain(ada.email);
    });

    it('signs in again to a new empty profile with nothing attached', async () => {
      // The same address signs in again: the same user id, a fresh token.
      const same: User = { ...ada, token: expectStatus(await call('POST', '/dev/token', { body: { email: ada.email, name: 'Ada Again' } }), 200, 'sign in again').body.token };
      const profile = expectStatus(await call('GET', '/me/profile', { token: same.token }), 200, 'profile');
      expect(profile.body).toEqual(expect.objectContaining({ userId: ada.userId, skills: [], offers: [], matchOptIn: false, directoryVisible: false, updatedAt: new Date(0).toISOString() }));
      expect((await call('GET', '/me/associations', { token: same.token })).body.items).toEqual([]);
      const exported = expectStatus(await call('GET', '/me/export', { token: same.token }), 200, 'export after erasure').body;
      expect({ profile: exported.profile, memberships: exported.memberships, payments: exported.payments, rsvps: exported.rsvps, matches: exported.matches }).toEqual({ profile: null, memberships: [], payments: [], rsvps: [], matches: [] });
      // The erasure suppression is kept (no mail went to the address after the erasure) ...
      expect(exported.suppressions).toEqual([expect.objectContaining({ kind: 'ALL', reason: 'erased' })]);
      // ... until the person comes back and saves a profile: then mail may reach them again.
      await putProfile(same, { name: 'Ada Again' });
      expect(expectStatus(await call('GET', '/me/export', { token: same.token }), 200, 'export').body.suppressions).toEqual([]);
      expect((await call('POST', `${A(fx)}/members`, { token: same.token, body: { planId: fx.freePlanId } })).status).toBe(201);
      // Rejoining is a new membership, filed under the person again, with the new name.
      expect((await call('GET', '/me/associations', { token: same.token })).body.items).toHaveLength(1);
      expect((await call('GET', `${A(fx)}/members/${ada.userId}`, { token: same.token })).body).toEqual(expect.objectContaining({ name: 'Ada Again', email: ada.email, status: 'active' }));
    });
  });

  it('many erasures of one person at once all answer 204 and free the seat exactly once', async () => {
    const dee = await signIn('dee-erase', 'Dee Concurrent');
    const eve = await signIn('eve-waiting', 'Eve Waiting');
    for (const u of [dee, eve]) await join(u, fx.associationId, fx.freePlanId);
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'One seat', capacity: 1 });
    expect((await rsvp(dee, ev.eventId)).body.status).toBe('going');
    expect((await rsvp(eve, ev.eventId)).body.status).toBe('waitlisted');
    const statuses = await Promise.all(Array.from({ length: 40 }, () => call('DELETE', '/me', { token: dee.token }).then((r) => r.status)));
    expect([...new Set(statuses)]).toEqual([204]);
    const after = await getEvent(ev.eventId, fx.organizer.token);
    expect({ going: after.goingCount, waiting: after.waitlistCount }).toEqual({ going: 1, waiting: 0 });
    const going = await allItems(`/events/${ev.eventId}/attendees?status=going`, fx.organizer.token);
    expect(going.map((a) => a.userId)).toEqual([eve.userId]);
    const members = await allItems(`${A(fx)}/members`, fx.organizer.token);
    expect(members.find((m) => m.userId === dee.userId)).toEqual(expect.objectContaining({ name: 'Deleted member', email: '', status: 'cancelled' }));
  }, 60_000);
});
