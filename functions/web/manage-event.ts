/**
 * The organizer's page of one event (/manage/events/{eventId}) and its cancel-confirm step,
 * as strings, free of I/O: every value passes through escapeHtml. Every control is a real
 * form or link to the web function, so the page works without any script.
 */
import { escapeHtml as h } from '../core/http/html.js';
import type { Event, EventPhase } from '../core/domain/events.js';
import { page, type PageUser } from './render.js';
import { isoInZone, whenText } from './format.js';
import { plainMessage, type FormError } from './account.js';

export interface AttendeeRow {
  userId: string;
  name: string;
  status: string;
  guests: number;
  answers?: Record<string, string | string[]>;
  waitlistPosition: number | null;
  checkedInAt: string | null;
}

export type AttendeeFilter = 'going' | 'waitlisted' | 'all';

export interface PreviewFigures {
  attendees: number;
  matched: number;
  withK: number;
  totalScore: number;
  candidatePairs: number;
  coverable: number;
}

/** The stored matches' feedback (GET /events/{eventId}/matches), one page of rows. */
export interface MatchFeedbackData {
  stats: { matches: number; feedbackCount: number; averageRating: number | null; metRate: number | null; acceptanceRate: number | null; introRate: number | null };
  rows: { matchId: string; a: string; b: string; feedbackA: { rating: number; met: boolean } | null; feedbackB: { rating: number; met: boolean } | null; introduced: boolean }[];
  nextCursor?: string | null;
}

export interface ManageEventData {
  url: string;
  user: PageUser;
  event: Event;
  /** At the time of the request: an event that is over offers no matching and no cancelling. */
  phase: EventPhase;
  attendees: AttendeeRow[];
  filter: AttendeeFilter;
  /** Cursor of the next page of the same filter, if there is one. */
  nextCursor?: string | null;
  notice?: string;
  /** A refusal of the last post, shown above the section it belongs to. */
  error?: FormError & { section: 'check-in' | 'matching' | 'cancel' };
  /** What was typed in the code field, shown again after a refusal. */
  typedCode?: string;
  preview?: { figures: PreviewFigures; matches: number; k: number };
  feedback?: MatchFeedbackData;
}

const base = (e: Event) => `/manage/events/${encodeURIComponent(e.eventId)}`;

function errorBox(error: FormError | undefined, fieldLinks: Record<string, { id: string; label: string }> = {}) {
  if (!error) return '';
  const items = (error.errors ?? [])
    .map((x) => {
      const f = fieldLinks[x.path.split('.')[0]!];
      return `<li>${f ? `<a href="#${f.id}">${h(f.label)}</a>` : h(x.path)} ${h(plainMessage(x.message))}</li>`;
    })
    .join('');
  return `<div class="error-summary" role="alert" tabindex="-1"><h3>There is a problem</h3><p>${h(error.detail)}</p>${items ? `<ul>${items}</ul>` : ''}</div>`;
}

const PHASE_LABELS: Record<EventPhase, string> = { cancelled: 'Cancelled', upcoming: 'Upcoming', 'under way': 'Under way', over: 'Over' };

function summary(d: ManageEventData) {
  const e = d.event;
  const going = e.capacity === null ? `${e.goingCount}` : `${e.goingCount} of ${e.capacity}`;
  return `<dl class="facts">
<div><dt>Status</dt><dd>${PHASE_LABELS[d.phase]}</dd></div>
<div><dt>Going</dt><dd>${h(going)}</dd></div>
<div><dt>Waitlist</dt><dd>${e.waitlistCount}</dd></div>
<div><dt>Checked in</dt><dd>${e.attendedCount ?? 0}</dd></div>
</dl>`;
}

