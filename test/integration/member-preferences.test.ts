/**
 * Per-association preferences over HTTP: PUT /associations/{id}/members/me/preferences
 * sets this membership's own matching opt-in and directory visibility; whatever it never
 * set follows the profile. An opt-out here hides the person from this association's
 * directory, from partners' "my matches" and from later matching runs, and nowhere else.
 */
import { call, signIn } from '../support/http.js';
import { buildAssociation, errorPaths, expectProblem, expectStatus, join, type AssociationFixture, type User } from '../support/fixtures.js';
import { allItems, rsvp } from '../support/events.js';
import { allGoing, matchmakingEvent, myMatches, preview, putProfile, sendMatches } from '../support/matching.js';

const prefs = (fx: AssociationFixture) => `/associations/${fx.associationId}/members/me/preferences`;
const setPrefs = (u: User, fx: AssociationFixture, body: unknown) => call('PUT', prefs(fx), { token: u.token, body });
const memberOf = async (u: User, fx: AssociationFixture) => expectStatus(await call('GET', `/associations/${fx.associationId}/members/${u.userId}`, { token: u.token }), 200, 'get member').body;
const directoryIds = async (fx: AssociationFixture) => (await allItems<{ userId: string; name: string }>(`/associations/${fx.associationId}/directory`, fx.member.token, 50)).map((d) => d.userId);

const giver = { name: 'Pia Prefs', company: 'Giver Co', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], matchOptIn: true, directoryVisible: true };
const taker = { name: 'Quentin Prefs', company: 'Taker Co', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], matchOptIn: true, directoryVisible: true };

let x: AssociationFixture;
let y: AssociationFixture;
let pia: User;
let quentin: User;

beforeAll(async () => {
  [x, y] = await Promise.all([buildAssociation(), buildAssociation()]);
  [pia, quentin] = await Promise.all([signIn('pia', giver.name), signIn('quentin', taker.name)]);
  for (const u of [pia, quentin]) for (const fx of [x, y]) await join(u, fx.associationId, fx.freePlanId);
  await putProfile(pia, giver);
  await putProfile(quentin, taker);
}, 60_000);

describe('PUT /associations/{id}/members/me/preferences', () => {
  it('refuses unknown fields and wrong types with a 400 naming the field, and changes nothing', async () => {
    const unknown = await setPrefs(pia, x, { matchOptIn: false, role: 'owner' });
    expectProblem(unknown, 400);
    expect(errorPaths(unknown)).toContain('role');
    const wrongType = await setPrefs(pia, x, { directoryVisible: 'no' });
    expectProblem(wrongType, 400);
    expect(errorPaths(wrongType)).toEqual(['directoryVisible']);
    expectProblem(await call('PUT', prefs(x), { token: pia.token, raw: '{"matchOptIn": tru' }), 400);
    expect((await memberOf(pia, x)).preferences).toEqual({ matchOptIn: true, directoryVisible: true });
  });

  it('is for people enrolled in the association only', async () => {
    const outsider = await signIn('outsider');
    expectProblem(await setPrefs(outsider, x, { matchOptIn: false }), 403);
    expectProblem(await call('PUT', prefs(x), { body: { matchOptIn: false } }), 401);
  });

  it('defaults to the profile, returns the preferences in effect, and GET of the member shows them', async () => {
    expect((await memberOf(quentin, x)).preferences).toEqual({ matchOptIn: true, directoryVisible: true });
    const res = expectStatus(await setPrefs(quentin, x, { directoryVisible: false }), 200, 'hide');
    expect(res.body).toEqual({ matchOptIn: true, directoryVisible: false });
    expect((await memberOf(quentin, x)).preferences).toEqual({ matchOptIn: true, directoryVisible: false });
    // A field not sent keeps its value; the other association is untouched.
    expect(expectStatus(await setPrefs(quentin, x, {}), 200, 'empty').body).toEqual({ matchOptIn: true, directoryVisible: false });
    expect((await memberOf(quentin, y)).preferences).toEqual({ matchOptIn: true, directoryVisible: true });
    // An admin reading the member sees the same.
    const asAdmin = expectStatus(await call('GET', `/associations/${x.associationId}/members/${quentin.userId}`, { token: x.admin.token }), 200, 'admin get');
    expect(asAdmin.body.preferences).toEqual({ matchOptIn: true, directoryVisible: false });
  });
});

