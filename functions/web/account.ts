/**
 * The signed-in person's account page and its delete-confirmation step, as strings, free
 * of I/O: every value passes through escapeHtml. Every control is a real form posting to
 * the web function, so the page works without any script.
 */
import { escapeHtml as h } from '../core/http/html.js';
import type { Event } from '../core/domain/events.js';
import type { Profile } from '../core/domain/types.js';
import { page, type PageUser } from './render.js';
import { whenText, isoInZone } from './format.js';
import type { PayAction } from '../core/domain/renewal.js';
import { receiptsList, type ReceiptRow } from './account-receipts.js';
import { matchesSection, type AccountMatchEvent, type MatchFormError } from './account-matches.js';

export interface AccountMembership {
  associationId: string;
  associationName: string;
  slug: string;
  planName: string;
  status: string;
  role: string;
  currentPeriodEnd?: string | null;
  timezone: string;
  /** Paid plan in an association that takes cards: pay or renew through Stripe Checkout. */
  canPay: boolean;
  /** Has paid through Stripe before: the billing portal has a card to manage. */
  hasBilling: boolean;
  /** What the pay button does now (domain/renewal.ts); absent: decided by canPay alone. */
  payAction?: PayAction;
  /** The member's own payments and refunds here, newest first; `morePayments`: older ones exist. */
  payments?: ReceiptRow[];
  morePayments?: boolean;
}

export interface AccountRsvp {
  event: Event;
  status: 'going' | 'waitlisted';
  guests: number;
  waitlistPosition?: number;
}

export interface FormError {
  detail: string;
  errors?: { path: string; message: string }[];
}

export interface AccountPageData {
  url: string;
  user: PageUser;
  profile: Profile;
  vocabulary: { value: string; label: string }[];
  memberships: AccountMembership[];
  rsvps: AccountRsvp[];
  /** Events where the person has matches, with them. */
  matches?: AccountMatchEvent[];
  /** A refused feedback form, shown in the matches section with what was typed. */
  matchError?: MatchFormError;
  notice?: string;
  /** What a connect button on a match card did (?done=), shown where the person lands (#matches). */
  matchesNotice?: string;
  /** A problem with the last form post, shown above the section it belongs to. */
  error?: FormError & { section: 'profile' | 'consent' | 'memberships' };
  /** What the person typed, shown again when it was refused (nothing was stored). */
  typed?: Record<string, string | string[]>;
}

/** Human names of the profile's fields, for the error summary (paths as zod reports them). */
const LABELS: Record<string, string> = {
  name: 'Name',
  headline: 'Headline',
  company: 'Company',
  jobTitle: 'Job title',
  industry: 'Industry',
  skills: 'Skills',
  interests: 'Interests',
  offers: 'Offers',
  seeks: 'Seeks',
  matchOptIn: 'Matching',
  directoryVisible: 'Directory',
};
const FIELD_IDS: Record<string, string> = { name: 'name', headline: 'headline', company: 'company', jobTitle: 'jobTitle', industry: 'industry', skills: 'skills', interests: 'interests', offers: 'offers-0', seeks: 'seeks-0' };

const topField = (path: string) => path.split('.')[0]!;

/** zod's messages, in words a person reads on a form (the API keeps zod's own). */
export function plainMessage(message: string): string {
  if (/^Too small: expected string to have >=1 character/.test(message)) return 'must not be empty';
  const long = /^Too big: expected string to have <=(\d+) characters/.exec(message);
  if (long) return `must be at most ${long[1]} characters`;
  const many = /^Too big: expected array to have <=(\d+) items/.exec(message);
  if (many) return `may have at most ${many[1]} entries`;
  if (/^Invalid option/.test(message)) return 'must be one of the listed choices';
  return message;
}

function errorSummary(error?: FormError) {
  if (!error) return '';
  const items = (error.errors ?? [])
    .map((e) => {
      const f = topField(e.path);
      const label = LABELS[f] ?? f;
      return `<li>${FIELD_IDS[f] ? `<a href="#${FIELD_IDS[f]}">${h(label)}</a>` : h(label)} ${h(plainMessage(e.message))}</li>`;
    })
    .join('');
  return `<div class="error-summary" role="alert" tabindex="-1" id="problem"><h3>There is a problem</h3><p>${h(error.detail)}</p>${items ? `<ul>${items}</ul>` : ''}</div>`;
}

const fieldError = (error: FormError | undefined, field: string) => {
  const e = error?.errors?.find((x) => topField(x.path) === field);
  return e ? `<p class="field-error" id="${field}-error">${h(LABELS[field] ?? field)} ${h(plainMessage(e.message))}</p>` : '';
};

const day = (iso: string, tz: string) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));
const statusText = (s: string) => s.replace(/_/g, ' ');

