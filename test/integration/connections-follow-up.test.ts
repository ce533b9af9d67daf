/**
 * The follow-up after an event, end to end over HTTP: two members meet at an event, get
 * matched, both say they met; the daily job the day after mails each of them once (a second
 * run sends nothing); both click "connect" and see each other in GET /me/connections. A pair
 * where only one said they met gets no mail, and a lone click tells the clicker nothing.
 * The link's pages for a browser: the question, each answer, and an expired or broken link.
 */
import { call } from '../support/http.js';
import { buildAssociation, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { futureTime, addHours, settledMail, subjectStarts, uniqueLabel, urlAfter, waitForMail } from '../support/events.js';
import { links, parseLinkKeys } from '../../functions/core/http/links.js';
import { allGoing, feedback, matchIdOf, matchmakingEvent, pathOf, people, sendMatches, type Person } from '../support/matching.js';

const label = uniqueLabel('fup');
let fx: AssociationFixture;
let [ada, bo, cal, dot]: Person[] = [];
let endsAt: string;
let eventId: string;

beforeAll(async () => {
  fx = await buildAssociation();
  [ada, bo, cal, dot] = await people(
    label,
    [
      { name: 'Ada Follow', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], matchOptIn: true },
      { name: 'Bo Follow', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], matchOptIn: true },
      { name: 'Cal Follow', offers: ['hiring'], seeks: ['job'], interests: ['music'], matchOptIn: true },
      { name: 'Dot Follow', offers: ['job'], seeks: ['hiring'], interests: ['music'], matchOptIn: true },
    ],
    { associationId: fx.associationId, planId: fx.freePlanId },
  );
  const startsAt = futureTime(1);
  endsAt = addHours(startsAt, 2);
  const e = await matchmakingEvent(fx.organizer, fx.associationId, { title: `Mixer ${label}`, startsAt, endsAt }, { matchesPerAttendee: 1 });
  eventId = e.eventId;
  await allGoing([ada!, bo!, cal!, dot!], eventId);
  expectStatus(await sendMatches(fx.organizer.token, eventId), 200, 'send matches');
}, 60_000);

const subject = subjectStarts('Stay in touch with');
/** What a browser sends when a person opens the link or presses its button. */
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
let linkA = '';
const runDaily = (time: string) => call('POST', '/dev/jobs/daily', { body: { time } });

