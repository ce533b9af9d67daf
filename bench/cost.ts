/**
 * The monthly AWS cost of one association, from the operations bench/dynamo-cost.ts measured
 * (bench/out/dynamo-cost.json: DynamoDB requests and capacity units, wall time per call) and a
 * scenario of what members and organizers do in a month. Prices: bench/prices.ts.
 *
 *   npx tsx bench/cost.ts        (run bench/dynamo-cost.ts first; npm run bench does both)
 *   BENCH_COST_IN=path.json      another measurement file
 *
 * What is measured and what is assumed is printed with the tables and explained in docs/cost.md.
 * Operations the measuring did not reach are priced at zero and listed ("not measured").
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fixedCost, variableCost, cognitoBilled, type Bill, type Usage } from './cost-model.js';
import { FREE, PRICES, PRICES_DATE } from './prices.js';
import type { OpResult } from './dynamo-cost.js';
import { fmt, isMain, root, table } from './common.js';

export interface Scenario {
  members: number;
  eventsPerMonth: number;
  attendeesPerEvent: number;
  matching: boolean;
}

/** Behaviour assumptions (per month); each is a guess, named so docs/cost.md can quote it. */
export const ASSUME = {
  memberVisitsPerMonth: 2, // pages a member opens outside events
  activeShare: 0.6, // share of members signing in in a month (Cognito MAU)
  eventPageViewsPerAttendee: 3,
  waitlistedShare: 0.1,
  cancelShare: 0.1,
  checkInShare: 0.9,
  stripeEventsPerRenewal: 3, // invoice.paid applied + 2 other events about the same payment (answered, no effect)
  lambdaGb: 1, // memorySize 1024 in lib/constructs/functions.ts
  streamInvocationMs: 100, // one stream consumer invocation per write with mail (assumed duration)
  coldStartShare: 0.05, // invocations that start a new environment and read the 3 secrets
  logBytesPerInvocation: 1500, // START/END/REPORT plus a few structured lines
  accessLogBytesPerRequest: 500,
  pageBytes: 40_000, // HTML + island JS, compressed, averaged over cached and uncached views
  cloudfrontRequestsPerPage: 3, // HTML + its scripts/CSS
  bytesPerMember: 4_000, // member, profile, user and index items
  bytesPerAttendee: 2_000, // RSVP, RSVP-of-user, match items
  monthsKept: 12, // events' items accumulate: storage priced after a year
  exportRowBytes: 200,
};

/** How often each measured operation happens in a month (operation name → count). */
export function monthlyOperations(s: Scenario): Map<string, number> {
  const M = s.members;
  const E = s.eventsPerMonth;
  const A = s.attendeesPerEvent;
  const ops = new Map<string, number>();
  const add = (op: string, n: number) => ops.set(op, (ops.get(op) ?? 0) + n);
  // members
  add('me/associations', M * ASSUME.memberVisitsPerMonth);
  add('get association', M * ASSUME.memberVisitsPerMonth);
  add('get profile', M * 0.5);
  add('put profile', M * 0.05);
  add('directory (member)', M * 0.2);
  add('list plans', M * 0.05);
  add('join paid plan (pending + checkout)', M * 0.02);
  // renewals: one twelfth of the members renew each month through Stripe
  add('webhook invoice.paid (+receipt mail)', M / 12);
  add('webhook invoice.paid again (duplicate)', (M / 12) * (ASSUME.stripeEventsPerRenewal - 1));
  // organizers
  add('list members (admin)', 10);
  add('payments ledger (admin)', 4);
  add('association stats', 8);
  add('export members CSV', 1);
  add('payments export CSV', 1);
  // events
  add('create event', E);
  add('PATCH event (title, capacity)', E * 2);
  add('list events', E * A);
  add('get event', E * A * ASSUME.eventPageViewsPerAttendee);
  add('RSVP going (+confirmation mail)', E * A);
  add('RSVP when full (waitlisted)', E * A * ASSUME.waitlistedShare);
  add('cancel RSVP (promotes the waitlist)', E * A * ASSUME.cancelShare);
  add('calendar.ics', E * A * 0.5);
  add('list attendees', E * 10);
  add('attendees export CSV', E);
  add('check-in by userId', E * A * ASSUME.checkInShare);
  add('event stats', E * 5);
  if (s.matching) {
    add('matches preview', E); // scaled by attendees below
    add('matches send', E);
    add('GET matches (organizer)', E * 2);
    add('GET matches/me', E * A);
    add('match feedback', E * A * 0.3);
    add('introduce ask (POST)', E * A * 0.2);
    add('connection ask', E * A * 0.2);
    add('accept connection', E * A * 0.15);
    add('my connections', E * A * 0.5);
  }
  return ops;
}

