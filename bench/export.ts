/**
 * Long exports (issue 11, item 8): the export job's peak memory and rate at 10,000 and
 * 250,000 attendees, beside the raw paginated Query of the same items, in the same run.
 *
 *   npx tsx bench/export.ts     BENCH_EXPORT_SIZES=10000,250000  BENCH_EXPORT_ROUNDS=1  BENCH_SEED_CONCURRENCY=16
 *
 * One event per size is created through the API; its RSVPs (status going) are written
 * straight into DynamoDB Local with BatchWriteItem (25 items per call, BENCH_SEED_CONCURRENCY
 * calls in flight), each item exactly as store.saveRsvp puts a first RSVP, and the event's
 * goingCount set to match. Then, per size and round: GET /events/{id}/attendees/export
 * answers 202; the job it starts runs as in Lambda, in a process of its own: the job's
 * handler bundled with the deployed options (lib/bundling.ts) and run with plain node, so
 * its peak RSS (getrusage) is the job's alone. Timed: the handler's own run, and from the
 * request to the status saying ready. The file is checked (row count) and its size shown.
 * Beside it, the raw Query the job makes (the event's RSVP# items, filter status = going,
 * Limit 500, every page, bench/export-raw-child.ts), counting items: in this process (warm,
 * once just before the job and once just after, the mean of the two) and in a fresh node
 * process (cold, as the job runs, after it). The job runs with the NODE_OPTIONS the
 * CDK gives it (lib/bundling.ts, exportJobNodeOptions).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, exportJobNodeOptions } from '../lib/bundling.js';
import type { ExportJobEvent } from '../functions/core/export-jobs.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { rawQuery } from './export-raw-child.js';
import type { RunningStack } from '../scripts/local/stack.js';
import * as keys from '../functions/core/data/keys.js';
import type { Rsvp } from '../functions/core/domain/events.js';
import { createAssociation, createEvent, cpuMeter, runStandalone, waitIdleCpu } from './rsvp.js';
import { call, envNumber, expectStatus, fmt, isMain, signIn, sleep, table, type User } from './common.js';

type Item = Record<string, unknown>;


const MiB = 2 ** 20;
const mib = (b: number) => fmt(b / MiB, 1);

/** A user id shaped like a Cognito sub whose sort order is `i`'s. */
const subOf = (run: string, i: number) => `${i.toString(16).padStart(8, '0')}-${run.slice(0, 4)}-4000-8000-${run.slice(4, 16).padEnd(12, '0')}`;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const codeOf = (i: number) => Array.from({ length: 8 }, (_, k) => CODE_ALPHABET[Math.floor(i / 32 ** k) % 32]).join('');

/** The RSVP item exactly as store.saveRsvp puts a first RSVP (going, no guests, profile with company and job title). */
function rsvpItem(ev: { eventId: string; associationId: string; startsAt: string }, run: string, i: number): Item {
  const at = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString();
  const r: Rsvp = {
    eventId: ev.eventId,
    associationId: ev.associationId,
    userId: subOf(run, i),
    status: 'going',
    guests: 0,
    answers: {},
    name: `Attendee Number ${i}`,
    email: `attendee.${i}.${run}@example.test`,
    company: `Company ${i % 997}`,
    jobTitle: i % 3 ? 'Software Engineer' : 'Product Manager',
    checkInCode: codeOf(i),
    checkedInAt: null,
    rsvpAt: at,
    updatedAt: at,
    version: 0,
  };
  return { ...keys.rsvp(r.eventId, r.userId), ...keys.rsvpOfUser(r.userId, ev.startsAt, ev.eventId), entity: 'rsvp', ...r, version: 1 };
}

async function seed(db: DynamoDBDocumentClient, tableName: string, items: () => Generator<Item>, count: number, inFlight: number, timeoutMs: number): Promise<{ ms: number; retried: number }> {
  const t0 = performance.now();
  const it = items();
  let retried = 0;
  let written = 0;
  const worker = async () => {
    for (;;) {
      const chunk: Item[] = [];
      for (let k = 0; k < 25; k++) {
        const n = it.next();
        if (n.done) break;
        chunk.push(n.value);
      }
      if (!chunk.length) return;
      let request: Record<string, { PutRequest: { Item: Item } }[]> | undefined = { [tableName]: chunk.map((Item) => ({ PutRequest: { Item } })) };
      for (let attempt = 0; request && Object.keys(request).length; attempt++) {
        if (attempt > 10) throw new Error('seeding: items left unprocessed after 10 retries');
        if (performance.now() - t0 > timeoutMs) throw new Error(`seeding ${count} items took more than ${timeoutMs} ms`);
        if (attempt) {
          retried++;
          await sleep(50 * 2 ** attempt);
        }
        const res = await db.send(new BatchWriteCommand({ RequestItems: request }));
        request = res.UnprocessedItems as typeof request;
      }
      written += chunk.length;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (written !== count) throw new Error(`seeded ${written} of ${count} items`);
  return { ms: performance.now() - t0, retried };
}

/** The job's Query, straight to DynamoDB Local: every page of 500, items counted, not kept. */
/** The raw Query in a fresh node process (bench/export-raw-child.ts), cold as the job is. */
function rawQueryCold(endpoint: string, tableName: string, eventId: string): Promise<{ ms: number; items: number; pages: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./export-raw-child.ts', import.meta.url).pathname, JSON.stringify({ endpoint, tableName, eventId })], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`raw Query child exited ${code}: ${err.slice(-2000)}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}'));
    });
  });
}

