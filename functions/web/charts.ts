/**
 * The "Charts" section of the two dashboards, from the same stats services as the API's
 * stats routes (and the same access rule, from the catalog). Server-rendered first: each
 * chart has a heading, a sentence that says what it shows and its numbers as a table (in
 * <details>), so it reads without script and with a screen reader; the chart data is
 * embedded as JSON and the charts island (web/src/charts.ts, uPlot, loaded when the
 * section comes into view) draws over it. Colours come from tokens.css via charts.css.
 */
import { routes, routeKey } from '../core/api.js';
import { authorize, type Caller } from '../core/http/access.js';
import { HttpProblem } from '../core/errors.js';
import type { Store } from '../core/data/store.js';
import type { Association } from '../core/domain/types.js';
import type { Event } from '../core/domain/events.js';
import { associationStats, eventStats } from '../core/services/stats.js';
import type { AssociationStats, EventStats } from '../core/responses/stats.js';
import { escapeHtml as h } from '../core/http/html.js';

/** One chart as the island draws it: x values (epoch seconds, or plain numbers) and named series. */
export interface ChartSpec {
  id: string;
  kind: 'line' | 'step' | 'bars';
  /** Time axis (epoch seconds) or categories (1..n with labels). */
  x: number[];
  xLabels?: string[];
  series: { label: string; color: string; dash?: number[]; values: (number | null)[] }[];
  yLabel: string;
  /** The zone the time axis is labelled in (the tables' zone). */
  timeZone: string;
}

const access = (path: string) => routes.find((r) => routeKey(r) === `GET ${path}`)!.access;

const statusLabels = { pending: 'Pending', active: 'Active', past_due: 'Past due', lapsed: 'Lapsed', cancelled: 'Cancelled' } as const;
type Status = keyof typeof statusLabels;
const statuses = Object.keys(statusLabels) as Status[];
// Colour names are charts.css custom properties (each from tokens.css); dashes tell the lines apart without colour.
const statusStyle: Record<Status, { color: string; dash?: number[] }> = {
  active: { color: '--chart-1' },
  pending: { color: '--chart-2', dash: [6, 4] },
  past_due: { color: '--chart-3', dash: [2, 3] },
  lapsed: { color: '--chart-4', dash: [10, 4, 2, 4] },
  cancelled: { color: '--chart-5', dash: [1, 6] },
};

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const num = (n: number) => new Intl.NumberFormat('en-GB').format(n);
export const money = (minor: number, currency: string) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase() }).format(minor / 100);
const dayText = (day: string) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${day}T00:00:00Z`));
const monthText = (month: string) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(new Date(`${month}-01T00:00:00Z`));
const whenText = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
const timeText = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** JSON inside <script type="application/json">: `<` escaped so no text can close the element. */
const jsonScript = (id: string, data: unknown) => `<script type="application/json" id="${id}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;

function table(caption: string, head: string[], rows: (string | number)[][]): string {
  const th = head.map((c, i) => `<th scope="col"${i ? ' class="num"' : ''}>${h(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i ? `<td class="num">${h(String(c))}</td>` : `<th scope="row" class="chart-key">${h(String(c))}</th>`)).join('')}</tr>`).join('');
  return `<details class="chart-table"><summary>Table: ${h(caption)}</summary><div class="table-wrap" tabindex="0" role="region" aria-label="${h(caption)}"><table class="data"><caption class="visually-hidden">${h(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div></details>`;
}

function chart(spec: ChartSpec, title: string, summary: string, tableHtml: string): string {
  const id = `chart-${spec.id}`;
  // The drawing repeats the table for sighted readers: hidden from assistive technology, which gets the summary and the table.
  return `<section class="chart" aria-labelledby="${id}-title">
<h3 id="${id}-title">${h(title)}</h3>
<p class="chart-summary">${h(summary)}</p>
<div class="chart-plot" data-chart="${h(spec.id)}" aria-hidden="true"></div>
${tableHtml}
</section>`;
}

function section(kind: 'association' | 'event', charts: string[], specs: ChartSpec[]): string {
  return `<link rel="stylesheet" href="/assets/charts.css">
<section id="charts" aria-labelledby="charts-title" class="card charts" data-charts="${kind}">
<h2 id="charts-title">Charts</h2>
${charts.join('\n')}
${jsonScript('charts-data', specs)}
</section>
<script type="module" src="/assets/charts.js"></script>`;
}

// ------------------------------------------------------------------ association

