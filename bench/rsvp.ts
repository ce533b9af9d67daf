/**
 * RSVP throughput and latency on the local stack, and what one RSVP costs in DynamoDB.
 *
 *   npx tsx bench/rsvp.ts     BENCH_SECONDS=10  BENCH_CONCURRENCY=50  BENCH_SERIAL_SECONDS=3
 *
 * Three events of one association: a warm-up event (no capacity), event A with capacity
 * 100000 (every RSVP is "going", but all of them move the counters of the one event item)
 * and event B with capacity 100 and a waitlist (50 clients race for 100 seats, then for
 * places on the waitlist). Every request is a distinct user whose token was made before
 * timing. The clients are async workers in a child process (this file, forked with
 * BENCH_HTTP_CLIENT=1), so the load generator does not share the gateway's event loop; the
 * stack (gateway, handlers, stream consumer sending mail, local SES) runs in this process.
 * Then a serial table of the exact DynamoDB requests and capacity units of each RSVP path
 * (bench/dynamo-cost.ts's counting middleware, per origin), and DELETE /events/B/rsvp of
 * the going users (each frees a seat that the head of the waitlist takes) with 1, 5 and 50
 * clients. Knobs: BENCH_SECONDS (10), BENCH_CONCURRENCY (50), BENCH_SERIAL_SECONDS (3),
 * BENCH_WARMUP_SECONDS (3).
 */
