/**
 * Stripe webhook handling on the local stack: latency per event type, and what one event
 * costs in DynamoDB requests, capacity units and calls to the Stripe API.
 *
 *   npx tsx bench/webhooks.ts     BENCH_SECONDS=10  BENCH_WEBHOOK_EVENTS=200  BENCH_WEBHOOK_CONCURRENCY=10
 *                                 BENCH_WEBHOOK_MEMBERS=20  BENCH_WEBHOOK_SERIAL_EVENTS=30
 *
 * Setup, all through the API and the Stripe stand-in (scripts/local/stripe/standin.ts): an
 * association connected to the stand-in (Connect onboarding completed), a yearly plan, and
 * members who joined it and paid their checkout, so each has a live subscription, invoice,
 * payment intent and charge on the stand-in; a few more whose subscription was then
 * cancelled on the stand-in. Payloads are those objects as the stand-in's /v1 API returns
 * them, in Stripe's event envelope, with a fresh event id each (and a fresh invoice or charge
 * id where the ledger would otherwise see the same payment twice); the duplicate type
 * replays already processed invoice.paid events. Each body is signed with the local webhook
 * secret just before its batch and POSTed to /webhooks/stripe by the child-process client
 * of bench/rsvp.ts, BENCH_WEBHOOK_CONCURRENCY at a time, bounded by count and BENCH_SECONDS.
 * DynamoDB requests are counted on the functions' shared client in this process (the
 * middleware of bench/dynamo-cost.ts, per origin), Stripe API calls on their way out of this
 * process to the stand-in (node:diagnostics_channel, http.client.request.start).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import Stripe from 'stripe';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RunningStack } from '../scripts/local/stack.js';
import * as keys from '../functions/core/data/keys.js';
import { instrument } from './dynamo-cost.js';
import { capacityUnits, commandsPer, cpuMeter, createAssociation, runRequests, runStandalone, type HttpReq, type RunResult } from './rsvp.js';
import { call, envNumber, expectStatus, fmt, isMain, percentile, signIn, sleep, sortedCopy, table, type User } from './common.js';

type Obj = Record<string, any>;

const signer = new Stripe('sk_test_bench_signer');
const newId = (prefix: string) => `${prefix}${randomBytes(12).toString('hex').slice(0, 22)}`;

/** A Stripe event for a connected account, as Stripe sends it (pretty-printed JSON). */
function envelope(type: string, object: Obj, account: string, opts: { id?: string; previous?: Obj } = {}): { id: string; payload: string } {
  const id = opts.id ?? newId('evt_1T');
  const event = {
    id,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object, ...(opts.previous ? { previous_attributes: opts.previous } : {}) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    account,
  };
  return { id, payload: JSON.stringify(event, null, 2) };
}

