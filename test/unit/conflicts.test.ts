/**
 * The local conflict layer (functions/core/data/conflicts.ts): a real DynamoDBClient and
 * document client whose HTTP handler is a fake "service" that answers when a test says so,
 * so requests can be held in flight and overlap exactly as wanted.
 */
import { TransactionCanceledException, TransactionConflictException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactGetCommand, TransactWriteCommand, UpdateCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { conflictCount, installConflicts } from '../../functions/core/data/conflicts.js';
import { clientOn, fakeDynamoHttp, type Answer } from '../support/fake-dynamodb-http.js';
import { createTable } from '../../functions/core/data/table.js';
import { ConditionFailed, StoreBusy } from '../../functions/core/errors.js';


/** A fake service: every request waits until released (or answers at once), then answers `answer`. */
function fakeService() {
  const waiting: { target: string; release: (a?: Answer) => void }[] = [];
  let hold = false;
  let next: Answer[] = [];
  const { handler, seen } = fakeDynamoHttp((target) => {
    const planned = next.shift();
    return new Promise<Answer>((resolve) => {
      if (!hold) resolve(planned ?? { status: 200, body: {} });
      else waiting.push({ target, release: (a) => resolve(a ?? planned ?? { status: 200, body: {} }) });
    });
  });
  return {
    handler,
    seen,
    hold: (on: boolean) => void (hold = on),
    plan: (...a: Answer[]) => void (next = a),
    inFlight: () => waiting.length,
    releaseAll: async () => {
      for (const w of waiting.splice(0)) w.release();
      await new Promise((r) => setImmediate(r));
    },
  };
}

function setup(conflicts = true, connections?: number) {
  const service = fakeService();
  const client = clientOn(service.handler);
  if (conflicts) installConflicts(client, { connections });
  const db = DynamoDBDocumentClient.from(client);
  return { service, db };
}

const T = 'table';
const key = (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' });
const put = (id: string) => ({ Put: { TableName: T, Item: { ...key(id), n: 1 } } });
const update = (id: string) => ({ Update: { TableName: T, Key: key(id), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 } } });
const check = (id: string) => ({ ConditionCheck: { TableName: T, Key: key(id), ConditionExpression: 'attribute_exists(pk)' } });
const tx = (...items: object[]) => new TransactWriteCommand({ TransactItems: items as never });

/** Settles a promise without throwing, for asserting on its outcome later. */
const settle = <T>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
/** Waits (by the clock, not a count of ticks: the SDK's chain takes longer on a busy machine) until `done()` holds or 5 s pass. */
const until = async (done: () => boolean) => {
  for (const end = Date.now() + 5000; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 2));
};

async function whileInFlight<T>(s: ReturnType<typeof setup>, first: Promise<unknown>[], then: () => Promise<T>): Promise<T> {
  s.service.hold(true);
  const held = first.map(settle);
  await until(() => s.service.inFlight() >= first.length);
  expect(s.service.inFlight()).toBe(first.length);
  s.service.hold(false);
  try {
    return await then();
  } finally {
    await s.service.releaseAll();
    await Promise.all(held);
  }
}