import { fork, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import type { RunningStack } from '../scripts/local/stack.js';
import { instrument, type Counters, type Probe } from './dynamo-cost.js';
import { call, envNumber, expectStatus, fmt, isMain, loadAverage, machineInfo, percentile, signIn, signInMany, sleep, sortedCopy, table, uniqueSlug, withStack, type Res, type User } from './common.js';

// ==================================================================== the HTTP client (child process)

/** One request of a list; `path` is relative to the base URL. */
export interface HttpReq {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RunSpec {
  base: string;
  requests: HttpReq[];
  concurrency: number;
  /** Stops sending new requests after this time; the list also bounds the count. */
  seconds: number;
  /** A top-level field of a JSON answer to report per request (e.g. 'status', 'outcome'). */
  field?: string;
}

export interface RunResult {
  elapsedMs: number;
  endedBy: 'time' | 'count';
  /** Per request sent, in the order of the list: latency (ms), HTTP status (0 = no answer), the field. */
  ms: number[];
  status: number[];
  field: (string | null)[];
  errorSamples: string[];
  /** CPU time (user + system) the client process used during the run. */
  clientCpuMs: number;
}

async function runList(spec: RunSpec): Promise<RunResult> {
  const base = new URL(spec.base);
  if (base.hostname !== '127.0.0.1') throw new Error(`refusing to load ${base.href}: not 127.0.0.1`);
  const n = spec.requests.length;
  const ms: number[] = [];
  const status: number[] = [];
  const field: (string | null)[] = [];
  const errorSamples = new Set<string>();
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + spec.seconds * 1000;
  const worker = async () => {
    while (next < n && performance.now() < deadline) {
      const i = next++;
      const r = spec.requests[i]!;
      const start = performance.now();
      let st = 0;
      let value: string | null = null;
      try {
        const res = await fetch(new URL(r.path, base), { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        st = res.status;
        if (spec.field && (res.headers.get('content-type') ?? '').includes('json')) {
          try {
            const v = (JSON.parse(text) as Record<string, unknown>)[spec.field];
            value = v === undefined || v === null ? null : String(v);
          } catch {
            value = null;
          }
        }
        if (st >= 300 && errorSamples.size < 4) errorSamples.add(`HTTP ${st} ${text.slice(0, 140)}`);
      } catch (e) {
        if (errorSamples.size < 4) errorSamples.add(`${(e as Error).name}: ${(e as Error).message}`.slice(0, 160));
      }
      ms[i] = performance.now() - start;
      status[i] = st;
      field[i] = value;
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, Math.max(1, n)) }, worker));
  const sent = Math.min(next, n);
  const cpu = process.cpuUsage(cpu0);
  return {
    elapsedMs: performance.now() - t0,
    endedBy: sent >= n ? 'count' : 'time',
    ms: ms.slice(0, sent),
    status: status.slice(0, sent),
    field: field.slice(0, sent),
    errorSamples: [...errorSamples],
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** Runs a list of requests from a fresh child process (this file); killed if it overstays. */
export function runRequests(spec: RunSpec): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url), [], {
      execArgv: process.execArgv,
      env: { ...process.env, BENCH_HTTP_CLIENT: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const limitMs = spec.seconds * 1000 + 60_000;
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (!settled) reject(new Error(`HTTP client did not finish within ${limitMs} ms`));
      settled = true;
    }, limitMs);
    child.once('message', (m: { ok: true; result: RunResult } | { ok: false; error: string }) => {
      clearTimeout(timer);
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(`HTTP client failed: ${m.error}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`HTTP client exited with ${code} before reporting`));
      settled = true;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      if (!settled) reject(err);
      settled = true;
    });
    child.send(spec);
  });
}

// ==================================================================== helpers

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A valid event body: public, 10 days ahead (a whole minute), two hours long. */
export function eventBody(title: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const t = Date.now() + 10 * DAY + Math.floor(Math.random() * 600) * 60_000;
  const startsAt = new Date(Math.floor(t / 60_000) * 60_000).toISOString();
  return {
    title,
    description: 'An event made by the benchmarks.',
    startsAt,
    endsAt: new Date(Date.parse(startsAt) + 2 * HOUR).toISOString(),
    timezone: 'Europe/Paris',
    venue: '1 rue de la Paix, Paris',
    visibility: 'public',
    waitlist: true,
    ...overrides,
  };
}

export async function createAssociation(api: string, owner: User, name: string): Promise<string> {
  const res = await call(api, 'POST', '/associations', { token: owner.token, body: { name, slug: uniqueSlug('bench'), currency: 'eur', timezone: 'Europe/Paris' } });
  return expectStatus(res, 201, 'create association').body.associationId as string;
}

export async function createEvent(api: string, owner: User, associationId: string, title: string, overrides: Record<string, unknown> = {}): Promise<{ eventId: string; startsAt: string; associationId: string }> {
  const res = await call(api, 'POST', `/associations/${associationId}/events`, { token: owner.token, body: eventBody(title, overrides) });
  return expectStatus(res, 201, `create event ${title}`).body;
}

/** "GetItem x3, TransactWriteItems" per event/request: the command counts divided by `per`. */
export function commandsPer(commands: Map<string, number>, per: number): string {
  return (
    [...commands]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => {
        const x = v / Math.max(1, per);
        const name = k.replace(/Command$/, '');
        const rounded = Math.round(x * 100) / 100;
        return rounded === 1 ? name : `${name} x${Number.isInteger(rounded) ? rounded : rounded.toFixed(2)}`;
      })
      .join(', ') || '-'
  );
}

/**
 * Waits until the process's DynamoDB traffic falls back to the pollers' idle rate (the stream
 * consumer has sent the mail queued by a run, promotions have settled); returns how long
 * that took (NaN if it never did within maxMs).
 */
export async function waitQuiet(probe: Probe, maxMs = 60_000, idlePerSecond = 6): Promise<number> {
  const total = () => Object.values(probe.counters()).reduce((s, c) => s + c.requests, 0);
  const t0 = performance.now();
  let last = total();
  for (;;) {
    await sleep(1000);
    const now = total();
    if (now - last <= idlePerSecond) return performance.now() - t0 - 1000;
    if (performance.now() - t0 > maxMs) return NaN;
    last = now;
  }
}

export const capacityUnits = (c: Counters) => c.rcu + c.wcu + c.other;

/**
 * CPU time of this process (gateway, handlers, stream consumer, local SES and Stripe
 * stand-in all run here) and of DynamoDB Local (the java process under it), from /proc.
 */
export function cpuMeter(): { read: () => { stack: number; dynamo: number }; dynamoPid?: number } {
  const java = findJava();
  let tick = 100;
  const conf = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 });
  if (conf.status === 0 && Number(conf.stdout.trim()) > 0) tick = Number(conf.stdout.trim());
  const javaMs = () => {
    if (!java) return NaN;
    try {
      const stat = readFileSync(`/proc/${java}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / tick;
    } catch {
      return NaN;
    }
  };
  return {
    read: () => {
      const u = process.cpuUsage();
      return { stack: (u.user + u.system) / 1000, dynamo: javaMs() };
    },
    dynamoPid: java,
  };
}

/**
 * Waits until this process and DynamoDB Local are both nearly idle (under `maxShare` of a
 * core over a second), e.g. until the stream consumer has worked through a backlog; bounded.
 */
export async function waitIdleCpu(meter: ReturnType<typeof cpuMeter>, maxMs = 180_000, maxShare = 0.1): Promise<number> {
  const t0 = performance.now();
  let last = meter.read();
  for (;;) {
    await sleep(1000);
    const now = meter.read();
    const busy = Math.max(now.stack - last.stack, Number.isFinite(now.dynamo) ? now.dynamo - last.dynamo : 0);
    if (busy < maxShare * 1000) return performance.now() - t0;
    if (performance.now() - t0 > maxMs) return NaN;
    last = now;
  }
}

/** Removes the temporary folder for export files that startLocalStack made (mkdtemp under the OS's tmpdir). */
export function removeExportsDir(stack: RunningStack): void {
  const dir = stack.env.EXPORTS_DIR;
  if (dir && resolve(dirname(dir)) === resolve(tmpdir()) && basename(dir).startsWith('assoc-exports-')) rmSync(dir, { recursive: true, force: true });
}

function findJava(): number | undefined {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8', timeout: 5000 });
  if (ps.status !== 0) return undefined;
  const children = new Map<number, { pid: number; comm: string }[]>();
  for (const line of ps.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.+)$/.exec(line);
    if (!m) continue;
    const list = children.get(Number(m[2])) ?? [];
    list.push({ pid: Number(m[1]), comm: m[3]!.trim() });
    children.set(Number(m[2]), list);
  }
  const queue = [process.pid];
  for (let guard = 0; queue.length && guard < 1000; guard++) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (c.comm === 'java') return c.pid;
      queue.push(c.pid);
    }
  }
  return undefined;
}

