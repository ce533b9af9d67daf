/**
 * The organizer's event page follows the event's phase at the time of the request: before
 * it, everything; while it runs, no cancelling; once it is over, no matching and no
 * cancelling but still check-in (to record who came); a cancelled event, none of them.
 */
import { eventPhase } from '../../../functions/core/domain/events.js';
import { manageEventPage } from '../../../functions/web/manage-event.js';
import { makeEvent } from '../../support/event-factories.js';

const event = makeEvent({ startsAt: '2026-03-10T18:00:00.000Z', endsAt: '2026-03-10T21:00:00.000Z', matchmaking: { enabled: true, matchesPerAttendee: 3 } });
const at = (iso: string) => new Date(iso);

describe('eventPhase', () => {
  it('is upcoming before the start, under way from the start, over from the end, cancelled whatever the time', () => {
    expect(eventPhase(event, at('2026-03-10T17:59:59.999Z'))).toBe('upcoming');
    expect(eventPhase(event, at('2026-03-10T18:00:00.000Z'))).toBe('under way');
    expect(eventPhase(event, at('2026-03-10T20:59:59.999Z'))).toBe('under way');
    expect(eventPhase(event, at('2026-03-10T21:00:00.000Z'))).toBe('over');
    expect(eventPhase({ ...event, status: 'cancelled' }, at('2026-03-01T00:00:00.000Z'))).toBe('cancelled');
  });
});

describe('the organizer page by phase', () => {
  const render = (e = event, now = at('2026-03-01T12:00:00.000Z')) =>
    manageEventPage({ url: 'https://app.test/manage/events/evt1', user: { name: 'Olga', email: 'o@x.test' }, event: e, phase: eventPhase(e, now), attendees: [], filter: 'going' });
  const status = (html: string) => /<dt>Status<\/dt><dd>([^<]+)<\/dd>/.exec(html)?.[1];

  it('upcoming: status Upcoming, matching, check-in and cancel offered', () => {
    const html = render();
    expect(status(html)).toBe('Upcoming');
    expect(html).toContain('Send matches now');
    expect(html).toContain('action="/manage/events/evt1/check-in"');
    expect(html).toContain('Cancel this event');
  });

  it('under way: matching and check-in, no cancelling', () => {
    const html = render(event, at('2026-03-10T19:00:00.000Z'));
    expect(status(html)).toBe('Under way');
    expect(html).toContain('Send matches now');
    expect(html).toContain('action="/manage/events/evt1/check-in"');
    expect(html).not.toContain('Cancel this event');
  });

  it('over: status Over, no matches to send, no cancelling, check-in still records who came', () => {
    const html = render(event, at('2026-03-11T09:00:00.000Z'));
    expect(status(html)).toBe('Over');
    expect(html).not.toContain('Send matches now');
    expect(html).not.toContain('Preview matches');
    expect(html).toContain('no more introductions are sent');
    expect(html).not.toContain('Cancel this event');
    expect(html).toContain('you can still record who came');
    expect(html).toContain('action="/manage/events/evt1/check-in"');
  });

  it('cancelled: none of them', () => {
    const html = render({ ...event, status: 'cancelled' });
    expect(status(html)).toBe('Cancelled');
    expect(html).not.toContain('Send matches now');
    expect(html).not.toContain('Cancel this event');
    expect(html).not.toContain('action="/manage/events/evt1/check-in"');
  });
});