describe('local conflict layer', () => {
  it('a transaction meeting an in-flight transaction on one of its items is cancelled: TransactionConflict there, None elsewhere', async () => {
    const s = setup();
    const before = conflictCount();
    const err = await whileInFlight(s, [s.db.send(tx(update('a'), put('b')))], () => settle(s.db.send(tx(put('c'), update('a'), check('d')))));
    expect(err.ok).toBe(false);
    const e = (err as { error: TransactionCanceledException }).error;
    expect(e).toBeInstanceOf(TransactionCanceledException);
    expect(e.name).toBe('TransactionCanceledException');
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'TransactionConflict', 'None']);
    expect(e.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict, None]');
    expect(conflictCount()).toBe(before + 1);
    // The cancelled one never reached the service.
    expect(s.service.seen.filter((t) => t.endsWith('TransactWriteItems'))).toHaveLength(1);
  });

  it('transactions on disjoint items run side by side', async () => {
    const s = setup();
    const r = await whileInFlight(s, [s.db.send(tx(update('a'), put('b')))], () => settle(s.db.send(tx(put('c'), update('d')))));
    expect(r.ok).toBe(true);
  });

  it('a transaction meeting an in-flight single-item write on its item is cancelled', async () => {
    const s = setup();
    const r = await whileInFlight(s, [s.db.send(new UpdateCommand({ TableName: T, Key: key('a'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } }))], () => settle(s.db.send(tx(update('a')))));
    expect((r as { error: TransactionCanceledException }).error.CancellationReasons?.map((x) => x.Code)).toEqual(['TransactionConflict']);
  });

  it('a single-item write meeting an in-flight transaction fails with TransactionConflictException; on another item it goes through', async () => {
    const s = setup();
    await whileInFlight(s, [s.db.send(tx(update('a'), put('b')))], async () => {
      for (const cmd of [new PutCommand({ TableName: T, Item: { ...key('b'), n: 2 } }), new UpdateCommand({ TableName: T, Key: key('a'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 2 } }), new DeleteCommand({ TableName: T, Key: key('a') })]) {
        const r = await settle(s.db.send(cmd as never));
        const e = (r as { error: TransactionConflictException }).error;
        expect(e).toBeInstanceOf(TransactionConflictException);
        expect(e.name).toBe('TransactionConflictException');
        expect(e.$metadata.httpStatusCode).toBe(400);
      }
      expect((await settle(s.db.send(new PutCommand({ TableName: T, Item: { ...key('z'), n: 2 } })))).ok).toBe(true);
    });
  });

  it('single-item writes never conflict with each other, and reads never conflict', async () => {
    const s = setup();
    await whileInFlight(s, [s.db.send(new PutCommand({ TableName: T, Item: { ...key('a'), n: 1 } }))], async () => {
      expect((await settle(s.db.send(new UpdateCommand({ TableName: T, Key: key('a'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 2 } })))).ok).toBe(true);
    });
    await whileInFlight(s, [s.db.send(tx(update('a')))], async () => {
      expect((await settle(s.db.send(new GetCommand({ TableName: T, Key: key('a'), ConsistentRead: true })))).ok).toBe(true);
      expect((await settle(s.db.send(new QueryCommand({ TableName: T, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'EVENT#a' } })))).ok).toBe(true);
    });
    // An in-flight read transaction holds nothing: writes and transactions go through.
    await whileInFlight(s, [s.db.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: T, Key: key('a') } }] }))], async () => {
      expect((await settle(s.db.send(tx(update('a'))))).ok).toBe(true);
    });
  });

  it('TransactGetItems conflicts with an in-flight write of any kind on its items, as the service documents', async () => {
    const s = setup();
    const get = () => new TransactGetCommand({ TransactItems: [{ Get: { TableName: T, Key: key('x') } }, { Get: { TableName: T, Key: key('a') } }] });
    for (const first of [() => s.db.send(tx(update('a'))), () => s.db.send(new PutCommand({ TableName: T, Item: { ...key('a') } })), () => s.db.send(new BatchWriteCommand({ RequestItems: { [T]: [{ PutRequest: { Item: { ...key('a') } } }] } }))]) {
      const r = await whileInFlight(s, [first()], () => settle(s.db.send(get())));
      expect((r as { error: TransactionCanceledException }).error.CancellationReasons?.map((x) => x.Code)).toEqual(['None', 'TransactionConflict']);
    }
  });

  it('sequential calls never conflict, and items are released after failures too', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) expect((await settle(s.db.send(tx(update('a'), put('b')))))).toMatchObject({ ok: true });
    s.service.plan({ status: 400, type: 'ValidationException', body: { message: 'bad' } });
    expect((await settle(s.db.send(tx(update('a'))))).ok).toBe(false);
    expect((await settle(s.db.send(new UpdateCommand({ TableName: T, Key: key('a'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 2 } })))).ok).toBe(true);
    expect((await settle(s.db.send(tx(update('a'))))).ok).toBe(true);
  });

  it('many at once on one item: exactly one transaction goes through, the rest are cancelled with TransactionConflict', async () => {
    const s = setup();
    s.service.hold(true);
    let settled = 0;
    const all = Array.from({ length: 50 }, (_, i) => settle(s.db.send(tx(update('hot'), put(`rsvp${i}`)))).then((r) => (settled++, r)));
    await until(() => s.service.inFlight() + settled >= 50);
    await s.service.releaseAll();
    const results = await Promise.all(all);
    s.service.hold(false);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(((r as { error: TransactionCanceledException }).error.CancellationReasons ?? []).map((x) => x.Code)).toEqual(['TransactionConflict', 'None']);
  });

  it('a request waiting for a connection is not in flight: it meets only what is on a connection when it gets one', async () => {
    const s = setup(true, 1);
    s.service.hold(true);
    const first = settle(s.db.send(tx(update('hot'), put('rsvp1'))));
    await until(() => s.service.inFlight() === 1);
    // The only connection is taken: these wait in the client, unsent, and do not count as in flight.
    const queuedWrite = settle(s.db.send(new UpdateCommand({ TableName: T, Key: key('hot'), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 } })));
    const queuedRead = settle(s.db.send(new GetCommand({ TableName: T, Key: key('hot') })));
    await new Promise((r) => setTimeout(r, 50));
    expect(s.service.inFlight()).toBe(1);
    expect(s.service.seen).toHaveLength(1);
    s.service.hold(false);
    await s.service.releaseAll();
    // Sent once the transaction had answered: no conflict, first come first served.
    expect((await first).ok).toBe(true);
    expect((await queuedWrite).ok).toBe(true);
    expect((await queuedRead).ok).toBe(true);
    expect(s.service.seen).toEqual(['DynamoDB_20120810.TransactWriteItems', 'DynamoDB_20120810.UpdateItem', 'DynamoDB_20120810.GetItem']);
  });

  it('a write refused on its condition carries the item as it stood, when asked for (ReturnValuesOnConditionCheckFailure)', async () => {
    const s = setup();
    const t = createTable(s.db, T);
    s.service.plan({ status: 400, type: 'ConditionalCheckFailedException', body: { message: 'The conditional request failed', Item: { pk: { S: 'EVENT#a' }, sk: { S: 'EVENT' }, seatsLeft: { N: '0' }, waitlistCount: { N: '3' } } } });
    const r = await settle(t.write(() => s.db.send(new UpdateCommand({ TableName: T, Key: key('a'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }))));
    const e = (r as { error: ConditionFailed }).error;
    expect(e).toBeInstanceOf(ConditionFailed);
    // As a domain object: keys dropped, numbers as numbers.
    expect(e.current).toEqual({ seatsLeft: 0, waitlistCount: 3 });
  });

  it('without the layer nothing conflicts (DYNAMODB_CONFLICTS=off)', async () => {
    const s = setup(false);
    const r = await whileInFlight(s, [s.db.send(tx(update('a')))], () => settle(s.db.send(tx(update('a')))));
    expect(r.ok).toBe(true);
  });

  describe('faults the service injects still arrive as before, with the layer on', () => {
    it('throttling passes through unchanged and is retried by the SDK', async () => {
      const service = fakeService();
      const client = clientOn(service.handler, 2);
      installConflicts(client);
      const db = DynamoDBDocumentClient.from(client);
      service.plan({ status: 400, type: 'ProvisionedThroughputExceededException', body: { message: 'slow down' } }, { status: 400, type: 'ProvisionedThroughputExceededException', body: { message: 'slow down' } });
      const r = await settle(db.send(new UpdateCommand({ TableName: T, Key: key('a'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } })));
      const e = (r as { error: ProvisionedThroughputExceededException }).error;
      expect(e).toBeInstanceOf(ProvisionedThroughputExceededException);
      expect(e.$metadata.attempts).toBe(2);
      // The item was released after the failed attempts: a transaction on it goes through.
      expect((await settle(db.send(tx(update('a'))))).ok).toBe(true);
    }, 10_000);

    it("the service's own cancellations map as before: condition failures to ConditionFailed, throttling and conflicts to StoreBusy", async () => {
      const s = setup();
      const t = createTable(s.db, T);
      s.service.plan({ status: 400, type: 'TransactionCanceledException', body: { message: 'Transaction cancelled', CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] } });
      const cond = await settle(t.write(() => s.db.send(tx(update('a'), put('b')))));
      expect((cond as { error: ConditionFailed }).error).toBeInstanceOf(ConditionFailed);
      expect((cond as { error: ConditionFailed }).error.reasons).toEqual(['None', 'ConditionalCheckFailed']);
      s.service.plan({ status: 400, type: 'TransactionCanceledException', body: { message: 'Transaction cancelled', CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }] } });
      const throttled = await settle(t.write(() => s.db.send(tx(update('a'), put('b')))));
      expect((throttled as { error: StoreBusy }).error).toBeInstanceOf(StoreBusy);
      // A conflict raised by the layer maps the same way as the service's.
      const local = await whileInFlight(s, [s.db.send(tx(update('a')))], () => settle(t.write(() => s.db.send(tx(update('a'), put('b'))))));
      expect((local as { error: StoreBusy }).error).toBeInstanceOf(StoreBusy);
    });
  });
});
