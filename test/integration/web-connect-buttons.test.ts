/**
 * Connect buttons where people appear, over HTTP against the local stack: on "My matches"
 * (the ask names the event where the pair met) and on the members directory
 * (/a/{slug}/directory: opted-in members only, no emails, paged past 50, members only).
 * and on a past event's page (/e/{id}: the other checked-in attendees listed in the directory,
 * for someone checked in there). All post to /account/network/*, the API's actions with their
 * access rules, and answer back on the page they were pressed on.
 */
import { call } from '../support/http.js';
import { buildAssociation, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { addHours, createEvent, futureTime, rsvp, setEventAttributes } from '../support/events.js';
import { matchmakingEvent, people, putProfile, sendMatches } from '../support/matching.js';
import { Visitor, textOf } from '../support/web.js';

const stamp = () => `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sub as string;

async function visitor(label: string, name: string) {
  const v = new Visitor();
  const email = `${label}.${stamp()}@example.test`;
  await v.signIn(email, name, '/account');
  const token = v.jar.get('session')!;
  return { v, user: { token, userId: subOf(token), email } };
}

/** The hidden fields of each Connect form on a page. */
const connectForms = (html: string) =>
  [...html.matchAll(/<form method="post" action="\/account\/network\/ask"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((f) => [f[1]!, f[2]!])));

let fx: AssociationFixture;
beforeAll(async () => {
  fx = await buildAssociation();
}, 60_000);

it('my matches: a Connect button per matched person; it asks, naming the event where we met', async () => {
  const ada = await visitor('ada-cb', 'Ada Button');
  expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: ada.user.token, body: { planId: fx.freePlanId } }), 201, 'join');
  await putProfile(ada.user, { name: 'Ada Button', interests: ['climate'], seeks: ['hiring'], matchOptIn: true });
  const [bob] = await people(`cbbob${Date.now().toString(36)}`, [{ name: 'Bob Button', interests: ['climate'], offers: ['hiring'], matchOptIn: true }], { associationId: fx.associationId, planId: fx.freePlanId });
  const ev = await matchmakingEvent(fx.organizer, fx.associationId, { title: 'Button evening' });
  expectStatus(await rsvp(ada.user, ev.eventId), 200, 'rsvp ada');
  expectStatus(await rsvp(bob!, ev.eventId), 200, 'rsvp bob');
  expectStatus(await sendMatches(fx.organizer.token, ev.eventId), 200, 'send');

  const account = await ada.v.get('/account');
  expect(account.html).toContain('aria-label="Connect with Bob Button"');
  const forms = connectForms(account.html);
  // It answers back on My matches (next).
  expect(forms).toEqual([{ associationId: fx.associationId, userId: bob!.userId, eventId: ev.eventId, next: '/account#matches' }]);

  // From another site: refused before anything.
  expect((await ada.v.post('/account/network/ask', forms[0]!, { origin: 'https://evil.test' })).status).toBe(403);
  const asked = await ada.v.post('/account/network/ask', forms[0]!);
  expect(asked.status).toBe(303);
  expect(asked.location).toBe('/account?done=asked#matches');
  const incoming = expectStatus(await call('GET', '/me/connections?state=pending', { token: bob!.token }), 200, 'pending').body.items;
  expect(incoming).toEqual([expect.objectContaining({ userId: ada.user.userId, direction: 'incoming', metEventId: ev.eventId })]);
  // Back on My matches, with the result said, Ada's card for Bob says the request is sent (with a cancel), not Connect.
  const after = await ada.v.get(asked.location!);
  expect(textOf(after.html)).toContain('Your ask is sent.');
  expect(connectForms(after.html)).toEqual([]);
  expect(textOf(after.html)).toContain('Request sent');
  expect(after.html).toContain(`action="/account/network/${incoming[0].connectionId}/remove"`);
  // Asking again: answered on the network page, in words, nothing new stored.
  const again = await ada.v.post('/account/network/ask', forms[0]!);
  expect(again.status).toBe(409);
  expect(textOf(again.html)).toContain('There is a problem');
  expect(expectStatus(await call('GET', '/me/connections?state=pending', { token: bob!.token }), 200, 'pending').body.items).toHaveLength(1);
}, 90_000);

describe('the members directory', () => {
  let listed: Awaited<ReturnType<typeof people>>;
  let viewer: Awaited<ReturnType<typeof visitor>>;
  const path = () => `/a/${fx.slug}/directory`;

  beforeAll(async () => {
    const label = `dir${Date.now().toString(36)}`;
    const n = 53;
    listed = await people(label, Array.from({ length: n }, (_, i) => ({ name: `Dir Person ${String(i).padStart(3, '0')}`, company: 'Listed Co', directoryVisible: true })), { associationId: fx.associationId, planId: fx.freePlanId });
    await people(`${label}h`, [{ name: 'Dir Hidden', directoryVisible: false }], { associationId: fx.associationId, planId: fx.freePlanId });
    viewer = await visitor('dir-viewer', 'Dir Viewer');
    expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: viewer.user.token, body: { planId: fx.freePlanId } }), 201, 'join');
    await putProfile(viewer.user, { name: 'Dir Viewer', directoryVisible: true });
  }, 120_000);

  it('lists opted-in members a page at a time, never an email, each with a Connect button but me', async () => {
    const first = await viewer.v.get(path());
    expect(first.status).toBe(200);
    const next = /href="([^"]*directory\?cursor=[^"]+)">Next page/.exec(first.html)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeDefined();
    const second = await viewer.v.get(next!);
    expect(second.status).toBe(200);
    expect(second.html).toContain('First page');
    const seen = [...connectForms(first.html), ...connectForms(second.html)].map((f) => f.userId);
    // Everyone listed, once, and nobody who did not opt in; the viewer is listed without a button.
    expect(new Set(seen).size).toBe(seen.length);
    for (const p of listed) expect(seen).toContain(p.userId);
    expect(seen).not.toContain(viewer.user.userId);
    const text = textOf(first.html + second.html);
    expect(text).toContain('This is you.');
    expect(text).not.toContain('Dir Hidden');
    expect(text).not.toMatch(/@example\.test/);
    expect(connectForms(first.html)).toHaveLength(50);

    const asked = await viewer.v.post('/account/network/ask', connectForms(first.html)[0]!);
    expect(asked.status).toBe(303);
    expect(asked.location).toBe(`${path()}?done=asked`);
  });

  it('accept, decline and cancel answer back on the page they were pressed on, never another site', async () => {
    const [p1, p2, p3] = [listed[50]!, listed[51]!, listed[52]!];
    const ids: string[] = [];
    for (const p of [p1, p2]) ids.push(expectStatus(await call('POST', `/associations/${fx.associationId}/connections`, { token: p.token, body: { userId: viewer.user.userId } }), 201, 'ask viewer').body.connectionId);
    ids.push(expectStatus(await call('POST', `/associations/${fx.associationId}/connections`, { token: viewer.user.token, body: { userId: p3.userId } }), 201, 'viewer asks').body.connectionId);
    // The three are on the directory's second page: the forms there carry that page's cursor.
    const first = await viewer.v.get(path());
    const second = /href="([^"]*directory\?cursor=[^"]+)">Next page/.exec(first.html)![1]!.replace(/&amp;/g, '&');
    const page2 = await viewer.v.get(second);
    const formOf = (verb: string, id: string) => new RegExp(`<form method="post" action="/account/network/${id.replace(/\./g, '\\.')}/${verb}"[^>]*>([\\s\\S]*?)</form>`).exec(page2.html)?.[1];
    const nextOf = (html?: string) => /name="next" value="([^"]*)"/.exec(html ?? '')?.[1]?.replace(/&amp;/g, '&');
    expect(nextOf(formOf('accept', ids[0]!))).toBe(second);

    const accepted = await viewer.v.post(`/account/network/${ids[0]}/accept`, { next: nextOf(formOf('accept', ids[0]!))! });
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe(`${second}&done=accepted`);
    const shown = await viewer.v.get(accepted.location!);
    expect(textOf(shown.html)).toContain('You are connected.');
    expect(textOf(shown.html)).toContain('Connected');

    const declined = await viewer.v.post(`/account/network/${ids[1]}/decline`, { next: nextOf(formOf('decline', ids[1]!))! });
    expect(declined.location).toBe(`${second}&done=declined`);
    expect(textOf((await viewer.v.get(declined.location!)).html)).toContain('Declined. They are not told.');

    // Another site, a protocol-relative or a backslash path as next: the answer is on My network.
    for (const bad of ['https://evil.test/a', '//evil.test/a', '/\\evil.test']) {
      const saved = await viewer.v.post(`/account/network/${ids[0]}/edit`, { note: 'Met at the directory', tags: '', next: bad });
      expect(saved.location).toBe('/account/network?done=saved');
    }
    const cancelled = await viewer.v.post(`/account/network/${ids[2]}/remove`, { next: nextOf(formOf('remove', ids[2]!))! });
    expect(cancelled.location).toBe(`${second}&done=removed`);
    expect(expectStatus(await call('GET', '/me/connections?state=pending', { token: p3.token }), 200, 'pending').body.items).toEqual([]);
  }, 60_000);

  it('a bad cursor is a 400 page; outsiders and members of another association are refused', async () => {
    const bad = await viewer.v.get(`${path()}?cursor=nope`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);

    const anon = await new Visitor().get(path());
    expect(anon.status).toBe(303);
    expect(anon.location).toBe(`/sign-in?next=${encodeURIComponent(path())}`);

    const elsewhere = await buildAssociation();
    const mallory = await visitor('dir-mallory', 'Mallory Dir');
    expectStatus(await call('POST', `/associations/${elsewhere.associationId}/members`, { token: mallory.user.token, body: { planId: elsewhere.freePlanId } }), 201, 'join elsewhere');
    const refused = await mallory.v.get(path());
    expect(refused.status).toBe(403);
    expect(textOf(refused.html)).not.toContain('Dir Person');
    // Asking from the directory's form of another association: refused by the ask's rule.
    expect((await mallory.v.post('/account/network/ask', { associationId: fx.associationId, userId: listed[0]!.userId })).status).toBe(403);
    expect((await viewer.v.get(`/a/no-such-slug-${stamp().replace('.', '')}/directory`)).status).toBe(404);
  }, 60_000);
});

describe('a past event: people who were there', () => {
  it('shows someone checked in the others who checked in and are in the directory, with connect controls, and answers back there', async () => {
    const label = `met${Date.now().toString(36)}`;
    const viewer = await visitor('met-viewer', 'Met Viewer');
    expectStatus(await call('POST', `/associations/${fx.associationId}/members`, { token: viewer.user.token, body: { planId: fx.freePlanId } }), 201, 'join');
    await putProfile(viewer.user, { name: 'Met Viewer', directoryVisible: true });
    const [listed, unlisted, absent, stranger] = await people(label, [
      { name: 'Met Listed', company: 'Listed Co', headline: 'Came and is listed', directoryVisible: true },
      { name: 'Met Unlisted', directoryVisible: false },
      { name: 'Met Absent', directoryVisible: true },
      { name: 'Met Nonmember', directoryVisible: true },
    ], { associationId: fx.associationId, planId: fx.freePlanId });
    // Met Nonmember leaves the association: checked in, but no longer in its directory.
    const soon = futureTime(0, 20 * 60);
    const ev = await createEvent(fx.organizer, fx.associationId, { title: 'Met evening', startsAt: soon, endsAt: addHours(soon, 2) });
    for (const u of [viewer.user, listed!, unlisted!, absent!, stranger!]) expectStatus(await rsvp(u, ev.eventId), 200, 'rsvp');
    for (const u of [viewer.user, listed!, unlisted!, stranger!]) expectStatus(await call('POST', `/events/${ev.eventId}/check-in`, { token: fx.organizer.token, body: { userId: u.userId } }), 200, 'check in');
    expect([200, 204]).toContain((await call('DELETE', `/associations/${fx.associationId}/members/${stranger!.userId}`, { token: stranger!.token })).status);
    const path = `/e/${ev.eventId}`;

    // Before it is over: no such section.
    expect((await viewer.v.get(path)).html).not.toContain('People who were there');
    const startsAt = new Date(Date.now() - 5 * 3_600_000).toISOString();
    await setEventAttributes(ev.eventId, { startsAt, endsAt: addHours(startsAt, 2) });

    const page = await viewer.v.get(path);
    expect(page.status).toBe(200);
    const section = (html: string) => /<section id="people"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    const text = textOf(section(page.html));
    expect(text).toContain('People who were there');
    expect(text).toContain('Met Listed');
    expect(text).toContain('Came and is listed');
    for (const name of ['Met Unlisted', 'Met Absent', 'Met Nonmember', 'Met Viewer']) expect(text).not.toContain(name);
    const forms = connectForms(page.html);
    expect(forms).toEqual([{ associationId: fx.associationId, userId: listed!.userId, eventId: ev.eventId, next: `${path}#people` }]);

    // Connect: back on the event page, saying so, the card now "Request sent"; the ask names the event.
    const asked = await viewer.v.post('/account/network/ask', forms[0]!);
    expect(asked.location).toBe(`${path}?done=asked#people`);
    const after = await viewer.v.get(asked.location!);
    expect(textOf(after.html)).toContain('Your ask is sent.');
    expect(textOf(after.html)).toContain('Request sent');
    const incoming = expectStatus(await call('GET', '/me/connections?state=pending', { token: listed!.token }), 200, 'pending').body.items;
    expect(incoming).toEqual([expect.objectContaining({ userId: viewer.user.userId, direction: 'incoming', metEventId: ev.eventId })]);
    // The other side sees Accept there and accepts: Connected.
    const other = new Visitor();
    await other.signIn(listed!.email, 'Met Listed', path);
    const theirs = await other.get(path);
    expect(theirs.html).toContain(`action="/account/network/${incoming[0].connectionId}/accept"`);
    const accepted = await other.post(`/account/network/${incoming[0].connectionId}/accept`, { next: `${path}#people` });
    expect(accepted.location).toBe(`${path}?done=accepted#people`);
    expect(textOf(section((await other.get(accepted.location!)).html))).toMatch(/You are connected\.[\s\S]*Met Viewer[\s\S]*Connected/);

    // Someone who did not check in, and someone signed out, see no such section.
    const absentVisitor = new Visitor();
    await absentVisitor.signIn(absent!.email, 'Met Absent', path);
    expect((await absentVisitor.get(path)).html).not.toContain('People who were there');
    expect((await new Visitor().get(path)).html).not.toContain('People who were there');
    // A cursor of another list is refused.
    expect((await viewer.v.get(`${path}?people=nope`)).status).toBe(400);
  }, 90_000);
});
