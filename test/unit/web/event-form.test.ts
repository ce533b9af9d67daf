/**
 * The event form's pure parts: local wall time in the event's zone to ISO with offset (DST
 * both ways), the API input from what was typed (the same EventCreate schema), PATCH of only
 * what changed, error paths named as the form's fields, and the page keeping what was typed.
 */
import * as s from '../../../functions/core/schemas.js';
import { fieldErrors } from '../../../functions/core/http/router.js';
import { blankValues, eventFormPage, fieldOf, inputFromValues, isoToZonedLocal, patchFromValues, valuesFromEvent, valuesFromForm, withCrossFieldErrors, zonedLocalToIso, type EventFormValues } from '../../../functions/web/event-form.js';
import { makeEvent } from '../../support/event-factories.js';

const user = { name: 'Olga', email: 'olga@example.test' };
const filled = (over: Partial<EventFormValues> = {}): EventFormValues => ({
  ...blankValues('Europe/Paris'),
  title: 'Spring meetup',
  description: 'Talks.',
  startsAt: '2030-07-01T18:00',
  endsAt: '2030-07-01T21:00',
  venue: 'Hall 1, Lyon',
  capacity: '40',
  ...over,
});
const form = (v: Record<string, string | string[]>) => {
  const f = new URLSearchParams();
  for (const [k, x] of Object.entries(v)) for (const one of [x].flat()) f.append(k, one);
  return f;
};

describe('local date and time in the event zone', () => {
  it('gets the zone offset of that day, summer and winter, east and west', () => {
    expect(zonedLocalToIso('2030-07-01T18:00', 'Europe/Paris')).toBe('2030-07-01T18:00:00+02:00');
    expect(zonedLocalToIso('2030-01-15T18:00', 'Europe/Paris')).toBe('2030-01-15T18:00:00+01:00');
    expect(zonedLocalToIso('2030-07-01T09:30', 'America/New_York')).toBe('2030-07-01T09:30:00-04:00');
    expect(zonedLocalToIso('2030-01-01T00:00', 'Asia/Kolkata')).toBe('2030-01-01T00:00:00+05:30');
  });

  it('is right on the day the clocks change', () => {
    // Paris goes to summer time at 02:00 on 31 March 2030: 03:00 is already +02:00, 01:00 still +01:00.
    expect(zonedLocalToIso('2030-03-31T03:00', 'Europe/Paris')).toBe('2030-03-31T03:00:00+02:00');
    expect(zonedLocalToIso('2030-03-31T01:00', 'Europe/Paris')).toBe('2030-03-31T01:00:00+01:00');
  });

  it('refuses what is not a date and time, and round-trips what is', () => {
    for (const bad of ['', 'tomorrow', '2030-02-30T10:00', '2030-13-01T10:00', '2030-01-01T25:00']) expect(zonedLocalToIso(bad, 'Europe/Paris')).toBeUndefined();
    expect(isoToZonedLocal('2030-07-01T16:00:00.000Z', 'Europe/Paris')).toBe('2030-07-01T18:00');
  });
});

describe('the API input from the form', () => {
  it('is what POST /associations/{id}/events takes, blank question rows left out', () => {
    const v = valuesFromForm(
      form({
        title: ' Spring meetup ', description: 'Talks.', timezone: 'Europe/Paris', startsAt: '2030-07-01T18:00', endsAt: '2030-07-01T21:00', venue: 'Hall 1', onlineUrl: '', capacity: '40', waitlist: 'yes', maxGuests: '1', visibility: 'members',
        'q.0.id': '', 'q.0.label': '', 'q.0.type': 'text', 'q.0.options': '',
        'q.1.id': '', 'q.1.label': 'Dietary needs', 'q.1.type': 'text', 'q.1.options': '',
        'q.2.id': '', 'q.2.label': 'T-shirt size', 'q.2.type': 'single', 'q.2.options': 'S\r\nM\r\n\r\nL', 'q.2.required': 'yes',
        matchmakingEnabled: 'yes', matchmakingSendAt: '', matchesPerAttendee: '4',
      }),
    );
    const { input, rows } = inputFromValues(v);
    const parsed = s.EventCreate.parse(input);
    expect(parsed).toMatchObject({ title: 'Spring meetup', startsAt: '2030-07-01T18:00:00+02:00', endsAt: '2030-07-01T21:00:00+02:00', capacity: 40, waitlist: true, membersFirst: false, maxGuests: 1, visibility: 'members', matchmaking: { enabled: true, matchesPerAttendee: 4 } });
    expect(parsed.questions).toEqual([
      { id: 'dietary_needs', label: 'Dietary needs', type: 'text', required: false },
      { id: 't_shirt_size', label: 'T-shirt size', type: 'single', required: true, options: ['S', 'M', 'L'] },
    ]);
    expect(rows).toEqual([1, 2]);
    expect(parsed).not.toHaveProperty('onlineUrl');
  });

  it('names each bad field as the form does: missing title, end before start, a choice without options', () => {
    const v = filled({ title: '', endsAt: '2030-07-01T17:00', capacity: 'lots', questions: [{ id: '', label: '', type: 'text', required: false, options: '' }, { id: '', label: 'Size', type: 'single', required: false, options: '' }] });
    const { input, rows } = inputFromValues(v);
    const r = s.EventCreate.safeParse(input);
    expect(r.success).toBe(false);
    // Zod skips the cross-field rules while the title is wrong; the form adds them in the same pass.
    expect(fieldErrors(r.error!).map((e) => e.path)).not.toContain('endsAt');
    const named = withCrossFieldErrors(fieldErrors(r.error!), input).map((e) => fieldOf(e.path, e.message, rows));
    expect(named).toEqual(
      expect.arrayContaining([
        { id: 'title', label: 'Title', message: 'must not be empty' },
        { id: 'endsAt', label: 'Ends', message: 'must be after the start' },
        { id: 'capacity', label: 'Capacity', message: 'must be a whole number' },
        // The second row on the form, though the first question of the input.
        { id: 'q-1-options', label: 'Question 2 options', message: expect.any(String) },
      ]),
    );
  });

  it('gives an unreadable date to the schema as typed, which names it', () => {
    const r = s.EventCreate.safeParse(inputFromValues(filled({ startsAt: 'next friday' })).input);
    expect(fieldErrors(r.error!).map((e) => fieldOf(e.path, e.message))).toContainEqual({ id: 'startsAt', label: 'Starts', message: 'must be a date and time' });
  });
});

