/**
 * The event form, shared by the new-event page and the edit page: what the organizer types
 * (strings, kept as typed after a refusal), the API's input built from it (EventCreate, or
 * an EventPatch of what changed), and the HTML. Free of I/O. Dates and times are typed as
 * local wall time in the event's time zone and become ISO 8601 with that zone's offset.
 */
import { escapeHtml as h } from '../core/http/html.js';
import type { Event } from '../core/domain/events.js';
import { page, type PageUser } from './render.js';
import { isoInZone, offsetAt } from './format.js';
import { plainMessage, type FormError } from './account.js';

/** Fixed question rows without script: the rows in use plus a few blank ones (the island hides the blanks). */
export const QUESTION_ROWS_SPARE = 3;
const MAX_QUESTIONS = 30;

export interface QuestionValues {
  /** Kept for an existing question, so answers already given stay attached to it. */
  id: string;
  label: string;
  type: string;
  required: boolean;
  /** One option per line. */
  options: string;
}

/** Everything the form shows, as the organizer typed it. */
export interface EventFormValues {
  title: string;
  description: string;
  timezone: string;
  startsAt: string;
  endsAt: string;
  rsvpDeadline: string;
  venue: string;
  onlineUrl: string;
  capacity: string;
  waitlist: boolean;
  membersFirst: boolean;
  maxGuests: string;
  visibility: string;
  questions: QuestionValues[];
  matchmakingEnabled: boolean;
  matchmakingSendAt: string;
  matchesPerAttendee: string;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const offsetMs = (t: number, tz: string) => {
  const m = /([+-])(\d{2}):(\d{2})/.exec(offsetAt(new Date(t).toISOString(), tz))!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
};

/**
 * Local wall time in a zone ("2026-12-09T18:00", as a datetime-local input sends it) as ISO
 * 8601 with the zone's offset at that moment; undefined when it is not such a time.
 * zonedLocalToIso('2026-07-01T18:00', 'Europe/Paris') === '2026-07-01T18:00:00+02:00'
 */
export function zonedLocalToIso(local: string, timeZone: string): string | undefined {
  const m = LOCAL.exec(local.trim());
  if (!m) return undefined;
  const [y, mo, d, hh, mm, ss] = m.slice(1).map((x) => Number(x ?? 0));
  const naive = Date.UTC(y!, mo! - 1, d!, hh!, mm!, ss!);
  const check = new Date(naive);
  if (check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d! || hh! > 23 || mm! > 59) return undefined;
  // Twice: the offset at the guessed instant may differ from the one at the real one (DST).
  const t = naive - offsetMs(naive - offsetMs(naive, timeZone), timeZone);
  return isoInZone(new Date(t).toISOString(), timeZone);
}

/** An instant as a datetime-local value in the zone: "2026-12-09T18:00". */
export const isoToZonedLocal = (iso: string, timeZone: string) => isoInZone(iso, timeZone).slice(0, 16);

const validZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export function blankValues(timezone: string): EventFormValues {
  return {
    title: '',
    description: '',
    timezone,
    startsAt: '',
    endsAt: '',
    rsvpDeadline: '',
    venue: '',
    onlineUrl: '',
    capacity: '',
    waitlist: true,
    membersFirst: false,
    maxGuests: '0',
    visibility: 'public',
    questions: [],
    matchmakingEnabled: false,
    matchmakingSendAt: '',
    matchesPerAttendee: '3',
  };
}

/** The stored event as the form shows it. */
export function valuesFromEvent(e: Event): EventFormValues {
  const tz = e.timezone;
  return {
    title: e.title,
    description: e.description,
    timezone: tz,
    startsAt: isoToZonedLocal(e.startsAt, tz),
    endsAt: isoToZonedLocal(e.endsAt, tz),
    rsvpDeadline: e.rsvpDeadline ? isoToZonedLocal(e.rsvpDeadline, tz) : '',
    venue: e.venue ?? '',
    onlineUrl: e.onlineUrl ?? '',
    capacity: e.capacity === null ? '' : String(e.capacity),
    waitlist: e.waitlist,
    membersFirst: !!e.membersFirst,
    maxGuests: String(e.maxGuests ?? 0),
    visibility: e.visibility,
    questions: e.questions.map((q) => ({ id: q.id, label: q.label, type: q.type, required: !!q.required, options: (q.options ?? []).join('\n') })),
    matchmakingEnabled: !!e.matchmaking?.enabled,
    matchmakingSendAt: e.matchmaking?.sendAt ? isoToZonedLocal(e.matchmaking.sendAt, tz) : '',
    matchesPerAttendee: String(e.matchmaking?.matchesPerAttendee ?? 3),
  };
}

/** The posted form as typed. An unticked checkbox sends nothing: absent means no. */
export function valuesFromForm(f: URLSearchParams): EventFormValues {
  const get = (k: string) => f.get(k) ?? '';
  const questions: QuestionValues[] = [];
  for (let i = 0; i < MAX_QUESTIONS + QUESTION_ROWS_SPARE && f.has(`q.${i}.label`); i++) {
    questions.push({ id: get(`q.${i}.id`), label: get(`q.${i}.label`), type: get(`q.${i}.type`) || 'text', required: f.get(`q.${i}.required`) === 'yes', options: get(`q.${i}.options`) });
  }
  return {
    title: get('title'),
    description: get('description'),
    timezone: get('timezone'),
    startsAt: get('startsAt'),
    endsAt: get('endsAt'),
    rsvpDeadline: get('rsvpDeadline'),
    venue: get('venue'),
    onlineUrl: get('onlineUrl'),
    capacity: get('capacity'),
    waitlist: f.get('waitlist') === 'yes',
    membersFirst: f.get('membersFirst') === 'yes',
    maxGuests: get('maxGuests'),
    visibility: get('visibility'),
    questions,
    matchmakingEnabled: f.get('matchmakingEnabled') === 'yes',
    matchmakingSendAt: get('matchmakingSendAt'),
    matchesPerAttendee: get('matchesPerAttendee'),
  };
}

const blankRow = (q: QuestionValues) => q.label.trim() === '' && q.options.trim() === '';
/** A whole number stays a number; anything else goes to the schema as typed, which names the field. */
const num = (v: string) => (/^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : v.trim());
/** The typed local time as ISO with offset; an unreadable one goes to the schema as typed. */
const when = (v: string, tz: string) => (v.trim() === '' ? undefined : (zonedLocalToIso(v, validZone(tz) ? tz : 'UTC') ?? v.trim()));
const slugOf = (label: string) => label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);

