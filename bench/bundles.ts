/**
 * Bundle size and module-load (init) time of every Lambda the CDK app deploys, bundled with
 * esbuild the way the CDK's NodejsFunction does it (lib/constructs/functions.ts), beside an
 * empty handler: one per catalog function (functions/<name>/handler.ts, behind the API) and
 * every other entry lib/stack.ts deploys (`jobs`: the daily job; `workers`: the schedule
 * target, the stream consumer, SES events), so nothing deployed goes unmeasured.
 *
 *   npx tsx bench/bundles.ts        BENCH_INIT_RUNS=15 (node processes per bundle)
 *
 * Init time: a fresh `node` process per run imports the bundle and prints how long
 * `await import(file)` took (performance.now() around it); runs are interleaved across
 * bundles so drift on the machine spreads evenly. The environment given to those processes
 * points every AWS/Stripe endpoint at 127.0.0.1, though nothing is called at load time.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { functionNames } from '../functions/core/api.js';
import { jobs, workers } from '../lib/stack.js';
import { envNumber, fmt, isMain, kib, machineInfo, percentile, root, sortedCopy, table } from './common.js';

/** The CDK's bundling options (lib/constructs/functions.ts), as esbuild API options. */
export const cdkBundling: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  sourcemap: false,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  treeShaking: true,
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  external: [],
};

/** Warns when the CDK construct no longer says what cdkBundling mirrors. */
function checkCdkDrift(): string[] {
  let src: string;
  try {
    src = readFileSync(join(root, 'lib/constructs/functions.ts'), 'utf8');
  } catch {
    return ['lib/constructs/functions.ts not found: cannot check the bundling options against the CDK'];
  }
  const expect: [string, RegExp][] = [
    [`target: '${cdkBundling.target}'`, new RegExp(`target:\\s*'${cdkBundling.target}'`)],
    ['minify: true', /minify:\s*true/],
    ['keepNames: true', /keepNames:\s*true/],
    ['format: OutputFormat.ESM', /format:\s*OutputFormat\.ESM/],
    ["mainFields: ['module', 'main']", /mainFields:\s*\[\s*'module',\s*'main'\s*\]/],
    ['externalModules: []', /externalModules:\s*\[\s*\]/],
  ];
  return expect.filter(([, re]) => !re.test(src)).map(([what]) => `WARNING: lib/constructs/functions.ts no longer has ${what}; bench/bundles.ts cdkBundling may be stale`);
}

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

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzip: number;
  packages: [string, number][];
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

/** Output bytes per package (node_modules/<pkg>) or "app" for our own code, largest first. */
function composition(meta: Metafile): [string, number][] {
  const by = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      let name = m ? m[1]! : 'app code';
      if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/')) name = 'aws-sdk+smithy';
      by.set(name, (by.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...by].sort((a, b) => b[1] - a[1]);
}

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
    for (const w of checkCdkDrift()) log(w);
    const emptyEntry = join(dir, 'empty', 'handler.ts');
    mkdirSync(join(dir, 'empty'), { recursive: true });
    writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
    // The same list the CDK stack deploys (test/cdk counts functionNames + jobNames + workerNames Lambdas).
    const named: [string, string][] = [
      ...functionNames.map((fn): [string, string] => [fn, join(root, 'functions', fn, 'handler.ts')]),
      ...Object.entries({ ...jobs, ...workers }).map(([name, { entry }]): [string, string] => [name, join(root, entry)]),
    ];
    const missing = named.filter(([, entry]) => !existsSync(entry)).map(([fn]) => fn);
    if (missing.length) log(`skipped, handler file not found: ${missing.join(', ')}`);
    const entries: [string, string][] = [...named.filter(([fn]) => !missing.includes(fn)), ['(empty handler)', emptyEntry]];

    const bundles: Bundle[] = [];
    const t0 = performance.now();
    for (const [name, entry] of entries) {
      const outfile = join(dir, 'out', name.replace(/\W/g, '_'), 'index.mjs');
      const result = await build({ ...cdkBundling, entryPoints: [entry], outfile, absWorkingDir: root, metafile: true, logLevel: 'error' });
      const code = readFileSync(outfile);
      bundles.push({ name, file: outfile, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, packages: composition(result.metafile!), init: [], env: { ...initEnv }, filled: [] });
    }
    log(`bundled ${bundles.length} entries in ${fmt((performance.now() - t0) / 1000)} s (esbuild ${(await import('esbuild')).version}, target ${cdkBundling.target}, minify, keepNames, esm, all dependencies bundled)`);

    // One unmeasured import each (disk cache), then `runs` rounds, each importing every bundle once.
    for (const b of bundles) prepare(b);
    const ok = bundles.filter((b) => !b.error);
    const t1 = performance.now();
    for (let i = 0; i < runs; i++) for (const b of ok) b.init.push(initOnce(b));
    log(`measured init: ${runs} fresh node processes per bundle in ${fmt((performance.now() - t1) / 1000)} s\n`);

    const empty = bundles.find((b) => b.name === '(empty handler)')!;
    const emptyMedian = percentile(sortedCopy(empty.init), 50);
    const rows = bundles.map((b) => {
      const s = sortedCopy(b.init);
      const median = percentile(s, 50);
      return [
        b.name,
        b.bytes,
        kib(b.bytes),
        b.gzip,
        kib(b.gzip),
        fmt(median),
        fmt(percentile(s, 90)),
        b === empty || b.error ? '-' : `+${fmt(median - emptyMedian)}`,
      ];
    });
    log(`Bundles and module load (init) time, node ${process.version}, ${runs} runs each`);
    log(table(['function', '>minified B', '>KiB', '>gzip -9 B', '>gzip KiB', '>init p50 ms', '>init p90 ms', '>p50 vs empty'], rows));
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
          .filter((b) => b !== empty)
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
