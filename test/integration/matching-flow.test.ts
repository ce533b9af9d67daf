/**
 * Matchmaking end to end, over HTTP on the local stack: 24 attendees with varied profiles
 * (four opted out, two colleagues with perfectly complementary profiles), a preview that
 * stores and mails nothing, one send with exactly one "People to meet" mail per matched
 * attendee, each attendee's own matches, "Introduce us" links with one mail to both,
 * feedback and the organizer's figures, and a second event that neither repeats a pair
 * nor mails someone who unsubscribed from introductions.
 */
import { call, signIn, type Res } from '../support/http.js';
import { buildAssociation, errorPaths, expectProblem, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { addressedTo, createEvent, mailsTo, recipient, settledMail, sleep, subjectStarts, uniqueLabel, waitForMail, type EventView, type SentMail } from '../support/events.js';
import {
  allGoing,
  cardsOf,
  feedback,
  introduceLink,
  listUnsubscribeUrl,
  matchIdOf,
  matchMailSubject,
  matchmakingEvent,
  myMatches,
  pairOf,
  partnersOf,
  pathOf,
  people,
  preview,
  sendMatches,
  storedMatches,
  violations,
  vocabulary,
  type Person,
  type ProfileInput,
  type StoredMatchView,
} from '../support/matching.js';

const K = 2;
const label = uniqueLabel('mflow');
const title1 = `Spring mixer ${label}`;
const title2 = `Summer mixer ${label}`;

const firstNames = ['Ada', 'Boris', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Marco', 'Nadia', 'Oscar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wim', 'Xenia'];
const industries = ['fintech', 'healthtech', 'climate', 'education', 'retail'];
const interests = ['ai', 'batteries', 'design', 'open source', 'sustainability', 'marketing', 'biotech', 'robotics'];
const skills = ['python', 'sales', 'fundraising', 'ux', 'data science', 'law', 'operations'];
const OPTED_OUT = [20, 21, 22, 23];

/**
 * 24 profiles. 0 and 1 work at the same company and want exactly what the other offers;
 * 2 spells that company in capitals. 20-23 opted out, with profiles many would match.
 */
function profiles(v: string[]): ProfileInput[] {
  const at = (i: number) => v[((i % v.length) + v.length) % v.length]!;
  return firstNames.map((first, i) => {
    const base: ProfileInput = {
      name: `${first} ${label.slice(-4)}`,
      headline: `${first} builds ${industries[i % industries.length]} products`,
      company: `Company ${i}`,
      jobTitle: i % 2 ? 'Founder' : 'Engineer',
      industry: industries[i % industries.length],
      skills: [skills[i % skills.length]!, skills[(i + 2) % skills.length]!],
      interests: [interests[i % interests.length]!, interests[(i + 3) % interests.length]!],
      offers: [at(i), at(i + 5)],
      seeks: [at(i + 3), at(i + 7)],
      matchOptIn: !OPTED_OUT.includes(i),
    };
    if (i === 0 || i === 1) {
      // Colleagues, each offering exactly what the other seeks, with everything else in common.
      const give = [v[0]!, v[1]!];
      const want = [v[2]!, v[3]!];
      return { ...base, company: 'Acme Robotics', industry: 'robotics', skills: ['python', 'sales'], interests: ['robotics', 'ai'], offers: i === 0 ? give : want, seeks: i === 0 ? want : give };
    }
    if (i === 2) return { ...base, company: 'ACME ROBOTICS' };
    // Opted-out people offer what nearly everyone seeks.
    if (OPTED_OUT.includes(i)) return { ...base, offers: v.slice(0, 6), seeks: v.slice(6, 12), interests: [...interests], skills: [...skills] };
    return base;
  });
}

let fx: AssociationFixture;
let crowd: Person[];
let byId: Map<string, Person>;
let optedIn: Map<string, Person>;
let e1: EventView;
let stored1: StoredMatchView[];
/** Each matched attendee's one mail for event 1. */
const mail1 = new Map<string, SentMail>();
let otherEvent: EventView;

const nameOf = (id: string) => byId.get(id)?.profile.name ?? id;
const isMatchMail = (title: string) => subjectStarts(matchMailSubject(title));

beforeAll(async () => {
  fx = await buildAssociation();
  const v = await vocabulary();
  expect(v).toEqual(expect.arrayContaining(['mentoring', 'hiring', 'job', 'investment', 'cofounder', 'customers', 'partnership', 'advice', 'speaking']));
  crowd = await people(label, profiles(v), { associationId: fx.associationId, planId: fx.freePlanId });
  byId = new Map(crowd.map((p) => [p.userId, p]));
  optedIn = new Map(crowd.filter((p) => p.profile.matchOptIn).map((p) => [p.userId, p]));
  // Far enough ahead that no other test's schedules fire it; members only.
  const day = 30 + Math.floor(Math.random() * 100);
  const startsAt = new Date(Math.floor((Date.now() + day * 86_400_000) / 60_000) * 60_000 + 17 * 60_000).toISOString();
  e1 = await matchmakingEvent(fx.organizer, fx.associationId, { title: title1, visibility: 'members', startsAt, endsAt: new Date(Date.parse(startsAt) + 3 * 3_600_000).toISOString() });
  otherEvent = await createEvent(fx.organizer, fx.associationId, { title: `Unrelated ${label}`, visibility: 'members' });
  await allGoing(crowd, e1.eventId);
}, 120_000);

describe('1. preview, then one send', () => {
  let previewed: { a: { userId: string; name: string }; b: { userId: string; name: string }; score: number; reasons: unknown[]; sentences: string[] }[];

  it('the preview gives figures and matches with sentences', async () => {
    const res = expectStatus(await preview(fx.organizer.token, e1.eventId), 200, 'preview');
    expect(res.body.figures).toEqual(
      expect.objectContaining({ attendees: optedIn.size, matched: expect.any(Number), withK: expect.any(Number), totalScore: expect.any(Number), candidatePairs: expect.any(Number), coverable: expect.any(Number) }),
    );
    previewed = res.body.matches;
    expect(previewed.length).toBeGreaterThanOrEqual(optedIn.size / 2);
    expect(res.body.figures.matched).toBeGreaterThanOrEqual(optedIn.size - 2);
    expect(res.body.figures.matched).toBe(partnersOf(previewed.map((m) => ({ a: m.a.userId, b: m.b.userId }))).size);
    for (const m of previewed) {
      expect(m.a.name).toBe(nameOf(m.a.userId));
      expect(m.b.name).toBe(nameOf(m.b.userId));
      expect(m.score).toBeGreaterThan(0);
      expect(m.reasons.length).toBeGreaterThan(0);
      expect(m.sentences.length).toBeGreaterThan(0);
      for (const s of m.sentences) expect(s).toMatch(/^[A-Z].{5,}/);
    }
    expect(violations(previewed.map((m) => ({ a: m.a.userId, b: m.b.userId })), optedIn, K)).toEqual([]);
  });

  it('the preview stored nothing and mailed nobody', async () => {
    const view = await storedMatches(fx.organizer.token, e1.eventId);
    expect(view.items).toEqual([]);
    expect(view.run).toBeNull();
    expect(view.stats).toMatchObject({ matches: 0, acceptanceRate: null, introRate: null, feedbackCount: 0 });
    for (const p of crowd) expect(await myMatches(p.token, e1.eventId).then((r) => r.body)).toEqual({ items: [] });
    await sleep(1500);
    expect((await mailsTo(label)).filter(isMatchMail(title1))).toEqual([]);
  });

  it('the send stores the matches the preview showed', async () => {
    const res = expectStatus(await sendMatches(fx.organizer.token, e1.eventId), 200, 'send');
    const view = await storedMatches(fx.organizer.token, e1.eventId);
    stored1 = view.items;
    expect(res.body).toMatchObject({ matches: stored1.length, mailsQueued: partnersOf(stored1).size });
    expect(view.run).toMatchObject({ status: 'sent', startedBy: fx.organizer.userId });
    expect(stored1.map((m) => pairOf(m.a, m.b)).sort()).toEqual(previewed.map((m) => pairOf(m.a.userId, m.b.userId)).sort());
    for (const m of stored1) {
      expect(m.matchId).toBe(matchIdOf(m.a, m.b));
      expect(m).toMatchObject({ introRequestedBy: [], introSentAt: null, feedback: {} });
      expect(m.reasons.length).toBeGreaterThan(0);
    }
  });

  it('no self or duplicate pair, nobody over k, no colleagues, no opted-out person', () => {
    expect(violations(stored1, optedIn, K)).toEqual([]);
    const [colleagueA, colleagueB, capitals] = crowd;
    const pairs = new Set(stored1.map((m) => pairOf(m.a, m.b)));
    expect(pairs.has(pairOf(colleagueA!.userId, colleagueB!.userId))).toBe(false);
    expect(pairs.has(pairOf(colleagueA!.userId, capitals!.userId))).toBe(false);
    expect(pairs.has(pairOf(colleagueB!.userId, capitals!.userId))).toBe(false);
    const matched = new Set(stored1.flatMap((m) => [m.a, m.b]));
    for (const i of OPTED_OUT) expect({ who: crowd[i]!.profile.name, matched: matched.has(crowd[i]!.userId) }).toEqual({ who: crowd[i]!.profile.name, matched: false });
  });

  it('each matched attendee gets exactly one mail naming their matches, with reasons and an "Introduce us" link; nobody else gets one', async () => {
    const partners = partnersOf(stored1);
    const mails = await settledMail(label, isMatchMail(title1), partners.size, 2500, 30_000);
    const byRecipient = new Map<string, SentMail[]>();
    for (const m of mails) {
      expect(m.destination.to).toHaveLength(1);
      byRecipient.set(recipient(m), [...(byRecipient.get(recipient(m)) ?? []), m]);
    }
    for (const p of crowd) {
      const got = byRecipient.get(p.email.toLowerCase()) ?? [];
      expect({ who: p.profile.name, mails: got.length }).toEqual({ who: p.profile.name, mails: partners.has(p.userId) ? 1 : 0 });
      if (got[0]) mail1.set(p.userId, got[0]);
    }
    for (const [userId, others] of partners) {
      const m = mail1.get(userId)!;
      expect(m.subject).toBe(matchMailSubject(title1));
      expect(m.body.text).toContain(`Hello ${nameOf(userId)},`);
      listUnsubscribeUrl(m);
      const cards = cardsOf(m);
      expect(cards.map((c) => c.name).sort()).toEqual(others.map(nameOf).sort());
      const mine = expectStatus(await myMatches(byId.get(userId)!.token, e1.eventId), 200, 'my matches').body.items as { matchId: string; person: { userId: string }; sentences: string[] }[];
      for (const c of cards) {
        const other = crowd.find((p) => p.profile.name === c.name)!;
        expect(c.detail).toContain(other.profile.company!);
        expect(c.detail).toContain(other.profile.headline!);
        expect(c.reasons.length).toBeGreaterThan(0);
        expect(c.reasons).toEqual(mine.find((x) => x.person.userId === other.userId)!.sentences);
        const link = introduceLink(c.introduceUrl);
        expect(link).toMatchObject({ eventId: e1.eventId, matchId: matchIdOf(userId, other.userId) });
        expect(m.body.html).toContain('Introduce us');
      }
    }
  });

  it('a second send is refused (409) and mails nothing more', async () => {
    const again = await sendMatches(fx.organizer.token, e1.eventId);
    expectProblem(again, 409);
    expect((await storedMatches(fx.organizer.token, e1.eventId)).items).toHaveLength(stored1.length);
    const mails = await settledMail(label, isMatchMail(title1), mail1.size, 2000);
    expect(mails).toHaveLength(mail1.size);
  });
});

describe("2. an attendee's own matches", () => {
  it('an attendee sees their matches, with the other person and the sentences, and nobody else’s', async () => {
    const partners = partnersOf(stored1);
    for (const [userId, others] of [...partners].slice(0, 6)) {
      const res = expectStatus(await myMatches(byId.get(userId)!.token, e1.eventId), 200, 'my matches');
      const items = res.body.items as { matchId: string; person: { userId: string; name: string; company: string | null; headline: string | null }; sentences: string[]; introRequested: boolean; introduced: boolean; feedback: unknown }[];
      expect(items.map((i) => i.person.userId).sort()).toEqual([...others].sort());
      for (const i of items) {
        const other = byId.get(i.person.userId)!;
        expect(i).toMatchObject({ matchId: matchIdOf(userId, other.userId), introRequested: false, introduced: false, feedback: null });
        expect(i.person).toMatchObject({ name: other.profile.name, company: other.profile.company, headline: other.profile.headline });
        expect(i.sentences.length).toBeGreaterThan(0);
      }
      // Nothing about the caller's matches' other matches, and no emails.
      expect(res.text).not.toContain('@example.test');
    }
  });

  it('an opted-out attendee, and a member who is not going, get an empty list', async () => {
    for (const u of [crowd[OPTED_OUT[0]!]!, fx.member, fx.organizer]) {
      const res = await myMatches(u.token, e1.eventId);
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { items: [] } });
    }
  });

  it('outsiders of a members-only event are refused; without a token, 401', async () => {
    const outsider = await signIn('mflow-outsider');
    expectProblem(await myMatches(outsider.token, e1.eventId), 403);
    expectProblem(await myMatches(undefined, e1.eventId), 401);
    expectProblem(await myMatches(fx.member.token, '01HZZZZZZZZZZZZZZZZZZZZZZZ'), 404);
  });
});

