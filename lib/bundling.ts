/**
 * How every Lambda is bundled, in one place: lib/constructs/functions.ts hands these to the
 * CDK's NodejsFunction, and bench/bundles.ts and test/cdk/bundles.test.ts give the same
 * options to esbuild's API, so what is measured is what is deployed.
 */
import type { BuildOptions } from 'esbuild';

/**
 * NODE_OPTIONS of the export job. Streaming 250,000 rows allocates fast, and V8 then grows its
 * young generation to its 48 MiB default, which showed as 25 MiB more peak RSS at 250,000
 * rows than at 10,000 though the job holds two pages. Semi-spaces of 4 MiB keep the peak flat
 * (113-114 MiB at both sizes) at the same rate; bench/export.ts runs the job with the same.
 */
export const exportJobNodeOptions = '--max-semi-space-size=4';

export const bundling = {
  minify: true,
  // Error classes keep their names after minification.
  keepNames: true,
  sourceMap: false,
  // node24 output keeps the handlers' top-level await (ESM only).
  target: 'node24',
  format: 'esm',
  mainFields: ['module', 'main'],
  // Lets CommonJS dependencies call require() inside the ESM bundle.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // Bundle the AWS SDK too: the version the tests ran against, not the runtime's.
  externalModules: [] as string[],
} as const;

/**
 * The same options for esbuild's build API. NodejsFunction runs esbuild with --bundle
 * (which tree-shakes) and --platform=node, and adds no other option we do not set here.
 */
export const esbuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  treeShaking: true,
  minify: bundling.minify,
  keepNames: bundling.keepNames,
  sourcemap: bundling.sourceMap,
  target: bundling.target,
  format: bundling.format,
  mainFields: [...bundling.mainFields],
  banner: { js: bundling.banner },
  external: [...bundling.externalModules],
};

/**
 * Size budgets (issue 11, item 6), against the floor: a handler that uses only the DynamoDB
 * document client, bundled the same way in the same run. Bytes are minified output bytes.
 */
export const bundleBudget = {
  /** Every function: at most this many bytes above the floor... */
  bytesOverFloor: 120_000,
  /** ...plus the Stripe SDK's own size (a Stripe-only handler's bundle) where it takes payments. */
  plusStripeWherePayments: true,
  /** Module load (init) p50 at most this many ms above the floor's, twice that with Stripe. */
  initMsOverFloor: 15,
} as const;

/** The floor entry's source (written to a temporary file, bundled beside the functions). */
export const floorSource = [
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
  'const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
  "export const handler = async () => doc.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'x', sk: 'x' } }));",
  '',
].join('\n');

/** The Stripe SDK's own size: a handler that only builds a Stripe client. */
export const stripeOnlySource = [
  "import Stripe from 'stripe';",
  "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? 'sk_test_x');",
  'export const handler = async () => stripe.balance.retrieve();',
  '',
].join('\n');
