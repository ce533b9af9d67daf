/**
 * The admin dashboard of an association, /manage/associations/{associationId}: members
 * (search, filters, paging, role, offline payment, remove), plans, the payments ledger,
 * Stripe connect status, exports and their audit log, upcoming events. Organizers get the
 * events list only. Access is the API's: authorize() with the catalog's rule of the API
 * route each action stands for. Every control is a plain form, so it works without script.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { escapeHtml as h } from '../core/http/html.js';
import { authorize, type Caller } from '../core/http/access.js';
import { HttpProblem, badRequest, notFound } from '../core/errors.js';
import { fieldErrors } from '../core/http/router.js';
import { decodeCursor, encodeCursor } from '../core/http/cursor.js';
import { roleAtLeast, roles, memberStatuses } from '../core/domain/roles.js';
import type { Access } from '../core/api.js';
import type { Association, Plan } from '../core/domain/types.js';
import type { Store } from '../core/data/store.js';
import type { PrivacyData } from '../core/data/privacy.js';
import type { DuesDeps } from '../core/services/dues.js';
import * as s from '../core/schemas.js';
import { exportCsv as membersCsv, list as listMembers, patch as patchMember, remove as removeMember, memberView } from '../core/services/members.js';
import { exportCsv as ledgerCsv, list as listLedger, paymentView } from '../core/services/ledger.js';
import { listExports } from '../core/services/exports.js';
import { createPlan, updatePlan } from '../core/services/associations.js';
import { listEvents } from '../core/services/events.js';
import type { eventView } from '../core/domain/events.js';
import { connect } from '../core/services/dues.js';
import { page, type PageUser } from './render.js';
import { priceText, whenText, isoInZone } from './format.js';
import { plainMessage, type FormError } from './account.js';
import { withAssociationCharts } from './charts.js';

type MemberRow = ReturnType<typeof memberView>;
type PaymentRow = ReturnType<typeof paymentView>;
type ExportRow = Awaited<ReturnType<typeof listExports>>['items'][number];
type EventRow = ReturnType<typeof eventView>;

// ------------------------------------------------------------------ rendering (no I/O)

export interface ManageFilter {
  q?: string;
  status?: string;
  planId?: string;
}

export interface ManageAssociationData {
  url: string;
  user: PageUser;
  association: Association;
  /** 'admin' and 'owner' see everything; 'organizer' the events only. */
  role: string;
  events: EventRow[];
  /** The most recent events that have started, newest first: their attendance, feedback and exports stay useful. */
  pastEvents?: EventRow[];
  members?: MemberRow[];
  nextCursor?: string | null;
  filter?: ManageFilter;
  plans?: Plan[];
  payments?: PaymentRow[];
  /** Names of the people in the ledger and the export log, by userId. */
  payerNames?: Map<string, string>;
  exports?: ExportRow[];
  notice?: string;
  /** A refused form post: the section it belongs to, and for a member row whose it is. */
  error?: FormError & { section: 'members' | 'plans' | 'stripe'; userId?: string };
  typed?: Record<string, string>;
}

const LABELS: Record<string, string> = {
  role: 'Role',
  offlinePayment: 'Payment',
  'offlinePayment.amount': 'Amount',
  'offlinePayment.paidAt': 'Paid on',
  'offlinePayment.note': 'Note',
  name: 'Plan name',
  amount: 'Price',
  interval: 'Interval',
  q: 'Search',
  status: 'Status',
  planId: 'Plan',
  cursor: 'Page',
};

function errorSummary(error?: FormError, fieldIds: Record<string, string> = {}) {
  if (!error) return '';
  const items = (error.errors ?? [])
    .map((e) => {
      const label = LABELS[e.path] ?? e.path;
      const id = fieldIds[e.path];
      return `<li>${id ? `<a href="#${h(id)}">${h(label)}</a>` : h(label)} ${h(plainMessage(e.message))}</li>`;
    })
    .join('');
  return `<div class="error-summary" role="alert" tabindex="-1" id="problem"><h3>There is a problem</h3><p>${h(error.detail)}</p>${items ? `<ul>${items}</ul>` : ''}</div>`;
}

