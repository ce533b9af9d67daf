/**
 * Server-rendered pages, as strings, free of I/O: every value passes through escapeHtml
 * (or JSON made safe for a script element). Pages are complete without any script; the
 * islands in web/ only enhance what is already there.
 */
import { escapeHtml as h, siteDocument } from '../core/http/html.js';
import { eventPhase, rsvpClosed, spotsLeft, type Event, type Question, type Rsvp } from '../core/domain/events.js';
import type { Association } from '../core/domain/types.js';
import { roleAtLeast, type Role } from '../core/domain/roles.js';
import type { publicPlan } from '../core/services/associations.js';
import type { eventView } from '../core/domain/events.js';

type PlanView = ReturnType<typeof publicPlan>;
type EventView = ReturnType<typeof eventView>;
import { dayIn, googleCalendarUrl, isoInZone, priceText, timeIn, whenText, zoneName } from './format.js';

export interface PageUser {
  name: string;
  email: string;
}

export interface Layout {
  title: string;
  /** Absolute URL of the page, for canonical and Open Graph. */
  url: string;
  user: PageUser | null;
  /** Path to come back to after signing in. */
  here: string;
  head?: string;
  /** Island scripts this page loads (module URLs under /assets/). */
  scripts?: string[];
}

/** JSON for a <script type="application/ld+json">: no "</script>" can close it early. */
export const safeJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

export function page(l: Layout, main: string): string {
  const account = l.user
    ? `<a href="/account">Your account</a> <span class="who">Signed in as ${h(l.user.name || l.user.email)}</span> <form method="post" action="/sign-out" class="inline"><button type="submit" class="link">Sign out</button></form>`
    : `<a href="/sign-in?next=${encodeURIComponent(l.here)}">Sign in</a>`;
  const head = [`<link rel="canonical" href="${h(l.url)}">`, l.head ?? '', ...(l.scripts ?? []).map((s) => `<script type="module" src="${h(s)}"></script>`)].filter(Boolean).join('\n');
  return siteDocument({ title: l.title, head, account, main });
}

// ------------------------------------------------------------------ event page

export interface EventPageData {
  event: Event;
  association: Association;
  pageUrl: string;
  /** Signed-in visitor, if any. */
  user: PageUser | null;
  /** May see everything but the attendee-only details (public event, or a member in good standing). */
  canSee: boolean;
  /** Staff of the association (organizer and up). */
  isStaff: boolean;
  rsvp?: Rsvp;
  waitlistPosition?: number;
  now: Date;
  /** A problem with the visitor's last form post, shown above the form. */
  error?: { detail: string; errors?: { path: string; message: string }[] };
  /** What just happened, after a form post. */
  notice?: string;
  /** "People who were there" (event-people.ts), for an attendee of a past event. */
  people?: string;
}

