/**
 * Attendee export time and memory for large events, beside the raw time to read the same
 * items from DynamoDB Local, in the same run.
 *
 *   npx tsx bench/export.ts     BENCH_EXPORT_SIZES=5000,10000,100000  BENCH_EXPORT_ROUNDS=2  BENCH_SEED_CONCURRENCY=8
 *
 * One event per size is created through the API; its RSVPs (status going) are written
 * straight into DynamoDB Local with BatchWriteItem (25 items per call, BENCH_SEED_CONCURRENCY
 * calls in flight), each item exactly as store.saveRsvp puts a first RSVP (keys.rsvp,
 * keys.rsvpOfUser, entity 'rsvp', the Rsvp fields, version 1), and the event's goingCount is
 * set to match. Then, per size and round: GET /events/{id}/attendees/export (format=url, and
 * format=csv) timed end to end by an HTTP client in this process, while this process's RSS
 * and V8 heap are sampled every 20 ms (the gateway and the handler run in this process:
 * the delta over a baseline taken after a forced GC is what the export needed); the link
 * is downloaded and timed apart. Beside it, the same Query the exporter makes (the event's
 * RSVP# items, filter status = going, Limit 500 per page, every page) with a
 * DynamoDBDocumentClient, keeping every item in memory as the exporter does.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RunningStack } from '../scripts/local/stack.js';
import { keys } from '../functions/core/data/keys.js';
import type { Rsvp } from '../functions/core/domain/events.js';
import { instrument } from './dynamo-cost.js';
import { commandsPer, createAssociation, createEvent, cpuMeter, runStandalone, waitIdleCpu } from './rsvp.js';
import { call, envNumber, expectStatus, fmt, isMain, signIn, sleep, table, type User } from './common.js';

type Item = Record<string, unknown>;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

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

/**
 * RSS is sampled every 20 ms by a worker thread (RSS is the whole process's, and the worker
 * keeps sampling while the main thread is busy in the handler); the V8 heap of the main
 * thread by a timer on it (so not while it is blocked). Peaks, and peaks over a baseline
 * taken after a forced GC.
 */
