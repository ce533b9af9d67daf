/**
 * Bundle size and module-load (init) time of every Lambda the CDK app deploys, bundled with
 * esbuild with the CDK's own options (lib/bundling.ts, which lib/constructs/functions.ts hands
 * to NodejsFunction), beside an empty handler, the floor (a handler that uses only the DynamoDB
 * document client) and a Stripe-only handler, all built in the same run. Each function is
 * judged against the floor (issue 11, item 6; lib/bundling.ts bundleBudget): at most 120 KB
 * more, plus the Stripe SDK's own size where it takes payments; init p50 at most 15 ms more
 * (30 ms with Stripe). Measured: one per catalog function (functions/<name>/handler.ts, behind
 * the API) and every other entry lib/stack.ts deploys (`jobs`: the daily job; `workers`: the schedule
 * target, the stream consumer, SES events), so nothing deployed goes unmeasured.
 *
 *   npx tsx bench/bundles.ts        BENCH_INIT_RUNS=15 (node processes per bundle)
 *
 * Init time: a fresh `node` process per run imports the bundle and prints how long
 * `await import(file)` took (performance.now() around it); runs are interleaved across
 * bundles so drift on the machine spreads evenly. The environment given to those processes
 * points every AWS/Stripe endpoint at 127.0.0.1, though nothing is called at load time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBudget, esbuildOptions } from '../lib/bundling.js';
import { allowedInitOverFloor, allowedOverFloor, buildBundleSet, type BuiltBundle } from './bundle-set.js';
import { envNumber, fmt, isMain, kib, machineInfo, percentile, sortedCopy, table } from './common.js';

/** The CDK's bundling options as esbuild API options (one definition: lib/bundling.ts). */
export const cdkBundling = esbuildOptions;

/** The Lambda environment the handlers need at load time; every endpoint is local. */
const initEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  TABLE_NAME: 'bench-table',
  CURSOR_SECRET: 'bench-cursor-secret',
  AWS_REGION: 'us-east-1',
  MAIL_FROM: 'no-reply@bench.test',
  CORS_ORIGINS: '*',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  // The dues, members and webhooks functions build their Stripe client at load time.
  STRIPE_SECRET_KEY: 'sk_test_bench',
  STRIPE_WEBHOOK_SECRET: 'whsec_bench',
  STRIPE_API_HOST: '127.0.0.1',
  STRIPE_API_PORT: '9',
  STRIPE_API_PROTOCOL: 'http',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  SES_ENDPOINT: 'http://127.0.0.1:9',
  // Any other AWS client the code makes goes to 127.0.0.1 too (SDK v3 global endpoint override).
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  // The web function's sign-in settings (the local issuer's shape; nothing is called at load).
  AUTH_URL: 'http://127.0.0.1:9/dev',
  AUTH_CLIENT_ID: 'bench-client',
};

// A failed import is reported as JSON: node's own report would print the minified source line.
const importer = [
  "const { pathToFileURL } = await import('node:url');",
  'const url = pathToFileURL(process.env.BENCH_BUNDLE).href;',
  'let mod, ms;',
  'try {',
  '  const t0 = performance.now();',
  '  mod = await import(url);',
  '  ms = performance.now() - t0;',
  '} catch (e) {',
  '  process.stdout.write(JSON.stringify({ error: `${e?.name}: ${e?.message}` }));',
  '  process.exit(1);',
  '}',
  "if (typeof mod.handler !== 'function') { process.stdout.write(JSON.stringify({ error: 'no handler export' })); process.exit(1); }",
  'process.stdout.write(JSON.stringify({ ms }));',
  'process.exit(0);',
].join('\n');

interface Bundle extends BuiltBundle {
  init: number[];
  /** The environment of its init runs: initEnv plus variables found missing. */
  env: Record<string, string>;
  filled: string[];
  error?: string;
}

/**
 * A dummy for a variable a function requires at load, or undefined for one that says where
 * to connect. ARNs get a fake one; should code fetch it at load, AWS_ENDPOINT_URL keeps the
 * call on 127.0.0.1 (where it fails, and the failure is reported).
 */
const dummyFor = (name: string): string | undefined =>
  name.split('_').some((w) => ['URL', 'ENDPOINT', 'HOST', 'PORT', 'REGION'].includes(w))
    ? undefined
    : name.endsWith('_ARN')
      ? `arn:aws:iam::000000000000:role/bench-${name.toLowerCase().replace(/_/g, '-')}`
      : `bench-${name.toLowerCase().replace(/_/g, '-')}`;

function initOnce(b: Bundle): number {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', importer], {
    env: { ...b.env, BENCH_BUNDLE: b.file },
    encoding: 'utf8',
    timeout: 30_000,
  });
  let out: { ms?: number; error?: string } = {};
  try {
    out = JSON.parse(r.stdout);
  } catch {
    out = { error: `exit ${r.status ?? r.signal}: ${r.stderr.split('\n').filter((l) => l.length < 400).slice(-3).join(' ')}` };
  }
  if (r.status !== 0 || out.ms === undefined) throw new Error(`import failed: ${(out.error ?? `exit ${r.status ?? r.signal}`).slice(0, 300)}`);
  return out.ms;
}

