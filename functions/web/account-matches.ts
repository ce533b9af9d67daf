/**
 * "My matches" on the account page, as strings, free of I/O: per event, the people the
 * caller was matched with and why, "introduce us" (a form posting to the web function),
 * and after the event the feedback form with what was saved shown back. Section id
 * "matches", so the match mail's link can land on it (/account#matches).
 */
import { escapeHtml as h } from '../core/http/html.js';
import type { Event } from '../core/domain/events.js';
import type { myMatches } from '../core/services/matching.js';
import * as s from '../core/schemas.js';
import { whenText, isoInZone } from './format.js';
import { connectControl } from './network.js';
import type { PersonConnection } from '../core/domain/connections.js';

export type MyMatch = Awaited<ReturnType<typeof myMatches>>['items'][number];

export interface AccountMatchEvent {
  event: Event;
  /** The event is over: feedback is asked for. */
  ended: boolean;
  items: MyMatch[];
  /** How each matched person stands with me (connectionStates); absent means Connect. */
  connections?: ReadonlyMap<string, PersonConnection>;
  /** Whom I may ask to connect from here (mayConnect, both of us); absent means everyone. */
  askable?: ReadonlySet<string>;
}

/** A refused feedback form: which match, what was typed, and what is wrong with which field. */
export interface MatchFormError {
  eventId: string;
  matchId: string;
  detail: string;
  errors: { path: 'rating' | 'met'; message: string }[];
  typed: { rating?: string; met?: string };
}

const FIELD_LABEL = { rating: 'Rating', met: 'We met' } as const;

function feedbackForm(e: Event, m: MyMatch, idx: string, err: MatchFormError | undefined): string {
  // The fragment brings a refusal's page back to this section (no script needed).
  const action = `/account/matches/${encodeURIComponent(e.eventId)}/${encodeURIComponent(m.matchId)}/feedback#matches`;
  const mine = err && err.matchId === m.matchId && err.eventId === e.eventId ? err : undefined;
  const rating = mine ? mine.typed.rating : m.feedback ? String(m.feedback.rating) : undefined;
  const met = mine ? mine.typed.met : m.feedback ? (m.feedback.met ? 'yes' : 'no') : undefined;
  const bad = (f: 'rating' | 'met') => mine?.errors.find((x) => x.path === f);
  const fieldError = (f: 'rating' | 'met') => (bad(f) ? `<p class="field-error" id="${idx}-${f}-error">${h(FIELD_LABEL[f])} ${h(bad(f)!.message)}</p>` : '');
  const described = (f: 'rating' | 'met') => (bad(f) ? ` aria-describedby="${idx}-${f}-error"` : '');
  const stars = [1, 2, 3, 4, 5]
    .map((n) => `<label class="choice" for="${idx}-rating-${n}"><input type="radio" id="${idx}-rating-${n}" name="rating" value="${n}"${rating === String(n) ? ' checked' : ''}> ${n}</label>`)
    .join('');
  const saved = m.feedback ? `<p class="status saved" id="${idx}-saved">You rated this introduction ${m.feedback.rating} of 5${m.feedback.met ? ' and said you met' : ' and said you did not meet'}.</p>` : '';
  return `${saved}<form method="post" action="${h(action)}" class="feedback" novalidate>
<fieldset class="field choices rating"${described('rating')}><legend id="${idx}-rating-legend">How useful was meeting ${h(m.person.name)}? <span class="hint">(1 not at all, 5 very)</span></legend>${fieldError('rating')}<span class="row">${stars}</span></fieldset>
<fieldset class="field choices"${described('met')}><legend>Did you meet?</legend>${fieldError('met')}<label class="choice" for="${idx}-met-yes"><input type="radio" id="${idx}-met-yes" name="met" value="yes"${met === 'yes' ? ' checked' : ''}> Yes, we met</label><label class="choice" for="${idx}-met-no"><input type="radio" id="${idx}-met-no" name="met" value="no"${met === 'no' ? ' checked' : ''}> No</label></fieldset>
<button type="submit" class="secondary">${m.feedback ? 'Update feedback' : 'Save feedback'}<span class="visually-hidden"> about ${h(m.person.name)}</span></button>
</form>`;
}