describe('directory visibility per association', () => {
  it('hidden in one association, listed in the other; an own choice survives profile changes, the default follows them', async () => {
    const u = await signIn('dirvis', 'Dora Dir');
    for (const fx of [x, y]) await join(u, fx.associationId, fx.freePlanId);
    await putProfile(u, { name: 'Dora Dir', directoryVisible: true });
    expect(await directoryIds(x)).toContain(u.userId);
    expectStatus(await setPrefs(u, x, { directoryVisible: false }), 200, 'hide in x');
    expect(await directoryIds(x)).not.toContain(u.userId);
    expect(await directoryIds(y)).toContain(u.userId);

    // A renamed profile: still hidden in x (its own choice), renamed in y.
    await putProfile(u, { name: 'Dora Renamed', directoryVisible: true });
    expect(await directoryIds(x)).not.toContain(u.userId);
    const inY = await allItems<{ userId: string; name: string }>(`/associations/${y.associationId}/directory`, y.member.token, 50);
    expect(inY.find((d) => d.userId === u.userId)?.name).toBe('Dora Renamed');

    // The profile hides her: y (no own choice) follows; choosing visible in x shows her there only.
    await putProfile(u, { name: 'Dora Renamed', directoryVisible: false });
    expect(await directoryIds(y)).not.toContain(u.userId);
    expect(expectStatus(await setPrefs(u, x, { directoryVisible: true }), 200, 'show in x').body).toEqual({ matchOptIn: false, directoryVisible: true });
    expect(await directoryIds(x)).toContain(u.userId);
    expect(await directoryIds(y)).not.toContain(u.userId);
  });

  // 150 at once on one membership: the local gateway runs them all in one process with a 10 s budget each.
  it('150 concurrent changes leave the directory and the member agreeing, with nothing lost', async () => {
    const u = await signIn('dirrace', 'Rita Race');
    await join(u, x.associationId, x.freePlanId);
    await putProfile(u, { name: 'Rita Race', directoryVisible: false });
    const writes = Array.from({ length: 150 }, (_, i) =>
      i % 10 === 9 ? call('PUT', '/me/profile', { token: u.token, body: { name: `Rita Race ${i}`, directoryVisible: i % 20 === 9 } }) : setPrefs(u, x, { directoryVisible: i % 2 === 0 }),
    );
    const replies = await Promise.all(writes);
    const statuses = replies.map((r) => r.status);
    // Every write either took effect or was refused as a conflict to retry; none failed.
    expect(replies.filter((r) => r.status !== 200 && r.status !== 409).map((r) => `${r.status} ${r.text}`)).toEqual([]);
    // Progress, not a rate: on a loaded 2-core CI machine 15 of the 150 went through (profile writes now touch more items).
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    const m = await memberOf(u, x);
    expect((await directoryIds(x)).includes(u.userId)).toBe(m.preferences.directoryVisible);
    // The name is one that was written (profile writes themselves race; the last sync to land wins).
    expect(['Rita Race', ...Array.from({ length: 15 }, (_, k) => `Rita Race ${k * 10 + 9}`)]).toContain(m.name);
  });
});

describe('matching opt-in per association', () => {
  it('an opt-out removes the person from partners\' "my matches" and from later runs of that association only; it survives leaving and rejoining', async () => {
    const first = await matchmakingEvent(x.organizer, x.associationId, {}, { matchesPerAttendee: 1 });
    await allGoing([pia, quentin], first.eventId);
    expect(expectStatus(await sendMatches(x.organizer.token, first.eventId), 200, 'send').body.matches).toBe(1);
    const before = expectStatus(await myMatches(quentin.token, first.eventId), 200, 'my matches').body.items;
    expect(before.map((m: { person: { userId: string } }) => m.person.userId)).toEqual([pia.userId]);

    expect(expectStatus(await setPrefs(pia, x, { matchOptIn: false }), 200, 'opt out').body).toEqual({ matchOptIn: false, directoryVisible: true });
    expect(expectStatus(await myMatches(quentin.token, first.eventId), 200, 'my matches after').body.items).toEqual([]);

    // A later run in x leaves her out; in y, where she never chose, her profile's opt-in holds.
    const later = await matchmakingEvent(x.organizer, x.associationId, {}, { matchesPerAttendee: 1 });
    const elsewhere = await matchmakingEvent(y.organizer, y.associationId, {}, { matchesPerAttendee: 1 });
    await allGoing([pia, quentin], later.eventId);
    await allGoing([pia, quentin], elsewhere.eventId);
    const inX = expectStatus(await preview(x.organizer.token, later.eventId), 200, 'preview x').body;
    expect(inX.matches).toEqual([]);
    const inY = expectStatus(await preview(y.organizer.token, elsewhere.eventId), 200, 'preview y').body;
    expect(inY.matches.map((m: { a: { userId: string }; b: { userId: string } }) => [m.a.userId, m.b.userId].sort())).toEqual([[pia.userId, quentin.userId].sort()]);

    // Leaving and rejoining keeps the opt-out.
    expectStatus(await call('DELETE', `/associations/${x.associationId}/members/${pia.userId}`, { token: pia.token }), 204, 'leave');
    await join(pia, x.associationId, x.freePlanId);
    expect((await memberOf(pia, x)).preferences).toEqual({ matchOptIn: false, directoryVisible: true });
    expectStatus(await rsvp(pia, later.eventId), 200, 'still going');
    expect(expectStatus(await preview(x.organizer.token, later.eventId), 200, 'preview x again').body.matches).toEqual([]);
  });
});
