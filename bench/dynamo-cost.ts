/**
 * DynamoDB requests and consumed capacity per API operation, on the local stack, for
 * operations of every function of the route catalog (functionNames in functions/core/api.ts):
 * associations, members, profiles, meta, dues, webhooks (signed the way Stripe signs, with the
 * local stack's webhook secret), events, email (unsubscribe with the signed link of a real
 * mail), matching and connections: one representative call of every route of the catalog
 * (routes in functions/core/api.ts; links that the service mails are signed here the way it
 * signs them). The run prints the RSVP paths against issue 11's target (<= 1 read + 1
 * transaction, <= 8 WCU), lists routes and functions without a measured operation, and writes
 * the results to bench/out/dynamo-cost.json for bench/cost.ts.
 *
 *   npx tsx bench/dynamo-cost.ts     BENCH_EXTRA_MEMBERS=20 (members added before the list operations)
 *                                    BENCH_MATCH_PEOPLE=8 (attendees of the matchmaking event)
 *
 * The local gateway runs the real handlers in this process, so a middleware on the shared
 * client (functions/core/clients.ts) sees every DynamoDB call they make: it asks for
 * ReturnConsumedCapacity=TOTAL and adds up requests and capacity units. Counters are reset
 * before each HTTP call; each call is attributed from its async stack to the request (under
 * the gateway), to the stream consumer it set off, or to background pollers (left out).
 * DynamoDB Local reports capacity with the service's formulas for item sizes (transactional
 * writes doubled, GSI writes included), but it is not the service: treat the units as an
 * estimate of the bill.
 */
import type { RunningStack } from '../scripts/local/stack.js';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as keys from '../functions/core/data/keys.js';
import { BUSY_AFTER_NEWCOMER_MS } from '../functions/core/domain/events.js';
import { functionNames, routes, type FunctionName } from '../functions/core/api.js';
import { call, envNumber, root, expectStatus, fmt, isMain, machineInfo, signIn, signInMany, sleep, table, uniqueSlug, withStack, type Res, type User } from './common.js';

/** Commands whose input takes ReturnConsumedCapacity. */
const withCapacity = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
  'ExecuteStatementCommand',
  'BatchExecuteStatementCommand',
  'ExecuteTransactionCommand',
]);
const readCommands = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface Counters {
  requests: number;
  attempts: number;
  failed: number;
  rcu: number;
  wcu: number;
  /** Units reported without a read/write split, for commands that are neither (PartiQL). */
  other: number;
  commands: Map<string, number>;
}

const fresh = (): Counters => ({ requests: 0, attempts: 0, failed: 0, rcu: 0, wcu: 0, other: 0, commands: new Map() });

/**
 * Where a DynamoDB call came from, read from its (async) stack: an API request through the
 * local gateway, the DynamoDB Streams consumer (outbox sending), or anything else running in
 * the background (the local schedule runner polls the table every second).
 */
export type Origin = 'request' | 'stream' | 'background';
const origins: Origin[] = ['request', 'stream', 'background'];

function originOf(): Origin {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  if (stack.includes('/scripts/local/gateway.ts')) return 'request';
  if (stack.includes('/functions/streams/') || stack.includes('/scripts/local/streams.ts')) return 'stream';
  return 'background';
}

export interface Probe {
  /** Counters by origin; without `classify`, everything is counted as 'request'. */
  counters: () => Record<Origin, Counters>;
  reset: () => void;
  remove: () => void;
}

/**
 * Instruments the functions' shared DynamoDB client: counts requests and, unless
 * `capacity: false`, asks for and adds up consumed capacity; with `classify`, per origin
 * (a stack capture per call, so only where the small cost does not matter). The client
 * reads its configuration at import time: call this after startLocalStack set the environment.
 */