function textField(d: AccountPageData, field: string, value: string | undefined, opts: { hint?: string; required?: boolean; max?: number } = {}) {
  const err = d.error?.section === 'profile' ? d.error : undefined;
  const typed = d.typed?.[field];
  const shown = typeof typed === 'string' ? typed : (value ?? '');
  const bad = !!err?.errors?.some((x) => topField(x.path) === field);
  const described = [opts.hint ? `${field}-hint` : '', bad ? `${field}-error` : ''].filter(Boolean).join(' ');
  return `<div class="field"><label for="${field}">${h(LABELS[field]!)}${opts.required ? '' : ' <span class="hint">(optional)</span>'}</label>${opts.hint ? `<p class="hint" id="${field}-hint">${h(opts.hint)}</p>` : ''}${fieldError(err, field)}<input id="${field}" name="${field}" value="${h(shown)}"${opts.required ? ' required' : ''}${opts.max ? ` maxlength="${opts.max}"` : ''}${described ? ` aria-describedby="${described}"` : ''}${bad ? ' aria-invalid="true"' : ''}></div>`;
}

function intentField(d: AccountPageData, field: 'offers' | 'seeks', legend: string) {
  const typed = d.typed?.[field];
  const chosen = new Set(d.typed ? (Array.isArray(typed) ? typed : typed ? [typed] : []) : d.profile[field]);
  const err = d.error?.section === 'profile' ? d.error : undefined;
  const options = d.vocabulary
    .map((v, i) => `<label class="choice" for="${field}-${i}"><input type="checkbox" id="${field}-${i}" name="${field}" value="${h(v.value)}"${chosen.has(v.value as never) ? ' checked' : ''}> ${h(v.label)}</label>`)
    .join('');
  return `<fieldset class="field choices"><legend>${h(legend)}</legend>${fieldError(err, field)}${options}</fieldset>`;
}

function profileSection(d: AccountPageData) {
  const p = d.profile;
  const err = d.error?.section === 'profile' ? d.error : undefined;
  return `<section id="profile" aria-labelledby="profile-title" class="card"><h2 id="profile-title">Profile</h2>
<p class="hint">Members see this in the directory and in your matches, if you agree to that below.</p>
${errorSummary(err)}
<form method="post" action="/account/profile" novalidate>
${textField(d, 'name', p.name, { required: true, max: 120 })}
${textField(d, 'headline', p.headline, { max: 160, hint: 'One line about you, e.g. “Product lead building tools for clinics”.' })}
${textField(d, 'company', p.company, { max: 120 })}
${textField(d, 'jobTitle', p.jobTitle, { max: 120 })}
${textField(d, 'industry', p.industry, { max: 80 })}
${textField(d, 'skills', p.skills.join(', '), { hint: 'Separate them with commas.' })}
${textField(d, 'interests', p.interests.join(', '), { hint: 'Separate them with commas.' })}
<div class="intents">${intentField(d, 'offers', 'I can offer')}${intentField(d, 'seeks', 'I am looking for')}</div>
<button type="submit">Save profile</button>
</form></section>`;
}

function consentSection(d: AccountPageData) {
  const p = d.profile;
  const err = d.error?.section === 'consent' ? d.error : undefined;
  return `<section id="consent" aria-labelledby="consent-title" class="card"><h2 id="consent-title">What you share</h2>
${errorSummary(err)}
<form method="post" action="/account/consent">
<div class="field consent"><label class="choice" for="directoryVisible"><input type="checkbox" id="directoryVisible" name="directoryVisible" value="yes" aria-describedby="directoryVisible-what"${p.directoryVisible ? ' checked' : ''}> Show me in member directories</label>
<p class="hint" id="directoryVisible-what">Other members of your associations see your name, headline, company and job title; never your email.</p></div>
<div class="field consent"><label class="choice" for="matchOptIn"><input type="checkbox" id="matchOptIn" name="matchOptIn" value="yes" aria-describedby="matchOptIn-what"${p.matchOptIn ? ' checked' : ''}> Suggest people for me to meet at events</label>
<p class="hint" id="matchOptIn-what">People you are matched with at an event you attend see your name, headline, company, job title, and what you offer and seek.</p></div>
<button type="submit">Save choices</button>
</form></section>`;
}

