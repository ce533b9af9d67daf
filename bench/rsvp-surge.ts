/**
 * RSVP surge: N RSVPs sent truly at once (one connection each, nothing paced) for an event
 * of C seats, on its own local stack with the transaction-conflict layer as configured
 * (DYNAMODB_CONFLICTS, on unless `off`). Prints the outcome (going, waitlisted, positions
 * each once, non-2xx), the latency distribution and the whole burst's time, beside a raw
 * baseline from the same run: the same number of two-item transactions sent at once straight
 * to the same DynamoDB Local (one counter item plus one new item each, no HTTP, no handler).
 *
 * Before the burst, DynamoDB Local's JVM is warmed (BENCH_SURGE_WARMUP rounds, 0 = none): each
 * round sends N read-aheads, N counter UpdateItems and N three-item transactions at once to a
 * scratch partition, with a client of its own (the functions' client and code stay cold, as
 * 1,000 fresh Lambda containers would be). The service is never cold; a JVM that has not yet
 * compiled its request paths runs them about half as fast (1,000 two-item transactions: 4.0 s
 * cold, 1.9 s warm), which would measure the stand-in's start rather than the platform.
 *
 *   npx tsx bench/rsvp-surge.ts     BENCH_SURGE=1000  BENCH_SURGE_SEATS=100  BENCH_SURGE_WARMUP=2
 */
import { BatchGetItemCommand, DynamoDBClient, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { cpuMeter, createAssociation, createEvent, runRequests, runStandalone, waitIdleCpu } from './rsvp.js';
import { envNumber, fmt, isMain, percentile, signIn, signInMany, sortedCopy, table } from './common.js';
import type { RunningStack } from '../scripts/local/stack.js';

const tally = (xs: (string | number | null)[]) => xs.reduce<Record<string, number>>((acc, x) => ((acc[String(x)] = (acc[String(x)] ?? 0) + 1), acc), {});

function rawClient(stack: RunningStack, n: number) {
  return new DynamoDBClient({
    endpoint: stack.env.DYNAMODB_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // Retries only what the SDK retries (a connection reset by DynamoDB Local under 1,000 connects), never a cancellation.
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: n }) }),
  });
}

