/**
 * The organizer's event page over HTTP on the local stack, as a browser without JavaScript
 * uses it: access exactly as the API's organizer routes (signed out, member, organizer of
 * another association), the attendee table with its filters and pages, check-in by code
 * (good, twice, malformed, unknown, waitlisted) and per row, the CSV exports read strictly,
 * the cancel flow through its confirm step, and matching preview and send (twice: 409).
 */
import { api, call, signIn } from '../support/http.js';
import { buildAssociation, expectStatus, newMember, type AssociationFixture, type User } from '../support/fixtures.js';
import { createEvent, csvObjects, getEvent, parseCsvStrict, pool, rsvp, signInMany, uniqueLabel } from '../support/events.js';
import { matchmakingEvent, people } from '../support/matching.js';
import { Visitor, textOf } from '../support/web.js';

let fx: AssociationFixture;
let stranger: User;
beforeAll(async () => {
  fx = await buildAssociation();
  // An organizer of another association: staff there, nobody here.
  const elsewhere = await buildAssociation();
  stranger = elsewhere.organizer;
});

/** A visitor whose session is the user's ID token (the web app's session is that token). */
const as = (u: User) => {
  const v = new Visitor();
  v.jar.set('session', u.token);
  return v;
};

/** Downloads through the page's export link, as bytes (text() would drop the BOM). */
async function downloadAs(u: User, path: string) {
  const res = await fetch(`${api()}${path}`, { headers: { cookie: `session=${u.token}` }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const manage = (id: string) => `/manage/events/${id}`;

describe('the organizer event page', () => {
  it('is for organizers and up only, as the API: signed out to sign-in, a member and an outsider refused', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Access night', capacity: 10 });
    const who = await signIn('guest', 'Gina Guest');
    expectStatus(await rsvp(who, ev.eventId), 200, 'rsvp');

    const out = await new Visitor().get(manage(ev.eventId));
    expect(out.status).toBe(303);
    expect(out.location).toBe(`/sign-in?next=${encodeURIComponent(manage(ev.eventId))}`);
    const outPost = await new Visitor().post(`${manage(ev.eventId)}/check-in`, { code: 'ABCDEFGH' });
    expect(outPost.status).toBe(303);
    expect(outPost.location).toMatch(/^\/sign-in\?next=/);

    // The API's answer and the page's are the same rule.
    const apiMember = await call('GET', `/events/${ev.eventId}/attendees`, { token: fx.member.token });
    const member = await as(fx.member).get(manage(ev.eventId));
    expect(member.status).toBe(403);
    expect(apiMember.status).toBe(403);
    expect(textOf(member.html)).toContain('Not allowed');
    expect(member.html).not.toContain('Gina Guest');

    const apiStranger = await call('GET', `/events/${ev.eventId}/attendees`, { token: stranger.token });
    const outsider = await as(stranger).get(manage(ev.eventId));
    expect(outsider.status).toBe(apiStranger.status);
    expect([403, 404]).toContain(outsider.status);
    expect(outsider.html).not.toContain('Gina Guest');
    // Nor can the outsider check anyone in or export.
    const code = (await call('PUT', `/events/${ev.eventId}/rsvp`, { token: who.token, body: { status: 'going' } })).body.checkInCode;
    const forged = await as(stranger).post(`${manage(ev.eventId)}/check-in`, { code });
    expect([403, 404]).toContain(forged.status);
    expect((await downloadAs(stranger, `${manage(ev.eventId)}/export?preset=full`)).status).toBe(apiStranger.status);
    expect((await downloadAs(fx.member, `${manage(ev.eventId)}/export?preset=full`)).status).toBe(403);
    expect((await getEvent(ev.eventId, fx.organizer.token)).attendedCount ?? 0).toBe(0);

    for (const staff of [fx.organizer, fx.admin, fx.owner]) {
      const page = await as(staff).get(manage(ev.eventId));
      expect(page.status).toBe(200);
      const text = textOf(page.html);
      expect(text).toContain('Access night');
      expect(text).toContain('Gina Guest');
      expect(text).toMatch(/Going 1 of 10/);
      expect(page.html).toContain(`href="/e/${ev.eventId}"`);
    }
    // The public page links staff here, and only staff.
    expect((await as(fx.organizer).get(`/e/${ev.eventId}`)).html).toContain(`href="${manage(ev.eventId)}">Manage this event`);
    expect((await as(fx.member).get(`/e/${ev.eventId}`)).html).not.toContain('Manage this event');
    // A missing event is a 404 page, not a 500.
    expect((await as(fx.organizer).get(manage('01HZZZZZZZZZZZZZZZZZZZZZZZ'))).status).toBe(404);
  });

  it('lists attendees by filter, with guests and answers, over more than one page', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, {
      title: 'Big night',
      capacity: 56,
      maxGuests: 2,
      questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: false }],
    });
    const label = uniqueLabel('pager');
    const crowd = await signInMany(55, label);
    await pool(crowd, 20, async (u, i) => expectStatus(await rsvp(u, ev.eventId, { status: 'going', ...(i === 0 ? { guests: 1, answers: { diet: 'Vegan' } } : {}) }), 200, 'rsvp'));
    const late = await signIn('late', 'Lou Late');
    expect((await rsvp(late, ev.eventId)).body.status).toBe('waitlisted');

    const v = as(fx.organizer);
    const first = await v.get(manage(ev.eventId));
    expect(first.status).toBe(200);
    const next = /href="([^"]*cursor=[^"]*)">Next page</.exec(first.html)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeDefined();
    const second = await v.get(next!);
    expect(second.status).toBe(200);
    const names = (html: string) => [...html.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]!);
    const seen = [...names(first.html), ...names(second.html)];
    expect(new Set(seen).size).toBe(55);
    expect(seen).not.toContain('Lou Late');
    expect(textOf(first.html + second.html)).toContain('Dietary needs: Vegan');

    const waiting = await v.get(`${manage(ev.eventId)}?status=waitlisted`);
    expect(names(waiting.html)).toEqual(['Lou Late']);
    expect(textOf(waiting.html)).toContain('Waitlist, number 1');
    // A cursor of one filter is refused by another, by name.
    const misused = await v.get(next!.replace('status=going', 'status=waitlisted'));
    expect(misused.status).toBe(400);
    expect(textOf(misused.html)).toContain('cursor');
  });

  it('checks in by code (good, twice, lower case), refuses a malformed, unknown or waitlisted code naming the field, and per row', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Door night', capacity: 2 });
    const [ada, bob, cy] = await Promise.all([signIn('ada', 'Ada Door'), signIn('bob', 'Bob Door'), signIn('cy', 'Cy Wait')]);
    const adaCode = (await rsvp(ada!, ev.eventId)).body.checkInCode as string;
    await rsvp(bob!, ev.eventId);
    const cyRes = (await rsvp(cy!, ev.eventId)).body;
    expect(cyRes.status).toBe('waitlisted');
    const v = as(fx.organizer);
    const url = `${manage(ev.eventId)}/check-in`;

    const ok = await v.post(url, { code: ` ${adaCode.toLowerCase().slice(0, 4)} ${adaCode.toLowerCase().slice(4)} ` });
    expect(ok.status).toBe(303);
    const shown = await v.follow(ok);
    expect(textOf(shown.html)).toContain('Ada Door is checked in.');
    expect(textOf(shown.html)).toMatch(/Checked in 1\b/);
    expect((await getEvent(ev.eventId, fx.organizer.token)).attendedCount).toBe(1);

    const again = await v.follow(await v.post(url, { code: adaCode }));
    expect(textOf(again.html)).toContain('Ada Door was already checked in.');
    expect((await getEvent(ev.eventId, fx.organizer.token)).attendedCount).toBe(1);

    const malformed = await v.post(url, { code: 'no!' });
    expect(malformed.status).toBe(400);
    expect(malformed.html).toMatch(/<a href="#code">Check-in code<\/a> must be the code from the confirmation mail/);
    expect(malformed.html).toContain('aria-invalid="true"');
    expect(malformed.html).toContain('value="NO!"');

    const empty = await v.post(url, { code: '' });
    expect(empty.status).toBe(400);
    expect(empty.html).toMatch(/<a href="#code">Check-in code<\/a> must not be empty/);

    const unknown = await v.post(url, { code: 'ZZZZZZZZ' });
    expect(unknown.status).toBe(404);
    expect(unknown.html).toMatch(/<a href="#code">Check-in code<\/a> matches no attendee/);

    // A code of someone on the waitlist: they are not registered.
    const rsvps = await call('GET', `/events/${ev.eventId}/attendees?status=waitlisted`, { token: fx.organizer.token });
    expect(rsvps.body.items).toHaveLength(1);
    const waitlisted = await v.post(url, { userId: cy!.userId });
    expect(waitlisted.status).toBe(409);
    expect(textOf(waitlisted.html)).toContain('on the waitlist, not registered');
    expect((await getEvent(ev.eventId, fx.organizer.token)).attendedCount).toBe(1);

    // Per row: Bob's button posts his userId.
    const page = await v.get(manage(ev.eventId));
    expect(page.html).toContain(`name="userId" value="${bob!.userId}"`);
    const row = await v.follow(await v.post(url, { userId: bob!.userId }));
    expect(textOf(row.html)).toContain('Bob Door is checked in.');
    expect((await getEvent(ev.eventId, fx.organizer.token)).attendedCount).toBe(2);

    // A form from another site changes nothing.
    const forged = await v.post(url, { userId: bob!.userId }, { origin: 'https://evil.example.test' });
    expect(forged.status).toBe(403);
  });

  it('downloads the full list, the door list and the waitlist as strict CSV', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Export night', capacity: 2, maxGuests: 1 });
    const [a, b, c] = await Promise.all([signIn('exa', 'Ex "Quoted", A'), signIn('exb', 'Ex B'), signIn('exc', 'Ex C')]);
    await rsvp(a!, ev.eventId, { status: 'going', guests: 1 });
    await rsvp(b!, ev.eventId);
    await rsvp(c!, ev.eventId);

    const door = await downloadAs(fx.organizer, `${manage(ev.eventId)}/export?preset=door`);
    expect(door.status).toBe(200);
    expect(door.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(door.headers.get('content-disposition')).toBe(`attachment; filename="${ev.eventId}-door-list.csv"`);
    const doorCsv = parseCsvStrict(door.bytes);
    expect(doorCsv.header).toEqual(['name', 'company', 'guests']);
    expect(csvObjects(doorCsv).map((r) => r.name).sort()).toEqual(['Ex "Quoted", A']);
    expect(door.bytes.toString('utf8')).not.toContain('@example.test');

    const full = csvObjects(parseCsvStrict((await downloadAs(fx.organizer, `${manage(ev.eventId)}/export?preset=full`)).bytes));
    expect(full.map((r) => `${r.name}:${r.status}`).sort()).toEqual(['Ex "Quoted", A:going', 'Ex B:waitlisted', 'Ex C:waitlisted']);
    expect(full[0]!.email).toMatch(/@example\.test$/);

    const wait = csvObjects(parseCsvStrict((await downloadAs(fx.organizer, `${manage(ev.eventId)}/export?preset=waitlist`)).bytes));
    expect(wait.map((r) => [r.name, r.waitlistPosition])).toEqual([['Ex B', '1'], ['Ex C', '2']]);

    const bad = await downloadAs(fx.organizer, `${manage(ev.eventId)}/export?preset=everything`);
    expect(bad.status).toBe(400);
    // Each download is in the association's export log, as the API's are.
    const log = expectStatus(await call('GET', `/associations/${fx.associationId}/exports`, { token: fx.admin.token }), 200, 'exports').body.items as { subjectId: string }[];
    expect(log.filter((x) => x.subjectId === ev.eventId).length).toBe(3);

    // The API's export limit, on the same counter: ten through the API, the page's eleventh refused.
    const busy = await newMember(fx.owner, fx.associationId, fx.freePlanId, 'organizer', 'busy');
    for (let i = 0; i < 10; i++) expectStatus(await call('GET', `/events/${ev.eventId}/attendees/export`, { token: busy.token }), 200, 'export');
    const refused = await downloadAs(busy, `${manage(ev.eventId)}/export?preset=door`);
    expect(refused.status).toBe(429);
  });

  it('cancels the event only through the confirm step, once', async () => {
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Doomed night', capacity: 5 });
    const v = as(fx.organizer);
    const page = await v.get(manage(ev.eventId));
    expect(page.html).toContain(`href="${manage(ev.eventId)}/cancel"`);
    const confirm = await v.get(`${manage(ev.eventId)}/cancel`);
    expect(confirm.status).toBe(200);
    expect(textOf(confirm.html)).toContain('Cancel Doomed night?');

    expect((await as(fx.member).post(`${manage(ev.eventId)}/cancel`, { confirm: 'cancel' })).status).toBe(403);
    const unconfirmed = await v.post(`${manage(ev.eventId)}/cancel`, {});
    expect(unconfirmed.status).toBe(400);
    expect((await getEvent(ev.eventId, fx.organizer.token)).status).toBe('scheduled');

    const done = await v.post(`${manage(ev.eventId)}/cancel`, { confirm: 'cancel' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${manage(ev.eventId)}?done=cancelled`);
    const after = await v.follow(done);
    expect(textOf(after.html)).toContain('The event is cancelled.');
    expect((await getEvent(ev.eventId, fx.organizer.token)).status).toBe('cancelled');
    // Twice: the service's 409, in words, on the page.
    const twice = await v.post(`${manage(ev.eventId)}/cancel`, { confirm: 'cancel' });
    expect(twice.status).toBe(409);
    expect(textOf(twice.html)).toContain('This event is already cancelled.');
    expect((await v.get(`${manage(ev.eventId)}/cancel`)).status).toBe(303);
  });

  it('previews the matching figures and sends once; a second send is refused in words', async () => {
    const plain = await createEvent(fx.organizer, fx.associationId, { title: 'No matching' });
    expect((await as(fx.organizer).get(manage(plain.eventId))).html).not.toContain('id="matching"');

    const ev = await matchmakingEvent(fx.organizer, fx.associationId, { title: 'Match night', capacity: 20 });
    const label = uniqueLabel('mm');
    const profiles = ['Ann', 'Ben', 'Cat', 'Dan'].map((n) => ({ name: `${n} ${label}`, skills: ['design', 'research'], interests: ['ai'], offers: ['mentoring'], seeks: ['mentoring'], matchOptIn: true }));
    const crowd = await people(label, profiles, { associationId: fx.associationId, planId: fx.freePlanId });
    await pool(crowd, 4, async (u) => expectStatus(await rsvp(u, ev.eventId), 200, 'rsvp'));
    const v = as(fx.organizer);

    const page = await v.get(manage(ev.eventId));
    expect(page.html).toContain('Preview matches');
    const pre = await v.post(`${manage(ev.eventId)}/matches/preview`, {});
    expect(pre.status).toBe(200);
    const api = expectStatus(await call('POST', `/events/${ev.eventId}/matches/preview`, { token: fx.organizer.token }), 200, 'preview').body;
    const text = textOf(pre.html);
    expect(text).toContain(`Attendees who opted in ${api.figures.attendees}`);
    expect(text).toContain(`Matches ${api.matches.length}`);
    expect(text).toContain(`People with at least one match ${api.figures.matched}`);
    expect(api.figures.attendees).toBe(4);

    const sent = await v.post(`${manage(ev.eventId)}/matches/send`, {});
    expect(sent.status).toBe(200);
    expect(textOf(sent.html)).toMatch(/Matches sent: \d+ matches, 4 emails on their way\./);
    const again = await v.post(`${manage(ev.eventId)}/matches/send`, {});
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain('Matches for this event were already sent.');
    expect((await as(fx.member).post(`${manage(ev.eventId)}/matches/send`, {})).status).toBe(403);
  });
});