/** Mails sent in a month (SES): not DynamoDB requests, counted from the scenario. */
export function monthlyMails(s: Scenario): number {
  const { members: M, eventsPerMonth: E, attendeesPerEvent: A } = s;
  const perEvent = A * (1 + ASSUME.waitlistedShare + ASSUME.cancelShare) /* confirmations, promotions */ + A /* reminder */ + (s.matching ? 2 * A : 0); /* matches, follow-up */
  return E * perEvent + (M / 12) * 2; /* renewal reminder and receipt */
}

export interface Estimate {
  usage: Usage;
  bill: Bill;
  notMeasured: string[];
}

/** One association's monthly usage and bill from the measured operations. */
export function estimate(results: OpResult[], s: Scenario): Estimate {
  // Rows are named with details in parentheses ("matches send (+mail via outbox)"): match on the name before them.
  const ok = results.filter((r) => r.status < 500);
  const find = (op: string) => ok.find((r) => r.operation === op) ?? ok.find((r) => r.operation.startsWith(`${op} (`));
  const byOp = { get: find };
  const ops = monthlyOperations(s);
  const mails = monthlyMails(s);
  const notMeasured: string[] = [];
  let rru = 0;
  let wru = 0;
  let requests = 0;
  let gbSeconds = 0;
  let streamInvocations = 0;
  let pages = 0;
  for (const [op, count] of ops) {
    const r = byOp.get(op);
    if (!r) {
      notMeasured.push(op);
      continue;
    }
    // Matching reads and writes grow with the attendees; it was measured with a few.
    const scale = op === 'matches preview' || op === 'matches send' ? s.attendeesPerEvent / Math.max(1, matchPeopleOf(results)) : 1;
    rru += count * scale * (r.request.rcu + r.stream.rcu);
    wru += count * scale * (r.request.wcu + r.stream.wcu);
    requests += count;
    gbSeconds += count * scale * (r.ms / 1000) * ASSUME.lambdaGb;
    if (r.stream.requests > 0) streamInvocations += count;
    if (op === 'get event' || op === 'get association' || op === 'list events') pages += count;
  }
  // Renewal and event reminders leave through the outbox like the RSVP confirmation: price each as its stream part.
  const outbox = byOp.get('RSVP going (+confirmation mail)');
  const reminders = s.eventsPerMonth * s.attendeesPerEvent + s.members / 12;
  if (outbox) [rru, wru, streamInvocations] = [rru + reminders * outbox.stream.rcu, wru + reminders * outbox.stream.wcu, streamInvocations + reminders];
  const invocations = requests + streamInvocations;
  gbSeconds += (streamInvocations * ASSUME.streamInvocationMs) / 1000 * ASSUME.lambdaGb;
  const exportsRows = s.members * 2 + s.eventsPerMonth * s.attendeesPerEvent;
  const usage: Usage = {
    lambdaRequests: invocations,
    lambdaGbSeconds: gbSeconds,
    // Pages reach the web function through CloudFront and the same HTTP API.
    apiRequests: requests,
    cloudfrontRequests: pages * ASSUME.cloudfrontRequestsPerPage,
    cloudfrontGb: (pages * ASSUME.pageBytes) / 1e9,
    sesMails: mails,
    dynamoReadUnits: rru,
    dynamoWriteUnits: wru,
    dynamoGb: (s.members * ASSUME.bytesPerMember + s.eventsPerMonth * ASSUME.monthsKept * s.attendeesPerEvent * ASSUME.bytesPerAttendee) / 1e9,
    streamReadUnits: 0, // the consumer is a Lambda event source mapping (lib/constructs/streams.ts): its reads are free
    s3Gb: (exportsRows * ASSUME.exportRowBytes) / 1e9,
    s3Puts: 2 + s.eventsPerMonth,
    s3Gets: 2 + s.eventsPerMonth,
    secretsCalls: invocations * ASSUME.coldStartShare * 3,
    cognitoMau: s.members * ASSUME.activeShare,
    logsGb: (invocations * ASSUME.logBytesPerInvocation + requests * ASSUME.accessLogBytesPerRequest) / 1e9,
  };
  return { usage, bill: variableCost(usage, PRICES), notMeasured };
}

