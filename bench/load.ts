/**
 * Throughput and latency on the local stack, beside raw DynamoDB Local round-trips for the
 * same items, so the cost of the gateway and the handler shows.
 *
 *   npx tsx bench/load.ts     BENCH_SECONDS=10  BENCH_CONCURRENCY=50  BENCH_SERIAL_SECONDS=3  BENCH_WARMUP_SECONDS=1
 *
 * Scenarios: GET /associations/{id}; POST /associations/{id}/members (free plan, each request
 * a distinct user whose token was made before timing); GetItem of the association item and
 * PutItem of a member-shaped item straight to DynamoDB Local. Each runs in a child process
 * (bench/load-client.ts) for BENCH_SECONDS with BENCH_CONCURRENCY clients, or until its
 * pre-made tokens are used up; then again with one client for BENCH_SERIAL_SECONDS.
 */
import { fork } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RunningStack } from '../scripts/local/stack.js';
import * as keys from '../functions/core/data/keys.js';
import type { LoadResult, LoadSpec, Scenario } from './load-client.js';
import { instrument } from './dynamo-cost.js';
import { call, envNumber, expectStatus, fmt, isMain, machineInfo, percentile, signIn, signInMany, sortedCopy, table, uniqueSlug, withStack } from './common.js';

const clientFile = new URL('./load-client.ts', import.meta.url);

/** Runs one scenario in a fresh child process; killed if it overstays its time. */
function runInChild(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(clientFile, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    const limitMs = (spec.seconds + spec.warmupSeconds) * 1000 + 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load client did not finish within ${limitMs} ms`));
    }, limitMs);
    let settled = false;
    child.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      settled = true;
      clearTimeout(timer);
      if (m.ok) resolve(m.result);
      else reject(new Error(`load client failed: ${m.error}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`load client exited with ${code} before reporting`));
    });
    child.once('error', reject);
    child.send(spec);
  });
}

interface Row {
  scenario: string;
  clients: number;
  r: LoadResult;
  /** DynamoDB requests the handlers made per HTTP request (measured in-process); 1 for raw rows. */
  ddbPerRequest: number;
}

const rate = (r: LoadResult) => r.completed / (r.elapsedMs / 1000);
const p50 = (r: LoadResult) => percentile(sortedCopy(r.latencies), 50);

const rowOf = ({ scenario, clients, r, ddbPerRequest }: Row) => {
  const s = sortedCopy(r.latencies);
  return [
    scenario,
    clients,
    r.completed,
    fmt(r.elapsedMs / 1000, 1) + (r.endedBy === 'count' ? '*' : ''),
    fmt(rate(r), 0),
    fmt(percentile(s, 50), 1),
    fmt(percentile(s, 99), 1),
    fmt(s[s.length - 1] ?? NaN, 1),
    r.errors,
    fmt(ddbPerRequest, 2),
  ];
};