/**
 * The API's fields from the form: the same shape POST /associations/{id}/events takes.
 * `rows` maps the index of a question in the input to its row on the form (blank rows are
 * left out), so an error on questions.N points at the right row.
 */
export function inputFromValues(v: EventFormValues): { input: Record<string, unknown>; rows: number[] } {
  const tz = v.timezone.trim();
  const rows: number[] = [];
  const used = new Set<string>();
  const questions = v.questions.flatMap((q, row) => {
    if (blankRow(q)) return [];
    rows.push(row);
    let id = q.id || slugOf(q.label) || `q${row + 1}`;
    // A new question whose label repeats another's gets its own id.
    if (!q.id) for (let n = 2; used.has(id); n++) id = `${slugOf(q.label).slice(0, 36) || 'q'}_${n}`;
    used.add(id);
    const options = q.options.split(/\r?\n/).map((o) => o.trim()).filter(Boolean);
    return [{ id, label: q.label, type: q.type, required: q.required, ...(q.type === 'text' ? {} : { options }) }];
  });
  const input: Record<string, unknown> = {
    title: v.title,
    description: v.description,
    timezone: tz,
    startsAt: when(v.startsAt, tz),
    endsAt: when(v.endsAt, tz),
    rsvpDeadline: when(v.rsvpDeadline, tz),
    venue: v.venue.trim() || undefined,
    onlineUrl: v.onlineUrl.trim() || undefined,
    capacity: v.capacity.trim() === '' ? null : num(v.capacity),
    visibility: v.visibility,
    waitlist: v.waitlist,
    membersFirst: v.membersFirst,
    maxGuests: v.maxGuests.trim() === '' ? 0 : num(v.maxGuests),
    questions,
    matchmaking: v.matchmakingEnabled || v.matchmakingSendAt.trim()
      ? { enabled: v.matchmakingEnabled, ...(v.matchmakingSendAt.trim() ? { sendAt: when(v.matchmakingSendAt, tz) } : {}), matchesPerAttendee: v.matchesPerAttendee.trim() === '' ? 3 : num(v.matchesPerAttendee) }
      : undefined,
  };
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  return { input, rows };
}