export function associationChartsSection(a: Association, s: AssociationStats): string {
  const last = s.membersByStatus.at(-1);
  const first = s.membersByStatus[0];
  const now = last ? statuses.filter((k) => last[k] > 0).map((k) => `${num(last[k])} ${statusLabels[k].toLowerCase()}`) : [];
  const membersSummary = last
    ? `On ${dayText(last.date)}: ${now.length ? now.join(', ') : 'no members'}.${first && first.date !== last.date ? ` On ${dayText(first.date)}, ${num(first.active)} were active.` : ''}`
    : 'No members yet.';
  const membersSpec: ChartSpec = {
    id: 'members',
    kind: 'step',
    x: s.membersByStatus.map((d) => epoch(`${d.date}T00:00:00Z`)),
    series: statuses.map((k) => ({ label: statusLabels[k], ...statusStyle[k], values: s.membersByStatus.map((d) => d[k]) })),
    yLabel: 'Members',
    timeZone: 'UTC',
  };
  // Newest first in the table: the days people look for.
  const membersTable = table(
    'members by status per day',
    ['Day', ...statuses.map((k) => statusLabels[k])],
    [...s.membersByStatus].reverse().map((d) => [dayText(d.date), ...statuses.map((k) => d[k])]),
  );

  const home = a.currency.toLowerCase();
  const homeDues = s.duesByMonth.filter((d) => d.currency === home);
  const collected = homeDues.reduce((n, d) => n + d.amount, 0);
  const refunded = homeDues.reduce((n, d) => n + d.refunded, 0);
  const others = [...new Set(s.duesByMonth.filter((d) => d.currency !== home).map((d) => d.currency.toUpperCase()))];
  const duesSummary = `${money(collected, home)} collected from ${monthText(homeDues[0]?.month ?? s.from.slice(0, 7))} to ${monthText(s.to.slice(0, 7))}, ${money(refunded, home)} refunded: ${money(collected - refunded, home)} net.${others.length ? ` Also paid in ${others.join(', ')}: see the table.` : ''}`;
  const duesSpec: ChartSpec = {
    id: 'dues',
    kind: 'bars',
    x: homeDues.map((d) => epoch(`${d.month}-01T00:00:00Z`)),
    series: [
      { label: `Collected (${home.toUpperCase()})`, color: '--chart-1', values: homeDues.map((d) => d.amount / 100) },
      { label: `Refunded (${home.toUpperCase()})`, color: '--chart-4', values: homeDues.map((d) => d.refunded / 100) },
    ],
    yLabel: home.toUpperCase(),
    timeZone: 'UTC',
  };
  const duesTable = table(
    'dues collected per month',
    ['Month', 'Collected', 'Refunded', 'Net'],
    [...s.duesByMonth].reverse().map((d) => [`${monthText(d.month)}${d.currency !== home ? ` (${d.currency.toUpperCase()})` : ''}`, money(d.amount, d.currency), money(d.refunded, d.currency), money(d.amount - d.refunded, d.currency)]),
  );

  const due = s.renewalsDue.reduce((n, d) => n + d.count, 0);
  const busiest = [...s.renewalsDue].sort((x, y) => y.count - x.count)[0];
  const renewSummary = due
    ? `${num(due)} ${due === 1 ? 'membership renews' : 'memberships renew'} in the next 30 days${busiest && busiest.count > 1 ? `; most on ${dayText(busiest.date)} (${num(busiest.count)})` : ''}.`
    : 'No memberships renew in the next 30 days.';
  const renewSpec: ChartSpec = {
    id: 'renewals',
    kind: 'bars',
    x: s.renewalsDue.map((d) => epoch(`${d.date}T00:00:00Z`)),
    series: [{ label: 'Renewals due', color: '--chart-2', values: s.renewalsDue.map((d) => d.count) }],
    yLabel: 'Memberships',
    timeZone: 'UTC',
  };
  const renewTable = table('renewals due per day, next 30 days', ['Day', 'Renewals'], s.renewalsDue.filter((d) => d.count > 0).map((d) => [dayText(d.date), d.count]));

  return section(
    'association',
    [
      chart(membersSpec, 'Members by status', membersSummary, membersTable),
      chart(duesSpec, 'Dues collected per month', duesSummary, duesTable),
      chart(renewSpec, 'Renewals due in the next 30 days', renewSummary, due ? renewTable : ''),
    ],
    [membersSpec, duesSpec, renewSpec],
  );
}

// ------------------------------------------------------------------ event