const money = (amount: number, currency: string) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
const day = (iso: string | null | undefined, tz: string) => (iso ? new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso)) : '—');
const words = (v: string) => v.replace(/_/g, ' ');
const base = (a: Association) => `/manage/associations/${encodeURIComponent(a.associationId)}`;

const PAST_EVENTS = 5;

function eventsSection(d: ManageAssociationData) {
  const list = (events: EventRow[]) =>
    events.map((e) => `<li><a href="/manage/events/${encodeURIComponent(e.eventId)}">${h(e.title)}</a> <time datetime="${h(isoInZone(e.startsAt, e.timezone))}">${h(whenText(e))}</time></li>`).join('');
  const rows = list(d.events);
  const past = list(d.pastEvents ?? []);
  return `<section id="events" aria-labelledby="events-title" class="card"><h2 id="events-title">Upcoming events</h2>
${rows ? `<ul class="plain-list">${rows}</ul>` : '<p>No upcoming events.</p>'}
<p><a class="button" href="${base(d.association)}/events/new">New event</a></p>
${past ? `<h3>Recent past events</h3><ul class="plain-list">${past}</ul>` : ''}</section>`;
}

function memberRow(d: ManageAssociationData, m: MemberRow, planNames: Map<string, string>) {
  const a = d.association;
  const uid = h(m.userId);
  const action = `${base(a)}/members/${encodeURIComponent(m.userId)}`;
  // The filter rides along, so a refused form comes back on the same list.
  const f = d.filter ?? {};
  const qs = new URLSearchParams({ ...(f.q ? { q: f.q } : {}), ...(f.status ? { status: f.status } : {}), ...(f.planId ? { planId: f.planId } : {}) }).toString();
  const keep = qs ? `?${h(qs)}` : '';
  const mine = d.error?.section === 'members' && d.error.userId === m.userId ? d.error : undefined;
  const typed = mine ? (d.typed ?? {}) : {};
  const bad = (f: string) => !!mine?.errors?.some((e) => e.path === f);
  const inv = (f: string) => (bad(f) ? ` aria-invalid="true" aria-describedby="problem-${uid}"` : '');
  const roleOptions = roles.map((r) => `<option value="${r}"${r === m.role ? ' selected' : ''}>${r}</option>`).join('');
  return `<tr id="member-${uid}">
<th scope="row"><span class="name">${h(m.name || '—')}</span><br><span class="hint">${h(m.email)}</span></th>
<td data-label="Status">${h(words(m.status))}</td>
<td data-label="Plan">${h(planNames.get(m.planId ?? '') ?? '—')}</td>
<td data-label="Paid until">${h(day(m.currentPeriodEnd, a.timezone))}</td>
<td data-label="Role"><form method="post" action="${action}/role${keep}" class="inline">
<label class="visually-hidden" for="role-${uid}">Role of ${h(m.name || m.email)}</label>
<select id="role-${uid}" name="role">${roleOptions}</select> <button type="submit" class="secondary">Save<span class="visually-hidden"> role of ${h(m.name || m.email)}</span></button></form></td>
<td><details${mine ? ' open' : ''}><summary>Record payment<span class="visually-hidden"> for ${h(m.name || m.email)}</span></summary>
${mine ? `<div id="problem-${uid}">${errorSummary(mine, { 'offlinePayment.amount': `amount-${m.userId}`, 'offlinePayment.paidAt': `paidAt-${m.userId}`, 'offlinePayment.note': `note-${m.userId}` })}</div>` : ''}
<form method="post" action="${action}/payment${keep}" class="stack" novalidate>
<div class="field"><label for="amount-${uid}">Amount (${h(a.currency.toUpperCase())})</label><input id="amount-${uid}" name="amount" inputmode="decimal" value="${h(typed.amount ?? '')}"${inv('offlinePayment.amount')}></div>
<div class="field"><label for="paidAt-${uid}">Paid on</label><input id="paidAt-${uid}" name="paidAt" type="date" value="${h(typed.paidAt ?? '')}"${inv('offlinePayment.paidAt')}></div>
<div class="field"><label for="note-${uid}">Note <span class="hint">(optional)</span></label><input id="note-${uid}" name="note" maxlength="500" value="${h(typed.note ?? '')}"${inv('offlinePayment.note')}></div>
<button type="submit">Record payment</button></form></details></td>
<td><form method="post" action="${action}/remove${keep}" class="inline"><button type="submit" class="secondary">Remove<span class="visually-hidden"> ${h(m.name || m.email)}</span></button></form></td>
</tr>`;
}

