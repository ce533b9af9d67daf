/**
 * `npm run bench`: every benchmark in one run, on this machine only (127.0.0.1).
 *   1. bundle size and init time of every deployed Lambda (bench/bundles.ts)
 *   2. DynamoDB requests and capacity per API operation, for every catalog function (bench/dynamo-cost.ts)
 *   3. throughput and latency under load, beside raw DynamoDB Local (bench/load.ts)
 *   4. the web app: script bytes per page and the event page's first paint (bench/web.ts; needs Chromium)
 * Knobs (environment): BENCH_SECONDS (10), BENCH_SERIAL_SECONDS (3), BENCH_WARMUP_SECONDS (1), BENCH_CONCURRENCY (50),
 * BENCH_INIT_RUNS (15), BENCH_EXTRA_MEMBERS (20), BENCH_MATCH_PEOPLE (8). docs/benchmarks.md has the last results.
 */
import { benchBundles } from './bundles.js';
import { benchDynamoCost } from './dynamo-cost.js';
import { benchLoad } from './load.js';
import { benchWeb } from './web.js';
import { fmt, loadAverage, machineInfo, withStack } from './common.js';

/** Runs one section; a failure is printed and the run goes on to the next section. */
async function attempt(what: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    console.error(`\n${what} failed:`, err);
    process.exitCode = 1;
  }
}

async function main() {
  const t0 = performance.now();
  const section = (title: string) => console.log(`\n## ${title}\n`);
  console.log('# Benchmarks\n');
  console.log(machineInfo());

  section('1. Bundles and init time');
  await attempt('bundles', () => benchBundles());

  // One local stack for the two sections that need it; withStack stops it in all cases.
  await attempt('the local stack', () =>
    withStack(async (stack) => {
      section('2. DynamoDB cost per operation');
      await attempt("dynamo-cost", async () => void (await benchDynamoCost(stack)));
      section('3. Load');
      await attempt('load', () => benchLoad(stack));
      section('4. Web app');
      await attempt('web', () => benchWeb(stack));
    }),
  );

  console.log(`\n${loadAverage()} at the end; whole run ${fmt((performance.now() - t0) / 1000)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