export async function benchLoad(stack: RunningStack, log: (s: string) => void = console.log): Promise<void> {
  const seconds = envNumber('BENCH_SECONDS', 10, 120);
  const serialSeconds = envNumber('BENCH_SERIAL_SECONDS', 3, 60);
  const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 1, 30);
  const concurrency = Math.round(envNumber('BENCH_CONCURRENCY', 50, 500));
  const api = stack.urls.api;
  const base = { warmupSeconds, maxRequests: 1_000_000 };

  // Setup (not timed): an association with a free plan.
  const owner = await signIn(api, 'loadowner', 'Load Owner');
  const id = expectStatus(await call(api, 'POST', '/associations', { token: owner.token, body: { name: 'Load association', slug: uniqueSlug('load'), currency: 'eur', timezone: 'Europe/Paris' } }), 201, 'create association').body
    .associationId as string;
  const planId = expectStatus(await call(api, 'POST', `/associations/${id}/plans`, { token: owner.token, body: { name: 'Free', amount: 0, interval: 'year' } }), 201, 'create plan').body.planId as string;
  const assocUrl = `${api}/associations/${id}`;
  const ddb = { endpoint: stack.urls.dynamodb, table: stack.tableName };
  const getItem: Scenario = { kind: 'ddb-get', ...ddb, key: keys.association(id) };

  // Counts the DynamoDB requests the in-process handlers make (no capacity asked for here).
  const probe = await instrument({ capacity: false, name: 'benchLoadCounter' });
  const rows: Row[] = [];
  const notes: string[] = [];
  const t0 = performance.now();
  let member: Record<string, unknown> | undefined;
  try {
    const run = async (scenario: string, clients: number, secs: number, spec: Scenario, http: boolean) => {
      probe.reset();
      const r = await runInChild({ ...base, concurrency: clients, seconds: secs, scenario: spec });
      const sent = r.warmup + r.completed;
      const c = probe.counters().request; // unclassified: every call the process made during the run
      if (http && c.attempts > c.requests) notes.push(`${scenario.trim()} (${clients} clients): the SDK retried ${c.attempts - c.requests} of ${c.requests} DynamoDB requests`);
      if (http && c.failed) notes.push(`${scenario.trim()} (${clients} clients): ${c.failed} DynamoDB requests failed`);
      const row: Row = { scenario, clients, r, ddbPerRequest: http ? c.requests / Math.max(1, sent) : 1 };
      rows.push(row);
      return row;
    };
    /** Tokens of distinct new users, made before timing: enough for `ratePerSecond` over the run. */
    const joiners = async (label: string, ratePerSecond: number, secs: number, clients: number) => {
      const needed = Math.min(100_000, Math.ceil(ratePerSecond * (secs + warmupSeconds) * 1.2) + 2 * clients);
      const t = performance.now();
      const users = await signInMany(api, label, needed, concurrency);
      notes.push(`${label}: ${needed} distinct users' tokens made before timing (for ${fmt(ratePerSecond, 0)} joins/s) in ${fmt((performance.now() - t) / 1000)} s`);
      return users.map((u) => u.token);
    };

    const get = await run('HTTP GET /associations/{id}', concurrency, seconds, { kind: 'http-get', url: assocUrl }, true);
    await run('  DynamoDB GetItem (association item)', concurrency, seconds, getItem, false);

    // Joins: a short cold probe sizes the token supply; a GET (one read, no token check) bounds a join's rate from above.
    const probeTokens = await signInMany(api, 'probe', 40 * concurrency, concurrency);
    const cold = await runInChild({ ...base, concurrency, seconds: 1.5, warmupSeconds: 0, scenario: { kind: 'http-join', url: `${assocUrl}/members`, planId, tokens: probeTokens.map((u) => u.token) } });
    if (cold.errors) throw new Error(`join probe failed: ${cold.errorSamples.join('; ')}`);
    const joinTokens = await joiners('joiners', Math.max(rate(get.r), 3 * rate(cold)), seconds, concurrency);
    await run('HTTP POST /associations/{id}/members', concurrency, seconds, { kind: 'http-join', url: `${assocUrl}/members`, planId, tokens: joinTokens }, true);

    // A member item exactly as the handler wrote it, re-keyed per request for the raw puts.
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    try {
      member = (await db.send(new GetCommand({ TableName: ddb.table, Key: keys.member(id, probeTokens[0]!.userId) }))).Item;
    } finally {
      db.destroy();
    }
    if (!member) throw new Error('the member written by the join probe was not found');
    const putItem = (prefix: string): Scenario => ({ kind: 'ddb-put', ...ddb, associationId: id, member: member!, prefix: `${prefix}-${Date.now().toString(36)}-` });
    await run('  DynamoDB PutItem (member-shaped item)', concurrency, seconds, putItem('raw'), false);

    // One client at a time: the latency of a request on an idle stack.
    const getSerial = await run('HTTP GET /associations/{id}', 1, serialSeconds, { kind: 'http-get', url: assocUrl }, true);
    await run('  DynamoDB GetItem (association item)', 1, serialSeconds, getItem, false);
    const serialTokens = await joiners('serial joiners', rate(getSerial.r), serialSeconds, 1);
    await run('HTTP POST /associations/{id}/members', 1, serialSeconds, { kind: 'http-join', url: `${assocUrl}/members`, planId, tokens: serialTokens }, true);
    await run('  DynamoDB PutItem (member-shaped item)', 1, serialSeconds, putItem('raw1'), false);
  } finally {
    probe.remove();
  }

  log(
    `Load: closed loop, N clients each sending its next request when the last one answers (a child process; fetch keep-alive / SDK default agent); ` +
      `${seconds} s per scenario at ${concurrency} clients, ${serialSeconds} s at 1, each after ${warmupSeconds} s warm-up; ` +
      `member item ${Buffer.byteLength(JSON.stringify(member))} B as JSON; latencies in ms; "DDB/req" = DynamoDB requests per HTTP request, counted on the functions' client in the stack process (background pollers add ~2/s)`,
  );
  log(table(['scenario', '>clients', '>requests', '>seconds', '>req/s', '>p50', '>p99', '>max', '>errors', '>DDB/req'], rows.map(rowOf)));
  const pair = (i: number) => `+${fmt(p50(rows[i]!.r) - p50(rows[i + 1]!.r))} ms`;
  notes.push(`HTTP p50 minus raw DynamoDB p50: at ${concurrency} clients GET ${pair(0)}, join ${pair(2)}; at 1 client GET ${pair(4)}, join ${pair(6)}`);
  if (rows.some((r) => r.r.endedBy === 'count')) notes.push('* ended early: the pre-made tokens ran out before the time did');
  for (const { scenario, clients, r } of rows) if (r.errorSamples.length) notes.push(`${scenario.trim()} (${clients} clients) errors, e.g.: ${r.errorSamples.join(' | ')}`);
  notes.push(`load section took ${fmt((performance.now() - t0) / 1000)} s`);
  for (const n of notes) log(`note: ${n}`);
}

if (isMain(import.meta.url)) {
  console.log(machineInfo() + '\n');
  withStack((stack) => benchLoad(stack)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