function checkInSection(d: ManageEventData) {
  const err = d.error?.section === 'check-in' ? d.error : undefined;
  const bad = !!err;
  const cancelled = d.event.status === 'cancelled';
  return `<section id="check-in" aria-labelledby="check-in-title" class="card"><h2 id="check-in-title">Check in</h2>
${errorBox(err, { code: { id: 'code', label: 'Check-in code' }, userId: { id: 'attendees-title', label: 'Attendee' } })}
${cancelled ? '<p>This event is cancelled; nobody can check in.</p>' : `${d.phase === 'over' ? '<p>The event is over; you can still record who came.</p>' : ''}<form method="post" action="${base(d.event)}/check-in" novalidate>
<div class="field"><label for="code">Check-in code</label><p class="hint" id="code-hint">The code from the attendee's confirmation mail, e.g. K7M2QX9P.</p>
${bad ? `<p class="field-error" id="code-error">Check-in code ${h(err!.errors?.[0] ? plainMessage(err!.errors[0].message) : err!.detail)}</p>` : ''}
<input id="code" name="code" value="${h(d.typedCode ?? '')}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="12" aria-describedby="code-hint${bad ? ' code-error' : ''}"${bad ? ' aria-invalid="true"' : ''}></div>
<div class="row"><button type="submit">Check in</button>
<button type="button" class="secondary" data-scan hidden>Scan the QR code</button></div>
<div class="scanner" data-scanner hidden><video data-scan-video muted playsinline aria-label="Camera view for scanning the QR code"></video><p class="hint" data-scan-status role="status"></p><button type="button" class="secondary small" data-scan-stop>Stop scanning</button></div>
</form>`}</section>`;
}

const answerText = (v: string | string[]) => (Array.isArray(v) ? v.join(', ') : v);

function attendeesSection(d: ManageEventData) {
  const e = d.event;
  const filters: { value: AttendeeFilter; label: string }[] = [
    { value: 'going', label: 'Going' },
    { value: 'waitlisted', label: 'Waitlist' },
    { value: 'all', label: 'All' },
  ];
  const tabs = filters
    .map((f) => `<li><a href="${base(e)}?status=${f.value}#attendees"${f.value === d.filter ? ' aria-current="page"' : ''}>${f.label}</a></li>`)
    .join('');
  const qs = e.questions;
  const rows = d.attendees
    .map((a) => {
      const answers = qs
        .filter((q) => a.answers?.[q.id] !== undefined)
        .map((q) => `<div><span class="label">${h(q.label)}:</span> ${h(answerText(a.answers![q.id]!))}</div>`)
        .join('');
      const status = a.status === 'waitlisted' ? `Waitlist${a.waitlistPosition ? `, number ${a.waitlistPosition}` : ''}` : a.status.replace(/_/g, ' ');
      const checked = a.checkedInAt
        ? `<span class="status going">Yes, <time datetime="${h(isoInZone(a.checkedInAt, e.timezone))}">${h(new Intl.DateTimeFormat('en-GB', { timeZone: e.timezone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(a.checkedInAt)))}</time></span>`
        : a.status === 'going' && e.status !== 'cancelled'
          ? `<form method="post" action="${base(e)}/check-in" class="inline"><input type="hidden" name="userId" value="${h(a.userId)}"><button type="submit" class="secondary small">Check in<span class="visually-hidden"> ${h(a.name)}</span></button></form>`
          : '—';
      return `<tr><th scope="row">${h(a.name)}</th><td data-label="Status">${h(status)}</td><td data-label="Guests">${a.guests}</td><td data-label="Answers">${answers || '—'}</td><td data-label="Checked in">${checked}</td></tr>`;
    })
    .join('');
  const next = d.nextCursor ? `<p><a href="${base(e)}?status=${d.filter}&amp;cursor=${encodeURIComponent(d.nextCursor)}#attendees">Next page</a></p>` : '';
  return `<section id="attendees" aria-labelledby="attendees-title"><h2 id="attendees-title">Attendees</h2>
<nav aria-label="Filter attendees"><ul class="tabs">${tabs}</ul></nav>
${rows ? `<div class="table-wrap"><table class="attendees"><caption class="visually-hidden">Attendees: ${h(filters.find((f) => f.value === d.filter)!.label)}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Guests</th><th scope="col">Answers</th><th scope="col">Checked in</th></tr></thead>
<tbody>${rows}</tbody></table></div>` : '<p>Nobody here yet.</p>'}
${next}</section>`;
}