function rssWorker() {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     let peak = 0, n = 0, timer;
     parentPort.on('message', (m) => {
       if (m === 'start') { peak = process.memoryUsage.rss(); n = 0; timer = setInterval(() => { const r = process.memoryUsage.rss(); n++; if (r > peak) peak = r; }, 20); }
       else { clearInterval(timer); const r = process.memoryUsage.rss(); if (r > peak) peak = r; parentPort.postMessage({ peak, n }); }
     });`,
    { eval: true },
  );
  const next = () => new Promise<{ peak: number; n: number }>((resolve) => worker.once('message', resolve));
  return {
    async start() {
      gc();
      gc();
      await sleep(100);
      const base = process.memoryUsage();
      let peakHeap = base.heapUsed;
      const timer = setInterval(() => {
        const h = process.memoryUsage().heapUsed;
        if (h > peakHeap) peakHeap = h;
      }, 20);
      worker.postMessage('start');
      return {
        stop: async () => {
          clearInterval(timer);
          peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
          const done = next();
          worker.postMessage('stop');
          const { peak, n } = await done;
          return { rss: peak - base.rss, heap: peakHeap - base.heapUsed, peakRss: peak, samples: n };
        },
      };
    },
    stop: () => worker.terminate(),
  };
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

/** The exporter's Query, straight to DynamoDB Local: every page of 500, every item kept. */
async function rawQuery(db: DynamoDBDocumentClient, tableName: string, eventId: string) {
  const { pk, skPrefix } = keys.rsvpsPrefix(eventId);
  const items: Item[] = [];
  let pages = 0;
  let rcu = 0;
  let startKey: Record<string, unknown> | undefined;
  const t0 = performance.now();
  do {
    const res = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        FilterExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix, ':status': 'going' },
        Limit: 500,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    pages++;
    rcu += res.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const i of res.Items ?? []) items.push(i);
    startKey = res.LastEvaluatedKey;
  } while (startKey && pages < 10_000);
  return { ms: performance.now() - t0, items: items.length, pages, rcu };
}

export async function benchExport(stack: RunningStack, log: (s: string) => void = console.log): Promise<void> {
  const sizes = (process.env.BENCH_EXPORT_SIZES ?? '5000,10000,100000')
    .split(',')
    .map((s) => Math.round(Number(s)))
    .filter((n) => Number.isFinite(n) && n > 0 && n <= 200_000);
  const rounds = Math.round(envNumber('BENCH_EXPORT_ROUNDS', 2, 5));
  const inFlight = Math.round(envNumber('BENCH_SEED_CONCURRENCY', 8, 32));
  const api = stack.urls.api;
  const t0 = performance.now();
  const notes: string[] = [];
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const seedRows: (string | number)[][] = [];
  const rows: (string | number)[][] = [];
  const probe = await instrument({ capacity: true, classify: true, name: 'benchExport' });
  const meter = cpuMeter();
  const sampler = rssWorker();
  try {
    const owner: User = await signIn(api, 'exportowner', 'Export Owner');
    const associationId = await createAssociation(api, owner, 'Export bench association');
    const run = Date.now().toString(36).padEnd(16, '0').slice(0, 16);
    const events: { size: number; eventId: string; startsAt: string; associationId: string; itemBytes: number }[] = [];
    for (const size of sizes) {
      const ev = await createEvent(api, owner, associationId, `Export ${size}`, { capacity: null, waitlist: false });
      const sampleItem = rsvpItem(ev, run, 0);
      const gen = function* () {
        for (let i = 0; i < size; i++) yield rsvpItem(ev, run, i);
      };
      const s = await seed(db, stack.tableName, gen, size, inFlight, 360_000);
      await db.send(new UpdateCommand({ TableName: stack.tableName, Key: keys.event(ev.eventId), UpdateExpression: 'SET goingCount = :n', ExpressionAttributeValues: { ':n': size } }));
      const itemBytes = Buffer.byteLength(JSON.stringify(sampleItem));
      events.push({ size, ...ev, itemBytes });
      seedRows.push([size, itemBytes, fmt(s.ms / 1000, 1), fmt(size / (s.ms / 1000), 0), s.retried]);
    }
    // The seeding's stream records (one per item) reach the stream consumer in this process: let it finish first.
    const drain = await waitIdleCpu(meter);
    notes.push(`after seeding, the stream consumer worked through the items' stream records for ${Number.isFinite(drain) ? `${fmt(drain / 1000)} s` : 'more than 180 s (measured anyway)'}`);

    const exportOnce = async (ev: (typeof events)[number], format: 'url' | 'csv', round: number) => {
      await sleep(300);
      probe.reset();
      const mem = await sampler.start();
      const cpu0 = meter.read();
      const t = performance.now();
      const res = await call(api, 'GET', `/events/${ev.eventId}/attendees/export?format=${format}`, { token: owner.token, accept: format === 'csv' ? 'text/csv' : 'application/json' });
      const ms = performance.now() - t;
      const cpu1 = meter.read();
      const m = await mem.stop();
      const q = probe.counters().request;
      expectStatus(res, 200, `export ${ev.size} ${format}`);
      let answer: string;
      let download = '';
      let rowsOut: number;
      if (typeof res.body === 'object' && res.body.url) {
        rowsOut = res.body.rows as number;
        answer = 'link';
        const url = new URL(res.body.url as string);
        if (url.hostname !== '127.0.0.1') throw new Error(`export link is not local: ${url.href}`);
        const td = performance.now();
        const file = await fetch(url, { signal: AbortSignal.timeout(60_000) });
        const bytes = (await file.arrayBuffer()).byteLength;
        if (!file.ok) throw new Error(`download failed: ${file.status}`);
        download = `${fmt(performance.now() - td, 0)} ms, ${mib(bytes)} MiB`;
      } else {
        rowsOut = res.text.split('\r\n').length - 2;
        answer = `inline CSV ${mib(Buffer.byteLength(res.text))} MiB`;
      }
      if (rowsOut !== ev.size) notes.push(`export of ${ev.size} (${format}) returned ${rowsOut} rows`);
      rows.push([
        ev.size,
        round,
        `export format=${format}`,
        answer,
        fmt(ms / 1000, 2),
        fmt(ev.size / (ms / 1000), 0),
        mib(m.peakRss),
        mib(Math.max(0, m.rss)),
        mib(Math.max(0, m.heap)),
        `${fmt((cpu1.stack - cpu0.stack) / 1000, 1)} / ${fmt((cpu1.dynamo - cpu0.dynamo) / 1000, 1)}`,
        `${q.requests}: ${commandsPer(q.commands, 1)}`,
        fmt(q.rcu, 0),
        download,
      ]);
    };
    const queryOnce = async (ev: (typeof events)[number], round: number) => {
      await sleep(300);
      const mem = await sampler.start();
      const cpu0 = meter.read();
      const r = await rawQuery(db, stack.tableName, ev.eventId);
      const cpu1 = meter.read();
      const m = await mem.stop();
      if (r.items !== ev.size) notes.push(`raw query of ${ev.size} returned ${r.items} items`);
      rows.push([
        ev.size,
        round,
        '  raw Query, same pages',
        `${r.items} items`,
        fmt(r.ms / 1000, 2),
        fmt(r.items / (r.ms / 1000), 0),
        mib(m.peakRss),
        mib(Math.max(0, m.rss)),
        mib(Math.max(0, m.heap)),
        `${fmt((cpu1.stack - cpu0.stack) / 1000, 1)} / ${fmt((cpu1.dynamo - cpu0.dynamo) / 1000, 1)}`,
        `${r.pages}: Query x${r.pages}`,
        fmt(r.rcu, 0),
        '',
      ]);
    };

    for (let round = 1; round <= rounds; round++) {
      for (const ev of events) {
        // The inline CSV path exists up to 5000 rows (INLINE_MAX_ROWS); above, format=csv answers with a link too.
        const formats: ('url' | 'csv')[] = ev.size <= 5000 ? ['csv'] : ev.size <= 10_000 ? ['url', 'csv'] : ['url'];
        for (const f of formats) await exportOnce(ev, f, round);
        await queryOnce(ev, round);
      }
    }
  } finally {
    probe.remove();
    db.destroy();
    await sampler.stop();
  }

  log(`Seeding: RSVP items written straight into DynamoDB Local with BatchWriteItem, 25 items per call, ${inFlight} calls in flight`);
  log(table(['>items', '>item B (JSON)', '>seconds', '>items/s', '>batch retries'], seedRows));
  log('');
  log(
    'Export: GET /events/{id}/attendees/export (owner token; preset full, status going) timed end to end from this process; the raw Query beside it reads the same items with the same page size. ' +
      'RSS of this process (which runs the gateway and the handler) sampled every 20 ms by a worker thread: the peak, and the peak over a baseline taken after a forced GC just before; heap: the main thread\'s V8 heap peak over its baseline; ' +
      'CPU s: this process / DynamoDB Local; DDB requests counted under the gateway; RCU reported by DynamoDB Local',
  );
  log(table(['>attendees', '>round', 'what', 'answer', '>seconds', '>rows/s', '>RSS peak MiB', '>RSS +MiB', '>heap +MiB', '>CPU s', 'DDB requests', '>RCU', 'download'], rows));
  notes.push(`export section took ${fmt((performance.now() - t0) / 1000)} s`);
  for (const n of notes) log(`note: ${n}`);
}

if (isMain(import.meta.url)) {
  // The export files (tens of MiB) go to a temporary folder the stack makes: runStandalone removes it.
  runStandalone(benchExport);
}
