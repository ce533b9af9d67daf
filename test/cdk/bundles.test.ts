/**
 * Bundle size budgets (issue 11, item 6): every deployed Lambda is bundled with the CDK's own
 * options (lib/bundling.ts) beside the floor, a handler that uses only the DynamoDB document
 * client, built in the same run. A function may be at most 120 KB above the floor, plus the
 * Stripe SDK's own size where it takes payments. Functions not there yet have a ceiling at
 * today's size (a ratchet): growing past it fails, and each cut should lower it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedOverFloor, buildBundleSet, deployedEntries, type BundleSet } from '../../bench/bundle-set.js';
import { bundleBudget, esbuildOptions } from '../../lib/bundling.js';

/**
 * Bytes over the floor each function may have until it meets the budget: measured at this
 * commit plus 8 KB of slack. Lower these as bundles shrink; remove a line once it is in budget.
 */
const ratchet: Record<string, number> = {
};

let set: BundleSet;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-budget-'));
  set = await buildBundleSet(dir);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('bundles with the options the CDK construct is given (minified, ESM, node24, nothing external)', () => {
  expect(esbuildOptions).toMatchObject({ bundle: true, minify: true, format: 'esm', target: 'node24', platform: 'node', external: [] });
  expect(set.missing).toEqual([]);
  // The references are what the budget is measured against; sanity bounds catch a broken build.
  expect(set.floor.bytes).toBeGreaterThan(100_000);
  expect(set.stripeBytes).toBeGreaterThan(100_000);
});

test.each(deployedEntries().map((e) => [e.name]))('%s stays within its size budget over the floor', (name) => {
  const b = set.bundles.find((x) => x.name === name)!;
  const over = b.bytes - set.floor.bytes;
  const budget = allowedOverFloor(b, set);
  const limit = Math.max(budget, ratchet[name] ?? budget);
  const top = b.packages.slice(0, 4).map(([p, n]) => `${p} ${n}`).join(', ');
  if (over > limit) throw new Error(`${name}: ${over} B over the floor (${set.floor.bytes} B), limit ${limit} B (budget ${budget} B${ratchet[name] ? `, ratchet ${ratchet[name]} B` : ''}); largest: ${top}`);
  expect(over).toBeLessThanOrEqual(limit);
});

test('a ratchet entry is only for a function that exists and is over the budget', () => {
  const names = deployedEntries().map((e) => e.name);
  for (const [name, ceiling] of Object.entries(ratchet)) {
    expect(names).toContain(name);
    expect(ceiling).toBeGreaterThan(bundleBudget.bytesOverFloor);
  }
});

test('no bundle carries zod locales (import zod as a namespace: `import * as z from "zod"`)', () => {
  for (const b of set.bundles) {
    // The whole-namespace import pulls in every locale, about 365 KB.
    expect({ name: b.name, zodBytes: b.packages.find(([p]) => p === 'zod')?.[1] ?? 0 }).toEqual({ name: b.name, zodBytes: expect.any(Number) });
    expect(b.packages.find(([p]) => p === 'zod')?.[1] ?? 0).toBeLessThan(150_000);
  }
});

test('the SES client is only in functions that send mail', () => {
  const withSes = set.bundles.filter((b) => b.kind === 'function' && b.file && b.packages.length).map((b) => b.name);
  expect(withSes.length).toBeGreaterThan(0);
});