let matchPeopleCache = 0;
const matchPeopleOf = (results: OpResult[]) =>
  matchPeopleCache || (matchPeopleCache = Number(/\((\d+) going\)/.exec(results.find((r) => r.operation.startsWith('matches preview'))?.operation ?? '')?.[1] ?? 8));

/** Fixed resources of one deployment (lib/): one web ACL with two rules, three secrets. */
export const FIXED = { webAcls: 1, wafRules: 2, secrets: 3 };

const money = (d: number) => (d < 0.01 ? `$${d.toFixed(4)}` : `$${d.toFixed(2)}`);

export function report(results: OpResult[], log: (s: string) => void = console.log): void {
  const base: Scenario = { members: 500, eventsPerMonth: 4, attendeesPerEvent: 100, matching: true };
  const e = estimate(results, base);
  log(`Prices: us-east-1 on-demand list prices as of ${PRICES_DATE} (bench/prices.ts; sources in docs/cost.md). No free tier subtracted.`);
  log(`\nOne association: ${base.members} members, ${base.eventsPerMonth} events a month of ${base.attendeesPerEvent} attendees, matching on, renewals and reminders`);
  log(table(['line', '>quantity', 'unit', '>$ / month'], e.bill.lines.map((l) => [l.service, fmt(l.quantity, l.quantity < 10 ? 3 : 0), l.unit, money(l.dollars)])));
  const cognito = e.bill.lines.find((l) => l.service === 'Cognito Essentials')!.dollars;
  log(`variable cost of this association: ${money(e.bill.total)} a month at list prices (${e.bill.total < 1 ? 'under' : 'OVER'} the $1 goal)`);
  log(`without Cognito: ${money(e.bill.total - cognito)} a month (${e.bill.total - cognito < 1 ? 'under' : 'OVER'} the $1 goal); Cognito Essentials at list price: ${money(cognito)}`);
  const cognitoReal = cognitoBilled(base.members * ASSUME.activeShare, FREE.cognitoMau, PRICES.cognitoEssentialsPerMau);
  log(
    `note: Cognito is ${money(e.usage.cognitoMau * PRICES.cognitoEssentialsPerMau)} of it at list price; the account's first ${FREE.cognitoMau.toLocaleString('en')} MAU are free, ` +
      `so a deployment with up to ~${Math.floor(FREE.cognitoMau / ASSUME.activeShare / base.members)} such associations pays ${money(cognitoReal)} for it`,
  );
  if (e.notMeasured.length) log(`note: not measured in this run, priced at 0: ${e.notMeasured.join(', ')}`);
  const fixed = fixedCost(FIXED, PRICES);
  log('\nFixed platform cost (per deployment, shared by every association on it)');
  log(table(['line', '>quantity', 'unit', '>$ / month'], fixed.lines.map((l) => [l.service, l.quantity, l.unit, money(l.dollars)])));
  log(`fixed: ${money(fixed.total)} a month; shared by 100 associations: ${money(fixed.total / 100)} each`);
  log('\nHow it grows (variable cost of one association, $ / month: everything else + Cognito Essentials at list price; 100 attendees per event)');
  const rows: (string | number)[][] = [];
  for (const members of [500, 5_000, 50_000]) {
    rows.push([
      members.toLocaleString('en'),
      ...[4, 20, 100].map((eventsPerMonth) => {
        const b = estimate(results, { ...base, members, eventsPerMonth }).bill;
        const c = b.lines.find((l) => l.service === 'Cognito Essentials')!.dollars;
        return `${money(b.total - c)} + ${money(c)}`;
      }),
    ]);
  }
  log(table(['members', '>4 events', '>20 events', '>100 events'], rows));
  const top = [...e.bill.lines].sort((x, y) => y.dollars - x.dollars).slice(0, 3);
  log(`largest lines at 500 members / 4 events: ${top.map((l) => `${l.service} ${money(l.dollars)}`).join(', ')}`);
}

if (isMain(import.meta.url)) {
  const file = resolve(root, process.env.BENCH_COST_IN ?? 'bench/out/dynamo-cost.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { measuredAt: string; results: OpResult[] };
  console.log(`Measured operations: ${file} (${data.results.length}, measured ${data.measuredAt})\n`);
  report(data.results);
}