/** Two matches: one both sides ask to be introduced, one only one side asks. */
let both: StoredMatchView;
let half: StoredMatchView;

/** The "Introduce us" link `userId` got for `match`. */
function linkOf(userId: string, match: StoredMatchView): string {
  const other = match.a === userId ? match.b : match.a;
  const card = cardsOf(mail1.get(userId)!).find((c) => c.name === nameOf(other));
  if (!card) throw new Error(`${nameOf(userId)}'s mail has no card for ${nameOf(other)}`);
  return card.introduceUrl;
}

const isIntro = subjectStarts('Introduction: ');

describe('3. "Introduce us"', () => {
  beforeAll(() => {
    both = stored1[0]!;
    // A match sharing nobody with the first, so its mails are told apart.
    half = stored1.find((m) => ![m.a, m.b].some((id) => id === both.a || id === both.b))!;
  });

  it('GET on the link only shows a page with a form; nothing is recorded', async () => {
    const res = await call('GET', pathOf(linkOf(both.a, both)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<form method="post" action="\?token=[^"]+"><button type="submit">Introduce us<\/button><\/form>/);
    const after = (await storedMatches(fx.organizer.token, e1.eventId)).items.find((m) => m.matchId === both.matchId)!;
    expect(after).toMatchObject({ introRequestedBy: [], introSentAt: null });
  });

  it('the first side to ask is told to wait for the other; asking again changes nothing', async () => {
    const first = await call('POST', pathOf(linkOf(both.a, both)));
    expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: { introduced: false, waitingForOtherSide: true } });
    const again = await call('POST', pathOf(linkOf(both.a, both)));
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: { introduced: false, waitingForOtherSide: true } });
    const h = await call('POST', pathOf(linkOf(half.b, half)));
    expect(h.body).toEqual({ introduced: false, waitingForOtherSide: true });
    const view = (await storedMatches(fx.organizer.token, e1.eventId)).items;
    expect(view.find((m) => m.matchId === both.matchId)).toMatchObject({ introRequestedBy: [both.a], introSentAt: null });
    expect(view.find((m) => m.matchId === half.matchId)).toMatchObject({ introRequestedBy: [half.b], introSentAt: null });
  });

  it('when the other side asks, exactly one mail goes to both of them', async () => {
    const second = await call('POST', pathOf(linkOf(both.b, both)));
    expect({ status: second.status, body: second.body }).toEqual({ status: 200, body: { introduced: true, queued: true } });
    const a = byId.get(both.a)!;
    const b = byId.get(both.b)!;
    const mails = await settledMail(a.email, isIntro, 1, 2000);
    expect(mails).toHaveLength(1);
    const [intro] = mails;
    expect(intro!.destination.to.map((x) => x.toLowerCase()).sort()).toEqual([a.email, b.email].map((x) => x.toLowerCase()).sort());
    expect(addressedTo(await mailsTo(b.email), b.email).filter(isIntro).map((m) => m.messageId)).toEqual([intro!.messageId]);
    expect(intro!.subject).toContain(a.profile.name);
    expect(intro!.subject).toContain(b.profile.name);
    expect(intro!.subject).toContain(title1);
    expect(intro!.body.text).toContain(a.email);
    expect(intro!.body.text).toContain(b.email);
    // The one-sided match mailed nobody.
    for (const id of [half.a, half.b]) expect(addressedTo(await mailsTo(byId.get(id)!.email), byId.get(id)!.email).filter(isIntro)).toEqual([]);
  });

  it('asking again, from either side, sends nothing more', async () => {
    for (const link of [linkOf(both.a, both), linkOf(both.b, both), linkOf(both.a, both)]) {
      const res = await call('POST', pathOf(link));
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { introduced: true, waitingForOtherSide: false } });
    }
    const a = byId.get(both.a)!;
    expect(await settledMail(a.email, isIntro, 1, 2000)).toHaveLength(1);
    const view = (await storedMatches(fx.organizer.token, e1.eventId)).items.find((m) => m.matchId === both.matchId)!;
    expect(view.introRequestedBy.sort()).toEqual([both.a, both.b].sort());
    expect(view.introSentAt).toEqual(expect.any(String));
    const mine = (await myMatches(a.token, e1.eventId)).body.items.find((i: { matchId: string }) => i.matchId === both.matchId);
    expect(mine).toMatchObject({ introRequested: true, introduced: true });
  });

  it('a link used for another match or another event, a forged one or none: 400, naming the token', async () => {
    const { token, matchId } = introduceLink(linkOf(both.a, both));
    const attempts: Res[] = [];
    for (const method of ['GET', 'POST']) {
      attempts.push(await call(method, `/events/${e1.eventId}/matches/${half.matchId}/introduce?token=${encodeURIComponent(token)}`));
      attempts.push(await call(method, `/events/${otherEvent.eventId}/matches/${matchId}/introduce?token=${encodeURIComponent(token)}`));
      attempts.push(await call(method, `/events/${e1.eventId}/matches/${matchId}/introduce?token=${encodeURIComponent(`${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`)}`));
      attempts.push(await call(method, `/events/${e1.eventId}/matches/${matchId}/introduce?token=not-a-link-at-all`));
      attempts.push(await call(method, `/events/${e1.eventId}/matches/${matchId}/introduce`));
    }
    for (const res of attempts) {
      expectProblem(res, 400);
      expect(errorPaths(res)).toContain('token');
    }
    const view = (await storedMatches(fx.organizer.token, e1.eventId)).items.find((m) => m.matchId === half.matchId)!;
    expect(view.introRequestedBy).toEqual([half.b]);
  });
});