/**
 * The schema's cross-field rules (end after start, a venue or a link), for the whole form. Zod
 * skips an object's refinements while one of its fields is wrong; the form names every problem
 * in one pass, so these join the schema's errors when it has not reported them itself.
 */
export function withCrossFieldErrors(errors: { path: string; message: string }[], input: Record<string, unknown>) {
  const out = [...errors];
  const add = (path: string, message: string) => {
    if (!out.some((e) => e.path === path)) out.push({ path, message });
  };
  const start = typeof input.startsAt === 'string' ? Date.parse(input.startsAt) : NaN;
  const end = typeof input.endsAt === 'string' ? Date.parse(input.endsAt) : NaN;
  if (end <= start) add('endsAt', 'must be after startsAt');
  if (!input.venue && !input.onlineUrl) add('venue', 'give a venue or an onlineUrl');
  return out;
}

const instant = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : v);
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * PATCH semantics: only the fields that differ from the stored event. A venue, online link
 * or RSVP deadline cannot be removed through the API (it has no null for them), so emptying
 * one is refused by name rather than ignored.
 */
export function patchFromValues(e: Event, v: EventFormValues): { patch: Record<string, unknown>; rows: number[]; refusals: { path: string; message: string }[] } {
  const { input, rows } = inputFromValues(v);
  const patch: Record<string, unknown> = {};
  const refusals: { path: string; message: string }[] = [];
  for (const k of ['venue', 'onlineUrl', 'rsvpDeadline'] as const) {
    if (e[k] && input[k] === undefined) refusals.push({ path: k, message: 'cannot be removed once set; type a new one instead' });
  }
  const stored: Record<string, unknown> = {
    title: e.title,
    description: e.description,
    timezone: e.timezone,
    startsAt: Date.parse(e.startsAt),
    endsAt: Date.parse(e.endsAt),
    rsvpDeadline: e.rsvpDeadline ? Date.parse(e.rsvpDeadline) : undefined,
    venue: e.venue,
    onlineUrl: e.onlineUrl,
    capacity: e.capacity,
    visibility: e.visibility,
    waitlist: e.waitlist,
    membersFirst: !!e.membersFirst,
    maxGuests: e.maxGuests ?? 0,
    questions: e.questions.map((q) => ({ id: q.id, label: q.label, type: q.type, required: !!q.required, ...(q.options ? { options: q.options } : {}) })),
    matchmaking: e.matchmaking ? { enabled: e.matchmaking.enabled, ...(e.matchmaking.sendAt ? { sendAt: Date.parse(e.matchmaking.sendAt) } : {}), matchesPerAttendee: e.matchmaking.matchesPerAttendee } : undefined,
  };
  for (const [k, value] of Object.entries(input)) {
    const typed = k === 'matchmaking' && value && typeof value === 'object' ? { ...(value as object), ...((value as { sendAt?: string }).sendAt ? { sendAt: instant((value as { sendAt: string }).sendAt) } : {}) } : ['startsAt', 'endsAt', 'rsvpDeadline'].includes(k) ? instant(value) : value;
    if (!sameValue(typed, stored[k])) patch[k] = value;
  }
  // Unticked with no time typed: the form sends no matchmaking; switch it off if it was on.
  if (!input.matchmaking && e.matchmaking?.enabled) patch.matchmaking = { enabled: false, matchesPerAttendee: e.matchmaking.matchesPerAttendee };
  return { patch, rows, refusals };
}

// ------------------------------------------------------------------ errors