const paragraphs = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${h(p).replace(/\n/g, '<br>')}</p>`)
    .join('');

function availability(e: Event, now: Date): { text: string; schema: string } {
  const left = spotsLeft(e);
  if (e.status === 'cancelled') return { text: 'This event was cancelled.', schema: 'https://schema.org/SoldOut' };
  // Spots left mean nothing once it is over; what it was is worth saying.
  if (eventPhase(e, now) === 'over') return { text: `This event is over · ${e.attendedCount > 0 ? `${e.attendedCount} came` : `${e.goingCount} had a spot`}`, schema: 'https://schema.org/SoldOut' };
  if (left === null) return { text: `${e.goingCount} going · no limit on spots`, schema: 'https://schema.org/InStock' };
  if (left > 0 && e.waitlistCount === 0) return { text: `${left} of ${e.capacity} spots left`, schema: left <= 5 ? 'https://schema.org/LimitedAvailability' : 'https://schema.org/InStock' };
  if (e.waitlist) return { text: `Full · ${e.waitlistCount} on the waitlist`, schema: 'https://schema.org/SoldOut' };
  return { text: 'Full', schema: 'https://schema.org/SoldOut' };
}

const attendanceMode = (e: Event) =>
  e.venue && e.onlineUrl ? 'https://schema.org/MixedEventAttendanceMode' : e.onlineUrl ? 'https://schema.org/OnlineEventAttendanceMode' : 'https://schema.org/OfflineEventAttendanceMode';

/** schema.org Event, so search engines can list it and chat apps preview it. */
export function eventJsonLd(d: Pick<EventPageData, 'event' | 'association' | 'pageUrl' | 'now'>, associationUrl: string) {
  const e = d.event;
  const locations: unknown[] = [];
  if (e.venue) locations.push({ '@type': 'Place', name: e.venue, address: e.venue });
  // The online link itself is for attendees; the page that gives it out stands in for it.
  if (e.onlineUrl) locations.push({ '@type': 'VirtualLocation', url: d.pageUrl });
  return {
    '@context': 'https://schema.org',
    '@type': 'Event',
    name: e.title,
    description: e.description.slice(0, 500),
    startDate: isoInZone(e.startsAt, e.timezone),
    endDate: isoInZone(e.endsAt, e.timezone),
    eventStatus: e.status === 'cancelled' ? 'https://schema.org/EventCancelled' : 'https://schema.org/EventScheduled',
    eventAttendanceMode: attendanceMode(e),
    ...(locations.length ? { location: locations.length === 1 ? locations[0] : locations } : {}),
    organizer: { '@type': 'Organization', name: d.association.name, url: associationUrl },
    offers: {
      '@type': 'Offer',
      price: 0,
      priceCurrency: d.association.currency.toUpperCase(),
      availability: availability(e, d.now).schema,
      url: d.pageUrl,
      validFrom: isoInZone(e.createdAt, e.timezone),
    },
    url: d.pageUrl,
  };
}

function socialTags(title: string, description: string, url: string, siteName: string) {
  const desc = description.length > 200 ? `${description.slice(0, 197)}…` : description;
  return [
    `<meta name="description" content="${h(desc)}">`,
    `<meta property="og:type" content="website">`,
    `<meta property="og:title" content="${h(title)}">`,
    `<meta property="og:description" content="${h(desc)}">`,
    `<meta property="og:url" content="${h(url)}">`,
    `<meta property="og:site_name" content="${h(siteName)}">`,
    `<meta name="twitter:card" content="summary">`,
    `<meta name="twitter:title" content="${h(title)}">`,
    `<meta name="twitter:description" content="${h(desc)}">`,
  ].join('\n');
}

function whenBlock(e: Event) {
  return `<p class="when"><time datetime="${h(isoInZone(e.startsAt, e.timezone))}" data-local-time data-start="${h(e.startsAt)}" data-end="${h(e.endsAt)}" data-zone="${h(e.timezone)}">${h(whenText(e))}</time></p>`;
}

function questionField(q: Question, answer: string | string[] | undefined) {
  const id = `q-${h(q.id)}`;
  const req = q.required ? ' required' : '';
  const mark = q.required ? '' : ' <span class="hint">(optional)</span>';
  if (q.type === 'text') {
    return `<div class="field"><label for="${id}">${h(q.label)}${mark}</label><input id="${id}" name="answers.${h(q.id)}" value="${h(typeof answer === 'string' ? answer : '')}"${req}></div>`;
  }
  const chosen = new Set(Array.isArray(answer) ? answer : answer ? [answer] : []);
  const type = q.type === 'single' ? 'radio' : 'checkbox';
  const options = (q.options ?? [])
    .map((o, i) => `<label class="choice"><input type="${type}" name="answers.${h(q.id)}" value="${h(o)}" id="${id}-${i}"${chosen.has(o) ? ' checked' : ''}${q.type === 'single' ? req : ''}> ${h(o)}</label>`)
    .join('');
  return `<fieldset class="field"><legend>${h(q.label)}${mark}</legend>${options}</fieldset>`;
}

function errorSummary(error: EventPageData['error']) {
  if (!error) return '';
  const items = (error.errors ?? []).map((e) => `<li>${h(fieldLabel(e.path))} ${h(e.message)}</li>`).join('');
  return `<div class="error-summary" role="alert" tabindex="-1"><h2>There is a problem</h2><p>${h(error.detail)}</p>${items ? `<ul>${items}</ul>` : ''}</div>`;
}

const fieldLabel = (path: string) => (path === 'guests' ? 'Guests' : path.startsWith('answers.') ? `Answer “${path.slice(8)}”` : path === 'status' ? 'RSVP' : path);

function rsvpSection(d: EventPageData): string {
  const e = d.event;
  const action = `/e/${encodeURIComponent(e.eventId)}/rsvp`;
  const notice = d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : '';
  const closed = rsvpClosed(e, d.now);
  const r = d.rsvp && d.rsvp.status !== 'not_going' ? d.rsvp : undefined;
  const phase = eventPhase(e, d.now);
  let body: string;
  if (r && (phase === 'over' || phase === 'cancelled')) {
    // After the event, or once it is cancelled, a check-in code or a waitlist place is no use.
    const was =
      phase === 'cancelled'
        ? r.status === 'going' ? 'You had a spot.' : 'You were on the waitlist.'
        : r.status === 'going' ? (r.checkedInAt ? 'You came. Thank you for being there.' : 'You had a spot.') : 'You were on the waitlist.';
    body = `<p class="status">${was}</p>`;
  } else if (r?.status === 'going') {
    body = `<p class="status going"><strong>You’re going.</strong>${r.guests ? ` With ${r.guests} guest${r.guests > 1 ? 's' : ''}.` : ''}</p>
