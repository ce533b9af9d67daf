/**
 * Matchmaking at `matchmaking.sendAt`: the schedule sends the matches once (mails arrive);
 * moving the event moves the schedule, so firing at the old time sends nothing; a
 * cancelled event's schedule sends nothing. Schedules are fired through the local stand-in
 * for EventBridge Scheduler, POST /dev/schedules/run {"time"}.
 */
import { call } from '../support/http.js';
import { buildAssociation, expectProblem, expectStatus, type AssociationFixture } from '../support/fixtures.js';
import { addHours, mailsTo, settledMail, sleep, subjectStarts, uniqueLabel, type EventView } from '../support/events.js';
import { allGoing, matchMailSubject, matchmakingEvent, partnersOf, people, sendMatches, storedMatches, violations, type Person, type ProfileInput } from '../support/matching.js';

const label = uniqueLabel('msched');
const MINUTE = 60_000;

const runSchedules = async (time: string) => expectStatus(await call('POST', '/dev/schedules/run', { body: { time } }), 200, 'run schedules').body.fired as string[];
const scheduleOf = (e: EventView) => `event-matchmaking-${e.eventId}`;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** Six opted-in people, pairwise complementary, at different companies. */
const profiles: ProfileInput[] = [
  { name: 'Alma Sched', company: 'North', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], skills: ['python'], matchOptIn: true },
  { name: 'Bram Sched', company: 'South', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], skills: ['sales'], matchOptIn: true },
  { name: 'Cleo Sched', company: 'East', offers: ['hiring'], seeks: ['job'], interests: ['design'], skills: ['ux'], matchOptIn: true },
  { name: 'Dirk Sched', company: 'West', offers: ['job'], seeks: ['hiring'], interests: ['design'], skills: ['law'], matchOptIn: true },
  { name: 'Edda Sched', company: 'Up', offers: ['advice', 'customers'], seeks: ['partnership'], interests: ['climate', 'design'], skills: ['python'], matchOptIn: true },
  { name: 'Finn Sched', company: 'Down', offers: ['partnership'], seeks: ['advice', 'customers'], interests: ['climate', 'design'], skills: ['ux'], matchOptIn: true },
];

let fx: AssociationFixture;
let crowd: Person[];
let eligible: Map<string, Person>;
/** A whole minute about two days ahead, at an odd minute no other test uses. */
let base: number;

beforeAll(async () => {
  fx = await buildAssociation();
  crowd = await people(label, profiles, { associationId: fx.associationId, planId: fx.freePlanId });
  eligible = new Map(crowd.map((p) => [p.userId, p]));
  base = Math.floor((Date.now() + 2 * 86_400_000) / MINUTE) * MINUTE + (7 + Math.floor(Math.random() * 40)) * MINUTE;
}, 60_000);

/** An event starting `hoursAfterBase` after the base time, with sendAt 24 h before (unless said), everyone going. */
async function scheduledEvent(title: string, hoursAfterBase: number, opts: { explicitSendAt?: boolean } = { explicitSendAt: true }) {
  const startsAt = new Date(base + hoursAfterBase * 3_600_000).toISOString();
  const sendAt = addHours(startsAt, -24);
  const e = await matchmakingEvent(fx.organizer, fx.associationId, { title, startsAt, endsAt: addHours(startsAt, 2), visibility: 'members' }, opts.explicitSendAt ? { sendAt } : {});
  await allGoing(crowd, e.eventId);
  return { e, sendAt };
}

const matchMails = async (title: string) => (await mailsTo(label)).filter(subjectStarts(matchMailSubject(title)));

describe('matchmaking at sendAt', () => {
  it('fires at sendAt: the matches are sent by the schedule and the mails arrive', async () => {
    const title = `Scheduled ${label}`;
    const { e, sendAt } = await scheduledEvent(title, 0);
    expect(await runSchedules(plus(sendAt, -MINUTE))).not.toContain(scheduleOf(e));
    expect((await storedMatches(fx.organizer.token, e.eventId)).run).toBeNull();

    expect(await runSchedules(plus(sendAt, MINUTE))).toContain(scheduleOf(e));
    const view = await storedMatches(fx.organizer.token, e.eventId);
    expect(view.run).toMatchObject({ status: 'sent', startedBy: 'schedule' });
    expect(view.items.length).toBeGreaterThanOrEqual(3);
    expect(violations(view.items, eligible, 2)).toEqual([]);
    const partners = partnersOf(view.items);
    const mails = await settledMail(label, subjectStarts(matchMailSubject(title)), partners.size, 2000);
    expect(mails.map((m) => m.destination.to[0]!.toLowerCase()).sort()).toEqual(crowd.filter((p) => partners.has(p.userId)).map((p) => p.email.toLowerCase()).sort());

    // Sent once: the organizer's send afterwards is a conflict; firing again does nothing.
    expectProblem(await sendMatches(fx.organizer.token, e.eventId), 409);
    expect(await runSchedules(plus(sendAt, 2 * MINUTE))).not.toContain(scheduleOf(e));
    expect(await settledMail(label, subjectStarts(matchMailSubject(title)), partners.size, 1500)).toHaveLength(partners.size);
  });

  it.each([
    ['with the default sendAt (24 h before the start)', false],
    ['with sendAt given as startsAt − 24 h', true],
  ])('moving the event moves the schedule, %s: the old time sends nothing, the new one sends', async (_name, explicitSendAt) => {
    const title = `Moved ${explicitSendAt ? 'explicit' : 'default'} ${label}`;
    const { e, sendAt } = await scheduledEvent(title, explicitSendAt ? 6 : 3, { explicitSendAt });
    const newStart = addHours(e.startsAt, 72);
    expectStatus(await call('PATCH', `/events/${e.eventId}`, { token: fx.organizer.token, body: { startsAt: newStart, endsAt: addHours(newStart, 2) } }), 200, 'move the event');

    expect(await runSchedules(plus(sendAt, MINUTE))).not.toContain(scheduleOf(e));
    await sleep(1500);
    expect((await storedMatches(fx.organizer.token, e.eventId)).run).toBeNull();
    expect(await matchMails(title)).toEqual([]);

    // The organizer did not change sendAt; the event moved, so introductions go 24 h before the new start.
    expect(await runSchedules(plus(addHours(newStart, -24), MINUTE))).toContain(scheduleOf(e));
    const view = await storedMatches(fx.organizer.token, e.eventId);
    expect(view.run).toMatchObject({ status: 'sent' });
    await settledMail(label, subjectStarts(matchMailSubject(title)), partnersOf(view.items).size, 1000);
  });

  it("a cancelled event's schedule sends nothing", async () => {
    const title = `Cancelled ${label}`;
    const { e, sendAt } = await scheduledEvent(title, 9);
    expectStatus(await call('POST', `/events/${e.eventId}/cancel`, { token: fx.organizer.token }), 200, 'cancel');
    expect(await runSchedules(plus(sendAt, MINUTE))).not.toContain(scheduleOf(e));
    await sleep(1500);
    const view = await storedMatches(fx.organizer.token, e.eventId);
    expect(view.run).toBeNull();
    expect(view.items).toEqual([]);
    expect(await matchMails(title)).toEqual([]);
    // Nor can it be sent by hand.
    expectProblem(await sendMatches(fx.organizer.token, e.eventId), 409);
  });
});
