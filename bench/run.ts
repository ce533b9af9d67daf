/**
 * `npm run bench`: every benchmark in one run, on this machine only (127.0.0.1), each
 * section's tables also written to bench/out/<n>-<name>.md (gitignored) with the machine,
 * the commit and whether the tree was clean at the top; docs/benchmarks.md quotes them.
 *   1. bundles: size and init time of every deployed Lambda (bench/bundles.ts, child process)
 *   2. DynamoDB requests and capacity per operation, every catalog route (bench/dynamo-cost.ts)
 *   3. throughput and latency under load, beside raw DynamoDB Local (bench/load.ts)
 *   4. the web app: script bytes per page and the event page's first paint (bench/web.ts; needs Chromium)
 *   5. cost: monthly AWS cost of an association from section 2's measurements (bench/cost.ts)
 *   6. RSVP surge with conflicts (bench/rsvp.ts, child process with its own stack)
 *   7. Stripe webhook burst (bench/webhooks.ts, child process)
 *   8. export at 250,000 rows (bench/export.ts, child process; BENCH_EXPORT_SIZES, default 10000,250000)
 *   9. RSVP surge: 1,000 RSVPs sent at once for 100 seats, conflicts on (bench/rsvp-surge.ts, child process)
 * Sections 2-4 share one local stack. Knobs (environment): BENCH_ONLY=bundles,dynamo-cost,... (a subset),
 * BENCH_SECONDS (10), BENCH_SERIAL_SECONDS (3), BENCH_WARMUP_SECONDS (1), BENCH_CONCURRENCY (50),
 * BENCH_INIT_RUNS (15), BENCH_EXTRA_MEMBERS (20), BENCH_MATCH_PEOPLE (8), BENCH_EXPORT_SIZES, BENCH_EXPORT_ROUNDS (1),
 * and each child's own (see its header).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { benchDynamoCost, type OpResult } from './dynamo-cost.js';
import { benchLoad } from './load.js';
import { benchWeb } from './web.js';
import { report as costReport } from './cost.js';
import { fmt, isMain, loadAverage, machineInfo, root, withStack } from './common.js';

const outDir = resolve(root, 'bench/out');
// Read before any section runs: the in-process stack of sections 2-4 writes its own settings
// (DYNAMODB_CONFLICTS among them) into process.env; section 9 keeps what was asked for here.
const surgeConflicts = process.env.DYNAMODB_CONFLICTS ?? 'on';
const only = new Set((process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const wanted = (name: string) => only.size === 0 || only.has(name);
/** The functions' JSON log lines (a child's stack logs to stdout): kept in the .log file, not in the tables. */
const isLogLine = (line: string) => line.startsWith('{"level"');

/** One section's output file: the machine and commit first, then everything the section prints. */
function sectionFile(n: number, name: string): { md: WriteStream; raw: WriteStream; log: (s: string) => void; close: () => Promise<void> } {
  mkdirSync(outDir, { recursive: true });
  const md = createWriteStream(resolve(outDir, `${n}-${name}.md`));
  const raw = createWriteStream(resolve(outDir, `${n}-${name}.log`));
  md.write(`# ${n}. ${name}\n\n\`\`\`\n${machineInfo()}\n\`\`\`\n\n`);
  const log = (s: string) => {
    console.log(s);
    md.write(s + '\n');
  };
  const end = (w: WriteStream) => new Promise<void>((r) => w.end(r));
  return { md, raw, log, close: async () => void (await Promise.all([end(md), end(raw)])) };
}

/** Runs one section; a failure is printed and the run goes on to the next section. */
async function attempt(n: number, name: string, body: (log: (s: string) => void, raw: (s: string) => void) => Promise<void>): Promise<void> {
  if (!wanted(name)) return;
  console.log(`\n## ${n}. ${name}\n`);
  const f = sectionFile(n, name);
  const t0 = performance.now();
  try {
    await body(f.log, (s) => f.raw.write(s + '\n'));
  } catch (err) {
    console.error(`\n${name} failed:`, err);
    f.md.write(`\n${name} FAILED: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  } finally {
    f.md.write(`\n(section took ${fmt((performance.now() - t0) / 1000)} s)\n`);
    await f.close();
  }
}

/** A benchmark file run as its own process (`npx tsx bench/<file>`), its output into the section file. */
function child(file: string, env: Record<string, string>, log: (s: string) => void, raw: (s: string) => void): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'bench', file)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) (isLogLine(line) ? raw : log)(line);
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('error', reject);
    p.on('close', (code) => {
      if (buffered) log(buffered);
      if (code === 0) resolveRun();
      else reject(new Error(`bench/${file} exited with ${code}`));
    });
  });
}

async function main() {
  const t0 = performance.now();
  console.log('# Benchmarks\n');
  console.log(machineInfo());
  const runChild = (n: number, name: string, file: string, env: Record<string, string> = {}) =>
    attempt(n, name, (log, raw) => child(file, env, log, raw));

  await runChild(1, 'bundles', 'bundles.ts');

  // One local stack for the sections that need it; withStack stops it in all cases.
  let measured: OpResult[] | undefined;
  if (['dynamo-cost', 'load', 'web'].some(wanted)) {
    await withStack(async (stack) => {
      await attempt(2, 'dynamo-cost', async (log) => void (measured = await benchDynamoCost(stack, log)));
      await attempt(3, 'load', (log) => benchLoad(stack, log));
      await attempt(4, 'web', (log) => benchWeb(stack, log));
    }).catch((err) => {
      console.error('\nthe local stack failed:', err);
      process.exitCode = 1;
    });
  }
  // The cost model prices this run's measurements (or, without section 2, the last ones written).
  await attempt(5, 'cost', async (log) => {
    if (measured) costReport(measured, log);
    else await child('cost.ts', {}, log, () => {});
  });

  await runChild(6, 'rsvp', 'rsvp.ts');
  await runChild(7, 'webhooks', 'webhooks.ts');
  await runChild(8, 'export', 'export.ts', { BENCH_EXPORT_SIZES: process.env.BENCH_EXPORT_SIZES ?? '10000,250000', BENCH_EXPORT_ROUNDS: process.env.BENCH_EXPORT_ROUNDS ?? '1' });
  await runChild(9, 'surge', 'rsvp-surge.ts', { DYNAMODB_CONFLICTS: surgeConflicts });

  console.log(`\n${loadAverage()} at the end; whole run ${fmt((performance.now() - t0) / 1000)} s; tables in bench/out/`);
}

if (isMain(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