<p>Your check-in code: <strong class="code">${h(r.checkInCode)}</strong></p>
${closed ? '' : `<form method="post" action="${action}"><input type="hidden" name="status" value="not_going"><button type="submit" class="secondary">Cancel my RSVP</button></form>`}`;
  } else if (r?.status === 'waitlisted') {
    body = `<p class="status waitlisted"><strong>You’re number ${d.waitlistPosition ?? '?'} on the waitlist.</strong> We will email you if a spot frees up.</p>
<form method="post" action="${action}"><input type="hidden" name="status" value="not_going"><button type="submit" class="secondary">Leave the waitlist</button></form>`;
  } else if (closed) {
    body = `<p class="status">${h(closed.detail)}</p>`;
  } else if (!d.user) {
    body = `<p><a class="button" href="/sign-in?next=${encodeURIComponent(`/e/${e.eventId}`)}">Sign in to RSVP</a></p>`;
  } else if (!d.canSee) {
    body = `<p>This event is for members.</p>`;
  } else {
    const full = spotsLeft(e) !== null && (spotsLeft(e)! <= 0 || e.waitlistCount > 0);
    if (full && !e.waitlist) {
      body = `<p class="status">This event is full.</p>`;
    } else {
      const guests = e.maxGuests
        ? `<div class="field"><label for="guests">Guests you bring</label><select id="guests" name="guests">${Array.from({ length: e.maxGuests + 1 }, (_, i) => `<option value="${i}"${i === (d.rsvp?.guests ?? 0) ? ' selected' : ''}>${i}</option>`).join('')}</select></div>`
        : '';
      const questions = e.questions.map((q) => questionField(q, d.rsvp?.answers[q.id])).join('');
      body = `<form method="post" action="${action}" data-rsvp-form>
<input type="hidden" name="status" value="going">
${questions}${guests}
<button type="submit">${full ? 'Join the waitlist' : 'RSVP'}</button>
</form>`;
    }
  }
  return `<section id="rsvp" aria-labelledby="rsvp-title" class="card"><h2 id="rsvp-title">Your RSVP</h2>${notice}${errorSummary(d.error)}${body}</section>`;
}

function whereBlock(d: EventPageData): string {
  const e = d.event;
  const going = d.rsvp?.status === 'going';
  const parts: string[] = [];
  if (e.venue) parts.push(`<p><span class="label">Venue</span> ${h(e.venue)}</p>`);
  if (e.onlineUrl) {
    // The link is for people with a spot: a shared page must not let anyone in.
    parts.push(
      going || d.isStaff
        ? `<p><span class="label">Online</span> <a href="${h(e.onlineUrl)}" rel="noopener">${h(e.onlineUrl)}</a></p>`
        : `<p><span class="label">Online</span> the link appears here once you have a spot.</p>`,
    );
  }
  return parts.length ? `<div class="where">${parts.join('')}</div>` : '';
}

export function eventPage(d: EventPageData): string {
  const e = d.event;
  const a = d.association;
  const assocUrl = `/a/${encodeURIComponent(a.slug)}`;
  const origin = new URL(d.pageUrl).origin;
  const layout: Layout = { title: `${e.title} · ${a.name}`, url: d.pageUrl, user: d.user, here: `/e/${e.eventId}` };
  if (!d.canSee) {
    // Members-only: the title and the date are for everyone, the rest for members.
    layout.head = socialTags(e.title, `${dayIn(e.startsAt, e.timezone)} · an event of ${a.name} for members`, d.pageUrl, a.name);
    return page(
      layout,
      `<article class="event">
