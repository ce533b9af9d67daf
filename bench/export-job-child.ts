/**
 * bench/export.ts bundles this with the Lambda options (lib/bundling.ts) and runs it with
 * plain node, one process per run as Lambda gives one sandbox: the deployed export job's
 * handler on one job, then its own peak RSS (getrusage maxrss) and time on stdout.
 */
import { handler } from '../functions/jobs/exports.js';

const event = JSON.parse(process.argv[2] ?? '{}');
const t0 = performance.now();
const outcome = await (handler as unknown as (e: unknown, c: unknown) => Promise<unknown>)(event, { awsRequestId: `bench-${Date.now()}`, functionName: 'exportJob', getRemainingTimeInMillis: () => 900_000 });
const ms = performance.now() - t0;
process.stdout.write(`\n${JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, outcome })}\n`);
