/**
 * "Introduce us" for someone who has since cancelled their RSVP. services/matching.ts
 * introduce() refuses (422, "One of you is no longer registered for this event.") when one
 * of the two has no RSVP; a cancelled RSVP is kept with status not_going, so the refusal
 * must look at the status, and the one mail to both must not go out.
 */
import { call } from '../support/http.js';
import { buildAssociation, expectProblem, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { mailsTo, sleep, subjectStarts, uniqueLabel, waitForMail, withdraw, type EventView } from '../support/events.js';
import { allGoing, cardsOf, matchMailSubject, matchmakingEvent, pathOf, people, sendMatches, storedMatches, type Person } from '../support/matching.js';

const label = uniqueLabel('mintro');
const title = `Intro mixer ${label}`;

let fx: AssociationFixture;
let x: Person;
let y: Person;
let e: EventView;

beforeAll(async () => {
  fx = await buildAssociation();
  [x, y] = await people(label, [
    { name: 'Xavi Intro', company: 'Xco', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], matchOptIn: true },
    { name: 'Yara Intro', company: 'Yco', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], matchOptIn: true },
  ], { associationId: fx.associationId, planId: fx.freePlanId }) as [Person, Person];
  e = await matchmakingEvent(fx.organizer, fx.associationId, { title, visibility: 'members' }, { matchesPerAttendee: 1 });
  await allGoing([x, y], e.eventId);
  expectStatus(await sendMatches(fx.organizer.token, e.eventId), 200, 'send');
}, 60_000);

it('once one of the two has cancelled their RSVP, asking for the introduction is refused (422) and no mail goes out', async () => {
  const [mx] = await waitForMail(x.email, { filter: subjectStarts(matchMailSubject(title)) });
  const [my] = await waitForMail(y.email, { filter: subjectStarts(matchMailSubject(title)) });
  const [cx] = cardsOf(mx!);
  const [cy] = cardsOf(my!);
  expect([cx!.name, cy!.name]).toEqual([y.profile.name, x.profile.name]);

  expectStatus(await withdraw(y, e.eventId), 200, 'Yara cancels her RSVP');
  // Refused before anything is recorded, whichever side asks.
  const first = await call('POST', pathOf(cx!.introduceUrl));
  expectProblem(first, 422);
  const second = await call('POST', pathOf(cy!.introduceUrl));
  expectProblem(second, 422);

  await sleep(2000);
  expect((await mailsTo(label)).filter(subjectStarts('Introduction: '))).toEqual([]);
  const [m] = (await storedMatches(fx.organizer.token, e.eventId)).items;
  expect(m!.introSentAt).toBeNull();
});