/**
 * The stack's JSON log lines (Powertools) are counted instead of printed, so the tables stay
 * readable; the counts are reported at the end. Other output passes through.
 */
/** Runs one bench section on its own stack, as `npx tsx bench/<name>.ts` does, and cleans up. */
export function runStandalone(section: (stack: RunningStack) => Promise<void>): void {
  console.log(machineInfo() + '\n');
  const logs = tallyLogs();
  withStack((stack) => section(stack).finally(() => removeExportsDir(stack)))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => {
      logs.restore();
      for (const line of logs.summary()) console.log(`note: the stack logged (counted, not printed): ${line}`);
      console.log(loadAverage() + ' at the end');
    });
}

export function tallyLogs(): { summary: () => string[]; restore: () => void } {
  const counts = new Map<string, number>();
  const restores: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (text.startsWith('{"level":')) {
        for (const line of text.split('\n').filter(Boolean)) {
          let key = 'unparsed log line';
          try {
            const j = JSON.parse(line) as { level?: string; message?: string; errorName?: string };
            key = `${j.level} "${j.message}"${j.errorName ? ` (errorName ${j.errorName})` : ''}`;
          } catch {
            /* counted as unparsed */
          }
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (cb) cb();
        return true;
      }
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    restores.push(() => void (stream.write = original));
  }
  return {
    summary: () => [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} x ${k}`),
    restore: () => restores.forEach((r) => r()),
  };
}

// ==================================================================== the benchmark

interface LoadRow {
  scenario: string;
  clients: number;
  r: RunResult;
  /** Which answers to take: all, or those whose field has this value. */
  only?: string;
  ddb?: { perReq: number; rcu: number; wcu: number; cancels: number; retries: number };
  cpu?: { stack: number; dynamo: number; client: number };
}

function loadRow({ scenario, clients, r, only, ddb, cpu }: LoadRow): (string | number)[] {
  const idx = r.ms.map((_, i) => i).filter((i) => !only || r.field[i] === only);
  const lat = sortedCopy(idx.map((i) => r.ms[i]!));
  const ok = idx.filter((i) => r.status[i]! >= 200 && r.status[i]! < 300).length;
  const s503 = idx.filter((i) => r.status[i] === 503).length;
  const secs = r.elapsedMs / 1000;
  return [
    scenario,
    clients,
    idx.length,
    fmt(secs, 1) + (r.endedBy === 'count' && !only ? '*' : ''),
    fmt(idx.length / secs, 0),
    fmt(percentile(lat, 50), 1),
    fmt(percentile(lat, 99), 1),
    fmt(lat[lat.length - 1] ?? NaN, 1),
    idx.length - ok - s503,
    s503,
    ddb ? fmt(ddb.perReq, 1) : '',
    ddb ? fmt(ddb.wcu, 1) : '',
    ddb ? fmt(ddb.rcu, 1) : '',
    ddb ? `${ddb.cancels}${ddb.retries > 0 ? ` (+${ddb.retries} SDK retries)` : ''}` : '',
    cpu ? `${fmt(cpu.stack, 1)} / ${fmt(cpu.dynamo, 1)} / ${fmt(cpu.client, 1)}` : '',
  ];
}

export async function benchRsvp(stack: RunningStack, log: (s: string) => void = console.log): Promise<void> {
  const seconds = envNumber('BENCH_SECONDS', 10, 120);
  const serialSeconds = envNumber('BENCH_SERIAL_SECONDS', 3, 60);
  const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 3, 30);
  const clients = Math.round(envNumber('BENCH_CONCURRENCY', 50, 500));
  const api = stack.urls.api;
  const t0 = performance.now();
  const notes: string[] = [];

  const owner = await signIn(api, 'rsvpowner', 'Rsvp Owner');
  const associationId = await createAssociation(api, owner, 'RSVP bench association');
  const warm = await createEvent(api, owner, associationId, 'Warm-up', { capacity: null, waitlist: false });
  const big = await createEvent(api, owner, associationId, 'Big event', { capacity: 100_000, waitlist: true });
  const small = await createEvent(api, owner, associationId, 'Small event', { capacity: 100, waitlist: true });
  const put = (eventId: string) => (u: User): HttpReq => ({
    method: 'PUT',
    path: `/events/${eventId}/rsvp`,
    headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
    body: '{"status":"going"}',
  });
  const del = (eventId: string) => (u: User): HttpReq => ({ method: 'DELETE', path: `/events/${eventId}/rsvp`, headers: { authorization: `Bearer ${u.token}` } });
  const eventState = async (eventId: string) => {
    const b = expectStatus(await call(api, 'GET', `/events/${eventId}`), 200, 'get event').body;
    return { going: b.goingCount as number, waiting: b.waitlistCount as number };
  };

  // Counts requests and capacity of every DynamoDB call the process makes (handlers, stream
  // consumer, pollers); per-path figures come from the serial table.
  const probe = await instrument({ capacity: true, classify: false, name: 'benchRsvpLoad' });
  const meter = cpuMeter();
  if (!meter.dynamoPid) notes.push('the DynamoDB Local process was not found: its CPU time is not shown');
  const rows: LoadRow[] = [];
  let serialRows: (string | number)[][] = [];
  try {
    const measured = async (scenario: string, n: number, spec: RunSpec, split?: string[]): Promise<RunResult> => {
      probe.reset();
      const cpu0 = meter.read();
      const r = await runRequests(spec);
      const cpu1 = meter.read();
      const c = probe.counters().request;
      const ok = Math.max(1, r.status.length);
      rows.push({
        scenario,
        clients: n,
        r,
        ddb: { perReq: c.requests / ok, rcu: c.rcu / ok, wcu: c.wcu / ok, cancels: c.failed, retries: c.attempts - c.requests },
        cpu: { stack: (cpu1.stack - cpu0.stack) / ok, dynamo: (cpu1.dynamo - cpu0.dynamo) / ok, client: r.clientCpuMs / ok },
      });
      for (const value of split ?? []) if (r.field.includes(value)) rows.push({ scenario: `  of which ${value}`, clients: n, r, only: value });
      for (const e of r.errorSamples) notes.push(`${scenario.trim()} (${n} client${n > 1 ? 's' : ''}): e.g. ${e}`);
      const drain = await waitQuiet(probe);
      notes.push(`${scenario.trim()} (${n} client${n > 1 ? 's' : ''}): background work (mail sending, promotions) went on for ${Number.isFinite(drain) ? `${fmt(drain / 1000)} s` : 'more than 60 s'} after the last answer`);
      return r;
    };

    // Warm-up (not reported): JIT of this process and of DynamoDB Local; it also sizes the token supply.
    const tk = performance.now();
    const probeUsers = await signInMany(api, 'rsvpwarm', Math.min(20_000, Math.ceil(200 * warmupSeconds) + clients), clients);
    const cold = await runRequests({ base: api, requests: probeUsers.map(put(warm.eventId)), concurrency: clients, seconds: warmupSeconds, field: 'status' });
    const warmRate = cold.ms.length / (cold.elapsedMs / 1000);
    if (cold.status.some((s) => s !== 200)) notes.push(`warm-up: ${cold.status.filter((s) => s !== 200).length} of ${cold.status.length} answers were not 200`);
    await waitQuiet(probe);
    const needed = Math.min(100_000, Math.ceil(2.5 * warmRate * seconds * 1.2) + 2 * clients);
    const users = await signInMany(api, 'rsvp', needed, clients);
    notes.push(
      `${needed} distinct users' tokens made before timing (2.5 x the ${warmupSeconds} s warm-up's ${fmt(warmRate, 0)} RSVPs/s over ${seconds} s), ` +
        `${fmt((performance.now() - tk) / 1000)} s with the warm-up; the same users RSVP to A and then to B`,
    );

    // A: no seat contention, but every RSVP moves the counters of the one event item.
    await measured('PUT rsvp, A: capacity 100000', clients, { base: api, requests: users.map(put(big.eventId)), concurrency: clients, seconds, field: 'status' });
    // B: 100 seats, then the waitlist.
    const rb = await measured('PUT rsvp, B: capacity 100 + waitlist', clients, { base: api, requests: users.map(put(small.eventId)), concurrency: clients, seconds, field: 'status' }, ['going', 'waitlisted']);
    const answered = { going: rb.field.filter((f) => f === 'going').length, waiting: rb.field.filter((f) => f === 'waitlisted').length };
    const afterB = await eventState(small.eventId);
    notes.push(
      `B after the PUTs: goingCount ${afterB.going}, waitlistCount ${afterB.waiting}; the answers said going ${answered.going}, waitlisted ${answered.waiting}` +
        (afterB.going === answered.going && afterB.waiting === answered.waiting && afterB.going <= 100 ? ' (consistent)' : ' (MISMATCH)'),
    );

    // The exact cost of each path, one request at a time, while B has its long waitlist.
    serialRows = await serialCosts(stack, owner, associationId, { big: big.eventId, small: small.eventId });

    // DELETE of going users on B: each frees a seat that the head of the waitlist takes.
    const byId = new Map(users.map((u) => [u.userId, u]));
    const goingOnB = async (): Promise<User[]> => {
      const out: User[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 100; guard++) {
        const q = `status=going&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res: Res = expectStatus(await call(api, 'GET', `/events/${small.eventId}/attendees?${q}`, { token: owner.token }), 200, 'attendees');
        for (const a of res.body.items as { userId: string }[]) if (byId.has(a.userId)) out.push(byId.get(a.userId)!);
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      return out;
    };
    // One client first (the cost of a promotion on an idle stack), then 5, then all of them at once.
    for (const n of [1, 5, clients]) {
      const before = await eventState(small.eventId);
      const list = await goingOnB();
      const rd = await measured('DELETE rsvp, B: going, promotes', n, { base: api, requests: list.map(del(small.eventId)), concurrency: n, seconds: n === 1 ? serialSeconds : seconds, field: 'status' });
      const after = await eventState(small.eventId);
      const ok = rd.status.filter((s) => s === 200).length;
      notes.push(
        `B after ${rd.status.length} DELETEs by ${n} client${n > 1 ? 's' : ''} (${ok} answered 200): goingCount ${before.going} -> ${after.going}, waitlistCount ${before.waiting} -> ${after.waiting} ` +
          `(${before.waiting - after.waiting} promoted${after.waiting > 0 && after.going < 100 ? `; ${100 - after.going} seats free while people wait` : ''})`,
      );
    }

    // One client: the latency of an RSVP on an idle stack.
    const serialUsers = await signInMany(api, 'rsvpserial', Math.min(2000, Math.ceil(150 * serialSeconds)), clients);
    await measured('PUT rsvp, A: capacity 100000', 1, { base: api, requests: serialUsers.map(put(big.eventId)), concurrency: 1, seconds: serialSeconds, field: 'status' });
  } finally {
    probe.remove();
  }

  log(
    `RSVP load: closed loop, N clients (async workers in a child process, fetch keep-alive), each PUT a distinct user whose token was made before timing; ` +
      `${seconds} s per run (${serialSeconds} s with 1 client), after a ${warmupSeconds} s warm-up on another event; latencies in ms. ` +
      `DDB/req, WCU/req, RCU/req: every DynamoDB request of the stack process during the run (handlers, the stream consumer sending mail and promoting, pollers) per HTTP request; ` +
      `DDB failed: DynamoDB requests that failed, i.e. conditional writes that lost a race (TransactionCanceled, ConditionalCheckFailed); CPU ms/req: CPU time per HTTP request of the stack process / DynamoDB Local / the client process`,
  );
  log(table(['scenario', '>clients', '>requests', '>seconds', '>req/s', '>p50', '>p99', '>max', '>errors', '>503s', '>DDB/req', '>WCU/req', '>RCU/req', '>DDB failed', '>CPU ms/req'], rows.map(loadRow)));
  log('');
  log('DynamoDB requests and capacity per RSVP path (one request at a time, counted under the gateway; then what the stream consumer did within 400 ms)');
  log(table(['operation', '>HTTP', 'answer', '>DDB req', '>RCU', '>WCU', '>ms', 'commands', 'then, via the stream consumer'], serialRows));
  if (rows.some((r) => r.r.endedBy === 'count' && !r.only)) notes.push('* ended when its list of requests (users) ran out, before the time did');
  notes.push(`rsvp section took ${fmt((performance.now() - t0) / 1000)} s`);
  for (const n of notes) log(`note: ${n}`);
}