function exportsSection(d: ManageEventData) {
  const link = (preset: string, label: string, what: string) => `<li><a class="button secondary" href="${base(d.event)}/export?preset=${preset}" download aria-describedby="export-${preset}">${label}</a><p class="hint" id="export-${preset}">${what}</p></li>`;
  return `<section id="exports" aria-labelledby="exports-title" class="card"><h2 id="exports-title">Exports</h2>
<p class="hint">CSV files that open in any spreadsheet. Each download is recorded in the association's export log.</p>
<ul class="actions">
${link('full', 'Full list (CSV)', 'Everyone going and waitlisted, with emails, answers and membership.')}
${link('door', 'Door list (CSV)', 'Names, companies and guests of those going; no emails.')}
${link('waitlist', 'Waitlist (CSV)', 'The waitlist in its order.')}
</ul></section>`;
}

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);
const fbText = (f: { rating: number; met: boolean } | null) => (f ? `${f.rating} of 5, ${f.met ? 'met' : 'did not meet'}` : '—');

/** What attendees said about their matches after the event; only once matches were sent. */
function feedbackSection(d: ManageEventData) {
  const f = d.feedback;
  if (!f) return '';
  const rows = f.rows
    .map((r) => `<tr><th scope="row">${h(r.a)} and ${h(r.b)}</th><td data-label="${h(r.a)} says">${h(fbText(r.feedbackA))}</td><td data-label="${h(r.b)} says">${h(fbText(r.feedbackB))}</td><td data-label="Introduced">${r.introduced ? 'Yes' : 'No'}</td></tr>`)
    .join('');
  const next = f.nextCursor ? `<p><a href="${base(d.event)}?matchesCursor=${encodeURIComponent(f.nextCursor)}#feedback">Next page of matches</a></p>` : '';
  return `<section id="feedback" aria-labelledby="feedback-title" class="card"><h2 id="feedback-title">Match feedback</h2>
<dl class="facts">
<div><dt>Matches</dt><dd>${f.stats.matches}</dd></div>
<div><dt>Ratings</dt><dd>${f.stats.feedbackCount}</dd></div>
<div><dt>Average rating</dt><dd>${f.stats.averageRating === null ? '—' : `${f.stats.averageRating} of 5`}</dd></div>
<div><dt>Met</dt><dd>${pct(f.stats.metRate)}</dd></div>
<div><dt>Introductions</dt><dd>${pct(f.stats.introRate)}</dd></div>
</dl>
${rows ? `<div class="table-wrap"><table class="attendees"><caption class="visually-hidden">Feedback per match</caption>
<thead><tr><th scope="col">Match</th><th scope="col">First person says</th><th scope="col">Second person says</th><th scope="col">Introduced</th></tr></thead>
<tbody>${rows}</tbody></table></div>` : '<p>No matches stored.</p>'}
${next}</section>`;
}