function membersSection(d: ManageAssociationData) {
  const a = d.association;
  const f = d.filter ?? {};
  const plans = d.plans ?? [];
  const planNames = new Map(plans.map((p) => [p.planId, p.name]));
  const err = d.error?.section === 'members' && !d.error.userId ? d.error : undefined;
  const rowError = d.error?.section === 'members' && d.error.userId ? d.error : undefined;
  const statusOptions = ['', ...memberStatuses].map((v) => `<option value="${v}"${v === (f.status ?? '') ? ' selected' : ''}>${v ? words(v) : 'Any status'}</option>`).join('');
  const planOptions = [{ planId: '', name: 'Any plan' }, ...plans].map((p) => `<option value="${h(p.planId)}"${p.planId === (f.planId ?? '') ? ' selected' : ''}>${h(p.name)}</option>`).join('');
  const rows = (d.members ?? []).map((m) => memberRow(d, m, planNames)).join('');
  const next = d.nextCursor ? `${base(a)}?${new URLSearchParams({ ...(f.q ? { q: f.q } : {}), ...(f.status ? { status: f.status } : {}), ...(f.planId ? { planId: f.planId } : {}), cursor: d.nextCursor })}#members` : '';
  return `<section id="members" aria-labelledby="members-title" class="card"><h2 id="members-title">Members</h2>
${errorSummary(err)}${rowError && !(d.members ?? []).some((m) => m.userId === rowError.userId) ? errorSummary(rowError) : ''}
<form method="get" action="${base(a)}#members" class="filters" role="search" aria-label="Members">
<div class="field"><label for="q">Search name or email</label><input id="q" name="q" type="search" value="${h(f.q ?? '')}"></div>
<div class="field"><label for="status">Status</label><select id="status" name="status">${statusOptions}</select></div>
<div class="field"><label for="planId">Plan</label><select id="planId" name="planId">${planOptions}</select></div>
<button type="submit">Search</button>
</form>
${rows ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Members table"><table class="data stacked"><thead><tr><th scope="col">Member</th><th scope="col">Status</th><th scope="col">Plan</th><th scope="col">Paid until</th><th scope="col">Role</th><th scope="col">Offline payment</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead><tbody>${rows}</tbody></table></div>` : '<p>No member matches.</p>'}
${next ? `<p><a href="${h(next)}">Next page of members</a></p>` : ''}
</section>`;
}

function plansSection(d: ManageAssociationData) {
  const a = d.association;
  const err = d.error?.section === 'plans' ? d.error : undefined;
  const typed = err ? (d.typed ?? {}) : {};
  const bad = (f: string) => (err?.errors?.some((e) => e.path === f) ? ' aria-invalid="true" aria-describedby="problem"' : '');
  const rows = (d.plans ?? [])
    .map(
      (p) => `<li class="plan-row"><span><strong>${h(p.name)}</strong> ${h(priceText(p.amount, p.currency, p.interval))}${p.archived ? ' <span class="hint">(archived)</span>' : ''}</span>
${p.archived ? '' : `<form method="post" action="${base(a)}/plans/${encodeURIComponent(p.planId)}/archive" class="inline"><button type="submit" class="secondary">Archive<span class="visually-hidden"> ${h(p.name)}</span></button></form>`}</li>`,
    )
    .join('');
  const intervals = ['year', 'month', 'once'].map((i) => `<option value="${i}"${i === (typed.interval ?? 'year') ? ' selected' : ''}>${i === 'once' ? 'once' : `per ${i}`}</option>`).join('');
  return `<section id="plans" aria-labelledby="plans-title" class="card"><h2 id="plans-title">Plans</h2>