/** The unmeasured first import; a variable the function requires at load is filled in (up to 5). */
function prepare(b: Bundle): void {
  for (let i = 0; i <= 5; i++) {
    try {
      initOnce(b);
      return;
    } catch (err) {
      const missing = /Missing required environment variable (\w+)/.exec((err as Error).message)?.[1];
      const dummy = missing ? dummyFor(missing) : undefined;
      if (!missing || !dummy || i === 5 || missing in b.env) {
        b.error = (err as Error).message;
        return;
      }
      b.env[missing] = dummy;
      b.filled.push(missing);
    }
  }
}

export async function benchBundles(log: (s: string) => void = console.log): Promise<void> {
  const runs = Math.round(envNumber('BENCH_INIT_RUNS', 15, 200));
  const dir = mkdtempSync(join(tmpdir(), 'assoc-bench-bundles-'));
  try {
    const t0 = performance.now();
    const set = await buildBundleSet(dir);
    if (set.missing.length) log(`skipped, handler file not found: ${set.missing.join(', ')}`);
    const bundles: Bundle[] = set.bundles.map((b) => ({ ...b, init: [], env: { ...initEnv }, filled: [] }));
    log(`bundled ${bundles.length} entries in ${fmt((performance.now() - t0) / 1000)} s (esbuild ${(await import('esbuild')).version}, lib/bundling.ts: target ${esbuildOptions.target}, minify, keepNames, esm, all dependencies bundled)`);

    // One unmeasured import each (disk cache), then `runs` rounds, each importing every bundle once.
    for (const b of bundles) prepare(b);
    const ok = bundles.filter((b) => !b.error);
    const t1 = performance.now();
    for (let i = 0; i < runs; i++) for (const b of ok) b.init.push(initOnce(b));
    log(`measured init: ${runs} fresh node processes per bundle in ${fmt((performance.now() - t1) / 1000)} s\n`);

    const byKind = (k: BuiltBundle['kind']) => bundles.find((b) => b.kind === k)!;
    const floor = byKind('floor');
    const p50 = (b: Bundle) => percentile(sortedCopy(b.init), 50);
    const floorP50 = p50(floor);
    const emptyP50 = p50(byKind('empty'));
    let failures = 0;
    const rows = bundles.map((b) => {
      const s = sortedCopy(b.init);
      const median = percentile(s, 50);
      const base = [b.name, b.bytes, kib(b.bytes), kib(b.gzip), fmt(median), fmt(percentile(s, 90)), b.error ? '-' : `+${fmt(median - emptyP50)}`];
      if (b.kind !== 'function') return [...base, '-', '-', '-', '-', '-', b.kind === 'floor' ? 'floor' : b.kind === 'stripe' ? `Stripe SDK: ${set.stripeBytes} B` : 'reference'];
      const over = b.bytes - floor.bytes;
      const allowed = allowedOverFloor(b, set);
      const initOver = median - floorP50;
      const initAllowed = allowedInitOverFloor(b);
      const sizeOk = over <= allowed;
      const initOk = !b.error && initOver <= initAllowed;
      if (!sizeOk || !initOk) failures++;
      return [
        ...base,
        `${over >= 0 ? '+' : ''}${over}`,
        allowed,
        b.error ? '-' : `${initOver >= 0 ? '+' : ''}${fmt(initOver)}`,
        initAllowed,
        b.payments ? 'yes' : '',
        `${sizeOk ? 'size ok' : `SIZE OVER by ${over - allowed} B`}, ${initOk ? 'init ok' : b.error ? 'init not measured' : `INIT OVER by ${fmt(initOver - initAllowed)} ms`}`,
      ];
    });
    log(`Bundles and module load (init) time, node ${process.version}, ${runs} runs each; floor ${floor.bytes} B (${kib(floor.bytes)} KiB), init p50 ${fmt(floorP50)} ms`);
    log(
      `Budget (lib/bundling.ts): at most ${bundleBudget.bytesOverFloor} B over the floor (+ the Stripe SDK's ${set.stripeBytes} B where the function takes payments), init p50 at most ${bundleBudget.initMsOverFloor} ms over the floor's (${2 * bundleBudget.initMsOverFloor} with Stripe)`,
    );
    log(
      table(
        ['function', '>minified B', '>KiB', '>gzip KiB', '>init p50 ms', '>init p90 ms', '>p50 vs empty', '>B over floor', '>allowed B', '>ms over floor', '>allowed ms', 'Stripe', 'verdict'],
        rows,
      ),
    );
    log(`${failures === 0 ? 'every function within budget' : `${failures} of ${bundles.filter((b) => b.kind === 'function').length} functions over budget`}`);
    for (const b of bundles) {
      if (b.filled.length) log(`note: ${b.name} requires ${b.filled.join(', ')} at load; dummy values were set`);
      if (b.error) log(`note: ${b.name} could not be loaded, so it has no init time: ${b.error}`);
    }
    log('');
    log('Bundle composition (minified output bytes by package)');
    log(
      table(
        ['function', 'largest contributors'],
        bundles
          .filter((b) => b.kind !== 'empty')
          .map((b) => [
            b.name,
            b.packages
              .slice(0, 5)
              .map(([p, n]) => `${p} ${kib(n)} KiB (${Math.round((100 * n) / b.bytes)}%)`)
              .join(', '),
          ]),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  console.log(machineInfo() + '\n');
  benchBundles().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