function matchingSection(d: ManageEventData) {
  const e = d.event;
  if (!e.matchmaking?.enabled) return '';
  const err = d.error?.section === 'matching' ? d.error : undefined;
  const p = d.preview;
  const figures = p
    ? `<h3>Preview</h3><p class="hint">Computed now from who is going and has agreed to matching; nothing was stored or sent.</p>
<dl class="facts">
<div><dt>Attendees who opted in</dt><dd>${p.figures.attendees}</dd></div>
<div><dt>Matches</dt><dd>${p.matches}</dd></div>
<div><dt>People with at least one match</dt><dd>${p.figures.matched}</dd></div>
<div><dt>People with all ${p.k}</dt><dd>${p.figures.withK}</dd></div>
<div><dt>Candidate pairs</dt><dd>${p.figures.candidatePairs}</dd></div>
<div><dt>Total score</dt><dd>${Math.round(p.figures.totalScore * 100) / 100}</dd></div>
</dl>`
    : '';
  // Introductions are for before and during the event; once it is over only the feedback stays.
  const open = d.phase === 'upcoming' || d.phase === 'under way';
  return `<section id="matching" aria-labelledby="matching-title" class="card"><h2 id="matching-title">Matching</h2>
<p>Each attendee who agreed gets up to ${e.matchmaking.matchesPerAttendee} people to meet${e.matchmaking.sendAt ? `, mailed on <time datetime="${h(isoInZone(e.matchmaking.sendAt, e.timezone))}">${h(new Intl.DateTimeFormat('en-GB', { timeZone: e.timezone, day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(e.matchmaking.sendAt)))}</time>` : ''}.</p>
${errorBox(err)}
${figures}
${d.phase === 'over' ? '<p>The event is over, so no more introductions are sent.</p>' : ''}
${!open ? '' : `<div class="row"><form method="post" action="${base(e)}/matches/preview" class="inline"><button type="submit" class="secondary">Preview matches</button></form>
<form method="post" action="${base(e)}/matches/send" class="inline"><button type="submit">Send matches now</button></form></div>`}
</section>`;
}

export function manageEventPage(d: ManageEventData): string {
  const e = d.event;
  const cancelErr = d.error?.section === 'cancel' ? d.error : undefined;
  return page(
    // The scanner island only where check-in is possible; it shows its button where the browser can scan.
    { title: `Manage: ${e.title}`, url: d.url, user: d.user, here: base(e), scripts: e.status === 'cancelled' ? [] : ['/assets/check-in.js'] },
    `<article class="manage-page">
<p class="eyebrow">Organizer</p>
<h1>${h(e.title)}</h1>
<p class="when"><time datetime="${h(isoInZone(e.startsAt, e.timezone))}">${h(whenText(e))}</time></p>
<p class="row"><a href="/e/${encodeURIComponent(e.eventId)}">Public event page</a>${e.status === 'cancelled' ? '' : ` <a class="button secondary" href="${base(e)}/edit">Edit the event</a>`}</p>
${d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : ''}
${errorBox(cancelErr)}
${e.status === 'cancelled' ? '<p class="banner danger">This event is cancelled. Attendees were told by email.</p>' : ''}
${summary(d)}
${checkInSection(d)}
${attendeesSection(d)}
${exportsSection(d)}
${matchingSection(d)}
${feedbackSection(d)}
${d.phase !== 'upcoming' ? '' : `<section id="cancel" aria-labelledby="cancel-title" class="card"><h2 id="cancel-title">Cancel the event</h2>
<p>Everyone going or waitlisted gets an email. This cannot be undone.</p>
<p><a class="button secondary" href="${base(e)}/cancel">Cancel this event…</a></p></section>`}
</article>`,
  );
}

export function cancelEventPage(d: { url: string; user: PageUser; event: Event; error?: FormError }): string {
  const e = d.event;
  return page(
    { title: `Cancel ${e.title}?`, url: d.url, user: d.user, here: `${base(e)}/cancel` },
    `<article class="manage-page">
<h1>Cancel ${h(e.title)}?</h1>
${errorBox(d.error)}
<p><time datetime="${h(isoInZone(e.startsAt, e.timezone))}">${h(whenText(e))}</time></p>
<p>Everyone going (${e.goingCount} ${e.goingCount === 1 ? 'seat' : 'seats'} taken) and everyone on the waitlist (${e.waitlistCount}) will get an email that the event is cancelled. It cannot be undone.</p>
<form method="post" action="${base(e)}/cancel" class="row">
<input type="hidden" name="confirm" value="cancel">
<button type="submit" class="danger">Cancel the event for everyone</button>
<a class="button secondary" href="${base(e)}">Keep the event</a>
</form>
</article>`,
  );
}