/** The job's handler as Lambda would run it: bundled with the deployed options, one node process per run. */
async function jobBundle(dir: string): Promise<string> {
  const outfile = join(dir, 'export-job.mjs');
  await build({ ...esbuildOptions, entryPoints: [new URL('./export-job-child.ts', import.meta.url).pathname], outfile, logLevel: 'silent' });
  return outfile;
}

function runJobProcess(bundle: string, event: ExportJobEvent): Promise<{ ms: number; maxRssBytes: number; outcome: unknown }> {
  return new Promise((resolve, reject) => {
    // The stack's settings (table, endpoints, exports folder), as the handlers in this process have them.
    const child = spawn(process.execPath, [bundle, JSON.stringify(event)], { env: { ...process.env, NODE_OPTIONS: exportJobNodeOptions }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`export job exited ${code}: ${err.slice(-2000)} ${out.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`export job printed no result: ${out.slice(-2000)}`));
      }
    });
  });
}

export async function benchExport(stack: RunningStack, log: (s: string) => void = console.log): Promise<void> {
  const sizes = (process.env.BENCH_EXPORT_SIZES ?? '10000,250000')
    .split(',')
    .map((s) => Math.round(Number(s)))
    .filter((n) => Number.isFinite(n) && n > 0 && n <= 1_000_000);
  const rounds = Math.round(envNumber('BENCH_EXPORT_ROUNDS', 1, 5));
  const inFlight = Math.round(envNumber('BENCH_SEED_CONCURRENCY', 16, 64));
  const api = stack.urls.api;
  const t0 = performance.now();
  const notes: string[] = [];
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const seedRows: (string | number)[][] = [];
  const rows: (string | number)[][] = [];
  const summary: { size: number; jobRate: number; rawRate: number; coldRate: number; rss: number }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-export-job-'));
  const meter = cpuMeter();
  // The job the API's 202 wrote is started by the streams consumer and runs here, in a process of
  // its own; the bench awaits it by export id.
  const bundle = await jobBundle(dir);
  const runs = new Map<string, Promise<{ ms: number; maxRssBytes: number; outcome: unknown }>>();
  stack.runExportJobsWith(async (event) => {
    const run = runJobProcess(bundle, event);
    run.catch(() => undefined);
    runs.set(event.exportId, run);
  });
  try {
    const owner: User = await signIn(api, 'exportowner', 'Export Owner');
    const associationId = await createAssociation(api, owner, 'Export bench association');
    const run = Date.now().toString(36).padEnd(16, '0').slice(0, 16);
    const events: { size: number; eventId: string; startsAt: string; associationId: string }[] = [];
    for (const size of sizes) {
      const ev = await createEvent(api, owner, associationId, `Export ${size}`, { capacity: null, waitlist: false });
      const sampleItem = rsvpItem(ev, run, 0);
      const gen = function* () {
        for (let i = 0; i < size; i++) yield rsvpItem(ev, run, i);
      };
      const s = await seed(db, stack.tableName, gen, size, inFlight, 600_000);
      await db.send(new UpdateCommand({ TableName: stack.tableName, Key: keys.event(ev.eventId), UpdateExpression: 'SET goingCount = :n', ExpressionAttributeValues: { ':n': size } }));
      events.push({ size, ...ev });
      seedRows.push([size, Buffer.byteLength(JSON.stringify(sampleItem)), fmt(s.ms / 1000, 1), fmt(size / (s.ms / 1000), 0), s.retried]);
    }
    // The seeding's stream records reach the stream consumers in this process: let them finish first.
    const drain = await waitIdleCpu(meter, 240_000);
    notes.push(`after seeding, the stream consumers worked through the items' stream records for ${Number.isFinite(drain) ? `${fmt(drain / 1000)} s` : 'more than 240 s (measured anyway)'}`);

    for (let round = 1; round <= rounds; round++) {
      for (const ev of events) {
        await sleep(300);
        // The raw Query brackets the job (before and after, their mean is the baseline): on 2 shared
        // cores the stack's background work (stream consumers) changes speed during a run, and a
        // baseline taken only after the job would measure a quieter or a busier machine than the job's.
        const rawBefore = await rawQuery(db, stack.tableName, ev.eventId);
        const t = performance.now();
        const res = await call(api, 'GET', `/events/${ev.eventId}/attendees/export?format=url`, { token: owner.token, accept: 'application/json' });
        const answerMs = performance.now() - t;
        expectStatus(res, 202, `export ${ev.size}`);
        const { exportId, statusUrl } = res.body as { exportId: string; statusUrl: string };
        // Started by the streams consumer once it reads the job item's insert, so a moment after the 202.
        const startBy = Date.now() + 60_000;
        while (!runs.has(exportId) && Date.now() < startBy) await sleep(20);
        if (!runs.has(exportId)) throw new Error(`export job ${exportId} was not started within 60 s of its 202`);
        const job = await runs.get(exportId)!;
        let status: Record<string, unknown>;
        for (;;) {
          const st = await call(api, 'GET', new URL(statusUrl).pathname, { token: owner.token });
          expectStatus(st, 200, 'export status');
          status = st.body as Record<string, unknown>;
          if (status.state !== 'pending') break;
          await sleep(100);
        }
        const readyMs = performance.now() - t;
        if (status.state !== 'ready') throw new Error(`export job ${exportId}: ${JSON.stringify(status)}`);
        const file = await fetch(String(status.url), { signal: AbortSignal.timeout(120_000) });
        const text = await file.text();
        const lines = text.split('\r\n').length - 2;
        if (lines !== ev.size || status.rows !== ev.size) notes.push(`export of ${ev.size} gave ${status.rows} rows, ${lines} lines`);
        const rawAfter = await rawQuery(db, stack.tableName, ev.eventId);
        for (const r of [rawBefore, rawAfter]) if (r.items !== ev.size) notes.push(`raw query of ${ev.size} returned ${r.items} items`);
        const raw = { items: ev.size, pages: rawAfter.pages, ms: (rawBefore.ms + rawAfter.ms) / 2 };
        const cold = await rawQueryCold(stack.urls.dynamodb, stack.tableName, ev.eventId);
        if (cold.items !== ev.size) notes.push(`cold raw query of ${ev.size} returned ${cold.items} items`);
        const coldRate = cold.items / (cold.ms / 1000);
        const jobRate = ev.size / (job.ms / 1000);
        const rawRate = raw.items / (raw.ms / 1000);
        summary.push({ size: ev.size, jobRate, rawRate, coldRate, rss: job.maxRssBytes });
        rows.push([ev.size, round, fmt(answerMs, 0), fmt(job.ms / 1000, 2), fmt(readyMs / 1000, 2), fmt(jobRate, 0), mib(job.maxRssBytes), mib(Buffer.byteLength(text)), fmt(raw.ms / 1000, 2), fmt(rawRate, 0), fmt(coldRate, 0), raw.pages, fmt(jobRate / rawRate, 2), fmt(jobRate / coldRate, 2)]);
      }
    }
  } finally {
    db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }

  log(`Seeding: RSVP items written straight into DynamoDB Local with BatchWriteItem, 25 items per call, ${inFlight} calls in flight`);
  log(table(['>items', '>item B (JSON)', '>seconds', '>items/s', '>batch retries'], seedRows));
  log('');
  log(
    'Export: GET /events/{id}/attendees/export answers 202; the job runs in its own node process (the handler bundled as deployed), streaming the pages into the file. ' +
      'job s: the handler\'s run; ready s: request to status ready; job RSS: the job process\'s peak (getrusage maxrss, whole process). ' +
      'Raw Query: the same Query (filter status = going, Limit 500, every page), items counted, from the bench process (warm: the mean of one run just before the job and one just after) and from a fresh node process (cold, as the job runs: bench/export-raw-child.ts); ratio: job rows/s over raw items/s',
  );
  log(table(['>attendees', '>round', '>202 in ms', '>job s', '>ready s', '>job rows/s', '>job RSS MiB', '>file MiB', '>raw Query s', '>raw items/s', '>cold raw items/s', '>pages', '>ratio', '>ratio cold'], rows));
  const big = summary.filter((x) => x.size === Math.max(...sizes));
  const small = summary.filter((x) => x.size === Math.min(...sizes));
  if (big.length && small.length) {
    const peak = Math.max(...big.map((x) => x.rss));
    const growth = peak - Math.min(...small.map((x) => x.rss));
    const ratio = Math.min(...summary.map((x) => x.jobRate / x.rawRate));
    const ratioCold = Math.min(...summary.map((x) => x.jobRate / x.coldRate));
    log('');
    log(`Goals: peak RSS at ${Math.max(...sizes)} rows ${mib(peak)} MiB (at most 128): ${peak <= 128 * MiB ? 'met' : 'NOT met'}; growth from ${Math.min(...sizes)} rows ${mib(growth)} MiB (flat: under 16): ${growth < 16 * MiB ? 'met' : 'NOT met'}; lowest rate ratio ${fmt(ratio, 2)} over the warm raw Query and ${fmt(ratioCold, 2)} over the cold one (at least 0.8): ${ratio >= 0.8 ? 'met' : 'NOT met'} warm, ${ratioCold >= 0.8 ? 'met' : 'NOT met'} cold`);
  }
  notes.push(`export section took ${fmt((performance.now() - t0) / 1000)} s`);
  for (const n of notes) log(`note: ${n}`);
}

if (isMain(import.meta.url)) {
  // The export files (tens of MiB) go to a temporary folder the stack makes: runStandalone removes it.
  runStandalone(benchExport);
}
