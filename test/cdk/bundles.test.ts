/**
 * Bundle size budgets (issue 11, item 6): every deployed Lambda is bundled with the CDK's own
 * options (lib/bundling.ts) beside the floor, a handler that uses only the DynamoDB document
 * client, built in the same run. A function may be at most 120 KB above the floor, plus the
 * Stripe SDK's own size where it takes payments. Functions not there yet have a ceiling at
 * today's size (a ratchet): growing past it fails, and each cut should lower it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedOverFloor, buildBundleSet, deployedEntries, type BundleSet } from '../../bench/bundle-set.js';
import { bundleBudget, esbuildOptions } from '../../lib/bundling.js';
import { functionNames, routes } from '../../functions/core/api.js';

/**
 * Bytes over the floor each function may have until it meets the budget: measured at e00be21
 * (each function's own route catalog, key builders and repository reads; docs/benchmarks.md),
 * lowered after the response schemas, the response check and rate limiting left the handlers
 * that do not need them, after the SES client left all but the outbox sender (streams), and
 * (members, dues, events, web, exportJob) after the S3 client and client-lambda left the
 * request functions (export links presigned without the client, the export job started by the
 * table's stream), plus 16 KB (16,384 B) of slack for work merged beside it,
 * rounded up to the next 1,000. Lower these as bundles shrink; remove a line once it is in
 * budget and add the function to withinBudget. What keeps them over is in docs/benchmarks.md
 * ("Bundle sizes").
 */
const ratchet: Record<string, number> = {
  // events and web: ics and yup (the calendar file); members, dues and web: Stripe's own size is allowed, the rest is over.
  members: 492_000,
  dues: 444_000,
  events: 362_000,
  matching: 206_000,
  connections: 185_000,
  jobsDaily: 409_000,
  jobsScheduled: 150_000,
  // streams: SES (it sends all mail) and client-lambda (it starts the export jobs), ics, yup and qrcode (RSVP mails).
  streams: 443_000,
  web: 845_000,
  exportJob: 266_000,
};

/** Functions within the budget itself: they have no ratchet, so growing past the budget fails. */
const withinBudget = ['associations', 'profiles', 'meta', 'email', 'sesEvents', 'stripeEvents', 'webhooks'];

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

test.each(withinBudget.map((name) => [name]))('%s is within the budget itself, with no ratchet', (name) => {
  const b = set.bundles.find((x) => x.name === name)!;
  expect(ratchet[name]).toBeUndefined();
  expect(b.bytes - set.floor.bytes).toBeLessThanOrEqual(allowedOverFloor(b, set));
});

test('every deployed function has either a ratchet or its place among those within budget', () => {
  expect(deployedEntries().map((e) => e.name).sort()).toEqual([...Object.keys(ratchet), ...withinBudget].sort());
});

test('a ratchet entry is only for a function that exists and is over the budget', () => {
  const names = deployedEntries().map((e) => e.name);
  for (const [name, ceiling] of Object.entries(ratchet)) {
    expect(names).toContain(name);
    expect(ceiling).toBeGreaterThan(bundleBudget.bytesOverFloor);
  }
});

test('zod is the tree-shaken zod/mini with the English locale alone: no classic build, no other locale', () => {
  // Classic carries every method on its prototypes (about 104 KiB in each bundle); functions/core/zod-locale.ts loads `en` only.
  const zodFiles = (b: BundleSet['bundles'][number]) => b.modules.filter((m) => m.includes('node_modules/zod/'));
  const withZod = set.bundles.filter((b) => zodFiles(b).length > 0);
  // Every function whose routes validate input; webhooks' one route takes the raw body (its signature), and with the response schemas gone it carries no zod at all.
  const validating = [...new Set(routes.filter((r) => r.params || r.query || r.body).map((r) => r.fn))];
  expect(validating).not.toContain('webhooks');
  expect(withZod.map((b) => b.name)).toEqual(expect.arrayContaining(validating));
  for (const b of withZod) {
    const files = zodFiles(b);
    const zodBytes = b.rawPackages.find(([p]) => p === 'zod')![1];
    expect({ name: b.name, classic: files.filter((m) => m.includes('/zod/v4/classic/')), locales: files.filter((m) => m.includes('/locales/')).map((m) => m.split('/').pop()), small: zodBytes < 80_000 }).toEqual({ name: b.name, classic: [], locales: ['en.js'], small: true });
  }
});