${rows ? `<ul class="plain-list">${rows}</ul>` : '<p>No plans yet.</p>'}
<h3>New plan</h3>
${errorSummary(err, { name: 'plan-name', amount: 'plan-amount', interval: 'plan-interval' })}
<form method="post" action="${base(a)}/plans" class="filters" novalidate>
<div class="field"><label for="plan-name">Name</label><input id="plan-name" name="name" maxlength="120" value="${h(typed.name ?? '')}"${bad('name')}></div>
<div class="field"><label for="plan-amount">Price (${h(a.currency.toUpperCase())}, 0 for free)</label><input id="plan-amount" name="amount" inputmode="decimal" value="${h(typed.amount ?? '')}"${bad('amount')}></div>
<div class="field"><label for="plan-interval">Interval</label><select id="plan-interval" name="interval"${bad('interval')}>${intervals}</select></div>
<button type="submit">Create plan</button>
</form></section>`;
}

function paymentsSection(d: ManageAssociationData) {
  const a = d.association;
  const rows = (d.payments ?? [])
    .map(
      (p) => `<tr><td>${h(day(p.paidAt, a.timezone))}</td><td>${h(words(p.type))}${p.reason ? `<br><span class="hint">${h(p.reason)}</span>` : ''}</td><td>${h(p.kind)}</td><td class="num">${h(money(p.amount, p.currency))}</td><td>${h(d.payerNames?.get(p.userId) ?? p.userId)}</td><td>${h(p.note ?? '')}</td></tr>`,
    )
    .join('');
  return `<section id="payments" aria-labelledby="payments-title" class="card"><h2 id="payments-title">Payments ledger</h2>