<p class="eyebrow"><a href="${assocUrl}">${h(a.name)}</a></p>
<h1>${h(e.title)}</h1>
${whenBlock(e)}
<section class="card"><h2>For members</h2><p>The details of this event are for members of ${h(a.name)}.</p>
<p>${d.user ? `<a class="button" href="${assocUrl}">See membership plans</a>` : `<a class="button" href="/sign-in?next=${encodeURIComponent(`/e/${e.eventId}`)}">Sign in</a> or <a href="${assocUrl}">become a member</a>`}</p></section>
</article>`,
    );
  }
  const avail = availability(e, d.now);
  layout.head = `${socialTags(e.title, `${dayIn(e.startsAt, e.timezone)}, ${timeIn(e.startsAt, e.timezone)} ${zoneName(e.startsAt, e.timezone)} · ${e.description}`, d.pageUrl, a.name)}
<script type="application/ld+json">${safeJson(eventJsonLd(d, `${origin}${assocUrl}`))}</script>${d.people ? '\n<link rel="stylesheet" href="/assets/network.css">' : ''}`;
  layout.scripts = ['/assets/event.js'];
  const ics = `/e/${encodeURIComponent(e.eventId)}/calendar.ics`;
  return page(
    layout,
    `<article class="event">
<p class="eyebrow">Organized by <a href="${assocUrl}">${h(a.name)}</a>${e.visibility === 'members' ? ' · <span class="badge">Members only</span>' : ''}</p>
<h1>${h(e.title)}</h1>
${e.status === 'cancelled' ? '<p class="banner danger" role="status">This event was cancelled.</p>' : ''}
${d.isStaff ? `<p><a href="/manage/events/${encodeURIComponent(e.eventId)}">Manage this event</a></p>` : ''}
${whenBlock(e)}
<p class="local-time" data-local-time-out hidden></p>
${whereBlock(d)}
<p class="spots">${h(avail.text)}</p>
${rsvpSection(d)}
<section aria-labelledby="about-title"><h2 id="about-title">About this event</h2>${paragraphs(e.description)}</section>
<section aria-labelledby="cal-title"><h2 id="cal-title">Add to calendar</h2>
<ul class="actions"><li><a href="${ics}" download>Download .ics (Apple, Outlook)</a></li><li><a href="${h(googleCalendarUrl(e, d.pageUrl))}" rel="noopener" target="_blank">Google Calendar<span class="visually-hidden"> (opens in a new tab)</span></a></li></ul></section>
${d.people ?? ''}
</article>`,
  );
}

// ------------------------------------------------------------------ association page

export interface AssociationPageData {
  association: Association;
  plans: PlanView[];
  events: EventView[];
  pageUrl: string;
  user: PageUser | null;
  /** The visitor's membership status, when they have one. */
  membershipStatus?: string;
  acceptsCardPayments: boolean;
  /** The visitor is an admin of it: a link to the dashboard (which checks the role itself). */
  isAdmin?: boolean;
  error?: { detail: string; errors?: { path: string; message: string }[] };
  notice?: string;
}

export function associationPage(d: AssociationPageData): string {
  const a = d.association;
  const here = `/a/${encodeURIComponent(a.slug)}`;
  const layout: Layout = { title: a.name, url: d.pageUrl, user: d.user, here, head: socialTags(a.name, a.description ?? `${a.name} on the association platform`, d.pageUrl, a.name) };
  const joinable = (p: PlanView) => p.amount === 0 || d.acceptsCardPayments;
  const planCards = d.plans
    .map((p) => {
      const benefits = p.benefits?.length ? `<ul class="benefits">${p.benefits.map((b) => `<li>${h(b)}</li>`).join('')}</ul>` : '';
      const id = `plan-${h(p.planId)}`;
      let join: string;
      if (d.membershipStatus && d.membershipStatus !== 'cancelled' && d.membershipStatus !== 'lapsed') join = '';
      else if (!joinable(p)) join = '<p class="hint">Card payments are not set up yet.</p>';
      else if (!d.user) join = `<a class="button" href="/sign-in?next=${encodeURIComponent(here)}" aria-describedby="${id}">Sign in to join</a>`;
      else join = `<form method="post" action="${here}/join"><input type="hidden" name="planId" value="${h(p.planId)}"><button type="submit" aria-describedby="${id}">Join${p.amount ? ' and pay' : ''}</button></form>`;
      return `<li class="card plan"><h3 id="${id}">${h(p.name)}</h3><p class="price">${h(priceText(p.amount, p.currency, p.interval))}</p>${p.description ? `<p>${h(p.description)}</p>` : ''}${benefits}${join}</li>`;
    })
    .join('');
  const events = d.events.length
    ? `<ul class="events">${d.events
        .map((e) => `<li class="card"><a href="/e/${encodeURIComponent(e.eventId)}"><strong>${h(e.title)}</strong></a><br><time datetime="${h(isoInZone(e.startsAt, e.timezone))}">${h(whenText(e))}</time>${e.venue ? `<br>${h(e.venue)}` : e.onlineUrl ? '<br>Online' : ''}</li>`)
        .join('')}</ul>`
    : '<p>No upcoming public events.</p>';
  const status = d.membershipStatus ? `<p class="notice" role="status">Your membership: <strong>${h(d.membershipStatus.replace('_', ' '))}</strong></p>` : '';
  return page(
    layout,
    `<article class="association">