describe('4. feedback and the organizer’s figures', () => {
  it('people in the match rate it', async () => {
    const ok = [
      [both.a, both, { rating: 5, met: true }],
      [both.b, both, { rating: 4, met: true }],
      [half.a, half, { rating: 2, met: false }],
    ] as const;
    for (const [userId, m, body] of ok) {
      const res = await feedback(byId.get(userId)!.token, e1.eventId, m.matchId, body);
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { matchId: m.matchId, ...body } });
    }
    const mine = (await myMatches(byId.get(both.a)!.token, e1.eventId)).body.items.find((i: { matchId: string }) => i.matchId === both.matchId);
    expect(mine.feedback).toMatchObject({ rating: 5, met: true });
  });

  it('anyone else gets 404, as if the match did not exist', async () => {
    const outsider = crowd.find((p) => optedIn.has(p.userId) && p.userId !== both.a && p.userId !== both.b)!;
    for (const u of [outsider, fx.organizer, fx.owner, crowd[OPTED_OUT[0]!]!]) expectProblem(await feedback(u.token, e1.eventId, both.matchId, { rating: 1, met: false }), 404);
    // A pair that was never matched, and the right pair at another event.
    const stranger = crowd.find((p) => p.userId !== both.a && !partnersOf(stored1).get(both.a)!.includes(p.userId))!;
    expectProblem(await feedback(byId.get(both.a)!.token, e1.eventId, matchIdOf(both.a, stranger.userId), { rating: 1, met: false }), 404);
    expectProblem(await feedback(byId.get(both.a)!.token, otherEvent.eventId, both.matchId, { rating: 1, met: false }), 404);
  });

  it('a rating outside 1-5 or not a number, a missing met or an unknown field: 400 naming the field', async () => {
    const token = byId.get(both.a)!.token;
    const bad: [unknown, string][] = [
      [{ rating: 0, met: true }, 'rating'],
      [{ rating: 6, met: true }, 'rating'],
      [{ rating: '5', met: true }, 'rating'],
      [{ rating: 4.5, met: true }, 'rating'],
      [{ rating: 3 }, 'met'],
      [{ rating: 3, met: 'yes' }, 'met'],
    ];
    for (const [body, path] of bad) {
      const res = await feedback(token, e1.eventId, both.matchId, body);
      expectProblem(res, 400);
      expect({ body, paths: errorPaths(res) }).toEqual({ body, paths: expect.arrayContaining([path]) });
    }
    expectProblem(await feedback(token, e1.eventId, both.matchId, { rating: 3, met: true, comment: 'nice' }), 400);
    expectProblem(await call('POST', `/events/${e1.eventId}/matches/${both.matchId}/feedback`, { token, raw: '{"rating":', headers: { 'content-type': 'application/json' } }), 400);
  });

  it('the organizer sees acceptance, intro and met rates and the average rating of what happened', async () => {
    const view = await storedMatches(fx.organizer.token, e1.eventId);
    const n = stored1.length;
    const r = (x: number) => Math.round(x * 1000) / 1000;
    expect(view.stats).toEqual({ matches: n, acceptanceRate: r(2 / n), introRate: r(1 / n), feedbackCount: 3, metRate: r(2 / 3), averageRating: r(11 / 3) });
    expect(view.items.find((m) => m.matchId === both.matchId)!.feedback).toEqual({ a: expect.objectContaining({ rating: both.a < both.b ? 5 : 4 }), b: expect.objectContaining({ rating: both.a < both.b ? 4 : 5 }) });
  });

  it('the organizer routes are for staff only', async () => {
    const attendee = byId.get(both.a)!.token;
    expectProblem(await call('GET', `/events/${e1.eventId}/matches`, { token: attendee }), 403);
    expectProblem(await preview(attendee, e1.eventId), 403);
    expectProblem(await sendMatches(attendee, e1.eventId), 403);
  });
});