<p class="hint">Newest first. <a href="${base(a)}/payments.csv" download>Download the ledger (CSV)</a></p>
${rows ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Payments table"><table class="data"><thead><tr><th scope="col">Date</th><th scope="col">Type</th><th scope="col">Source</th><th scope="col">Amount</th><th scope="col">Member</th><th scope="col">Note</th></tr></thead><tbody>${rows}</tbody></table></div>` : '<p>No payments yet.</p>'}
</section>`;
}

function stripeSection(d: ManageAssociationData) {
  const a = d.association;
  const err = d.error?.section === 'stripe' ? d.error : undefined;
  const status = a.stripeAccountId ? (a.chargesEnabled ? 'Connected; card payments are enabled.' : 'Connected; Stripe has not enabled charges yet.') : 'Not connected.';
  const button =
    d.role === 'owner'
      ? `<form method="post" action="${base(a)}/stripe-connect"><button type="submit">${a.stripeAccountId ? 'Continue Stripe onboarding' : 'Connect Stripe'}</button></form>`
      : '<p class="hint">Only an owner can connect Stripe.</p>';
  return `<section id="stripe" aria-labelledby="stripe-title" class="card"><h2 id="stripe-title">Stripe</h2>${errorSummary(err)}
<dl class="facts"><div><dt>Connected</dt><dd>${a.stripeAccountId ? 'Yes' : 'No'}</dd></div><div><dt>Charges enabled</dt><dd>${a.chargesEnabled ? 'Yes' : 'No'}</dd></div></dl>
<p>${h(status)}</p>${a.chargesEnabled ? '' : button}</section>`;
}

function exportsSection(d: ManageAssociationData) {
  const a = d.association;
  const rows = (d.exports ?? [])
    .map((e) => `<tr><td>${h(day(e.at, a.timezone))} ${h(new Intl.DateTimeFormat('en-GB', { timeZone: a.timezone, hour: '2-digit', minute: '2-digit' }).format(new Date(e.at)))}</td><td>${h(e.what)}</td><td class="num">${e.rows}</td><td>${h(d.payerNames?.get(e.actorId) ?? e.actorId)}</td></tr>`)
    .join('');
  return `<section id="exports" aria-labelledby="exports-title" class="card"><h2 id="exports-title">Exports</h2>
<p class="row"><a class="button" href="${base(a)}/members.csv" download>Members (CSV)</a> <a class="button secondary" href="${base(a)}/payments.csv" download>Ledger (CSV)</a></p>
<h3>Export log</h3>
${rows ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Export log"><table class="data"><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Rows</th><th scope="col">By</th></tr></thead><tbody>${rows}</tbody></table></div>` : '<p>Nothing has been exported yet.</p>'}
</section>`;
}

export function manageAssociationPage(d: ManageAssociationData): string {
  const admin = roleAtLeast(d.role as never, 'admin');
  return page(
    { title: `Manage ${d.association.name}`, url: d.url, user: d.user, here: base(d.association) },
    `<article class="manage-page">
<h1>${h(d.association.name)}</h1>
${d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : ''}
${admin ? `<nav aria-label="Sections" class="row"><a href="#members">Members</a> <a href="#plans">Plans</a> <a href="#payments">Payments</a> <a href="#stripe">Stripe</a> <a href="#exports">Exports</a> <a href="#events">Events</a></nav>` : ''}
${admin ? membersSection(d) + plansSection(d) + paymentsSection(d) + stripeSection(d) + exportsSection(d) : ''}
${eventsSection(d)}
</article>`,
  );
}

export function removeMemberPage(d: { url: string; user: PageUser; association: Association; member: MemberRow }): string {
  const a = d.association;
  return page(
    { title: 'Remove a member', url: d.url, user: d.user, here: base(a) },
    `<article class="manage-page"><h1>Remove ${h(d.member.name || d.member.email)}?</h1>
<p>Their membership of ${h(a.name)} ends and any card payments stop. Their payment history is kept.</p>
<form method="post" action="${base(a)}/members/${encodeURIComponent(d.member.userId)}/remove" class="row">
<input type="hidden" name="confirm" value="remove">
<button type="submit" class="danger">Remove member</button>
<a class="button secondary" href="${base(a)}#members">Keep member</a>
</form></article>`,
  );
}

// ------------------------------------------------------------------ requests

export interface ManageReq {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  headers: Record<string, string | undefined>;
  caller: Caller | null;
  now: Date;
}

type Result = APIGatewayProxyStructuredResultV2 & { cookies?: string[] };

/** What the page borrows from handler.ts, so both share one layout, one origin check, one access lookup. */
export interface ManageContext {
  store: Store;
  privacyData: PrivacyData;
  /** True where the export job runs: a list too long for one response becomes a job item (the stream starts the job). */
  jobs?: boolean;
  apiUrl?: string;
  appUrl: string;
  accessOf: (method: string, path: string) => Access;
  htmlResult: (status: number, html: string) => Result;
  redirect: (location: string) => Result;
  signInRedirect: (next: string) => Result;
  assertSameOrigin: (req: ManageReq) => void;
  userOf: (c: Caller | null) => PageUser | null;
  loadDues: () => Promise<DuesDeps>;
}

const NOTICES: Record<string, string> = {
  role: 'The role is saved.',
  payment: 'The payment is recorded and a receipt is on its way to the member.',
  removed: 'The member is removed.',
  plan: 'The plan is created.',
  archived: 'The plan is archived; its members keep it.',
  export: 'The list is long, so the file is being prepared: a link to it will be mailed to you in a few minutes.',
};

/** Money typed by a person ("50", "50.00", "50,5") in minor units, or undefined. */
export function minorUnits(v: string | null): number | undefined {
  const t = (v ?? '').trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return undefined;
  return Math.round(Number(t) * 100);
}

export function manageAssociationRoutes(ctx: ManageContext) {
  const { store } = ctx;
  const ADMIN = () => ctx.accessOf('GET', '/associations/{associationId}/payments');
  const path = (id: string) => `/manage/associations/${encodeURIComponent(id)}`;

  async function render(req: ManageReq, associationId: string, extra: Pick<ManageAssociationData, 'error' | 'typed' | 'notice'> & { status?: number } = {}): Promise<Result> {
    if (!req.caller) return ctx.signInRedirect(path(associationId));
    let admin = true;
    let access;
    try {
      access = await authorize(ADMIN(), { associationId }, req.caller, store);
    } catch (err) {
      if (!(err instanceof HttpProblem && err.statusCode === 403)) throw err;
      // Organizers run events: the same rule as the API's event creation.
      access = await authorize(ctx.accessOf('POST', '/associations/{associationId}/events'), { associationId }, req.caller, store);
      admin = false;
    }
    const a = access.association!;
    const [events, past] = await Promise.all([
      listEvents(store, a, access.membership, {}, 20, undefined, req.now),
      listEvents(store, a, access.membership, { past: 'true' }, PAST_EVENTS, undefined, req.now),
    ]);
    const data: ManageAssociationData = { url: `${ctx.appUrl}${path(associationId)}`, user: ctx.userOf(req.caller)!, association: a, role: access.membership!.role, events: events.items, pastEvents: past.items, ...extra };
    if (admin) {
      const filter: ManageFilter = {};
      for (const k of ['q', 'status', 'planId'] as const) {
        const v = req.query.get(k)?.trim();
        if (v) filter[k] = v;
      }
      const cursor = req.query.get('cursor') || undefined;
      const parsed = s.MembersQuery.safeParse({ ...filter, ...(cursor ? { cursor } : {}) });
      const [plans, payments, exports] = await Promise.all([store.plansOfAssociation(a.associationId), listLedger(store, a, undefined, 50), listExports(ctx.privacyData, a.associationId, 20)]);
      // The ledger and the export log name people: one key read per distinct member on the page.
      const ids = [...new Set([...payments.items.map((p) => p.userId), ...exports.items.map((e) => e.actorId)])];
      const people = await Promise.all(ids.map((id) => store.getMember(a.associationId, id)));
      const names = new Map(people.filter((m) => !!m).map((m) => [m!.userId, m!.name || m!.email]));
      Object.assign(data, { plans, payments: payments.items, payerNames: names, exports: exports.items, filter });
      if (!parsed.success) {
        data.members = [];
        data.error ??= { section: 'members', detail: 'The search is not valid.', errors: fieldErrors(parsed.error) };
        if (extra.status === undefined) extra.status = 400;
      } else {
        const { q, status, planId } = parsed.data;
        // The same scope as the API's list: a cursor from one filtered list cannot page another.
        const scope = `members:${a.associationId}:${status ?? ''}:${planId ?? ''}:${q ?? ''}`;
        try {
          const page = await listMembers(store, a, { q, status, planId }, 25, decodeCursor(parsed.data.cursor, scope));
          data.members = page.items;
          data.nextCursor = encodeCursor(page.lastKey, scope);
          // A refused row form is shown on its row, even when the list it came from was filtered.
          const rowUser = extra.error?.userId;
          if (rowUser && !page.items.some((m) => m.userId === rowUser)) {
            const m = await store.getMember(a.associationId, rowUser);
            if (m) data.members = [memberView(m), ...page.items];
          }
        } catch (err) {
          if (!(err instanceof HttpProblem && err.statusCode === 400)) throw err;
          data.members = [];
          data.error ??= { section: 'members', detail: err.message, errors: err.errors };
          if (extra.status === undefined) extra.status = 400;
        }
      }
    }
    return ctx.htmlResult(extra.status ?? 200, await withAssociationCharts(manageAssociationPage(data), { store, caller: req.caller, associationId, now: req.now }));
  }

  // Access was checked before the action, so a 403 here is the service's own rule (e.g. only owners grant admin): shown on the page.
  const isFormProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.statusCode < 500 && err.statusCode !== 401;

  /** A post: signed in, same origin, admin (the API's rule), then the action; a refusal the admin can fix is shown on the page. */
  async function post(req: ManageReq, associationId: string, access: Access, section: 'members' | 'plans' | 'stripe', run: (a: Awaited<ReturnType<typeof authorize>>) => Promise<Result>, errorExtra: { userId?: string; typed?: Record<string, string> } = {}) {
    if (!req.caller) return ctx.signInRedirect(path(associationId));
    ctx.assertSameOrigin(req);
    const a = await authorize(access, { associationId }, req.caller, store);
    try {
      return await run(a);
    } catch (err) {
      if (isFormProblem(err) && !(err.statusCode === 404 && section !== 'members')) {
        return render(req, associationId, { status: err.statusCode, error: { section, detail: err.message, errors: err.errors, userId: errorExtra.userId }, typed: errorExtra.typed });
      }
      throw err;
    }
  }

  const done = (id: string, what: string, anchor: string, req?: ManageReq) => {
    const q = new URLSearchParams();
    for (const k of ['q', 'status', 'planId']) if (req?.query.get(k)) q.set(k, req.query.get(k)!);
    q.set('done', what);
    return ctx.redirect(`${path(id)}?${q}#${anchor}`);
  };

  async function memberAction(req: ManageReq, associationId: string, userId: string, action: string): Promise<Result> {
    const patchAccess = ctx.accessOf('PATCH', '/associations/{associationId}/members/{userId}');
    if (action === 'role') {
      return post(req, associationId, patchAccess, 'members', async (a) => {
        const parsed = s.MemberPatch.safeParse({ role: req.form.get('role') ?? '' });
        if (!parsed.success) throw badRequest('Choose a role.', fieldErrors(parsed.error));
        await patchMember(store, a.association!, a.membership!, userId, parsed.data, req.now);
        return done(associationId, 'role', `member-${userId}`, req);
      }, { userId });
    }
    if (action === 'payment') {
      const typed = { amount: req.form.get('amount') ?? '', paidAt: req.form.get('paidAt') ?? '', note: req.form.get('note') ?? '' };
      return post(req, associationId, patchAccess, 'members', async (a) => {
        const errors: { path: string; message: string }[] = [];
        const amount = minorUnits(typed.amount);
        if (amount === undefined) errors.push({ path: 'offlinePayment.amount', message: 'must be an amount such as 50 or 50.00' });
        // A day as the date field sends it: noon UTC keeps it on that day in every zone near Europe.
        const paidAt = /^\d{4}-\d{2}-\d{2}$/.test(typed.paidAt) && !Number.isNaN(Date.parse(`${typed.paidAt}T12:00:00Z`)) ? `${typed.paidAt}T12:00:00Z` : undefined;
        if (!paidAt) errors.push({ path: 'offlinePayment.paidAt', message: 'must be a date' });
        if (errors.length) throw badRequest('The payment is not valid; nothing was recorded.', errors);
        // Today, typed before noon UTC, is now (not in the future); a later day is refused by the service.
        const when = typed.paidAt === req.now.toISOString().slice(0, 10) && Date.parse(paidAt!) > req.now.getTime() ? req.now.toISOString() : paidAt!;
        const parsed = s.MemberPatch.safeParse({ offlinePayment: { amount, paidAt: when, ...(typed.note.trim() ? { note: typed.note } : {}) } });
        if (!parsed.success) throw badRequest('The payment is not valid; nothing was recorded.', fieldErrors(parsed.error));
        await patchMember(store, a.association!, a.membership!, userId, parsed.data, req.now);
        return done(associationId, 'payment', 'payments', req);
      }, { userId, typed });
    }
    if (action === 'remove') {
      // Removing someone else is an admin action (the DELETE route's selfOrAdmin, minus self: leaving is on /account).
      return post(req, associationId, patchAccess, 'members', async (a) => {
        const m = await store.getMember(associationId, userId);
        if (!m || m.status === 'cancelled') throw notFound('No such member.');
        if (req.form.get('confirm') !== 'remove') {
          return ctx.htmlResult(200, removeMemberPage({ url: `${ctx.appUrl}${path(associationId)}`, user: ctx.userOf(req.caller)!, association: a.association!, member: memberView(m) }));
        }
        const d = await ctx.loadDues();
        await removeMember(store, a.association!, a.membership, req.caller!, userId, req.now, (account, sub) => d.payments.cancelSubscription(account, sub, `leave:${associationId}:${userId}:${sub}`));
        return done(associationId, 'removed', 'members', req);
      }, { userId });
    }
    throw notFound('There is no such action.');
  }

  async function postPlan(req: ManageReq, associationId: string): Promise<Result> {
    const typed = { name: req.form.get('name') ?? '', amount: req.form.get('amount') ?? '', interval: req.form.get('interval') ?? '' };
    return post(req, associationId, ctx.accessOf('POST', '/associations/{associationId}/plans'), 'plans', async (a) => {
      const amount = minorUnits(typed.amount);
      const parsed = s.PlanCreate.safeParse({ name: typed.name, amount: amount ?? -1, interval: typed.interval });
      const errors = parsed.success ? [] : fieldErrors(parsed.error).filter((e) => e.path !== 'amount');
      if (amount === undefined) errors.push({ path: 'amount', message: 'must be an amount such as 50 or 50.00 (0 for a free plan)' });
      if (!parsed.success || errors.length) throw badRequest('The plan is not valid; nothing was saved.', errors);
      await createPlan(store, a.association!, req.caller!, parsed.data, req.now);
      return done(associationId, 'plan', 'plans');
    }, { typed });
  }

  async function archivePlan(req: ManageReq, associationId: string, planId: string): Promise<Result> {
    return post(req, associationId, ctx.accessOf('PATCH', '/associations/{associationId}/plans/{planId}'), 'plans', async (a) => {
      await updatePlan(store, a.association!, planId, req.caller!, { archived: true }, req.now);
      return done(associationId, 'archived', 'plans');
    });
  }

  async function stripeConnect(req: ManageReq, associationId: string): Promise<Result> {
    return post(req, associationId, ctx.accessOf('POST', '/associations/{associationId}/stripe/connect'), 'stripe', async (a) => {
      const { url } = await connect(await ctx.loadDues(), a.association!, { userId: req.caller!.userId, email: req.caller!.email }, req.now);
      return ctx.redirect(url);
    });
  }

  async function download(req: ManageReq, associationId: string, file: string): Promise<Result> {
    if (!req.caller) return ctx.signInRedirect(path(associationId));
    const route = file === 'members.csv' ? '/associations/{associationId}/members/export' : file === 'payments.csv' ? '/associations/{associationId}/payments/export' : undefined;
    if (!route) throw notFound('There is no page at this address.');
    const a = await authorize(ctx.accessOf('GET', route), { associationId }, req.caller, store);
    const assoc = a.association!;
    // Inline as the API does; a list too long for one response becomes a time-limited file, and the browser goes there.
    const deps = { store, jobs: ctx.jobs, apiUrl: ctx.apiUrl };
    const out = file === 'members.csv' ? await membersCsv(deps, assoc, req.caller, req.now, 'csv') : await ledgerCsv(deps, assoc, req.caller, req.now, 'csv');
    if (out.kind === 'url') return ctx.redirect(out.url);
    // A long list is made by the background job; the link comes by mail.
    if (out.kind === 'job') return ctx.redirect(`${path(associationId)}?done=export`);
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${assoc.slug}-${file === 'members.csv' ? 'members' : 'payments'}.csv"`, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' },
      body: out.csv,
    };
  }

  type Route = { method: 'GET' | 'POST'; pattern: RegExp; run: (req: ManageReq, ...params: string[]) => Promise<Result> };
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/manage\/associations\/([^/]+)$/, run: (req, id) => render(req, id!, { notice: NOTICES[req.query.get('done') ?? ''] }) },
    { method: 'GET', pattern: /^\/manage\/associations\/([^/]+)\/(members\.csv|payments\.csv)$/, run: (req, id, file) => download(req, id!, file!) },
    { method: 'POST', pattern: /^\/manage\/associations\/([^/]+)\/plans$/, run: (req, id) => postPlan(req, id!) },
    { method: 'POST', pattern: /^\/manage\/associations\/([^/]+)\/stripe-connect$/, run: (req, id) => stripeConnect(req, id!) },
    { method: 'POST', pattern: /^\/manage\/associations\/([^/]+)\/plans\/([^/]+)\/archive$/, run: (req, id, planId) => archivePlan(req, id!, planId!) },
    { method: 'POST', pattern: /^\/manage\/associations\/([^/]+)\/members\/([^/]+)\/(role|payment|remove)$/, run: (req, id, userId, action) => memberAction(req, id!, userId!, action!) },
  ];
  return routes;
}
