/**
 * Bundles every Lambda the CDK app deploys with the CDK's own options (lib/bundling.ts),
 * beside three references built in the same run: an empty handler, the floor (a handler
 * that uses only the DynamoDB document client) and a Stripe-only handler (the Stripe SDK's
 * own size). Used by bench/bundles.ts and test/cdk/bundles.test.ts, so both judge the same.
 */
import { build, type Metafile } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { functionNames } from '../functions/core/api.js';
import { bundleBudget, esbuildOptions, floorSource, stripeOnlySource } from '../lib/bundling.js';
import { functionAccess, jobs, workers } from '../lib/stack.js';

export const root = new URL('../', import.meta.url).pathname;

export interface BuiltBundle {
  name: string;
  /** 'function' for what the stack deploys; the references otherwise. */
  kind: 'function' | 'empty' | 'floor' | 'stripe';
  file: string;
  bytes: number;
  gzip: number;
  packages: [string, number][];
  /** The same by package without grouping the AWS SDK (@aws-sdk/client-sesv2 on its own). */
  rawPackages: [string, number][];
  /** The dependency files that put bytes in the output (those tree-shaken away are left out). */
  modules: string[];
  /** The project's own files that put bytes in the output, relative to the root (functions/core/http/router.ts). */
  sources: string[];
  /** Whether the function takes payments (lib/stack.ts access.stripe): its budget includes Stripe's size. */
  payments: boolean;
}

export interface BundleSet {
  bundles: BuiltBundle[];
  empty: BuiltBundle;
  floor: BuiltBundle;
  stripe: BuiltBundle;
  /** The Stripe SDK's own size: the Stripe-only bundle less the empty one. */
  stripeBytes: number;
  missing: string[];
}

/** Output bytes per package (node_modules/<pkg>) or "app code", largest first. */
function composition(meta: Metafile, groupSdk = true): [string, number][] {
  const by = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      let name = m ? m[1]! : 'app code';
      if (groupSdk && (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/'))) name = 'aws-sdk+smithy';
      by.set(name, (by.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...by].sort((a, b) => b[1] - a[1]);
}

const modulesOf = (meta: Metafile): string[] =>
  Object.values(meta.outputs).flatMap((out) => Object.entries(out.inputs).filter(([path, i]) => i.bytesInOutput > 0 && path.includes('node_modules/')).map(([path]) => path));

const sourcesOf = (meta: Metafile): string[] =>
  Object.values(meta.outputs).flatMap((out) => Object.entries(out.inputs).filter(([path, i]) => i.bytesInOutput > 0 && !path.includes('node_modules/')).map(([path]) => path));

/** Every deployed entry: the catalog's functions, then the jobs and workers lib/stack.ts deploys. */
export function deployedEntries(): { name: string; entry: string; payments: boolean }[] {
  return [
    ...functionNames.map((fn) => ({ name: fn as string, entry: join(root, 'functions', fn, 'handler.ts'), payments: functionAccess[fn].stripe })),
    ...Object.entries({ ...jobs, ...workers }).map(([name, w]) => ({ name, entry: join(root, w.entry), payments: w.access.stripe })),
  ];
}

export async function buildBundleSet(dir: string, only?: (name: string) => boolean): Promise<BundleSet> {
  const refs: [BuiltBundle['kind'], string, string][] = [
    ['empty', '(empty handler)', 'export const handler = async () => ({ statusCode: 200 });\n'],
    ['floor', '(floor: document client)', floorSource],
    ['stripe', '(Stripe only)', stripeOnlySource],
  ];
  const all = deployedEntries().filter((e) => !only || only(e.name));
  const missing = all.filter((e) => !existsSync(e.entry)).map((e) => e.name);
  const entries: { kind: BuiltBundle['kind']; name: string; entry: string; payments: boolean }[] = [
    ...all.filter((e) => !missing.includes(e.name)).map((e) => ({ kind: 'function' as const, ...e })),
    ...refs.map(([kind, name, src]) => {
      // Inside the project, so the references resolve the project's node_modules like the functions do.
      const entry = join(dir, 'refs', kind, 'handler.ts');
      mkdirSync(join(dir, 'refs', kind), { recursive: true });
      writeFileSync(entry, src);
      return { kind, name, entry, payments: false };
    }),
  ];
  const bundles: BuiltBundle[] = [];
  for (const e of entries) {
    const outfile = join(dir, 'out', e.name.replace(/\W/g, '_'), 'index.mjs');
    const result = await build({ ...esbuildOptions, entryPoints: [e.entry], outfile, absWorkingDir: root, nodePaths: [join(root, 'node_modules')], metafile: true, logLevel: 'error' });
    const code = readFileSync(outfile);
    bundles.push({ name: e.name, kind: e.kind, file: outfile, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, packages: composition(result.metafile!), rawPackages: composition(result.metafile!, false), modules: modulesOf(result.metafile!), sources: sourcesOf(result.metafile!), payments: e.payments });
  }
  const ref = (k: BuiltBundle['kind']) => bundles.find((b) => b.kind === k)!;
  return { bundles, empty: ref('empty'), floor: ref('floor'), stripe: ref('stripe'), stripeBytes: ref('stripe').bytes - ref('empty').bytes, missing };
}

/** A function's size allowance over the floor: 120 KB, plus Stripe's own size where it takes payments. */
export const allowedOverFloor = (b: BuiltBundle, set: BundleSet): number =>
  bundleBudget.bytesOverFloor + (b.payments && bundleBudget.plusStripeWherePayments ? set.stripeBytes : 0);

/** Its init allowance over the floor's p50: 15 ms, twice that with Stripe. */
export const allowedInitOverFloor = (b: BuiltBundle): number => bundleBudget.initMsOverFloor * (b.payments ? 2 : 1);
