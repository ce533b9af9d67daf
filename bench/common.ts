/**
 * Shared helpers of the benchmarks: machine info, statistics, plain-text tables, the
 * local stack (everything on 127.0.0.1) and a tiny HTTP client for it.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { RunningStack } from '../scripts/local/stack.js';

export const root = fileURLToPath(new URL('../', import.meta.url));

// The SDK warns once that it will require Node 22 in 2027; the benchmarks' output need not carry it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Reads a positive number from the environment, with a default and an upper bound. */
export function envNumber(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return Math.min(n, max);
}

/** True when the module whose import.meta.url is given was started directly (`npx tsx bench/x.ts`). */
export const isMain = (metaUrl: string) => !!process.argv[1] && resolve(process.argv[1]) === fileURLToPath(metaUrl);

export function machineInfo(): string {
  const cpus = os.cpus();
  return [
    `date:    ${new Date().toISOString()}`,
    `node:    ${process.version} (${process.platform}/${process.arch})`,
    `cpu:     ${cpus[0]?.model.trim() ?? 'unknown'} x ${cpus.length} cores (available parallelism ${os.availableParallelism()})`,
    `memory:  ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `os:      ${os.type()} ${os.release()}`,
    `code:    ${codeVersion()}`,
    loadAverage(),
  ].join('\n');
}

/** The commit measured, and whether the working tree had changes on top of it. */
function codeVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: 10_000 });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const changed = git('status', '--porcelain', '--untracked-files=no').stdout.split('\n').filter(Boolean).length;
  return `git ${head.stdout.trim()}${changed ? ` + ${changed} uncommitted changed files` : ''}`;
}

/** The machine is shared: the load average tells how much else was running. */
export function loadAverage(): string {
  return `load:    ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min load average)`;
}

// ---- statistics

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const sortedCopy = (xs: ArrayLike<number>) => Float64Array.from(xs).sort();

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
export const kib = (bytes: number) => (bytes / 1024).toFixed(1);

// ---- tables

/** A plain-text table; columns whose header starts with '>' are right-aligned (the '>' is dropped). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const right = headers.map((h) => h.startsWith('>'));
  const head = headers.map((h) => (h.startsWith('>') ? h.slice(1) : h));
  const cells = rows.map((r) => r.map(String));
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join(' | ').trimEnd();
  return [line(head), width.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

// ---- the local stack

/**
 * Starts the local stack on free ports. Stripe settings are removed from the environment
 * first so the Stripe stand-in (127.0.0.1) is used, never Stripe itself or Secrets Manager.
 */
export async function startBenchStack(): Promise<RunningStack> {
  for (const k of Object.keys(process.env)) if (k.startsWith('STRIPE_')) delete process.env[k];
  delete process.env.APP_URL;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const { startLocalStack } = await import('../scripts/local/stack.js');
  const stack = await startLocalStack({ port: 0, dynamoPort: 0, sesPort: 0, stripePort: 0 });
  for (const [name, url] of Object.entries(stack.urls)) {
    if (/^https?:\/\//.test(url) && !url.startsWith('http://127.0.0.1:') && name !== 'stripe') throw new Error(`${name} is not local: ${url}`);
  }
  if (!stack.urls.stripe.startsWith('http://127.0.0.1:')) {
    await stack.stop();
    throw new Error(`the Stripe stand-in is not in use (${stack.urls.stripe}); refusing to send traffic off this machine`);
  }
  return stack;
}

/** Runs `body` with a stack, stopping it afterwards (and on Ctrl-C). */
export async function withStack<T>(body: (stack: RunningStack) => Promise<T>): Promise<T> {
  const stack = await startBenchStack();
  const onSignal = () => {
    stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    return await body(stack);
  } finally {
    process.off('SIGINT', onSignal);
    await stack.stop();
  }
}

// ---- HTTP

export interface Res {
  status: number;
  body: any;
  text: string;
}

export async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; accept?: string } = {}): Promise<Res> {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to call ${url.href}: not 127.0.0.1`);
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.accept) headers.accept = opts.accept;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let parsed: any = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, text };
}

export function expectStatus(res: Res, status: number, what: string): Res {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
  return res;
}

export interface User {
  token: string;
  userId: string;
  email: string;
}

let userSeq = 0;
export async function signIn(api: string, label: string, name = label): Promise<User> {
  const email = `${label.replace(/[^A-Za-z0-9]+/g, '-')}.${process.pid}.${Date.now().toString(36)}.${userSeq++}@bench.test`;
  const res = expectStatus(await call(api, 'POST', '/dev/token', { body: { email, name } }), 200, 'dev token');
  return { token: res.body.token, userId: res.body.userId, email };
}

/** Signs in `count` users with `concurrency` requests in flight; bounded by count and by `timeoutMs`. */
export async function signInMany(api: string, label: string, count: number, concurrency = 50, timeoutMs = 120_000): Promise<User[]> {
  const users: User[] = new Array(count);
  const deadline = Date.now() + timeoutMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        if (Date.now() > deadline) throw new Error(`signing in ${count} users took more than ${timeoutMs} ms`);
        const i = next++;
        users[i] = await signIn(api, `${label}${i}`, `Bench ${label} ${i}`);
      }
    }),
  );
  return users;
}

let slugSeq = 0;
export const uniqueSlug = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${slugSeq++}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
