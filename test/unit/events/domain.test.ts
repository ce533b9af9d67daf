/**
 * The event rules free of I/O: answers to questions, when RSVPs close, who may see a
 * members-only event, waitlist order, what counts as a change attendees hear about,
 * when the reminder goes, and the counts people see.
 */
import {
  canSee,
  eventView,
  materialChange,
  reminderAt,
  rsvpClosed,
  spotsLeft,
  validateAnswers,
  waitKey,
  type Question,
} from '../../../functions/core/domain/events.js';
import type { MemberStatus, Role } from '../../../functions/core/domain/roles.js';
import { makeMember } from '../../support/factories.js';
import { makeEvent } from '../../support/event-factories.js';

describe('validateAnswers', () => {
  const questions: Question[] = [
    { id: 'diet', label: 'Dietary needs', type: 'text', required: false },
    { id: 'company', label: 'Company', type: 'text', required: true },
    { id: 'track', label: 'Track', type: 'single', required: true, options: ['web', 'data', 'ops'] },
    { id: 'topics', label: 'Topics', type: 'multiple', required: false, options: ['ai', 'cloud', 'security'] },
  ];
  const valid = { company: 'Acme', track: 'web' };

  it('accepts complete, valid answers, optional ones left out', () => {
    expect(validateAnswers(questions, valid)).toEqual([]);
    expect(validateAnswers(questions, { ...valid, diet: 'vegan', topics: ['ai', 'cloud'] })).toEqual([]);
  });

  it('names an answer to a question the event does not ask', () => {
    expect(validateAnswers(questions, { ...valid, shoeSize: '42' })).toEqual([{ path: 'answers.shoeSize', message: 'is not a question of this event' }]);
  });

  it('requires required questions: missing, blank text and an empty choice all count as unanswered', () => {
    expect(validateAnswers(questions, { track: 'web' })).toEqual([{ path: 'answers.company', message: 'is required' }]);
    expect(validateAnswers(questions, { company: '   ', track: 'web' })).toEqual([{ path: 'answers.company', message: 'is required' }]);
    expect(validateAnswers(questions, { company: 'Acme', track: '' })).toEqual([{ path: 'answers.track', message: 'is required' }]);
    const requiredMultiple: Question[] = [{ id: 'days', label: 'Days', type: 'multiple', required: true, options: ['mon', 'tue'] }];
    expect(validateAnswers(requiredMultiple, { days: [] })).toEqual([{ path: 'answers.days', message: 'is required' }]);
  });

  it('treats no answers at all like an empty map', () => {
    expect(validateAnswers(questions)).toEqual([
      { path: 'answers.company', message: 'is required' },
      { path: 'answers.track', message: 'is required' },
    ]);
    expect(validateAnswers([{ id: 'diet', label: 'Diet', type: 'text', required: false }])).toEqual([]);
  });

  it('skips the type checks of an optional question left blank', () => {
    expect(validateAnswers(questions, { ...valid, diet: '', topics: [] })).toEqual([]);
  });

  it('wants text for a text question, not a list', () => {
    expect(validateAnswers(questions, { ...valid, diet: ['vegan'] })).toEqual([{ path: 'answers.diet', message: 'must be text' }]);
  });

  it('wants exactly one of the options for a single-choice question', () => {
    expect(validateAnswers(questions, { ...valid, track: 'design' })).toEqual([{ path: 'answers.track', message: 'must be one of the options' }]);
    expect(validateAnswers(questions, { ...valid, track: ['web'] })).toEqual([{ path: 'answers.track', message: 'must be one of the options' }]);
    // Options are matched exactly.
    expect(validateAnswers(questions, { ...valid, track: 'Web' })).toEqual([{ path: 'answers.track', message: 'must be one of the options' }]);
  });

  it('wants distinct options for a multiple-choice question', () => {
    const err = [{ path: 'answers.topics', message: 'must be distinct options of the question' }];
    expect(validateAnswers(questions, { ...valid, topics: ['ai', 'ai'] })).toEqual(err);
    expect(validateAnswers(questions, { ...valid, topics: ['ai', 'blockchain'] })).toEqual(err);
  });

  it('takes a single string for a multiple-choice question as a one-element list', () => {
    expect(validateAnswers(questions, { ...valid, topics: 'cloud' })).toEqual([]);
    expect(validateAnswers(questions, { ...valid, topics: 'gardening' })).toEqual([{ path: 'answers.topics', message: 'must be distinct options of the question' }]);
  });

  it('reports every invalid answer, each under its own path', () => {
    const errors = validateAnswers(questions, { unknown: 'x', track: 'design', topics: ['ai', 'ai'], diet: ['x'] });
    expect(errors.map((e) => e.path).sort()).toEqual(['answers.company', 'answers.diet', 'answers.topics', 'answers.track', 'answers.unknown']);
  });
});

