/**
 * `npm run seed` against the local stack: it finishes (twice: a second run makes a second
 * association cleanly), and every URL it prints answers 200 for the user it names (or signed
 * out), with members in several statuses (a lapsed one too) and a refund in the ledger, a
 * past event with check-ins, matches and ratings in its counters, history in the
 * association's charts, matches with reasons on the member's account and a connection in
 * their network.
 */
import { api, call } from '../support/http.js';
import { runSeed, type SeedOut } from '../support/seed.js';

const tokenFor = async (email: string) => {
  const res = await call('POST', '/dev/token', { body: { email } });
  if (res.status !== 200) throw new Error(`dev token: ${res.status} ${res.text}`);
  return res.body.token as string;
};

async function expectUrlsAnswer(out: SeedOut) {
  const answers: string[] = [];
  for (const u of out.urls) {
    const headers: Record<string, string> = u.as ? { cookie: `session=${await tokenFor(u.as)}` } : {};
    const res = await fetch(u.url, { headers, redirect: 'manual' });
    answers.push(`${res.status} ${u.url} as ${u.as ?? 'signed out'}`);
  }
  expect(answers).toEqual(out.urls.map((u) => `200 ${u.url} as ${u.as ?? 'signed out'}`));
}

const DAY = 86_400_000;
const html = async (path: string, email: string) => (await fetch(`${api()}${path}`, { headers: { cookie: `session=${await tokenFor(email)}` } })).text();

/** What the charts, the account and the network show, read through the API and the pages. */
async function expectContent(out: SeedOut, owner: string) {
  expect(Object.keys(out.statuses)).toEqual(expect.arrayContaining(['lapsed']));
  // The past event: over, with check-ins around its start, ratings and its RSVPs before it.
  const past = await call('GET', `/events/${out.events.past}/stats`, { token: owner });
  expect(past.status).toBe(200);
  expect(Date.parse(past.body.endsAt)).toBeLessThan(Date.now() - DAY);
  expect(out.pastEvent.checkedIn).toBeGreaterThan(0);
  const checkIns = past.body.checkIns as { at: string; count: number }[];
  expect(checkIns.reduce((n, c) => n + c.count, 0)).toBe(out.pastEvent.checkedIn);
  for (const c of checkIns.filter((x) => x.count)) expect(Math.abs(Date.parse(c.at) - Date.parse(past.body.startsAt))).toBeLessThan(2 * 3_600_000);
  expect(past.body.ratings.rated).toBe(out.pastEvent.rated);
  expect(out.pastEvent.rated).toBeGreaterThan(0);
  const rsvps = past.body.rsvps as { at: string; going: number }[];
  expect(rsvps.at(-1)!.going).toBe(out.pastEvent.attendees);
  expect(rsvps.every((r) => r.at < past.body.startsAt)).toBe(true);
  // The association's charts have history: members over months, dues in several months, renewals due.
  const stats = await call('GET', `/associations/${out.associationId}/stats`, { token: owner });
  expect(stats.status).toBe(200);
  const members = stats.body.membersByStatus as { date: string; active: number }[];
  const activeLevels = new Set(members.map((d) => d.active));
  expect(activeLevels.size).toBeGreaterThanOrEqual(5);
  expect(members.at(-1)).toMatchObject({ lapsed: 1, past_due: 1, cancelled: 1 });
  expect((stats.body.duesByMonth as { amount: number }[]).filter((m) => m.amount > 0).length).toBeGreaterThanOrEqual(4);
  expect((stats.body.renewalsDue as { count: number }[]).reduce((n, r) => n + r.count, 0)).toBeGreaterThan(0);
  // The member: matches with reasons (and "introduce us") on the account, one connection.
  const member = await tokenFor(out.emails.member);
  const mine = await call('GET', `/events/${out.events.past}/matches/me`, { token: member });
  expect(mine.status).toBe(200);
  expect(mine.body.items.length).toBeGreaterThan(0);
  expect(mine.body.items[0].sentences.length).toBeGreaterThan(0);
  const account = await html('/account', out.emails.member);
  expect(account).toContain('Introduce us');
  expect(account).toContain('You rated this introduction');
  const network = await call('GET', '/me/connections', { token: member });
  expect(network.status).toBe(200);
  expect(network.body.items.length).toBeGreaterThanOrEqual(1);
  // A matched pair who both came and have not said anything yet (the connections journey's).
  expect(out.pastEvent.unmetPair).toHaveLength(2);
  const [x, y] = out.pastEvent.unmetPair;
  const theirs = await call('GET', `/events/${out.events.past}/matches/me`, { token: await tokenFor(x!.email) });
  expect(theirs.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ person: expect.objectContaining({ name: y!.name }), feedback: null })]));
  const door = await call('GET', `/events/${out.events.past}/attendees?limit=50`, { token: owner });
  expect(door.status).toBe(200);
  const checked = (door.body.items as { email: string; checkedInAt: string | null }[]).filter((a) => a.checkedInAt).map((a) => a.email);
  expect(checked).toEqual(expect.arrayContaining([x!.email, y!.email]));
  // The mixer is left for the organizer to preview and send (the walkthrough does).
  const mixer = await call('GET', `/events/${out.events.mixer}/matches`, { token: owner });
  expect(mixer.body.items ?? []).toEqual([]);
}

describe('npm run seed', () => {
  it('leaves every page worth looking at, and a second run makes a second set', async () => {
    const first = await runSeed();
    expect(first.out.urls.length).toBeGreaterThanOrEqual(8);
    // Everything printed is on this stack, and printed.
    for (const u of first.out.urls) {
      expect(u.url.startsWith(api())).toBe(true);
      expect(first.stdout).toContain(u.url);
    }
    for (const e of Object.values(first.out.emails)) expect(first.stdout).toContain(e);
    await expectUrlsAnswer(first.out);
    // Members in several statuses and a refund for the dashboard's filters and ledger.
    expect(Object.keys(first.out.statuses)).toEqual(expect.arrayContaining(['active', 'pending', 'past_due', 'cancelled']));
    const owner = await tokenFor(first.out.emails.owner);
    const ledger = await call('GET', `/associations/${first.out.associationId}/payments?limit=100`, { token: owner });
    expect(ledger.status).toBe(200);
    expect(ledger.body.items.map((p: { type: string }) => p.type)).toEqual(expect.arrayContaining(['refund']));
    // The organizer of the printed event page is who the seed says.
    const organizerPage = first.out.urls.find((u) => u.url.includes('/manage/events/'))!;
    expect(organizerPage.as).toBe(first.out.emails.organizer);

    await expectContent(first.out, owner);

    const second = await runSeed();
    expect(second.out.slug).not.toBe(first.out.slug);
    await expectUrlsAnswer(second.out);
    await expectContent(second.out, owner);
  }, 300_000);
});