describe('5 and 7. the next event: no pair again, and no mail to whoever unsubscribed', () => {
  let e2: EventView;
  let unsubscribed: Person;

  beforeAll(async () => {
    e2 = await matchmakingEvent(fx.organizer, fx.associationId, { title: title2, visibility: 'members' });
    await allGoing(crowd, e2.eventId);
  }, 60_000);

  it('the preview of the second event repeats no pair of the first', async () => {
    const res = expectStatus(await preview(fx.organizer.token, e2.eventId), 200, 'preview 2');
    const pairs = (res.body.matches as { a: { userId: string }; b: { userId: string } }[]).map((m) => ({ a: m.a.userId, b: m.b.userId }));
    expect(pairs.length).toBeGreaterThan(0);
    const before = new Set(stored1.map((m) => pairOf(m.a, m.b)));
    expect(pairs.filter((m) => before.has(pairOf(m.a, m.b))).map((m) => `${nameOf(m.a)} / ${nameOf(m.b)}`)).toEqual([]);
    expect(violations(pairs, optedIn, K)).toEqual([]);
    // Someone matched again, who got a mail the first time, unsubscribes from introductions.
    const again = partnersOf(pairs);
    unsubscribed = crowd.find((p) => again.has(p.userId) && mail1.has(p.userId))!;
    expect(unsubscribed).toBeDefined();
  });

  it("one-click unsubscribe from the first mail's List-Unsubscribe URL", async () => {
    const url = listUnsubscribeUrl(mail1.get(unsubscribed.userId)!);
    const res = await call('POST', pathOf(url), { raw: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
  });

  it('the send of the second event repeats no pair and mails everyone matched but the one who unsubscribed', async () => {
    expectStatus(await sendMatches(fx.organizer.token, e2.eventId), 200, 'send 2');
    const stored2 = (await storedMatches(fx.organizer.token, e2.eventId)).items;
    expect(stored2.length).toBeGreaterThan(0);
    const before = new Set(stored1.map((m) => pairOf(m.a, m.b)));
    expect(stored2.filter((m) => before.has(pairOf(m.a, m.b))).map((m) => `${nameOf(m.a)} / ${nameOf(m.b)}`)).toEqual([]);
    expect(violations(stored2, optedIn, K)).toEqual([]);

    const partners = partnersOf(stored2);
    expect(partners.has(unsubscribed.userId)).toBe(true);
    const mails = await settledMail(label, isMatchMail(title2), partners.size - 1, 2500, 30_000);
    const got = new Map<string, number>();
    for (const m of mails) got.set(recipient(m), (got.get(recipient(m)) ?? 0) + 1);
    for (const p of crowd) {
      const want = partners.has(p.userId) && p.userId !== unsubscribed.userId ? 1 : 0;
      expect({ who: p.profile.name, mails: got.get(p.email.toLowerCase()) ?? 0 }).toEqual({ who: p.profile.name, mails: want });
    }
  });

  it('the unsubscribed attendee still gets other mail (an RSVP confirmation)', async () => {
    const e3 = await createEvent(fx.organizer, fx.associationId, { title: `After unsubscribing ${label}` });
    await allGoing([unsubscribed], e3.eventId);
    await waitForMail(unsubscribed.email, { filter: (m) => m.subject.includes(`After unsubscribing ${label}`) });
  });
});