/** Rounds of the surge's request shapes sent at once to a scratch partition; the time taken, in ms. */
async function warmDynamo(stack: RunningStack, n: number, rounds: number): Promise<number> {
  const client = rawClient(stack, n);
  const TableName = stack.env.TABLE_NAME!;
  const S = (s: string) => ({ S: s });
  const t0 = performance.now();
  for (let round = 0; round < rounds; round++) {
    const pk = `BENCHWARM#${Date.now()}#${round}`;
    const all = <T>(f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
    await all((i) => client.send(new BatchGetItemCommand({ RequestItems: { [TableName]: { Keys: ['E', `R#${i}`, `P#${i}`, 'W', `L#${i}`].map((sk) => ({ pk: S(pk), sk: S(sk) })), ConsistentRead: true } } })));
    await all(() => client.send(new UpdateItemCommand({ TableName, Key: { pk: S(pk), sk: S('E') }, UpdateExpression: 'ADD n :one', ConditionExpression: 'attribute_not_exists(closed)', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' })));
    await all((i) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName, Item: { pk: S(pk), sk: S(`R#${i}`), status: S('going') }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName, Item: { pk: S(pk), sk: S(`C#${i}`) }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Update: { TableName, Key: { pk: S(pk), sk: S(`L#${i}`) }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
          ],
        }),
      ),
    );
  }
  client.destroy();
  return performance.now() - t0;
}

async function rawBaseline(stack: RunningStack, n: number): Promise<number> {
  const client = rawClient(stack, n);
  const table = stack.env.TABLE_NAME!;
  const pk = `BENCHRAW#${Date.now()}`;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { TableName: table, Key: { pk: { S: pk }, sk: { S: 'COUNTERS' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
            { Put: { TableName: table, Item: { pk: { S: pk }, sk: { S: `R#${i}` } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      ),
    ),
  );
  const ms = performance.now() - t0;
  client.destroy();
  return ms;
}

export async function benchSurge(stack: RunningStack, log: (s: string) => void): Promise<void> {
  const n = envNumber('BENCH_SURGE', 1000, 5000);
  const seats = envNumber('BENCH_SURGE_SEATS', 100, n);
  const api = stack.urls.api;
  const owner = await signIn(api, 'surge-owner', 'Surge Owner');
  const associationId = await createAssociation(api, owner, 'Surge bench');
  const ev = await createEvent(api, owner, associationId, 'Surge', { capacity: seats });
  const users = await signInMany(api, 'surge', n, 50, 300_000);
  // 0 (none) allowed here, unlike envNumber's positive knobs.
  const warmRounds = process.env.BENCH_SURGE_WARMUP === '0' ? 0 : envNumber('BENCH_SURGE_WARMUP', 2, 10);
  if (warmRounds > 0) {
    const ms = await warmDynamo(stack, n, warmRounds);
    const idle = await waitIdleCpu(cpuMeter(), 60_000);
    log(`DynamoDB Local warmed: ${warmRounds} round(s) of ${n} read-aheads, ${n} counter updates and ${n} three-item transactions at once in ${fmt(ms / 1000, 2)} s (then idle after ${fmt(idle / 1000, 1)} s)`);
  }
  log(`${n} RSVPs at once for ${seats} seats, DYNAMODB_CONFLICTS=${stack.env.DYNAMODB_CONFLICTS}`);
  const result = await runRequests({
    base: api,
    concurrency: n,
    seconds: 120,
    field: 'status',
    requests: users.map((u) => ({ method: 'PUT', path: `/events/${ev.eventId}/rsvp`, headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'going' }) })),
  });
  const raw = await rawBaseline(stack, n);
  const sorted = sortedCopy(result.ms);
  const outcomes = tally(result.field);
  const statuses = tally(result.status);
  log(
    table(
      ['what', 'answers', 'going', 'waitlisted', 'non-2xx', 'p50 ms', 'p99 ms', 'max ms', 'burst s'],
      [
        ['PUT /events/{id}/rsvp', result.ms.length, outcomes.going ?? 0, outcomes.waitlisted ?? 0, result.status.filter((s) => s < 200 || s >= 300).length, fmt(percentile(sorted, 50), 0), fmt(percentile(sorted, 99), 0), fmt(sorted[sorted.length - 1] ?? NaN, 0), fmt(result.elapsedMs / 1000, 2)],
        [`raw: ${n} TransactWriteItems at once (counter + new item)`, n, '-', '-', 0, '-', '-', '-', fmt(raw / 1000, 2)],
      ],
    ),
  );
  log(`HTTP statuses: ${JSON.stringify(statuses)}${result.errorSamples.length ? `; samples: ${result.errorSamples.join(' | ')}` : ''}`);
  // Requests the gateway answered 503 at the deadline may still commit afterwards, as a timed-out
  // Lambda's writes would: what the event holds once the stack is idle again.
  const idle = await waitIdleCpu(cpuMeter(), 180_000);
  const evNow = (await (await fetch(`${api}/events/${ev.eventId}`, { headers: { authorization: `Bearer ${owner.token}` } })).json()) as { goingCount: number; waitlistCount: number };
  log(`stored once idle (${Number.isFinite(idle) ? `${fmt(idle / 1000)} s after the burst` : 'not idle within 180 s'}): goingCount ${evNow.goingCount}, waitlistCount ${evNow.waitlistCount}`);
  // Positions from the organizer's list: each of 1..waitlisted exactly once.
  const positions: number[] = [];
  let cursor: string | undefined;
  do {
    const res = await fetch(`${api}/events/${ev.eventId}/attendees?status=waitlisted&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${owner.token}` } });
    if (res.status !== 200) throw new Error(`the waitlist answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const body = (await res.json()) as { items: { waitlistPosition: number }[]; nextCursor?: string };
    positions.push(...body.items.map((a) => a.waitlistPosition));
    cursor = body.nextCursor;
  } while (cursor);
  positions.sort((a, b) => a - b);
  const exact = positions.every((p, i) => p === i + 1);
  log(`waitlist positions: ${positions.length} listed, ${exact ? `each of 1..${positions.length} once` : `NOT 1..${positions.length} each once`}`);
}

if (isMain(import.meta.url)) {
  process.env.DYNAMODB_CONFLICTS ??= 'on';
  runStandalone((stack) => benchSurge(stack, console.log));
}