/** Where each API field is on the form, and what the form calls it. */
const FIELDS: Record<string, { id: string; label: string }> = {
  title: { id: 'title', label: 'Title' },
  description: { id: 'description', label: 'Description' },
  timezone: { id: 'timezone', label: 'Time zone' },
  startsAt: { id: 'startsAt', label: 'Starts' },
  endsAt: { id: 'endsAt', label: 'Ends' },
  rsvpDeadline: { id: 'rsvpDeadline', label: 'RSVP deadline' },
  venue: { id: 'venue', label: 'Venue' },
  onlineUrl: { id: 'onlineUrl', label: 'Online link' },
  capacity: { id: 'capacity', label: 'Capacity' },
  waitlist: { id: 'waitlist', label: 'Waitlist' },
  membersFirst: { id: 'membersFirst', label: 'Members first' },
  maxGuests: { id: 'maxGuests', label: 'Guests per attendee' },
  visibility: { id: 'visibility-public', label: 'Who can see it' },
  questions: { id: 'questions-title', label: 'Registration questions' },
  'matchmaking.enabled': { id: 'matchmakingEnabled', label: 'Matchmaking' },
  'matchmaking.sendAt': { id: 'matchmakingSendAt', label: 'Matches sent at' },
  'matchmaking.matchesPerAttendee': { id: 'matchesPerAttendee', label: 'Matches per attendee' },
  matchmaking: { id: 'matchmakingEnabled', label: 'Matchmaking' },
};

export interface FieldRef {
  /** The form control's id, for the summary's link and the field's own message. */
  id: string;
  label: string;
  message: string;
}

/** An API error path (e.g. "questions.2.options") as the form field it is about, in words. */
export function fieldOf(path: string, message: string, rows: number[] = []): FieldRef {
  const q = /^questions\.(\d+)(?:\.(\w+))?/.exec(path);
  const words = formMessage(message);
  if (q) {
    const row = rows[Number(q[1])] ?? Number(q[1]);
    const part = q[2] === 'options' ? 'options' : q[2] === 'type' ? 'type' : 'label';
    return { id: `q-${row}-${part}`, label: `Question ${row + 1} ${part}`, message: words };
  }
  const f = FIELDS[path] ?? FIELDS[path.split('.')[0]!] ?? { id: 'title', label: path };
  return { ...f, message: words };
}

/** The schema's words, as a person reads them next to the field. */
function formMessage(m: string): string {
  if (/^Invalid ISO datetime|^Invalid datetime/.test(m)) return 'must be a date and time';
  if (/expected string, received undefined/.test(m)) return 'must not be empty';
  if (/expected number, received string/.test(m)) return 'must be a whole number';
  if (/expected int/.test(m)) return 'must be a whole number';
  const small = /^Too small: expected number to be >=(\d+)/.exec(m);
  if (small) return `must be at least ${small[1]}`;
  const big = /^Too big: expected number to be <=(\d+)/.exec(m);
  if (big) return `must be at most ${big[1]}`;
  if (/^Too small: expected array to have >=2 items/.test(m)) return 'need at least two, one per line';
  if (/^Invalid URL|^Invalid url/i.test(m)) return 'must be a web address starting with https://';
  if (m === 'must be after startsAt') return 'must be after the start';
  if (m === 'give a venue or an onlineUrl') return 'give a venue or an online link';
  return plainMessage(m);
}

// ------------------------------------------------------------------ HTML

export interface EventFormPage {
  url: string;
  user: PageUser;
  mode: 'new' | 'edit';
  /** Where the form posts. */
  action: string;
  /** Where "Back" leads. */
  back: string;
  associationName: string;
  values: EventFormValues;
  /** The event being edited: its seats taken bound the capacity. */
  event?: Event;
  error?: FormError;
  /** Question rows of the input, for error paths (see inputFromValues). */
  rows?: number[];
}

let zoneList: string[] | undefined;
const zones = () => (zoneList ??= [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])].sort());