describe('rsvpClosed', () => {
  const e = makeEvent({ startsAt: '2026-03-10T18:00:00.000Z', endsAt: '2026-03-10T21:00:00.000Z' });

  it('is open before the event ends when there is no deadline', () => {
    expect(rsvpClosed(e, new Date('2026-03-01T00:00:00Z'))).toBeNull();
    // While the event runs, people may still register.
    expect(rsvpClosed(e, new Date('2026-03-10T19:00:00Z'))).toBeNull();
  });

  it('refuses a cancelled event with 409, before anything else', () => {
    expect(rsvpClosed({ ...e, status: 'cancelled' }, new Date('2026-03-01T00:00:00Z'))).toEqual({ status: 409, detail: 'This event was cancelled.' });
    expect(rsvpClosed({ ...e, status: 'cancelled' }, new Date('2026-04-01T00:00:00Z'))).toMatchObject({ status: 409 });
  });

  it('refuses an event that has ended with 422, from the very end instant', () => {
    expect(rsvpClosed(e, new Date('2026-03-10T21:00:00.000Z'))).toEqual({ status: 422, detail: 'This event is over.' });
    expect(rsvpClosed(e, new Date('2026-03-11T00:00:00Z'))).toEqual({ status: 422, detail: 'This event is over.' });
    expect(rsvpClosed(e, new Date('2026-03-10T20:59:59.999Z'))).toBeNull();
  });

  it('refuses after the RSVP deadline with 422; the deadline instant itself is still open', () => {
    const withDeadline = { ...e, rsvpDeadline: '2026-03-08T12:00:00.000Z' };
    expect(rsvpClosed(withDeadline, new Date('2026-03-08T12:00:00.000Z'))).toBeNull();
    expect(rsvpClosed(withDeadline, new Date('2026-03-08T12:00:00.001Z'))).toEqual({ status: 422, detail: 'Registration for this event has closed.' });
  });
});

describe('canSee', () => {
  const publicEvent = makeEvent({ visibility: 'public' });
  const membersEvent = makeEvent({ visibility: 'members' });
  const member = (status: MemberStatus, role: Role = 'member') => makeMember({ status, role });

  it('shows a public event to anyone, signed in or not, member or not', () => {
    expect(canSee(publicEvent, undefined)).toBe(true);
    for (const s of ['active', 'past_due', 'lapsed', 'cancelled', 'pending'] as const) expect(canSee(publicEvent, member(s))).toBe(true);
  });

  it('hides a members-only event from people who are not members', () => {
    expect(canSee(membersEvent, undefined)).toBe(false);
  });

  it.each([
    ['active', true],
    ['past_due', true],
    ['lapsed', false],
    ['cancelled', false],
    ['pending', false],
  ] as const)('shows a members-only event to a plain member who is %s: %s', (status, visible) => {
    expect(canSee(membersEvent, member(status))).toBe(visible);
  });

  it.each(['organizer', 'admin', 'owner'] as const)('shows a members-only event to a %s whatever their dues', (role) => {
    for (const s of ['active', 'past_due', 'lapsed', 'pending'] as const) expect(canSee(membersEvent, member(s, role))).toBe(true);
  });

  it('hides it from staff who have left the association', () => {
    expect(canSee(membersEvent, member('cancelled', 'owner'))).toBe(false);
    expect(canSee(membersEvent, member('cancelled', 'organizer'))).toBe(false);
  });
});

describe('waitKey', () => {
  const ulid = '01JABCDEFGHJKMNPQRSTVWXYZ0';
  const first = makeEvent({ membersFirst: true });
  const fifo = makeEvent({ membersFirst: false });

  it.each([
    ['active', '0'],
    ['past_due', '0'],
    ['lapsed', '1'],
    ['cancelled', '1'],
    ['pending', '1'],
  ] as const)('on a members-first event, a %s member waits with priority %s', (status, priority) => {
    expect(waitKey(first, makeMember({ status }), ulid)).toBe(`${priority}#${ulid}`);
  });

  it('gives a non-member priority 1 on a members-first event', () => {
    expect(waitKey(first, undefined, ulid)).toBe(`1#${ulid}`);
  });

  it('gives everyone priority 1 when the event is not members-first', () => {
    expect(waitKey(fifo, makeMember({ status: 'active' }), ulid)).toBe(`1#${ulid}`);
    expect(waitKey(fifo, undefined, ulid)).toBe(`1#${ulid}`);
  });

  it('sorts members in good standing ahead of earlier non-members, then by arrival', () => {
    const early = '01J00000000000000000000000';
    const late = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const outsiderEarly = waitKey(first, undefined, early);
    const memberLate = waitKey(first, makeMember({ status: 'active' }), late);
    const outsiderLate = waitKey(first, undefined, late);
    expect([outsiderLate, outsiderEarly, memberLate].sort()).toEqual([memberLate, outsiderEarly, outsiderLate]);
  });
});