/** A GET on the stand-in's /v1 API as the platform makes it (secret key, Stripe-Account). */
async function stripeGet(base: string, path: string, account: string | null): Promise<Obj> {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to call ${url.href}: not 127.0.0.1`);
  const res = await fetch(url, { headers: { authorization: 'Bearer sk_test_bench', ...(account ? { 'stripe-account': account } : {}) }, signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as Obj;
  if (!res.ok) throw new Error(`stand-in GET ${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** A button on the stand-in's pages (pay, cancel), answered as JSON. */
async function standinPost(url: string): Promise<Obj> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`refusing to call ${u.href}: not 127.0.0.1`);
  const res = await fetch(u, { method: 'POST', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`stand-in POST ${u.pathname}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Obj;
}

/** Polls `read` every 50 ms until `done`; bounded. */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(v)?.slice(0, 200)})`);
    await sleep(50);
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

interface PaidMember {
  user: User;
  session: Obj;
  subscription: Obj;
  invoice: Obj;
  paymentIntent: Obj;
  charge: Obj;
}

export async function benchWebhooks(stack: RunningStack, log: (s: string) => void = console.log): Promise<void> {
  const seconds = envNumber('BENCH_SECONDS', 10, 120);
  const perType = Math.round(envNumber('BENCH_WEBHOOK_EVENTS', 200, 5000));
  const serialPerType = Math.round(envNumber('BENCH_WEBHOOK_SERIAL_EVENTS', 30, 1000));
  const concurrency = Math.round(envNumber('BENCH_WEBHOOK_CONCURRENCY', 10, 200));
  const memberCount = Math.round(envNumber('BENCH_WEBHOOK_MEMBERS', 20, 200));
  // As many cancelled members as active ones, so that concurrent events seldom concern the same membership.
  const cancelledCount = memberCount;
  const api = stack.urls.api;
  const standin = stack.urls.stripe;
  const standinHost = new URL(standin).host;
  const secret = stack.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_local_standin';
  const t0 = performance.now();
  const notes: string[] = [];
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));

  // Stripe API calls leaving this process for the stand-in (the SDK uses node:http; the
  // benchmark's own calls use fetch and are not counted).
  let stripeCalls = 0;
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    if (request.getHeader('host') === standinHost && request.path.startsWith('/v1/')) stripeCalls++;
  };
  subscribe('http.client.request.start', onRequest);
  const probe = await instrument({ capacity: true, classify: true, name: 'benchWebhooks' });
  const meter = cpuMeter();
  const rows: (string | number)[][] = [];
  let setupSeconds = 0;
  try {
    // ---------------------------------------------------------------- setup (not measured)
    const owner = await signIn(api, 'hookowner', 'Hook Owner');
    const associationId = await createAssociation(api, owner, 'Webhook bench association');
    const a = `/associations/${associationId}`;
    const planId = expectStatus(await call(api, 'POST', `${a}/plans`, { token: owner.token, body: { name: 'Yearly', amount: 12000, interval: 'year' } }), 201, 'create plan').body.planId as string;
    const link = new URL(expectStatus(await call(api, 'POST', `${a}/stripe/connect`, { token: owner.token }), 200, 'stripe connect').body.url as string);
    const account = /^\/connect\/(acct_[^/]+)$/.exec(link.pathname)?.[1];
    if (!account) throw new Error(`unexpected onboarding link ${link.href}`);
    await standinPost(`${link.origin}${link.pathname}/complete`);
    const association = () => db.send(new GetCommand({ TableName: stack.tableName, Key: keys.association(associationId) })).then((r) => r.Item);
    await until('association able to take payments', association, (it) => !!it?.chargesEnabled);
    const memberItem = (userId: string) => db.send(new GetCommand({ TableName: stack.tableName, Key: keys.member(associationId, userId) })).then((r) => r.Item);

    const users = await pool(Array.from({ length: memberCount + cancelledCount }, (_, i) => i), 10, (i) => signIn(api, `hookmember${i}`, `Hook Member ${i}`));
    const paid = await pool(users, 5, async (user): Promise<PaidMember> => {
      const joined = expectStatus(await call(api, 'POST', `${a}/members`, { token: user.token, body: { planId } }), 201, 'paid join').body;
      if (!joined.checkoutUrl) throw new Error(`no checkout URL at join: ${JSON.stringify(joined)}`);
      const session = await standinPost(`${joined.checkoutUrl}/pay`);
      await until('member active after payment', () => memberItem(user.userId), (m) => m?.status === 'active');
      const subscription = await stripeGet(standin, `/v1/subscriptions/${session.subscription}?expand[]=latest_invoice`, account);
      const invoice = subscription.latest_invoice as Obj;
      const payments = await stripeGet(standin, `/v1/invoice_payments?invoice=${invoice.id}`, account);
      const paymentIntent = await stripeGet(standin, `/v1/payment_intents/${payments.data[0].payment.payment_intent}`, account);
      const charge = await stripeGet(standin, `/v1/charges/${paymentIntent.latest_charge}`, account);
      // As in an event: the subscription names its latest invoice by id.
      return { user, session, subscription: { ...subscription, latest_invoice: invoice.id }, invoice, paymentIntent, charge };
    });
    const active = paid.slice(0, memberCount);
    // Cancelled on the stand-in: customer.subscription.deleted reaches the API and ends the membership.
    const cancelled = await pool(paid.slice(memberCount), 5, async (m) => {
      await standinPost(`${standin}/subscriptions/${m.subscription.id}/cancel`);
      await until('membership cancelled', () => memberItem(m.user.userId), (it) => it?.status === 'cancelled');
      return { ...m, subscription: await stripeGet(standin, `/v1/subscriptions/${m.subscription.id}`, account) };
    });
    const accountObj = await stripeGet(standin, `/v1/accounts/${account}`, null);
    setupSeconds = (performance.now() - t0) / 1000;

    // ---------------------------------------------------------------- the events
    const processed: { id: string; payload: string }[] = [];
    const burstIds = new Set<string>();
    let burstPaid: { id: string; payload: string }[] = [];
    const kinds: { type: string; label?: string; concurrency?: number; build: (i: number) => { id: string; payload: string } }[] = [
      { type: 'checkout.session.completed', build: (i) => envelope('checkout.session.completed', active[i % active.length]!.session, account) },
      {
        type: 'invoice.paid',
        build: (i) => {
          // A payment the ledger has not seen: the member's invoice under a new id.
          const e = envelope('invoice.paid', { ...active[i % active.length]!.invoice, id: newId('in_1T') }, account);
          processed.push(e);
          return e;
        },
      },
      {
        type: 'invoice.payment_failed',
        build: (i) => {
          const inv = active[i % active.length]!.invoice;
          const failed = { ...inv, id: newId('in_1T'), status: 'open', amount_paid: 0, amount_remaining: inv.amount_due, attempted: true, attempt_count: 1, status_transitions: { ...inv.status_transitions, paid_at: null } };
          return envelope('invoice.payment_failed', failed, account);
        },
      },
      { type: 'customer.subscription.updated', build: (i) => envelope('customer.subscription.updated', active[i % active.length]!.subscription, account, { previous: { metadata: {} } }) },
      { type: 'customer.subscription.deleted', build: (i) => envelope('customer.subscription.deleted', cancelled[i % cancelled.length]!.subscription, account) },
      {
        type: 'charge.refunded',
        build: (i) => {
          const ch = active[i % active.length]!.charge;
          return envelope('charge.refunded', { ...ch, id: newId('ch_3T'), amount_refunded: ch.amount, refunded: true }, account);
        },
      },
      { type: 'account.updated', build: () => envelope('account.updated', accountObj, account, { previous: { charges_enabled: false } }) },
      { type: 'payment_intent.created', label: 'payment_intent.created (unhandled type)', build: (i) => envelope('payment_intent.created', active[i % active.length]!.paymentIntent, account) },
      { type: 'duplicate', label: 'duplicate (invoice.paid again)', build: (i) => processed[i % processed.length]! },
      // Stripe sends several events about one subscription within milliseconds (checkout, subscription, invoice):
      // here all of a batch concern one membership, so its conditional writes collide.
      { type: 'customer.subscription.updated', label: 'subscription.updated, all for 1 member', build: () => envelope('customer.subscription.updated', active[0]!.subscription, account, { previous: { metadata: {} } }) },
      // The burst of issue 11: a mix of events for ONE membership, all sent at once (recorded, then applied by the stream consumer).
      {
        type: 'burst',
        label: 'burst: mixed events for 1 member, all at once',
        concurrency: perType,
        build: (i) => {
          const m = active[1 % active.length]!;
          let e: { id: string; payload: string };
          if (i % 4 === 0) e = envelope('customer.subscription.updated', m.subscription, account, { previous: { metadata: {} } });
          else if (i % 4 === 1) burstPaid.push((e = envelope('invoice.paid', { ...m.invoice, id: newId('in_1T') }, account)));
          else if (i % 4 === 2 && burstPaid.length) e = burstPaid[burstPaid.length - 1]!;
          else e = envelope('checkout.session.completed', m.session, account);
          burstIds.add(e.id);
          return e;
        },
      },
    ];
    const sign = (e: { payload: string }): HttpReq => ({
      method: 'POST',
      path: '/webhooks/stripe',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload: e.payload, secret }) },
      body: e.payload,
    });
    const outcomes = (r: RunResult) => {
      const counts = new Map<string, number>();
      r.status.forEach((s, i) => {
        const k = s === 200 ? (r.field[i] ?? '?') : `HTTP ${s}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      });
      return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
    };

    // Warm-up (not reported): a few of each type, one at a time.
    for (const k of kinds) await runRequests({ base: api, requests: Array.from({ length: 3 }, (_, i) => sign(k.build(i))), concurrency: 1, seconds: 10, field: 'outcome' });
    await sleep(500);

    for (const k of kinds) {
      // One at a time first: the latency of an event on an idle stack.
      const serial = await runRequests({ base: api, requests: Array.from({ length: serialPerType }, (_, i) => sign(k.build(i))), concurrency: 1, seconds, field: 'outcome' });
      await sleep(300);
      const events = Array.from({ length: perType }, (_, i) => k.build(i + serialPerType));
      const requests = events.map(sign);
      const bytes = events.reduce((s, e) => s + Buffer.byteLength(e.payload), 0) / events.length;
      probe.reset();
      stripeCalls = 0;
      const cpu0 = meter.read();
      if (k.type === 'burst') burstIds.clear();
      const events2 = k.type === 'burst' ? ((burstPaid = []), Array.from({ length: perType }, (_, i) => k.build(i))) : events;
      const r = await runRequests({ base: api, requests: k.type === 'burst' ? events2.map(sign) : requests, concurrency: k.concurrency ?? concurrency, seconds, field: 'outcome' });
      if (k.type === 'burst') {
        // How long until the consumer has applied every event of the burst (its processed-event marker exists).
        const answered = performance.now();
        const pending = new Set(burstIds);
        while (pending.size && performance.now() - answered < 60_000) {
          await pool([...pending], 20, async (id) => {
            if ((await db.send(new GetCommand({ TableName: stack.tableName, Key: keys.stripeEvent(id), ProjectionExpression: 'pk' }))).Item) pending.delete(id);
          });
          if (pending.size) await sleep(100);
        }
        notes.push(`burst: ${r.status.filter((x) => x < 200 || x > 299).length} non-2xx of ${r.status.length}; ${burstIds.size - pending.size} of ${burstIds.size} distinct events applied by the stream consumer ${fmt((performance.now() - answered) / 1000, 1)} s after the last answer${pending.size ? ` (${pending.size} not within 60 s)` : ''}`);
      }
      const cpu1 = meter.read();
      const calls = stripeCalls;
      await sleep(500); // what the writes set off through the stream (mail) is counted with them
      const { request: c, stream: st } = probe.counters();
      const n = Math.max(1, r.ms.length);
      const lat = sortedCopy(r.ms);
      rows.push([
        k.label ?? k.type,
        fmt(bytes, 0),
        r.ms.length + (r.endedBy === 'time' ? '*' : ''),
        outcomes(r),
        fmt(r.ms.length / (r.elapsedMs / 1000), 0),
        fmt(percentile(lat, 50), 1),
        fmt(percentile(lat, 99), 1),
        fmt(lat[lat.length - 1] ?? NaN, 1),
        fmt(percentile(sortedCopy(serial.ms), 50), 1),
        fmt(c.requests / n, 1) + (c.failed ? ` (${c.failed} failed)` : ''),
        fmt(c.rcu / n, 1),
        fmt(c.wcu / n, 1),
        fmt(calls / n, 1),
        `${fmt((cpu1.stack - cpu0.stack) / n, 1)} / ${fmt((cpu1.dynamo - cpu0.dynamo) / n, 1)}`,
        commandsPer(c.commands, n),
        st.requests ? `${fmt(st.requests / n, 1)} req, ${fmt(capacityUnits(st) / n, 1)} CU` : '',
      ]);
      for (const e of [...r.errorSamples, ...serial.errorSamples]) notes.push(`${k.label ?? k.type}: e.g. ${e}`);
      if (serial.status.some((s) => s !== 200)) notes.push(`${k.label ?? k.type}: ${serial.status.filter((s) => s !== 200).length} of the one-at-a-time events were not answered 200`);
    }
  } finally {
    probe.remove();
    unsubscribe('http.client.request.start', onRequest);
    db.destroy();
  }

  log(
    `Stripe webhooks: per event type, ${perType} signed events POSTed to /webhooks/stripe by ${concurrency} concurrent clients (child process), after ${serialPerType} sent one at a time; ` +
      `latencies in ms; per event: DynamoDB requests, RCU and WCU made under the gateway (ReturnConsumedCapacity=TOTAL on DynamoDB Local), Stripe API calls to the stand-in, ` +
      `CPU ms of the stack process (handlers, local gateway, Stripe stand-in) / of DynamoDB Local; last column: what the stream consumer did within 500 ms`,
  );
  log(
    table(
      ['event type', '>payload B', '>events', 'outcomes', '>events/s', '>p50', '>p99', '>max', '>p50 1 client', '>DDB req', '>RCU', '>WCU', '>Stripe calls', '>CPU ms', 'DynamoDB commands per event', 'then, stream consumer'],
      rows,
    ),
  );
  notes.push(`setup (association connected to the stand-in, ${memberCount} paying members, ${cancelledCount} more whose subscription was then cancelled) took ${fmt(setupSeconds)} s`);
  if (rows.some((r) => String(r[2]).endsWith('*'))) notes.push(`* stopped by the time bound (${seconds} s) before all ${perType} events were sent`);
  notes.push(`webhooks section took ${fmt((performance.now() - t0) / 1000)} s`);
  for (const n of notes) log(`note: ${n}`);
}

if (isMain(import.meta.url)) {
  runStandalone(benchWebhooks);
}