/** The exact cost of each RSVP path, one request at a time, counted per origin. */
async function serialCosts(stack: RunningStack, owner: User, associationId: string, ev: { big: string; small: string }): Promise<(string | number)[][]> {
  const api = stack.urls.api;
  const rows: (string | number)[][] = [];
  const probe = await instrument({ capacity: true, classify: true, name: 'benchRsvpSerial' });
  try {
    const c = await createEvent(api, owner, associationId, 'Two seats', { capacity: 2, waitlist: true });
    const [u1, u2, u3, u4, u5, u6] = await signInMany(api, 'rsvpcost', 6, 6);
    const state = async (id: string) => expectStatus(await call(api, 'GET', `/events/${id}`), 200, 'get event').body as { goingCount: number; waitlistCount: number };
    const onA = (await state(ev.big)).goingCount;
    const onB = (await state(ev.small)).waitlistCount;
    const req = (method: string, eventId: string, u: User | undefined) => () =>
      call(api, method, `/events/${eventId}/rsvp`, { token: u!.token, ...(method === 'PUT' ? { body: { status: 'going' } } : {}) });
    const steps: [string, () => Promise<Res>][] = [
      ['PUT going (first RSVP, seats free)', req('PUT', c.eventId, u1)],
      ['PUT going again (no change)', req('PUT', c.eventId, u1)],
      ['PUT going (takes the last seat)', req('PUT', c.eventId, u2)],
      ['PUT -> waitlisted (1st in line)', req('PUT', c.eventId, u3)],
      ['PUT -> waitlisted (2nd in line)', req('PUT', c.eventId, u4)],
      ['DELETE going (promotes the 1st)', req('DELETE', c.eventId, u1)],
      ['DELETE waitlisted (no promotion)', req('DELETE', c.eventId, u4)],
      [`PUT going on A (${onA} going)`, req('PUT', ev.big, u5)],
      [`PUT -> waitlisted on B (${onB} waiting)`, req('PUT', ev.small, u6)],
    ];
    for (const [what, fn] of steps) {
      await sleep(300); // the previous step's stream work ends outside the window
      probe.reset();
      const t = performance.now();
      const res = await fn();
      const ms = performance.now() - t;
      await sleep(400);
      const { request: q, stream: st } = probe.counters();
      const answer = res.body?.status ? `${res.body.status}${res.body.waitlistPosition ? ` #${res.body.waitlistPosition}` : ''}` : '';
      rows.push([
        what,
        res.status,
        answer,
        q.requests,
        fmt(q.rcu, 1),
        fmt(q.wcu, 1),
        fmt(ms, 1),
        commandsPer(q.commands, 1) + (q.failed ? ` (${q.failed} failed)` : ''),
        st.requests ? `${st.requests} req, ${fmt(capacityUnits(st), 1)} CU: ${commandsPer(st.commands, 1)}${st.failed ? ` (${st.failed} failed)` : ''}` : '',
      ]);
    }
  } finally {
    probe.remove();
  }
  return rows;
}

// ==================================================================== entry points

if (process.env.BENCH_HTTP_CLIENT === '1' && process.send) {
  process.once('message', (spec: RunSpec) => {
    runList(spec).then(
      (result) => process.send!({ ok: true, result }, () => process.exit(0)),
      (err) => process.send!({ ok: false, error: String((err as Error).stack ?? err) }, () => process.exit(1)),
    );
  });
} else if (isMain(import.meta.url)) {
  runStandalone(benchRsvp);
}
