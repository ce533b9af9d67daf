/**
 * DynamoDB requests and consumed capacity per API operation, on the local stack.
 *
 *   npx tsx bench/dynamo-cost.ts     BENCH_EXTRA_MEMBERS=20 (members added before the list operations)
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
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../functions/core/data/keys.js';
import { call, envNumber, expectStatus, fmt, isMain, machineInfo, signIn, signInMany, sleep, table, uniqueSlug, withStack, type Res, type User } from './common.js';

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
async function connectStripe(stack: RunningStack, owner: User, associationId: string): Promise<void> {
  const res = expectStatus(await call(stack.urls.api, 'POST', `/associations/${associationId}/stripe/connect`, { token: owner.token }), 200, 'stripe connect');
  const link = new URL(res.body.url as string);
  if (link.hostname !== '127.0.0.1') throw new Error(`onboarding link is not local: ${link.href}`);
  const done = await fetch(new URL(`${link.pathname}/complete`, link.origin), { method: 'POST', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!done.ok) throw new Error(`completing onboarding failed: ${done.status}`);
  // The account.updated webhook reaches the API asynchronously: wait until it is applied.
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  try {
    for (let i = 0; i < 100; i++) {
      const item = (await db.send(new GetCommand({ TableName: stack.tableName, Key: keys.association(associationId) }))).Item;
      if (item?.chargesEnabled) return;
      await sleep(100);
    }
    throw new Error('the association did not become able to take payments within 10 s');
  } finally {
    db.destroy();
  }
}

export async function benchDynamoCost(stack: RunningStack, log: (s: string) => void = console.log): Promise<void> {
  const api = stack.urls.api;
  const extra = Math.round(envNumber('BENCH_EXTRA_MEMBERS', 20, 500));
  const settleMs = 400;
  const probe = await instrument({ classify: true });
  const background = { requests: 0 };
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  try {
    const measure = async (operation: string, fn: () => Promise<Res>): Promise<Res> => {
      probe.reset();
      const t0 = performance.now();
      const res = await fn();
      const ms = performance.now() - t0;
      // What the request's writes set off through the stream (the outbox sender) is counted
      // with it: the poller reads the stream every 150 ms when idle.
      await sleep(settleMs);
      const { request: c, stream: st, background: bg } = probe.counters();
      background.requests += bg.requests;
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
    const req = (method: string, path: string, token?: string, body?: unknown) => () => call(api, method, path, { token, body });

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
    try {
      await connectStripe(stack, owner, id);
    } catch (err) {
      notes.push(`Stripe onboarding failed, so the paid join is refused: ${(err as Error).message}`);
    }
    await measure('join paid plan (pending + checkout)', req('POST', `${a}/members`, bob.token, { planId: paid }));
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
  } finally {
    probe.remove();
  }
  log(`DynamoDB requests and consumed capacity per operation (ReturnConsumedCapacity=TOTAL on DynamoDB Local; association with ${extra + 3} members, ${extra} of them in the directory)`);
  log(table(['operation', '>HTTP', '>DDB req', '>retries', '>RCU', '>WCU', '>total CU', '>ms', 'commands', 'then, via the stream consumer'], rows));
  log(
    `note: the first columns count what the request itself did (calls under the gateway); the last what the stream consumer did within ${settleMs} ms after the answer; ` +
      `${background.requests} calls by background pollers (local schedule runner) in the same windows are left out`,
  );
  for (const n of notes) log(`note: ${n}`);
}

if (isMain(import.meta.url)) {
  console.log(machineInfo() + '\n');
  withStack((stack) => benchDynamoCost(stack)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
