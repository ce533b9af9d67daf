/**
 * The client's retry of transaction conflicts (functions/core/data/conflict-retry.ts): a real
 * DynamoDBClient whose HTTP handler is a fake service answering what each test plans, so the
 * exact requests sent can be counted.
 */
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conflictBackoffMs, installConflictRetry, isConflictOnly, withoutConflictRetry } from '../../functions/core/data/conflict-retry.js';
import { conflictCount, installConflicts } from '../../functions/core/data/conflicts.js';
import { clientOn, fakeDynamoHttp, type Answer } from '../support/fake-dynamodb-http.js';
import { createTable } from '../../functions/core/data/table.js';
import { ConditionFailed, StoreBusy } from '../../functions/core/errors.js';
import { problemResponse } from '../../functions/core/http/problem.js';

function fakeService(opts: { delayMs?: number } = {}) {
  const planned: Answer[] = [];
  const { handler, seen: targets } = fakeDynamoHttp(async () => {
    const a = planned.shift() ?? { status: 200, body: {} };
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    return a;
  });
  return { handler, targets, plan: (...a: Answer[]) => void planned.push(...a) };
}

function setup(opts: { delayMs?: number; layer?: boolean } = {}) {
  const service = fakeService(opts);
  const client = clientOn(service.handler);
  if (opts.layer) installConflicts(client);
  const waits: number[] = [];
  installConflictRetry(client, { sleep: async (ms) => void waits.push(ms), random: () => 1 });
  return { service, waits, db: DynamoDBDocumentClient.from(client) };
}

const cancelled = (...codes: string[]): Answer => ({ status: 400, type: 'TransactionCanceledException', body: { CancellationReasons: codes.map((Code) => ({ Code })) } });
const tx = () => new TransactWriteCommand({ TransactItems: [{ Update: { TableName: 't', Key: { pk: 'EVENT#1', sk: 'EVENT' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } }, { Put: { TableName: 't', Item: { pk: 'RSVP#1', sk: 'U#1' } } }] });
const update = () => new UpdateCommand({ TableName: 't', Key: { pk: 'EVENT#1', sk: 'EVENT' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } });
const settle = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);

describe('retrying transaction conflicts on the client', () => {
  it('sends a transaction cancelled only by conflicts again, until it goes through', async () => {
    const s = setup();
    s.service.plan(cancelled('TransactionConflict', 'None'), cancelled('None', 'TransactionConflict'));
    await s.db.send(tx());
    expect(s.service.targets).toHaveLength(3);
    // Full jitter (random() = 1 here gives the ceiling): 20 ms, then 40 ms.
    expect(s.waits).toEqual([20, 40]);
  });

  it("retries a single-item write's TransactionConflictException", async () => {
    const s = setup();
    s.service.plan({ status: 400, type: 'TransactionConflictException' });
    await s.db.send(update());
    expect(s.service.targets).toHaveLength(2);
  });

  it.each([
    ['a failed condition', ['None', 'ConditionalCheckFailed']],
    ['a failed condition beside a conflict', ['TransactionConflict', 'ConditionalCheckFailed']],
    ['throttling (the SDK retries that itself)', ['ThrottlingError', 'None']],
  ])('never retries %s, and the table maps it as before', async (_what, codes) => {
    const s = setup();
    s.service.plan(cancelled(...codes));
    const err = await settle(createTable(s.db, 't').write(() => s.db.send(tx())));
    expect(s.service.targets).toHaveLength(1);
    expect(err).toBeInstanceOf(codes.includes('ConditionalCheckFailed') ? ConditionFailed : StoreBusy);
  });

  it('gives up after 10 retries with growing, capped waits; the conflict then answers 503, never 500', async () => {
    const s = setup();
    s.service.plan(...Array.from({ length: 11 }, () => cancelled('TransactionConflict')));
    const err = await settle(s.db.send(tx()));
    expect(s.service.targets).toHaveLength(11);
    expect(s.waits).toEqual([20, 40, 80, 160, 320, 500, 500, 500, 500, 500]);
    expect(isConflictOnly(err)).toBe(true);
    // Raw (not through table.write): still contention, not a bug.
    const res = problemResponse(err);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('1');
  });

  it('sends a command marked withoutConflictRetry once: its conflict reaches the caller, and other commands are still retried', async () => {
    const s = setup();
    s.service.plan(cancelled('TransactionConflict', 'None'), cancelled('TransactionConflict', 'None'));
    const err = await settle(createTable(s.db, 't').write(() => s.db.send(withoutConflictRetry(tx()))));
    expect(err).toBeInstanceOf(StoreBusy);
    expect(s.service.targets).toHaveLength(1);
    expect(s.waits).toEqual([]);
    await s.db.send(tx());
    expect(s.service.targets).toHaveLength(3);
  });

  it('the backoff is a random wait below its ceiling', () => {
    expect(conflictBackoffMs(3, { baseMs: 20, capMs: 400, random: () => 0.5 })).toBe(80);
    expect(conflictBackoffMs(10, { baseMs: 20, capMs: 500, random: () => 0.25 })).toBe(125);
  });

  it('with the local conflict layer, 20 transactions on one item sent at once all go through', async () => {
    const service = fakeService({ delayMs: 2 });
    const client = clientOn(service.handler);
    installConflicts(client);
    // Real waits (the layer releases an item only when its request answers), a larger budget.
    installConflictRetry(client, { retries: 30, baseMs: 2, capMs: 40 });
    const db = DynamoDBDocumentClient.from(client);
    const before = conflictCount();
    const results = await Promise.all(Array.from({ length: 20 }, () => settle(db.send(tx()))));
    expect(results.filter(Boolean)).toEqual([]);
    // They did meet (the layer refused some), and each reached the service exactly once.
    expect(conflictCount() - before).toBeGreaterThan(0);
    expect(service.targets).toHaveLength(20);
  });
});
