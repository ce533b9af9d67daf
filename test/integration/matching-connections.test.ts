/**
 * Connections feed matching, over HTTP against DynamoDB Local: two attendees already
 * connected are never matched, and two who both know someone (and both let matches see
 * who they know) get "You both know Dana Li"; an attendee who keeps their network private
 * gets no such reason, and the organizer's views never name the mutual connection.
 */
import { call } from '../support/http.js';
import { buildAssociation, expectStatus, type AssociationFixture, type User } from '../support/fixtures.js';
import { uniqueLabel } from '../support/events.js';
import { allGoing, matchmakingEvent, myMatches, pairOf, people, preview, sendMatches, storedMatches, putProfile, type Person } from '../support/matching.js';

const label = uniqueLabel('mconn');
let fx: AssociationFixture;
let ana: Person, ben: Person, cy: Person, dee: Person, eve: Person, dana: Person;
let eventId: string;

/** A connection asked by `from` and accepted by `to`, through the API. */
async function connect(from: User, to: User) {
  const askRes = expectStatus(await call('POST', `/associations/${fx.associationId}/connections`, { token: from.token, body: { userId: to.userId } }), 201, 'ask');
  expectStatus(await call('POST', `/me/connections/${askRes.body.connectionId}/accept`, { token: to.token }), 200, 'accept');
}

const seeNetwork = (u: Person, network: boolean) => call('PUT', '/me/profile', { token: u.token, body: { ...u.profile, connectionsSee: { email: false, company: true, network } } });

beforeAll(async () => {
  fx = await buildAssociation();
  [ana, ben, cy, dee, eve, dana] = await people(
    label,
    [
      // Ana and Ben would be the best pair of the event, but they are connected already.
      { name: 'Ana Conn', offers: ['mentoring'], seeks: ['investment'], interests: ['climate', 'solar'], matchOptIn: true },
      { name: 'Ben Conn', offers: ['investment'], seeks: ['mentoring'], interests: ['climate', 'solar'], matchOptIn: true },
      { name: 'Cy Conn', offers: ['hiring'], seeks: ['job'], interests: ['music'], matchOptIn: true },
      { name: 'Dee Conn', offers: ['job'], seeks: ['hiring'], interests: ['music'], matchOptIn: true },
      { name: 'Eve Conn', offers: ['job', 'advice'], seeks: ['hiring'], interests: ['music'], matchOptIn: true },
      // Dana does not attend; Cy, Dee and Eve know her.
      { name: 'Dana Li', matchOptIn: false },
    ],
    { associationId: fx.associationId, planId: fx.freePlanId },
  );
  await connect(ana, ben);
  for (const p of [cy, dee, eve]) await connect(p, dana);
  for (const p of [cy, dee]) expectStatus(await seeNetwork(p, true), 200, 'network visible');
  // Eve keeps the default (private); Dana's own setting does not matter.
  const e = await matchmakingEvent(fx.organizer, fx.associationId, { title: `Mutual ${label}` }, { matchesPerAttendee: 2 });
  eventId = e.eventId;
  await allGoing([ana, ben, cy, dee, eve], eventId);
  expectStatus(await sendMatches(fx.organizer.token, eventId), 200, 'send matches');
}, 90_000);

const mutualOf = (reasons: { kind: string; name?: string }[]) => reasons.filter((r) => r.kind === 'mutual_connection').map((r) => r.name);

it('the profile keeps the network setting, private by default', async () => {
  const got = expectStatus(await call('GET', '/me/profile', { token: eve.token }), 200, 'profile').body;
  expect(got.connectionsSee).toEqual({ email: false, company: true, network: false });
  expect(expectStatus(await call('GET', '/me/profile', { token: cy.token }), 200, 'profile').body.connectionsSee.network).toBe(true);
});

it('connected attendees are never introduced, however well they fit', async () => {
  const { items } = await storedMatches(fx.organizer.token, eventId);
  expect(items.length).toBeGreaterThan(0);
  expect(items.map((m) => pairOf(m.a, m.b))).not.toContain(pairOf(ana.userId, ben.userId));
  expect((await preview(fx.organizer.token, eventId)).body.matches.map((m: { a: { userId: string }; b: { userId: string } }) => pairOf(m.a.userId, m.b.userId))).not.toContain(pairOf(ana.userId, ben.userId));
});

it('two who both show their network learn who they both know; the organizer does not', async () => {
  const mine = expectStatus(await myMatches(cy.token, eventId), 200, 'my matches').body.items as { person: { userId: string }; reasons: { kind: string; name?: string }[]; sentences: string[] }[];
  const withDee = mine.find((m) => m.person.userId === dee.userId);
  expect(withDee).toBeDefined();
  expect(mutualOf(withDee!.reasons)).toEqual(['Dana Li']);
  expect(withDee!.sentences).toContain('You both know Dana Li');
  const theirs = expectStatus(await myMatches(dee.token, eventId), 200, 'my matches').body.items as typeof mine;
  expect(theirs.find((m) => m.person.userId === cy.userId)!.sentences).toContain('You both know Dana Li');

  // Organizers see the match and its other reasons, never the name.
  const organizer = await call('GET', `/events/${eventId}/matches?limit=50`, { token: fx.organizer.token });
  expect(organizer.status).toBe(200);
  const cd = (organizer.body.items as { a: string; b: string; reasons: { kind: string }[] }[]).find((m) => pairOf(m.a, m.b) === pairOf(cy.userId, dee.userId));
  expect(cd!.reasons.length).toBeGreaterThan(0);
  expect(mutualOf(cd!.reasons)).toEqual([]);
  expect(organizer.text).not.toContain('Dana Li');
  expect(organizer.text).not.toContain(dana.userId);
  const pre = expectStatus(await preview(fx.organizer.token, eventId), 200, 'preview');
  expect(pre.text).not.toContain('Dana Li');
  expect(pre.text).not.toContain('mutual_connection');
});

it('someone who keeps their network private is matched without naming who they know', async () => {
  const mine = expectStatus(await myMatches(eve.token, eventId), 200, 'my matches').body.items as { reasons: { kind: string }[]; sentences: string[] }[];
  expect(mine.length).toBeGreaterThan(0);
  for (const m of mine) {
    expect(mutualOf(m.reasons)).toEqual([]);
    expect(m.sentences.join(' ')).not.toContain('Dana');
  }
});

it('a member of another association cannot read these matches', async () => {
  const other = await buildAssociation();
  expect((await call('GET', `/events/${eventId}/matches`, { token: other.organizer.token })).status).toBe(403);
});