describe('editing: PATCH of what changed', () => {
  const event = makeEvent({ capacity: 10, goingCount: 6, questions: [{ id: 'diet', label: 'Diet', type: 'text', required: false }], matchmaking: { enabled: true, sendAt: '2026-03-09T18:00:00.000Z', matchesPerAttendee: 3 } });

  it('sends nothing when nothing changed', () => {
    expect(patchFromValues(event, valuesFromEvent(event))).toEqual({ patch: {}, rows: [0], refusals: [] });
  });

  it('sends only the capacity when only the capacity changed, and keeps question ids', () => {
    const v = { ...valuesFromEvent(event), capacity: '20' };
    expect(patchFromValues(event, v).patch).toEqual({ capacity: 20 });
    const renamed = { ...valuesFromEvent(event), questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: false, options: '' }] };
    expect(patchFromValues(event, renamed).patch).toEqual({ questions: [{ id: 'diet', label: 'Dietary needs', type: 'text', required: false }] });
  });

  it('moves the start in the event zone; an emptied capacity means no limit', () => {
    const v = { ...valuesFromEvent(event), startsAt: '2026-03-10T20:00', endsAt: '2026-03-10T23:00', capacity: '' };
    expect(patchFromValues(event, v).patch).toEqual({ startsAt: '2026-03-10T20:00:00+01:00', endsAt: '2026-03-10T23:00:00+01:00', capacity: null });
  });

  it('refuses by name to empty the venue (the API has no way to remove it)', () => {
    expect(patchFromValues(event, { ...valuesFromEvent(event), venue: '', onlineUrl: 'https://meet.example.test/x' }).refusals).toEqual([{ path: 'venue', message: 'cannot be removed once set; type a new one instead' }]);
  });

  it('switches matchmaking off when unticked', () => {
    expect(patchFromValues(event, { ...valuesFromEvent(event), matchmakingEnabled: false, matchmakingSendAt: '' }).patch).toEqual({ matchmaking: { enabled: false, matchesPerAttendee: 3 } });
  });
});

describe('the form page', () => {
  it('keeps what was typed, names each field in the summary and marks it', () => {
    const v = filled({ title: '', description: 'Bring <b>snacks</b>', endsAt: '2030-07-01T17:00' });
    const html = eventFormPage({
      url: 'https://app.test/manage/associations/a1/events/new', user, mode: 'new', action: '/manage/associations/a1/events/new', back: '/manage/associations/a1', associationName: 'Engineers', values: v,
      error: { detail: 'The event is not valid; nothing was saved.', errors: [{ path: 'title', message: 'Too small: expected string to have >=1 characters' }, { path: 'endsAt', message: 'must be after startsAt' }] },
    });
    expect(html).toContain('<li><a href="#title">Title</a> must not be empty</li>');
    expect(html).toContain('<li><a href="#endsAt">Ends</a> must be after the start</li>');
    expect(html).toMatch(/<input id="title" name="title" type="text" value=""[^>]*aria-describedby="title-error" aria-invalid="true">/);
    expect(html).toContain('value="2030-07-01T17:00"');
    expect(html).toContain('Bring &lt;b&gt;snacks&lt;/b&gt;</textarea>');
    expect(html).toContain('<option value="Europe/Paris" selected>');
    expect(html).toContain('<script type="module" src="/assets/event-form.js"></script>');
    // Without script, a fixed number of question rows.
    expect(html.match(/data-question-row/g)).toHaveLength(3);
  });

  it('prefills the edit form from the event, in its zone, with a row per question and spare ones', () => {
    const e = makeEvent({ questions: [{ id: 'diet', label: 'Diet', type: 'single', required: true, options: ['Veg', 'Any'] }] });
    const html = eventFormPage({ url: 'u', user, mode: 'edit', action: '/manage/events/evt1/edit', back: '/manage/events/evt1', associationName: 'A', values: valuesFromEvent(e), event: e });
    expect(html).toContain('<input id="startsAt" name="startsAt" type="datetime-local" value="2026-03-10T19:00"');
    expect(html).toContain('name="q.0.id" value="diet"');
    expect(html).toContain('Veg\nAny</textarea>');
    expect(html.match(/data-question-row/g)).toHaveLength(4);
    expect(html).toContain('Save changes');
  });
});