<h1>${h(a.name)}</h1>
${d.isAdmin ? `<p><a href="/manage/associations/${encodeURIComponent(a.associationId)}">Manage this association</a></p>` : ''}
${d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : ''}${errorSummary(d.error)}
${a.description ? `<section aria-labelledby="about-title"><h2 id="about-title">About</h2>${paragraphs(a.description)}</section>` : ''}
<section aria-labelledby="plans-title"><h2 id="plans-title">Membership</h2>${status}<ul class="plans">${planCards || '<li>No plans yet.</li>'}</ul></section>
<section aria-labelledby="events-title"><h2 id="events-title">Upcoming events</h2>${events}</section>
</article>`,
  );
}

/** A page for a problem: not found, or a refusal, in words. */
export function problemPage(status: number, title: string, detail: string, l: Omit<Layout, 'title'>): string {
  return page({ ...l, title }, `<h1>${h(title)}</h1><p>${h(detail)}</p><p><a href="/">Home</a></p><!-- ${status} -->`);
}

/** One of the signed-in person's memberships, as the home page lists it. */
export interface HomeMembership {
  associationId: string;
  slug: string;
  name: string;
  role: Role;
  status: string;
}

/**
 * The home page: signed in, the associations one belongs to (with their manage page for
 * staff) and one's own pages; signed out, what the platform is (the header has the sign-in link).
 */
export function homePage(l: Omit<Layout, 'title'>, notice?: string, memberships: HomeMembership[] = []): string {
  const note = notice ? `<p class="notice" role="status">${h(notice)}</p>` : '';
  if (!l.user) {
    return page(
      { ...l, title: 'Associations' },
      `<h1>Associations</h1>${note}<p>Memberships, events and introductions for professional associations. Organizers share links to their association’s page and to each event; sign in to see yours.</p>`,
    );
  }
  const rows = memberships
    .map(
      (m) =>
        `<li class="card"><a href="/a/${encodeURIComponent(m.slug)}"><strong>${h(m.name)}</strong></a><br><span class="hint">${h(m.role)}, ${h(m.status.replace(/_/g, ' '))}</span>${
          roleAtLeast(m.role, 'organizer') ? `<br><a href="/manage/associations/${encodeURIComponent(m.associationId)}">Manage</a>` : ''
        }</li>`,
    )
    .join('');
  return page(
    { ...l, title: 'Associations' },
    `<h1>Associations</h1>${note}
<section aria-labelledby="mine-title"><h2 id="mine-title">Your associations</h2>${rows ? `<ul class="events">${rows}</ul>` : '<p>You are not a member of an association yet. Open the link an association shared with you to join.</p>'}</section>
<section aria-labelledby="you-title"><h2 id="you-title">Your pages</h2><ul class="plain-list"><li><a href="/account">Account: profile, memberships, events and matches</a></li><li><a href="/account/network">My network</a></li></ul></section>`,
  );
}

