/**
 * "A run left half-done by a crash is finished by the next call" (services/matching.ts):
 * the send stores the matches and their pair records, then queues the mails, then marks
 * the run sent. Here a crash right after the matches were stored is reproduced by writing
 * exactly what `send` had written by then (the run marker still 'sending', the match and
 * pair items of the computed matches) into the local table; then the organizer sends
 * again over HTTP. The run must finish with the same matches: nobody over k, and each
 * person's one mail listing what is stored for them.
 */
import * as keys from '../../functions/core/data/keys.js';
import { buildAssociation, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { batchWrite, recipient, settledMail, subjectStarts, uniqueLabel, type EventView } from '../support/events.js';
import {
  allGoing,
  cardsOf,
  matchIdOf,
  matchMailSubject,
  matchmakingEvent,
  pairOf,
  partnersOf,
  people,
  preview,
  sendMatches,
  storedMatches,
  violations,
  type Person,
  type ProfileInput,
} from '../support/matching.js';

const label = uniqueLabel('mresume');
const title = `Resumed mixer ${label}`;
const K = 2;

const profiles: ProfileInput[] = ['Anke', 'Bela', 'Cora', 'Dara', 'Eike', 'Fenna', 'Gero', 'Hanna'].map((first, i) => ({
  name: `${first} Resume`,
  company: `Firm ${i}`,
  headline: `${first} works on things`,
  industry: ['energy', 'health'][i % 2],
  interests: ['climate', 'design', 'ai'].slice(i % 3),
  skills: ['python', 'sales', 'law'].slice((i + 1) % 3),
  offers: [['mentoring', 'investment'], ['advice'], ['hiring'], ['job', 'advice']][i % 4],
  seeks: [['advice'], ['mentoring', 'hiring'], ['job'], ['investment']][i % 4],
  matchOptIn: true,
}));

let fx: AssociationFixture;
let crowd: Person[];
let e: EventView;

beforeAll(async () => {
  fx = await buildAssociation();
  crowd = await people(label, profiles, { associationId: fx.associationId, planId: fx.freePlanId });
  e = await matchmakingEvent(fx.organizer, fx.associationId, { title, visibility: 'members' });
  await allGoing(crowd, e.eventId);
}, 60_000);

it('a send that crashed after storing the matches is finished by the next send with the same matches', async () => {
  const computed = expectStatus(await preview(fx.organizer.token, e.eventId), 200, 'preview').body.matches as { a: { userId: string }; b: { userId: string }; score: number; reasons: unknown[] }[];
  expect(computed.length).toBeGreaterThanOrEqual(4);

  // What send() had written when it crashed: the run marker, the matches and their pair records.
  const at = new Date().toISOString();
  await batchWrite([
    { ...keys.matchRun(e.eventId), entity: 'match_run', eventId: e.eventId, status: 'sending', runId: `${e.eventId}.${at}`, startedBy: fx.organizer.userId, at },
    ...computed.map((m) => {
      const [a, b] = [m.a.userId, m.b.userId].sort() as [string, string];
      return { ...keys.match(e.eventId, matchIdOf(a, b)), entity: 'match', matchId: matchIdOf(a, b), eventId: e.eventId, associationId: fx.associationId, a, b, score: m.score, reasons: m.reasons, introRequestedBy: [], feedback: {}, createdAt: at };
    }),
    ...computed.map((m) => {
      const [a, b] = [m.a.userId, m.b.userId].sort() as [string, string];
      return { ...keys.pair(fx.associationId, a, b), entity: 'pair', associationId: fx.associationId, a, b, eventId: e.eventId, at };
    }),
  ]);

  expectStatus(await sendMatches(fx.organizer.token, e.eventId), 200, 'the send after the crash');
  const view = await storedMatches(fx.organizer.token, e.eventId);
  expect(view.run).toMatchObject({ status: 'sent' });
  const eligible = new Map(crowd.map((p) => [p.userId, p]));
  expect(violations(view.items, eligible, K)).toEqual([]);
  expect(view.items.map((m) => pairOf(m.a, m.b)).sort()).toEqual(computed.map((m) => pairOf(m.a.userId, m.b.userId)).sort());

  // Each matched person: one mail, naming exactly the people stored as their matches.
  const partners = partnersOf(view.items);
  const mails = await settledMail(label, subjectStarts(matchMailSubject(title)), partners.size, 2000);
  expect(mails).toHaveLength(partners.size);
  for (const m of mails) {
    const who = crowd.find((p) => p.email.toLowerCase() === recipient(m))!;
    const want = (partners.get(who.userId) ?? []).map((id) => eligible.get(id)!.profile.name).sort();
    expect({ who: who.profile.name, cards: cardsOf(m).map((c) => c.name).sort() }).toEqual({ who: who.profile.name, cards: want });
  }
});