test('the JWT library is only in functions that verify a token themselves (viewer routes, the web app)', () => {
  const withJose = set.bundles.filter((b) => b.rawPackages.some(([p]) => p === 'jose')).map((b) => b.name);
  expect(withJose.sort()).toEqual(['events', 'web']);
});

test('the SES client is only in the outbox sender (streams): every other function queues its mail', () => {
  const withSes = set.bundles.filter((b) => b.kind === 'function' && b.rawPackages.some(([p]) => p === '@aws-sdk/client-sesv2')).map((b) => b.name);
  expect(withSes).toEqual(['streams']);
});

test('the response schemas and the response check are only in the meta function (/openapi.json); the local stack installs the check', () => {
  const carries = (b: BundleSet['bundles'][number]) => b.sources.some((p) => p === 'functions/core/http/response-check.ts' || p.startsWith('functions/core/responses/'));
  expect(set.bundles.filter(carries).map((b) => b.name)).toEqual(['meta']);
});

test('the router rate limiting is only in functions with rate-limited routes (handed in by their handlers)', () => {
  const limited = new Set<string>(routes.filter((r) => r.rateLimit?.length).map((r) => r.fn));
  for (const b of set.bundles.filter((x) => (functionNames as readonly string[]).includes(x.name))) {
    expect({ name: b.name, rateLimit: b.sources.includes('functions/core/http/rate-limit.ts') }).toEqual({ name: b.name, rateLimit: limited.has(b.name) });
  }
});

test('the Stripe SDK is only in functions that take payments', () => {
  for (const b of set.bundles.filter((x) => x.kind === 'function')) {
    expect({ name: b.name, stripe: b.rawPackages.some(([p]) => p === 'stripe') }).toEqual({ name: b.name, stripe: b.payments });
  }
});

test('a bundled handler still answers bad input with the field-by-field English messages (zod/mini is given the locale explicitly)', () => {
  const b = set.bundles.find((x) => x.name === 'associations')!;
  const script = [
    `const { handler } = await import(${JSON.stringify(`file://${b.file}`)});`,
    "const claims = { sub: 'u1', email: 'a@example.test', token_use: 'id' };",
    "const event = { routeKey: 'POST /associations', rawPath: '/associations', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '', bogus: 1 }), requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' }, authorizer: { jwt: { claims } } } };",
    "const r = await handler(event, { awsRequestId: 'r1', functionName: 'associations' });",
    'process.stdout.write(JSON.stringify({ status: r.statusCode, type: r.headers["Content-Type"], body: JSON.parse(r.body) }));',
  ].join('\n');
  const env = { PATH: process.env.PATH ?? '', TABLE_NAME: 't', CURSOR_SECRET: 'c', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' };
  const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  const out = JSON.parse(run.stdout);
  expect(out.status).toBe(400);
  expect(out.type).toBe('application/problem+json');
  expect(out.body.errors).toEqual(
    expect.arrayContaining([
      { path: 'name', message: 'Too small: expected string to have >=1 characters' },
      { path: 'slug', message: 'Invalid input: expected string, received undefined' },
      { path: 'bogus', message: 'is not a known field' },
    ]),
  );
});

test('the S3 client is the export job’s alone, and client-lambda the streams consumer’s, which starts the jobs (export links are presigned without the client)', () => {
  const withPackage = (pkg: string) => set.bundles.filter((b) => b.rawPackages.some(([p]) => p === pkg)).map((b) => b.name);
  expect(withPackage('@aws-sdk/client-s3')).toEqual(['exportJob']);
  expect(withPackage('@aws-sdk/s3-request-presigner')).toEqual([]);
  expect(withPackage('@aws-sdk/client-lambda')).toEqual(['streams']);
});

test('the RSVP mails (with their QR code) are built by the streams consumer alone: no request function carries qrcode', () => {
  const withPackage = (pkg: string) => set.bundles.filter((b) => b.rawPackages.some(([p]) => p === pkg)).map((b) => b.name);
  expect(withPackage('qrcode')).toEqual(['streams']);
  // ics (and its yup) where a calendar file is answered, and in the mails' builder.
  expect(withPackage('ics').sort()).toEqual(['events', 'streams', 'web']);
});