export function eventFormPage(d: EventFormPage): string {
  const v = d.values;
  const refs = (d.error?.errors ?? []).map((e) => fieldOf(e.path, e.message, d.rows));
  const errOf = (id: string) => refs.find((r) => r.id === id);
  const described = (id: string, hint?: boolean) => {
    const ids = [hint ? `${id}-hint` : '', errOf(id) ? `${id}-error` : ''].filter(Boolean).join(' ');
    return `${ids ? ` aria-describedby="${ids}"` : ''}${errOf(id) ? ' aria-invalid="true"' : ''}`;
  };
  const fieldError = (id: string) => {
    const e = errOf(id);
    return e ? `<p class="field-error" id="${id}-error">${h(e.label)} ${h(e.message)}</p>` : '';
  };
  const text = (id: string, label: string, value: string, opts: { hint?: string; type?: string; attrs?: string } = {}) =>
    `<div class="field"><label for="${id}">${h(label)}</label>${opts.hint ? `<p class="hint" id="${id}-hint">${h(opts.hint)}</p>` : ''}${fieldError(id)}<input id="${id}" name="${id}" type="${opts.type ?? 'text'}" value="${h(value)}"${opts.attrs ?? ''}${described(id, !!opts.hint)}></div>`;
  const check = (id: string, label: string, on: boolean, hint?: string) =>
    `<div class="field">${fieldError(id)}<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${id}" value="yes"${on ? ' checked' : ''}${described(id, !!hint)}> ${h(label)}</label>${hint ? `<p class="hint" id="${id}-hint">${h(hint)}</p>` : ''}</div>`;

  const summary = d.error
    ? `<div class="error-summary" role="alert" tabindex="-1" id="problem"><h2>There is a problem</h2><p>${h(d.error.detail)}</p>${refs.length ? `<ul>${refs.map((r) => `<li><a href="#${r.id}">${h(r.label)}</a> ${h(r.message)}</li>`).join('')}</ul>` : ''}</div>`
    : '';

  const tzOptions = [...new Set([v.timezone, ...zones()])].filter(Boolean).map((z) => `<option value="${h(z)}"${z === v.timezone ? ' selected' : ''}>${h(z.replace(/_/g, ' '))}</option>`).join('');
  const going = d.event?.goingCount ?? 0;

  const rowCount = Math.min(MAX_QUESTIONS, Math.max(v.questions.length + QUESTION_ROWS_SPARE, QUESTION_ROWS_SPARE));
  const questionRows = Array.from({ length: rowCount }, (_, i) => {
    const q = v.questions[i] ?? { id: '', label: '', type: 'text', required: false, options: '' };
    const id = (part: string) => `q-${i}-${part}`;
    const types = [
      ['text', 'Free text'],
      ['single', 'One choice'],
      ['multiple', 'Several choices'],
    ]
      .map(([value, label]) => `<option value="${value}"${q.type === value ? ' selected' : ''}>${label}</option>`)
      .join('');
    return `<fieldset class="question-row" data-question-row${blankRow(q) ? ' data-blank' : ''}><legend>Question ${i + 1}</legend>
<input type="hidden" name="q.${i}.id" value="${h(q.id)}">
<div class="field"><label for="${id('label')}">Question ${i + 1} label</label>${fieldError(id('label'))}<input id="${id('label')}" name="q.${i}.label" value="${h(q.label)}" maxlength="200"${described(id('label'))}></div>
<div class="field"><label for="${id('type')}">Question ${i + 1} type</label>${fieldError(id('type'))}<select id="${id('type')}" name="q.${i}.type"${described(id('type'))}>${types}</select></div>
<div class="field"><label for="${id('options')}">Question ${i + 1} options</label><p class="hint" id="${id('options')}-hint">For choice questions: one option per line.</p>${fieldError(id('options'))}<textarea id="${id('options')}" name="q.${i}.options" rows="3"${described(id('options'), true)}>${h(q.options)}</textarea></div>
<div class="field"><label class="choice" for="${id('required')}"><input type="checkbox" id="${id('required')}" name="q.${i}.required" value="yes"${q.required ? ' checked' : ''}> Question ${i + 1} must be answered</label></div>
</fieldset>`;
  }).join('');

  const title = d.mode === 'new' ? 'New event' : `Edit ${v.title || 'the event'}`;
  const body = `<article class="manage-page event-form">
<p class="eyebrow">${h(d.associationName)}</p>
<h1>${d.mode === 'new' ? 'New event' : `Edit ${h(d.event?.title ?? v.title)}`}</h1>
${summary}
<form method="post" action="${h(d.action)}" novalidate>
<section class="card" aria-labelledby="about-title"><h2 id="about-title">About</h2>
${text('title', 'Title', v.title, { attrs: ' maxlength="200" autocomplete="off"' })}
<div class="field"><label for="description">Description</label><p class="hint" id="description-hint">What people will do there, who it is for. Plain text.</p>${fieldError('description')}<textarea id="description" name="description" rows="6"${described('description', true)}>${h(v.description)}</textarea></div>
</section>
<section class="card" aria-labelledby="when-title"><h2 id="when-title">When</h2>
<div class="field"><label for="timezone">Time zone</label><p class="hint" id="timezone-hint">The dates and times below are in this zone.</p>${fieldError('timezone')}<select id="timezone" name="timezone"${described('timezone', true)}>${tzOptions}</select></div>
${text('startsAt', 'Starts', v.startsAt, { type: 'datetime-local', hint: 'Date and time in the time zone above.' })}
${text('endsAt', 'Ends', v.endsAt, { type: 'datetime-local' })}
${text('rsvpDeadline', 'RSVP deadline (optional)', v.rsvpDeadline, { type: 'datetime-local', hint: 'After this, nobody can RSVP. Empty: until the event ends.' })}
</section>
<section class="card" aria-labelledby="where-title"><h2 id="where-title">Where</h2>
<p class="hint">A venue, an online link, or both.</p>
${text('venue', 'Venue', v.venue, { hint: 'Name and address.', attrs: ' maxlength="500"' })}
${text('onlineUrl', 'Online link', v.onlineUrl, { type: 'url', hint: 'e.g. https://meet.example.com/abc' })}
</section>
<section class="card" aria-labelledby="seats-title"><h2 id="seats-title">Seats and visibility</h2>
${text('capacity', 'Capacity', v.capacity, { type: 'number', hint: d.mode === 'edit' ? `Empty: no limit. At least ${going}, the seats already taken; more seats go to the waitlist at once.` : 'Empty: no limit.', attrs: ` min="${Math.max(1, going)}" inputmode="numeric"` })}
${check('waitlist', 'Keep a waitlist when it is full', v.waitlist)}
${check('membersFirst', 'Members first on the waitlist', v.membersFirst, 'Active members go ahead of non-members.')}
${text('maxGuests', 'Guests per attendee', v.maxGuests, { type: 'number', hint: 'How many guests one attendee may bring; guests take seats. 0: none.', attrs: ' min="0" max="20" inputmode="numeric"' })}
<fieldset class="field"${errOf('visibility-public') ? ' aria-describedby="visibility-public-error"' : ''}><legend>Who can see it</legend>${fieldError('visibility-public')}
<label class="choice" for="visibility-public"><input type="radio" id="visibility-public" name="visibility" value="public"${v.visibility !== 'members' ? ' checked' : ''}> Everyone (a public page)</label>
<label class="choice" for="visibility-members"><input type="radio" id="visibility-members" name="visibility" value="members"${v.visibility === 'members' ? ' checked' : ''}> Members only (others see the title and date)</label></fieldset>
</section>
<section class="card" aria-labelledby="questions-title" id="questions"><h2 id="questions-title" tabindex="-1">Registration questions</h2>
<p class="hint">Asked when people RSVP. Leave a row empty to have no question there${d.mode === 'edit' ? '; emptying a row removes that question' : ''}.</p>
${refs.find((r) => r.id === 'questions-title') ? `<p class="field-error">${h(refs.find((r) => r.id === 'questions-title')!.message)}</p>` : ''}
<div data-question-list>${questionRows}</div>
</section>
<section class="card" aria-labelledby="matching-form-title"><h2 id="matching-form-title">Matchmaking</h2>
${check('matchmakingEnabled', 'Introduce attendees to each other', v.matchmakingEnabled, 'Attendees who agreed to matching get an email with people to meet.')}
${text('matchmakingSendAt', 'Matches sent at (optional)', v.matchmakingSendAt, { type: 'datetime-local', hint: 'Empty: 24 hours before the start.' })}
${text('matchesPerAttendee', 'Matches per attendee', v.matchesPerAttendee, { type: 'number', attrs: ' min="1" max="10" inputmode="numeric"' })}
</section>
<div class="row"><button type="submit">${d.mode === 'new' ? 'Create the event' : 'Save changes'}</button> <a class="button secondary" href="${h(d.back)}">Back</a></div>
</form>
</article>`;
  return page({ title: d.error ? `Error: ${title}` : title, url: d.url, user: d.user, here: d.action, scripts: ['/assets/event-form.js'] }, body);
}