function introduce(e: Event, m: MyMatch): string {
  if (m.introduced) return `<p class="status going">Introduced: we sent one email to both of you.</p>`;
  if (m.introRequested) return `<p class="status">You asked to be introduced; we email you both as soon as ${h(m.person.name)} asks too.</p>`;
  const action = `/account/matches/${encodeURIComponent(e.eventId)}/${encodeURIComponent(m.matchId)}/introduce#matches`;
  return `<form method="post" action="${h(action)}" class="inline"><button type="submit">Introduce us<span class="visually-hidden"> to ${h(m.person.name)}</span></button></form>`;
}

function matchCard(x: AccountMatchEvent, m: MyMatch, i: number, j: number, err: MatchFormError | undefined): string {
  const idx = `m${i}-${j}`;
  // Already connected: no point asking to be introduced.
  const connection = x.connections?.get(m.person.userId);
  const role = [m.person.jobTitle, m.person.company].filter(Boolean).join(', ');
  const reasons = m.sentences.length ? `<ul class="reasons">${m.sentences.map((s) => `<li>${h(s)}</li>`).join('')}</ul>` : '';
  return `<li class="card match" id="${idx}"><h4>${h(m.person.name)}</h4>${role ? `<p class="hint">${h(role)}</p>` : ''}${m.person.headline ? `<p><em>${h(m.person.headline)}</em></p>` : ''}
<p class="visually-hidden">Why you two:</p>${reasons}
<div class="match-actions">${connection?.state === 'connected' && !m.introduced ? '' : introduce(x.event, m)}${!x.askable || x.askable.has(m.person.userId) || (connection && connection.state !== 'none') ? connectControl({ associationId: x.event.associationId, userId: m.person.userId, name: m.person.name, eventId: x.event.eventId, connection, next: '/account#matches' }) : ''}</div>
${x.ended ? feedbackForm(x.event, m, idx, err) : ''}</li>`;
}

export function matchesSection(events: AccountMatchEvent[], err?: MatchFormError, notice?: string): string {
  const summary = err
    ? `<div class="error-summary" role="alert" tabindex="-1" id="problem"><h3>There is a problem</h3><p>${h(err.detail)}</p>${err.errors.length ? `<ul>${err.errors.map((e) => `<li>${h(FIELD_LABEL[e.path])} ${h(e.message)}</li>`).join('')}</ul>` : ''}</div>`
    : '';
  const blocks = events
    .filter((x) => x.items.length)
    .map((x, i) => {
      const e = x.event;
      return `<div class="match-event"><h3><a href="/e/${encodeURIComponent(e.eventId)}">${h(e.title)}</a></h3><p><time datetime="${h(isoInZone(e.startsAt, e.timezone))}">${h(whenText(e))}</time>${x.ended ? ' · <span class="hint">over: how did it go?</span>' : ''}</p>
<ul class="list">${x.items.map((m, j) => matchCard(x, m, i, j, err)).join('')}</ul></div>`;
    })
    .join('');
  return `<section id="matches" aria-labelledby="matches-title"><h2 id="matches-title">My matches</h2>${notice ? `<p class="notice" role="status">${h(notice)}</p>` : ''}${summary}
${blocks || '<p>No matches yet. When an event you attend suggests people to meet, they appear here.</p>'}</section>`;
}

/** Form values of the feedback form as the API's body, or the fields that are wrong in words. */
export function feedbackInput(form: URLSearchParams): { ok: true; value: { rating: number; met: boolean } } | { ok: false; errors: MatchFormError['errors'] } {
  const rating = form.get('rating') ?? '';
  const met = form.get('met') ?? '';
  const parsed = s.MatchFeedback.safeParse({ rating: /^\d+$/.test(rating) ? Number(rating) : rating || undefined, met: met === 'yes' ? true : met === 'no' ? false : undefined });
  if (parsed.success) return { ok: true, value: parsed.data };
  const paths = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  const errors: MatchFormError['errors'] = [];
  if (paths.has('rating')) errors.push({ path: 'rating', message: 'must be a number from 1 to 5' });
  if (paths.has('met')) errors.push({ path: 'met', message: 'must be yes or no' });
  return { ok: false, errors };
}