export async function instrument(opts: { capacity?: boolean; classify?: boolean; name?: string } = {}): Promise<Probe> {
  const askCapacity = opts.capacity ?? true;
  const { dynamo } = await import('../functions/core/clients.js');
  const all = () => Object.fromEntries(origins.map((o) => [o, fresh()])) as Record<Origin, Counters>;
  let counters = all();
  const add = (c: Counters, command: string, cap: Capacity | Capacity[] | undefined) => {
    for (const u of cap === undefined ? [] : Array.isArray(cap) ? cap : [cap]) {
      if (u.ReadCapacityUnits !== undefined || u.WriteCapacityUnits !== undefined) {
        c.rcu += u.ReadCapacityUnits ?? 0;
        c.wcu += u.WriteCapacityUnits ?? 0;
      } else if (readCommands.has(command)) c.rcu += u.CapacityUnits ?? 0;
      else if (withCapacity.has(command) && !command.startsWith('Execute') && !command.startsWith('BatchExecute')) c.wcu += u.CapacityUnits ?? 0;
      else c.other += u.CapacityUnits ?? 0;
    }
  };
  const name = opts.name ?? 'benchConsumedCapacity';
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const input = args.input as Record<string, unknown>;
      if (askCapacity && withCapacity.has(command) && input && typeof input === 'object') input.ReturnConsumedCapacity = 'TOTAL';
      const c = counters[opts.classify ? originOf() : 'request'];
      c.requests++;
      c.commands.set(command, (c.commands.get(command) ?? 0) + 1);
      try {
        const out = await next(args);
        const o = out.output as { ConsumedCapacity?: Capacity | Capacity[]; $metadata?: { attempts?: number } };
        c.attempts += o.$metadata?.attempts ?? 1;
        add(c, command, o.ConsumedCapacity);
        return out;
      } catch (err) {
        c.failed++;
        const e = err as { $metadata?: { attempts?: number }; ConsumedCapacity?: Capacity | Capacity[] };
        c.attempts += e.$metadata?.attempts ?? 1;
        add(c, command, e.ConsumedCapacity);
        throw err;
      }
    },
    { step: 'initialize', name, override: true },
  );
  return { counters: () => counters, reset: () => void (counters = all()), remove: () => void dynamo.middlewareStack.remove(name) };
}

const short = (commands: Map<string, number>) =>
  [...commands].map(([k, n]) => `${k.replace(/Command$/, '').replace(/Item(s?)$/, 'Item$1')}${n > 1 ? ` x${n}` : ''}`).join(', ') || '-';