export function eventChartsSection(e: Event, s: EventStats): string {
  const tz = e.timezone;
  const latest = s.rsvps.at(-1) ?? { going: 0, waitlisted: 0 };
  const rsvpSummary = `${num(latest.going)} ${latest.going === 1 ? 'seat' : 'seats'} taken${s.capacity !== null ? ` of ${num(s.capacity)}` : ' (no limit)'}${latest.waitlisted ? `, ${num(latest.waitlisted)} waitlisted` : ''}.${s.rsvps.length ? ` First RSVP: ${whenText(s.rsvps[0]!.at, tz)}.` : ' No RSVPs yet.'}`;
  const rsvpSpec: ChartSpec = {
    id: 'rsvps',
    kind: 'step',
    x: s.rsvps.map((r) => epoch(r.at)),
    series: [
      { label: 'Going (seats)', color: '--chart-1', values: s.rsvps.map((r) => r.going) },
      { label: 'Waitlisted (seats)', color: '--chart-3', dash: [6, 4], values: s.rsvps.map((r) => r.waitlisted) },
      ...(s.capacity !== null ? [{ label: 'Capacity', color: '--chart-4', dash: [2, 3], values: s.rsvps.map(() => s.capacity) }] : []),
    ],
    yLabel: 'Seats',
    timeZone: tz,
  };
  const rsvpTable = table(`seats going and waitlisted (times in ${tz})`, ['Hour', 'Going', 'Waitlisted'], [...s.rsvps].reverse().map((r) => [whenText(r.at, tz), r.going, r.waitlisted]));

  const total = s.checkIns.reduce((n, c) => n + c.count, 0);
  const peak = [...s.checkIns].sort((x, y) => y.count - x.count)[0];
  const checkSummary = total ? `${num(total)} checked in${peak ? `; the busiest quarter hour started at ${timeText(peak.at, tz)} (${num(peak.count)})` : ''}.` : 'Nobody has checked in yet.';
  const checkSpec: ChartSpec = {
    id: 'checkins',
    kind: 'bars',
    x: s.checkIns.map((c) => epoch(c.at)),
    series: [{ label: 'Check-ins', color: '--chart-2', values: s.checkIns.map((c) => c.count) }],
    yLabel: 'People',
    timeZone: tz,
  };
  const checkTable = table(`check-ins per 15 minutes (times in ${tz})`, ['From', 'Check-ins'], s.checkIns.filter((c) => c.count > 0).map((c) => [whenText(c.at, tz), c.count]));

  const r = s.ratings;
  const scores = [1, 2, 3, 4, 5] as const;
  const rated = scores.reduce((n, k) => n + r[k], 0);
  const mean = rated ? scores.reduce((n, k) => n + k * r[k], 0) / rated : 0;
  const ratingSummary = rated ? `${num(rated)} ${rated === 1 ? 'rating' : 'ratings'}, ${mean.toFixed(1)} out of 5 on average; ${num(r.met)} said they met.` : 'No match has been rated yet.';
  const ratingSpec: ChartSpec = {
    id: 'ratings',
    kind: 'bars',
    x: [...scores],
    xLabels: scores.map((k) => `${k}★`),
    series: [{ label: 'Ratings', color: '--chart-1', values: scores.map((k) => r[k]) }],
    yLabel: 'Ratings',
    timeZone: tz,
  };
  const ratingTable = table('match ratings', ['Rating', 'Count'], [...scores.map((k) => [`${k} of 5`, r[k]] as [string, number]), ['Said they met', r.met]]);

  return section(
    'event',
    [
      chart(rsvpSpec, 'RSVPs over time', rsvpSummary, s.rsvps.length ? rsvpTable : ''),
      chart(checkSpec, 'Check-ins', checkSummary, total ? checkTable : ''),
      chart(ratingSpec, 'Match ratings', ratingSummary, ratingTable),
    ],
    [rsvpSpec, checkSpec, ratingSpec],
  );
}

// ------------------------------------------------------------------ insertion into the dashboards

/** Puts a section at the end of the page's article (each dashboard has one). */
function insert(html: string, sectionHtml: string): string {
  const at = html.lastIndexOf('</article>');
  return at < 0 ? html : `${html.slice(0, at)}${sectionHtml}\n${html.slice(at)}`;
}

/** Those the stats route refuses see no charts: the same rule as the API (403 only; anything else is an error). */
async function allowed(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (err) {
    if (err instanceof HttpProblem && err.statusCode === 403) return false;
    throw err;
  }
}

/** The association dashboard with its charts, for those the stats route lets in. */
export async function withAssociationCharts(html: string, x: { store: Store; caller: Caller | null; associationId: string; now: Date }): Promise<string> {
  const path = '/associations/{associationId}/stats';
  let association: Association | undefined;
  if (!(await allowed(async () => (association = (await authorize(access(path), { associationId: x.associationId }, x.caller, x.store)).association)))) return html;
  return insert(html, associationChartsSection(association!, await associationStats(x.store, association!, {}, x.now)));
}

/** The event dashboard with its charts, for those the stats route lets in. */
export async function withEventCharts(html: string, x: { store: Store; caller: Caller | null; eventId: string }): Promise<string> {
  const path = '/events/{eventId}/stats';
  let event: Event | undefined;
  if (!(await allowed(async () => (event = (await authorize(access(path), { eventId: x.eventId }, x.caller, x.store)).event)))) return html;
  return insert(html, eventChartsSection(event!, await eventStats(x.store, event!)));
}