function membershipsSection(d: AccountPageData) {
  const err = d.error?.section === 'memberships' ? d.error : undefined;
  const rows = d.memberships
    .map((m) => {
      const base = `/account/memberships/${encodeURIComponent(m.associationId)}`;
      const named = `m-${h(m.associationId)}`;
      const pay = m.payAction !== undefined ? (m.payAction === 'pay' || m.payAction === 'renew' ? m.payAction : null) : m.canPay && m.status !== 'cancelled' ? (m.status === 'active' ? 'renew' : 'pay') : null;
      const actions = [
        pay ? `<form method="post" action="${base}/pay" class="inline"><button type="submit" aria-describedby="${named}">${pay === 'renew' ? 'Renew' : 'Pay dues'}</button></form>` : '',
        m.hasBilling && m.status !== 'cancelled' ? `<form method="post" action="${base}/billing" class="inline"><button type="submit" class="secondary" aria-describedby="${named}">Billing and card</button></form>` : '',
        m.status !== 'cancelled' ? `<form method="post" action="${base}/leave" class="inline"><button type="submit" class="secondary" aria-describedby="${named}">Leave</button></form>` : '',
      ].filter(Boolean);
      return `<li class="card membership"><h3 id="${named}"><a href="/a/${encodeURIComponent(m.slug)}">${h(m.associationName)}</a></h3>
<dl class="facts"><div><dt>Plan</dt><dd>${h(m.planName || '—')}</dd></div><div><dt>Status</dt><dd>${h(statusText(m.status))}</dd></div><div><dt>Paid until</dt><dd>${m.currentPeriodEnd ? h(day(m.currentPeriodEnd, m.timezone)) : '—'}</dd></div>${m.role !== 'member' ? `<div><dt>Role</dt><dd>${h(m.role)}</dd></div>` : ''}</dl>
${m.payAction === 'update_card' ? '<p class="hint">The last payment failed: update your card and Stripe tries again.</p>' : ''}
${actions.length ? `<div class="row">${actions.join('')}</div>` : ''}
${m.payments ? receiptsList(m, m.payments, !!m.morePayments) : ''}</li>`;
    })
    .join('');
  return `<section id="memberships" aria-labelledby="memberships-title"><h2 id="memberships-title">Memberships</h2>${errorSummary(err)}
${rows ? `<ul class="list">${rows}</ul>` : '<p>You are not a member of any association yet.</p>'}</section>`;
}

function eventsSection(d: AccountPageData) {
  const rows = d.rsvps
    .map((r) => {
      const e = r.event;
      const id = encodeURIComponent(e.eventId);
      const status = r.status === 'going' ? `Going${r.guests ? ` with ${r.guests} guest${r.guests > 1 ? 's' : ''}` : ''}` : `Waitlist, number ${r.waitlistPosition ?? '?'}`;
      return `<li class="card"><h3><a href="/e/${id}">${h(e.title)}</a></h3><p><time datetime="${h(isoInZone(e.startsAt, e.timezone))}">${h(whenText(e))}</time></p>
<p class="status ${r.status}">${h(status)}</p><p><a href="/e/${id}/calendar.ics" download>Add to calendar (.ics)<span class="visually-hidden"> for ${h(e.title)}</span></a></p></li>`;
    })
    .join('');
  return `<section id="events" aria-labelledby="events-title"><h2 id="events-title">My events</h2>${rows ? `<ul class="list">${rows}</ul>` : '<p>No upcoming events.</p>'}</section>`;
}

export function accountPage(d: AccountPageData): string {
  return page(
    { title: 'Your account', url: d.url, user: d.user, here: '/account' },
    `<article class="account-page">
<h1>Your account</h1>
<p class="hint">Signed in as ${h(d.user.email)} · <a href="/account/network">My network</a></p>
${d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : ''}
${profileSection(d)}
${consentSection(d)}
${membershipsSection(d)}
${eventsSection(d)}
${d.matches ? matchesSection(d.matches, d.matchError, d.matchesNotice) : ''}
<section id="data" aria-labelledby="data-title" class="card"><h2 id="data-title">Your data</h2>
<p>Everything we hold about you, as a JSON file.</p>
<p><a class="button" href="/account/export" download>Download my data</a></p>
<h3>Delete my account</h3>
<p>Your profile, RSVPs and matches are erased and your memberships end. What associations must keep for their books stays, without your name.</p>
<p><a href="/account/delete">Delete my account…</a></p>
</section>
</article>`,
  );
}

export function deleteAccountPage(d: { url: string; user: PageUser; error?: FormError }): string {
  return page(
    { title: 'Delete your account', url: d.url, user: d.user, here: '/account/delete' },
    `<article class="account-page">
<h1>Delete your account?</h1>
${errorSummary(d.error)}
<p>This erases your profile, your RSVPs (your spots go to the waitlist) and your matches, and ends every membership, stopping any card payments. What associations must keep for their books stays, without your name. It cannot be undone.</p>
<p>You may want to <a href="/account/export" download>download your data</a> first.</p>
<form method="post" action="/account/delete" class="row">
<input type="hidden" name="confirm" value="delete">
<button type="submit" class="danger">Delete my account for good</button>
<a class="button secondary" href="/account">Keep my account</a>
</form>
</article>`,
  );
}