/** Makes the association able to take card payments: Connect onboarding on the Stripe stand-in. */
async function connectStripe(stack: RunningStack, owner: User, associationId: string): Promise<string> {
  const res = expectStatus(await call(stack.urls.api, 'POST', `/associations/${associationId}/stripe/connect`, { token: owner.token }), 200, 'stripe connect');
  const link = new URL(res.body.url as string);
  if (link.hostname !== '127.0.0.1') throw new Error(`onboarding link is not local: ${link.href}`);
  const account = /^\/connect\/(acct_[^/]+)$/.exec(link.pathname)?.[1];
  if (!account) throw new Error(`unexpected onboarding link ${link.href}`);
  const done = await fetch(new URL(`${link.pathname}/complete`, link.origin), { method: 'POST', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!done.ok) throw new Error(`completing onboarding failed: ${done.status}`);
  // The account.updated webhook reaches the API asynchronously: wait until it is applied.
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  try {
    for (let i = 0; i < 100; i++) {
      const item = (await db.send(new GetCommand({ TableName: stack.tableName, Key: keys.association(associationId) }))).Item;
      if (item?.chargesEnabled) return account;
      await sleep(100);
    }
    throw new Error('the association did not become able to take payments within 10 s');
  } finally {
    db.destroy();
  }
}

/** The catalog route serving `method path` (literal segments win over {params}, as in API Gateway). */
function routeOf(method: string, path: string): (typeof routes)[number] | undefined {
  const pathname = new URL(path, 'http://127.0.0.1').pathname;
  const matching = routes.filter((r) => r.method === method && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname));
  return matching.sort((x, y) => (x.path.match(/\{/g)?.length ?? 0) - (y.path.match(/\{/g)?.length ?? 0))[0];
}
const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** One measured operation, as bench/cost.ts reads it from bench/out/dynamo-cost.json. */
export interface OpResult {
  operation: string;
  /** The catalog route, "METHOD /path/{param}". */
  route: string;
  status: number;
  /** Wall time of the HTTP call on the local stack (gateway and handler in this process). */
  ms: number;
  request: { requests: number; reads: number; transactions: number; rcu: number; wcu: number; commands: Record<string, number> };
  /** What the stream consumer did after the answer (outbox mail and the like). */
  stream: { requests: number; rcu: number; wcu: number };
}
const readCalls = (c: Counters) => [...c.commands].filter(([k]) => readCommands.has(k)).reduce((n, [, v]) => n + v, 0);
export const dynamoCostFile = 'bench/out/dynamo-cost.json';

/** A thunk for one HTTP call, carrying its method and path so the row can be put under its function. */
type Call = (() => Promise<Res>) & { method: string; path: string };
const routed = (method: string, path: string, fn: () => Promise<Res>): Call => Object.assign(fn, { method, path });

/** Any call to 127.0.0.1 with a raw body (webhooks, one-click unsubscribe), answered like `call`. */
async function rawCall(base: string, method: string, path: string, body: string, headers: Record<string, string>): Promise<Res> {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to call ${url.href}: not 127.0.0.1`);
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text, text };
}

/** A GET or a button on the Stripe stand-in (127.0.0.1 only), as JSON. */
async function standin(url: string, opts: { method?: string; account?: string } = {}): Promise<any> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`refusing to call ${u.href}: not 127.0.0.1`);
  const headers: Record<string, string> = { accept: 'application/json', authorization: 'Bearer sk_test_bench' };
  if (opts.account) headers['stripe-account'] = opts.account;
  const res = await fetch(u, { method: opts.method ?? 'GET', headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`stand-in ${opts.method ?? 'GET'} ${u.pathname}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Polls `read` every 100 ms until `done`; bounded. */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A whole minute `days` ahead, so the API keeps the time as given. */
const daysAhead = (days: number, hours = 0) => new Date(Math.floor((Date.now() + days * 86_400_000 + hours * 3_600_000) / 60_000) * 60_000).toISOString();

export async function benchDynamoCost(stack: RunningStack, log: (s: string) => void = console.log): Promise<OpResult[]> {
  const api = stack.urls.api;
  const extra = Math.round(envNumber('BENCH_EXTRA_MEMBERS', 20, 500));
  const matchPeople = Math.round(envNumber('BENCH_MATCH_PEOPLE', 8, 100));
  const settleMs = 400;
  const maxSettleMs = 10_000;
  const covered = new Set<FunctionName>();
  const coveredRoutes = new Set<string>();
  const results: OpResult[] = [];
  const probe = await instrument({ classify: true });
  // Imported once the stack set the environment (the signer reads its secret from it).
  const { signLink } = await import('../functions/core/http/links.js');
  const background = { requests: 0 };
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  try {
    const measure = async (operation: string, fn: Call): Promise<Res> => {
      const served = routeOf(fn.method, fn.path);
      if (served) [covered.add(served.fn), coveredRoutes.add(routeKey(served))];
      probe.reset();
      const t0 = performance.now();
      const res = await fn();
      const ms = performance.now() - t0;
      // What the request's writes set off through the stream (the outbox sender) is counted
      // with it: the poller reads the stream every 150 ms when idle, so the window ends once
      // the consumer made no call for settleMs (bounded by maxSettleMs; a mail run is longer).
      const settleEnd = Date.now() + maxSettleMs;
      for (let seen = -1, quietSince = Date.now(); Date.now() < settleEnd; await sleep(50)) {
        const n = probe.counters().stream.requests;
        if (n !== seen) [seen, quietSince] = [n, Date.now()];
        else if (Date.now() - quietSince >= settleMs) break;
      }
      const { request: c, stream: st, background: bg } = probe.counters();
      background.requests += bg.requests;
      results.push({
        operation,
        route: served ? routeKey(served) : `${fn.method} ${fn.path}`,
        status: res.status,
        ms: Math.round(ms * 10) / 10,
        request: { requests: c.requests, reads: readCalls(c), transactions: c.commands.get('TransactWriteItemsCommand') ?? 0, rcu: c.rcu, wcu: c.wcu, commands: Object.fromEntries(c.commands) },
        stream: { requests: st.requests, rcu: st.rcu, wcu: st.wcu },
      });
      rows.push([
        operation,
        res.status,
        c.requests,
        c.attempts - c.requests || '',
        fmt(c.rcu, 1),
        fmt(c.wcu, 1),
        fmt(c.rcu + c.wcu + c.other, 1),
        fmt(ms, 1),
        short(c.commands) + (c.failed ? ` (${c.failed} failed)` : ''),
        st.requests ? `${st.requests} req, ${fmt(st.rcu + st.wcu + st.other, 1)} CU: ${short(st.commands)}${st.failed ? ` (${st.failed} failed)` : ''}` : '',
      ]);
      return res;
    };
    const req = (method: string, path: string, token?: string, body?: unknown) => routed(method, path, () => call(api, method, path, { token, body }));

    const [owner, alice, bob] = await Promise.all([signIn(api, 'owner', 'Olga Owner'), signIn(api, 'alice', 'Alice Free'), signIn(api, 'bob', 'Bob Paid')]);
    const created = await measure('create association', req('POST', '/associations', owner.token, { name: 'Bench association', slug: uniqueSlug('bench'), currency: 'eur', timezone: 'Europe/Paris' }));
    const id = expectStatus(created, 201, 'create association').body.associationId as string;
    const a = `/associations/${id}`;
    await measure('get association', req('GET', a));
    const free = expectStatus(await measure('create plan', req('POST', `${a}/plans`, owner.token, { name: 'Free', amount: 0, interval: 'year' })), 201, 'create plan').body.planId as string;
    const paid = expectStatus(await call(api, 'POST', `${a}/plans`, { token: owner.token, body: { name: 'Paid', amount: 5000, interval: 'year' } }), 201, 'paid plan').body.planId as string;
    await measure('list plans', req('GET', `${a}/plans`));

    // Extra members, so the lists read more than the caller's own item (not measured).
    const others = await signInMany(api, 'extra', extra, 10);
    for (let i = 0; i < others.length; i += 10) {
      await Promise.all(
        others.slice(i, i + 10).map(async (u, j) => {
          const profile = { name: `Extra Member ${i + j}`, directoryVisible: true, skills: ['benchmarks'] };
          expectStatus(await call(api, 'PUT', '/me/profile', { token: u.token, body: profile }), 200, 'extra profile');
          expectStatus(await call(api, 'POST', `${a}/members`, { token: u.token, body: { planId: free } }), 201, 'join extra');
        }),
      );
    }

    await measure('join free plan', req('POST', `${a}/members`, alice.token, { planId: free }));
    let account: string | undefined;
    try {
      account = await connectStripe(stack, owner, id);
    } catch (err) {
      notes.push(`Stripe onboarding failed, so the paid join is refused and the webhook rows are left out: ${(err as Error).message}`);
    }
    await measure('join paid plan (pending + checkout)', req('POST', `${a}/members`, bob.token, { planId: paid }));
    // dues: the pending member asks for a checkout again; its open session is fetched from the stand-in (not counted) and reused.
    await measure('checkout (pending, open session reused)', req('POST', `${a}/members/me/checkout`, bob.token));
    await measure('get member (self)', req('GET', `${a}/members/${alice.userId}`, alice.token));
    await measure('list members (admin)', req('GET', `${a}/members`, owner.token));
    await measure('directory (member)', req('GET', `${a}/directory`, alice.token));
    await measure('patch role -> organizer', req('PATCH', `${a}/members/${alice.userId}`, owner.token, { role: 'organizer' }));
    await measure('offline payment (+receipt mail)', req('PATCH', `${a}/members/${bob.userId}`, owner.token, { offlinePayment: { amount: 5000, paidAt: new Date().toISOString(), note: 'cash' } }));
    await measure('leave (self)', req('DELETE', `${a}/members/${alice.userId}`, alice.token));
    await measure('put profile', req('PUT', '/me/profile', alice.token, { name: 'Alice Free', headline: 'Benchmarks', skills: ['dynamodb'], directoryVisible: true }));
    await measure('get profile', req('GET', '/me/profile', alice.token));
    await measure('me/associations', req('GET', '/me/associations', owner.token));
    await measure('export members CSV', req('GET', `${a}/members/export`, owner.token));

    // ---- meta (no table: expect 0 requests)
    const vocabulary = expectStatus(await measure('GET /vocabulary', req('GET', '/vocabulary')), 200, 'vocabulary').body.intents.map((i: { value: string }) => i.value) as string[];
    await measure('GET /openapi.json', req('GET', '/openapi.json'));

    // ---- dues: the ledger (the offline payment above is in it; the webhook below adds one)
    await measure('payments ledger (admin)', req('GET', `${a}/payments`, owner.token));
    await measure('payments export CSV', req('GET', `${a}/payments/export`, owner.token));

    // ---- webhooks: a member pays on the stand-in (not measured: its own webhooks reach the API
    // asynchronously, so the measuring waits until they are applied), then a signed invoice.paid
    // for a payment the ledger has not seen, and the very same event again.
    let carol: User | undefined;
    if (account) {
      carol = await signIn(api, 'carol', 'Carol Card');
      const joined = expectStatus(await call(api, 'POST', `${a}/members`, { token: carol.token, body: { planId: paid } }), 201, 'paid join').body;
      const session = await standin(`${joined.checkoutUrl}/pay`, { method: 'POST' });
      await until('member active after payment', () => call(api, 'GET', `${a}/members/${carol!.userId}`, { token: owner.token }), (r) => r.body?.status === 'active');
      await sleep(1000); // the stand-in's other events about this payment
      const sub = await standin(`${stack.urls.stripe}/v1/subscriptions/${session.subscription}?expand[]=latest_invoice`, { account });
      const event = {
        id: `evt_1T${randomBytes(12).toString('hex').slice(0, 22)}`,
        object: 'event',
        api_version: Stripe.API_VERSION,
        created: Math.floor(Date.now() / 1000),
        data: { object: { ...sub.latest_invoice, id: `in_1T${randomBytes(12).toString('hex').slice(0, 22)}` } },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type: 'invoice.paid',
        account,
      };
      const payload = JSON.stringify(event, null, 2);
      const secret = stack.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_standin';
      const signer = new Stripe('sk_test_bench_signer');
      // Signed just before sending: the signature carries a timestamp checked against a tolerance.
      const hook = () =>
        rawCall(api, 'POST', '/webhooks/stripe', payload, { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret }) });
      expectStatus(await measure('webhook invoice.paid (+receipt mail)', routed('POST', '/webhooks/stripe', hook)), 200, 'invoice.paid');
      expectStatus(await measure('webhook invoice.paid again (duplicate)', routed('POST', '/webhooks/stripe', hook)), 200, 'duplicate invoice.paid');
    }

    // ---- events: capacity 3 with a waitlist; r1, r2 and r5 take the seats, r3 and r4 wait. r1 and r3
    // come when nobody else did for BUSY_AFTER_NEWCOMER_MS (the calm path: one transaction with the counters);
    // r2 and r4 right after another (the surge path: the counters with one UpdateItem first).
    const [r1, r2, r3, r4, r5] = await Promise.all([signIn(api, 'rsvp1', 'Rita One'), signIn(api, 'rsvp2', 'Rob Two'), signIn(api, 'rsvp3', 'Rae Three'), signIn(api, 'rsvp4', 'Ray Four'), signIn(api, 'rsvp5', 'Rex Five')]);
    const calm = () => new Promise((r) => setTimeout(r, BUSY_AFTER_NEWCOMER_MS + 100)); // rsvpsCalmly: that long since the last newcomer
    const startsAt = daysAhead(30);
    const eventBody = { title: 'Bench meetup', description: 'Measured by bench/dynamo-cost.ts', startsAt, endsAt: daysAhead(30, 2), timezone: 'Europe/Paris', venue: '1 rue de la Paix, Paris', visibility: 'public', waitlist: true, capacity: 3 };
    const ev = expectStatus(await measure('create event', req('POST', `${a}/events`, owner.token, eventBody)), 201, 'create event').body;
    const e = `/events/${ev.eventId}`;
    await measure('get event', req('GET', e));
    await measure('RSVP going (+confirmation mail)', req('PUT', `${e}/rsvp`, r1.token, { status: 'going' }));
    await measure('RSVP going in a surge (a second newcomer right after)', req('PUT', `${e}/rsvp`, r2.token, { status: 'going' }));
    expectStatus(await call(api, 'PUT', `${e}/rsvp`, { token: r5.token, body: { status: 'going' } }), 200, 'third RSVP');
    await calm();
    const waiting = await measure('RSVP when full (waitlisted)', req('PUT', `${e}/rsvp`, r3.token, { status: 'going' }));
    if (waiting.body?.status !== 'waitlisted') notes.push(`RSVP when full answered ${waiting.text.slice(0, 200)}`);
    await measure('RSVP waitlisted in a surge (a second joiner right after)', req('PUT', `${e}/rsvp`, r4.token, { status: 'going' }));
    await measure('cancel RSVP (promotes the waitlist)', req('DELETE', `${e}/rsvp`, r1.token));
    await measure('list attendees', req('GET', `${e}/attendees`, owner.token));
    await measure('attendees export CSV', req('GET', `${e}/attendees/export`, owner.token));
    await measure('check-in by userId', req('POST', `${e}/check-in`, owner.token, { userId: r2.userId }));
    await measure('calendar.ics', req('GET', `${e}/calendar.ics`));
    await measure('PATCH event (title, capacity)', req('PATCH', e, owner.token, { title: 'Bench meetup (moved)', capacity: 3 }));

    // ---- matching: people with profiles who opted in, all going to one event
    const crowd = await signInMany(api, 'match', matchPeople, 8);
    const at = (i: number) => vocabulary[((i % vocabulary.length) + vocabulary.length) % vocabulary.length]!;
    await Promise.all(
      crowd.map(async (u, i) => {
        const profile = { name: `Match Person ${i}`, headline: 'Bench attendee', industry: i % 2 ? 'fintech' : 'climate', skills: ['benchmarks'], interests: ['dynamodb'], offers: [at(i), at(i + 2)], seeks: [at(i + 1), at(i + 3)], matchOptIn: true };
        expectStatus(await call(api, 'PUT', '/me/profile', { token: u.token, body: profile }), 200, 'match profile');
      }),
    );
    const mev = expectStatus(
      await call(api, 'POST', `${a}/events`, { token: owner.token, body: { ...eventBody, title: 'Bench mixer', capacity: null, matchmaking: { enabled: true, matchesPerAttendee: 2 } } }),
      201,
      'matchmaking event',
    ).body;
    const m = `/events/${mev.eventId}`;
    for (const u of crowd) expectStatus(await call(api, 'PUT', `${m}/rsvp`, { token: u.token, body: { status: 'going' } }), 200, 'mixer RSVP');
    await sleep(settleMs); // the RSVP confirmations leave the outbox before the measuring
    await measure(`matches preview (${matchPeople} going)`, req('POST', `${m}/matches/preview`, owner.token));
    await measure('matches send (+mail via outbox)', req('POST', `${m}/matches/send`, owner.token));
    await measure('GET matches (organizer)', req('GET', `${m}/matches`, owner.token));
    const mine = expectStatus(await measure('GET matches/me', req('GET', `${m}/matches/me`, crowd[0]!.token)), 200, 'matches/me').body;
    const matchId = (mine.items ?? mine.matches ?? [])[0]?.matchId as string | undefined;
    if (matchId) await measure('match feedback', req('POST', `${m}/matches/${matchId}/feedback`, crowd[0]!.token, { rating: 4, met: true }));
    else notes.push(`the first attendee had no match, so feedback is not measured: ${JSON.stringify(mine).slice(0, 200)}`);

    // ---- email: the one-click link of the "People to meet" mail (List-Unsubscribe), as a mail client uses it
    const mails = await until(
      'match mail',
      async () => expectStatus(await call(api, 'GET', `/dev/emails?to=${encodeURIComponent(crowd[0]!.email)}`), 200, 'dev emails').body.items as { headers?: { name: string; value: string }[] }[],
      (items) => items.some((x) => x.headers?.some((h) => h.name.toLowerCase() === 'list-unsubscribe')),
    );
    const listUnsubscribe = mails.flatMap((x) => x.headers ?? []).find((h) => h.name.toLowerCase() === 'list-unsubscribe')!.value;
    const link = new URL(/^<([^>]+)>$/.exec(listUnsubscribe)?.[1] ?? listUnsubscribe);
    const unsubscribe = `/email/unsubscribe${link.search}`;
    await measure('unsubscribe page (GET, acts on nothing)', routed('GET', unsubscribe, () => call(api, 'GET', unsubscribe, { accept: 'text/html' })));
    await measure(
      'one-click unsubscribe (POST)',
      routed('POST', unsubscribe, () => rawCall(api, 'POST', unsubscribe, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' })),
    );

    // ---- the catalog's other routes, one representative call each
    await measure('PATCH association', req('PATCH', a, owner.token, { description: 'Measured by bench/dynamo-cost.ts' }));
    await measure('PATCH plan', req('PATCH', `${a}/plans/${paid}`, owner.token, { description: 'Yearly dues' }));
    await measure('export log (admin)', req('GET', `${a}/exports`, owner.token));
    await measure('member preferences', req('PUT', `${a}/members/me/preferences`, bob.token, { directoryVisible: false }));
    if (account) await measure('stripe connect (onboarding link)', req('POST', `${a}/stripe/connect`, owner.token));
    if (carol) await measure('billing portal', req('POST', `${a}/members/me/billing-portal`, carol.token));
    await measure('list events', req('GET', `${a}/events`, owner.token));
    await measure('event stats', req('GET', `${e}/stats`, owner.token));
    await measure('association stats', req('GET', `${a}/stats`, owner.token));
    // A one-seat event: r1 goes, r2 waits, then leaves the waitlist by the link of its mail (signed here as the service signs it).
    const small = expectStatus(await call(api, 'POST', `${a}/events`, { token: owner.token, body: { ...eventBody, title: 'Bench small', capacity: 1 } }), 201, 'small event').body;
    const w = `/events/${small.eventId}`;
    expectStatus(await call(api, 'PUT', `${w}/rsvp`, { token: r1.token, body: { status: 'going' } }), 200, 'small going');
    expectStatus(await call(api, 'PUT', `${w}/rsvp`, { token: r2.token, body: { status: 'going' } }), 200, 'small waitlisted');
    const leave = `${w}/waitlist/leave?token=${await signLink('leave-waitlist', { eventId: small.eventId, userId: r2.userId }, new Date())}`;
    await measure('waitlist leave page (GET)', routed('GET', leave, () => call(api, 'GET', leave, { accept: 'text/html' })));
    await measure('waitlist leave (POST)', req('POST', leave));
    await measure('cancel event (+mail to attendees)', req('POST', `${w}/cancel`, owner.token));
    if (matchId) {
      const intro = `${m}/matches/${matchId}/introduce?token=${await signLink('introduce', { eventId: mev.eventId, matchId, userId: crowd[0]!.userId }, new Date())}`;
      await measure('introduce page (GET)', routed('GET', intro, () => call(api, 'GET', intro, { accept: 'text/html' })));
      await measure('introduce ask (POST)', req('POST', intro));
    }
    // connections between extra members of the association
    if (others.length >= 3) {
      const [u1, u2, u3] = others as [User, User, User];
      const asked = await measure('connection ask', req('POST', `${a}/connections`, u1.token, { userId: u2.userId, note: 'Met at the bench' }));
      const connectionId = asked.body?.connectionId as string | undefined;
      await measure('my connections (pending)', req('GET', '/me/connections?state=pending', u2.token));
      if (connectionId) {
        await measure('accept connection', req('POST', `/me/connections/${connectionId}/accept`, u2.token));
        await measure('patch connection (tags)', req('PATCH', `/me/connections/${connectionId}`, u1.token, { tags: ['bench'] }));
        await measure('my connections', req('GET', '/me/connections', u1.token));
        await measure('connections export (vCard)', req('GET', '/me/connections/export?format=vcf', u1.token));
        const connect = `${m}/connect?token=${await signLink('connect', { eventId: mev.eventId, connectionId, userId: u1.userId }, new Date())}`;
        await measure('follow-up connect page (GET)', routed('GET', connect, () => call(api, 'GET', connect, { accept: 'text/html' })));
        await measure('follow-up connect (POST)', req('POST', connect));
        await measure('remove connection', req('DELETE', `/me/connections/${connectionId}`, u1.token));
      } else notes.push(`the connection ask answered ${asked.text.slice(0, 200)}`);
      const second = await call(api, 'POST', `${a}/connections`, { token: u1.token, body: { userId: u3.userId } });
      if (second.body?.connectionId) await measure('decline connection', req('POST', `/me/connections/${second.body.connectionId}/decline`, u3.token));
    }
    await measure('my data export', req('GET', '/me/export', r3.token));
    await measure('erase me', req('DELETE', '/me', r3.token));
  } finally {
    probe.remove();
  }
  log(`DynamoDB requests and consumed capacity per operation (ReturnConsumedCapacity=TOTAL on DynamoDB Local; association with ${extra + 3} members, ${extra} of them in the directory)`);
  log(table(['operation', '>HTTP', '>DDB req', '>retries', '>RCU', '>WCU', '>total CU', '>ms', 'commands', 'then, via the stream consumer'], rows));
  log(
    `note: the first columns count what the request itself did (calls under the gateway); the last what the stream consumer did after the answer, until it had been idle ${settleMs} ms (at most ${maxSettleMs / 1000} s); ` +
      `${background.requests} calls by background pollers (local schedule runner) in the same windows are left out`,
  );
  log(
    'note: mail: events and matching write it to the outbox with the change and the stream consumer sends it after the answer (background, last column); ' +
      'dues changes (offline payment, webhooks) also try to deliver their receipt before answering, racing the stream consumer: whichever claims the mail first sends it ' +
      "and the other's conditional claim fails (the '1 failed'), so that work moves between the columns from run to run. SES calls are not DynamoDB requests. " +
      'Stripe calls (checkout, webhooks) go to the stand-in and are not counted; the webhook rows exclude the stand-in events of the setup payment, applied before measuring.',
  );
  // The RSVP paths against issue 11's target: at most 1 read and 1 transaction, at most 8 WCU.
  for (const [label, op] of [['going', 'RSVP going (+confirmation mail)'], ['waitlisted', 'RSVP when full (waitlisted)']] as const) {
    const r = results.find((x) => x.operation === op);
    if (!r) continue;
    const ok = r.request.reads <= 1 && r.request.transactions <= 1 && r.request.requests - r.request.reads - r.request.transactions === 0 && r.request.wcu <= 8;
    log(
      `RSVP ${label}: ${r.request.requests} requests = ${r.request.reads} read(s) + ${r.request.transactions} transaction(s) + ${r.request.requests - r.request.reads - r.request.transactions} other, ` +
        `${fmt(r.request.rcu, 1)} RCU, ${fmt(r.request.wcu, 1)} WCU (target: <= 1 read + 1 transaction, <= 8 WCU: ${ok ? 'met' : 'NOT met'}); ` +
        `then the stream consumer: ${r.stream.requests} requests, ${fmt(r.stream.rcu, 1)} RCU, ${fmt(r.stream.wcu, 1)} WCU (the mail built and sent, the dashboard counters)`,
    );
  }
  // In a surge a newcomer takes the counters with one UpdateItem before its transaction (docs/events.md, "The hot item").
  for (const [label, op] of [['going', 'RSVP going in a surge (a second newcomer right after)'], ['waitlisted', 'RSVP waitlisted in a surge (a second joiner right after)']] as const) {
    const r = results.find((x) => x.operation === op);
    if (!r) continue;
    log(
      `RSVP ${label} in a surge: ${r.request.requests} requests = ${r.request.reads} read(s) + ${r.request.transactions} transaction(s) + ${r.request.requests - r.request.reads - r.request.transactions} other (the counters' UpdateItem), ` +
        `${fmt(r.request.rcu, 1)} RCU, ${fmt(r.request.wcu, 1)} WCU (one request over the calm target by design; WCU ${r.request.wcu <= 8 ? 'within' : 'OVER'} 8)`,
    );
  }
  const missingRoutes = routes.map(routeKey).filter((k) => !coveredRoutes.has(k));
  log(`note: catalog routes measured: ${coveredRoutes.size} of ${routes.length}${missingRoutes.length ? `; NOT measured: ${missingRoutes.join(', ')}` : ' (all of them)'}`);
  const uncovered = functionNames.filter((f) => !covered.has(f));
  log(`note: catalog functions measured: ${[...covered].join(', ')}${uncovered.length ? `; NOT measured: ${uncovered.join(', ')}` : ' (all of them)'}`);
  for (const n of notes) log(`note: ${n}`);
  // For bench/cost.ts: the measured operations, with the commit they were measured at.
  mkdirSync(dirname(resolve(root, dynamoCostFile)), { recursive: true });
  writeFileSync(resolve(root, dynamoCostFile), JSON.stringify({ measuredAt: new Date().toISOString(), extraMembers: extra, matchPeople, results }, null, 2) + '\n');
  log(`wrote ${dynamoCostFile} (${results.length} operations)`);
  return results;
}

if (isMain(import.meta.url)) {
  console.log(machineInfo() + '\n');
  withStack((stack) => benchDynamoCost(stack)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