it('both said they met: one mail each the day after, once; both click; both see each other', async () => {
  const ab = matchIdOf(ada!.userId, bo!.userId);
  const cd = matchIdOf(cal!.userId, dot!.userId);
  for (const [who, match] of [[ada, ab], [bo, ab], [cal, cd]] as const) expectStatus(await feedback(who!.token, eventId, match, { rating: 5, met: true }), 200, 'feedback');
  expectStatus(await feedback(dot!.token, eventId, cd, { rating: 2, met: false }), 200, 'dot did not meet');

  // Not before the day after the event.
  expect((await runDaily(addHours(endsAt, 1))).body.followUps).toEqual({ sent: 0, skipped: 0 });
  const job = expectStatus(await runDaily(addHours(endsAt, 25)), 200, 'daily');
  expect(job.body.followUps.sent).toBe(1);
  expect((await runDaily(addHours(endsAt, 26))).body.followUps.sent).toBe(0);

  const [ma] = await waitForMail(ada!.email, { filter: subject });
  const [mb] = await waitForMail(bo!.email, { filter: subject });
  expect(ma!.subject).toBe('Stay in touch with Bo Follow');
  expect(mb!.subject).toBe('Stay in touch with Ada Follow');
  // Exactly one each, and none to the pair where only one met.
  expect(await settledMail(ada!.email, subject, 1)).toHaveLength(1);
  expect(await settledMail(cal!.email, subject, 0, 500)).toHaveLength(0);
  expect(await settledMail(dot!.email, subject, 0, 500)).toHaveLength(0);

  linkA = pathOf(urlAfter(ma!, 'Connect with Bo Follow: '));
  const linkB = pathOf(urlAfter(mb!, 'Connect with Ada Follow: '));
  // Opening the link (a mail scanner, or a person) changes nothing; the button posts.
  const page = await call('GET', linkA, { headers: html });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.text).toContain('<h1>Stay in touch with Bo Follow</h1>');
  expect(page.text).toContain(`<p>You met Bo Follow at Mixer ${label}.</p>`);
  expect(page.text).toMatch(/<form method="post" action="\?token=[^"]+"><button type="submit">Connect with Bo Follow<\/button><\/form>/);
  expect(page.text).toContain('/assets/site.css');
  expect((await call('GET', '/me/connections', { token: ada!.token })).body.items).toEqual([]);

  // A lone click: the clicker is told nothing about the other.
  const first = await call('POST', linkA, { headers: html });
  expect(first.status).toBe(200);
  expect(first.text).toContain('<h1>You said yes</h1>');
  expect(first.text).toContain('Noted. If Bo Follow says yes too, you will find each other in My network.');
  expect(first.text).toMatch(/<a href="[^"]+\/account\/network">Go to My network<\/a>/);
  expect((await call('POST', linkA)).body).toEqual({ connected: false }); // a repeat click changes nothing
  expect((await call('GET', '/me/connections', { token: ada!.token })).body.items).toEqual([]);

  expect((await call('POST', linkB)).body).toEqual({ connected: true });
  // A browser is told so (a repeat of the second click answers the same).
  const second = await call('POST', linkB, { headers: html });
  expect(second.status).toBe(200);
  expect(second.text).toContain('<h1>You are connected</h1>');
  expect(second.text).toContain('You and Ada Follow are connected: you will find each other in My network.');
  const aNet = (await call('GET', '/me/connections', { token: ada!.token })).body.items;
  const bNet = (await call('GET', '/me/connections', { token: bo!.token })).body.items;
  expect(aNet).toEqual([expect.objectContaining({ userId: bo!.userId, name: 'Bo Follow', state: 'accepted', metEventId: eventId })]);
  expect(bNet).toEqual([expect.objectContaining({ userId: ada!.userId, name: 'Ada Follow', state: 'accepted', metEventId: eventId })]);

  // A link is for its event and its person only.
  const token = new URL(`http://x${linkA}`).searchParams.get('token')!;
  expect((await call('POST', `/events/${fx.associationId}x/connect?token=${encodeURIComponent(token)}`)).status).toBe(404);
  expect((await call('POST', `/events/${eventId}/connect?token=${encodeURIComponent(token.slice(0, -2))}xx`)).status).toBe(400);
}, 90_000);

it('a refused link: a browser gets a page saying why, with the status a program gets as problem details', async () => {
  expect(linkA).not.toBe(''); // from the test above
  const token = new URL(`http://x${linkA}`).searchParams.get('token')!;
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { connectionId: string; userId: string };
  const sign = (data: Record<string, string>, at: Date) => links(parseLinkKeys(process.env.IT_LINK_SECRETS!)).sign('connect', data, at);
  const expired = `/events/${eventId}/connect?token=${encodeURIComponent(sign({ eventId, connectionId: payload.connectionId, userId: payload.userId }, new Date(Date.now() - 31 * 86_400_000)))}`;
  const cut = `/events/${eventId}/connect?token=${encodeURIComponent(token.slice(0, -6))}`;
  // Signed by us, but for no offer we made (the pair never qualified).
  const unknownPair = `/events/${eventId}/connect?token=${encodeURIComponent(sign({ eventId, connectionId: `${cal!.userId}.${ada!.userId}`, userId: ada!.userId }, new Date()))}`;

  for (const method of ['GET', 'POST']) {
    const gone = await call(method, expired, { headers: html });
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(gone.text).toContain('<h1>This link has expired</h1>');
    expect(gone.text).toMatch(/<a href="[^"]+\/account\/network">Go to My network<\/a>/);
    for (const path of [cut, unknownPair]) {
      const bad = await call(method, path, { headers: html });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<h1>This link does not work</h1>');
    }
    // A program still gets problem details.
    const json = await call(method, expired);
    expect(json.status).toBe(410);
    expect(json.headers.get('content-type')).toBe('application/problem+json');
    expect(json.body).toMatchObject({ status: 410, errors: [{ path: 'token', message: 'has expired' }] });
    expect((await call(method, cut)).headers.get('content-type')).toBe('application/problem+json');
  }
});