describe('materialChange', () => {
  const before = makeEvent({ venue: 'Hall 1', onlineUrl: undefined });

  it('is empty when only other fields change', () => {
    expect(materialChange(before, { ...before, title: 'New title', description: 'x', capacity: 50, maxGuests: 0 })).toEqual([]);
  });

  it('reports the time when the start, the end or the time zone moves', () => {
    expect(materialChange(before, { ...before, startsAt: '2026-03-10T17:00:00.000Z' })).toEqual(['time']);
    expect(materialChange(before, { ...before, endsAt: '2026-03-10T22:00:00.000Z' })).toEqual(['time']);
    expect(materialChange(before, { ...before, timezone: 'Europe/London' })).toEqual(['time']);
  });

  it('reports the place when the venue or the online URL changes', () => {
    expect(materialChange(before, { ...before, venue: 'Hall 2' })).toEqual(['place']);
    expect(materialChange(before, { ...before, onlineUrl: 'https://meet.example.test/x' })).toEqual(['place']);
    expect(materialChange(before, { ...before, venue: undefined, onlineUrl: 'https://meet.example.test/x' })).toEqual(['place']);
  });

  it('does not count a missing venue and an empty one as different', () => {
    const noVenue = makeEvent({ venue: undefined, onlineUrl: 'https://meet.example.test/x' });
    expect(materialChange(noVenue, { ...noVenue, venue: '' })).toEqual([]);
  });

  it('reports both, time first', () => {
    expect(materialChange(before, { ...before, startsAt: '2026-03-11T18:00:00.000Z', venue: 'Hall 2' })).toEqual(['time', 'place']);
  });
});

describe('reminderAt', () => {
  const e = { startsAt: '2026-03-10T18:00:00.000Z' };

  it('is 24 hours before the start', () => {
    expect(reminderAt(e, new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-09T18:00:00.000Z');
  });

  it('is null once that moment has come or passed', () => {
    expect(reminderAt(e, new Date('2026-03-09T18:00:00.000Z'))).toBeNull();
    expect(reminderAt(e, new Date('2026-03-10T12:00:00Z'))).toBeNull();
    expect(reminderAt(e, new Date('2026-03-09T17:59:59.999Z'))).toBe('2026-03-09T18:00:00.000Z');
  });
});

describe('spotsLeft', () => {
  it('is null without a capacity', () => {
    expect(spotsLeft({ capacity: null, goingCount: 500 })).toBeNull();
  });

  it('is the capacity minus the seats taken, never below 0', () => {
    expect(spotsLeft({ capacity: 10, goingCount: 3 })).toBe(7);
    expect(spotsLeft({ capacity: 10, goingCount: 10 })).toBe(0);
    expect(spotsLeft({ capacity: 10, goingCount: 12 })).toBe(0);
  });
});

describe('eventView', () => {
  it('shows exact counts and the spots left', () => {
    const view = eventView(makeEvent({ capacity: 40, goingCount: 37, waitlistCount: 5, attendedCount: 12 }));
    expect(view).toMatchObject({ goingCount: 37, waitlistCount: 5, attendedCount: 12, spotsLeft: 3, capacity: 40 });
  });

  it('shows spotsLeft null for an unlimited event and 0 for a full one', () => {
    expect(eventView(makeEvent({ capacity: null, goingCount: 80 })).spotsLeft).toBeNull();
    expect(eventView(makeEvent({ capacity: 10, goingCount: 10, waitlistCount: 2 })).spotsLeft).toBe(0);
  });

  it('answers absent optional fields with null and a default matchmaking', () => {
    const view = eventView(makeEvent({ venue: undefined, onlineUrl: undefined, rsvpDeadline: undefined, matchmaking: undefined }));
    expect(view).toMatchObject({ venue: null, onlineUrl: null, rsvpDeadline: null, matchmaking: { enabled: false, matchesPerAttendee: 3 } });
  });

  it('keeps internal bookkeeping out of the view', () => {
    const view = eventView(makeEvent({ createdBy: 'user-organizer', version: 7 })) as Record<string, unknown>;
    expect(view).not.toHaveProperty('createdBy');
    expect(view).not.toHaveProperty('version');
  });
});
