/**
 * The stream consumer keeps the dashboards' counters (services/stats.ts, data/stats.ts),
 * with DynamoDB served by an in-memory table: a member's status change moves one count
 * from the old status to the new; a renewal moves with the period end; a redelivered
 * batch counts once; RSVPs, check-ins, ledger entries and match feedback are counted.
 */
// Settings first: the streams function builds the events dependencies when it loads.
import '../../support/events-env.js';
import { mockClient } from 'aws-sdk-client-mock';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { countBatch, handler as streams } from '../../../functions/streams/handler.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import * as keys from '../../../functions/core/data/keys.js';
import { FakeTable, transactionCancelled } from '../../support/fake-table.js';
import { lambdaContext } from '../../support/lambda.js';
import { makeMember } from '../../support/factories.js';
import { makeRsvp, rsvpItem } from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
let table: FakeTable;
beforeEach(() => {
  ddb.reset();
  table = new FakeTable([]).attach(ddb);
});

let seq = 1;
type Img = Record<string, unknown>;
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { old?: Img; new?: Img }, eventID = `evt-${seq++}`): DynamoDBRecord {
  const img = (i?: Img) => (i ? (marshall(i, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as never) : undefined);
  return {
    eventID,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: { NewImage: img(images.new), OldImage: img(images.old), SequenceNumber: String(seq), StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}
const consume = (...records: DynamoDBRecord[]) => streams({ Records: records } as DynamoDBStreamEvent, lambdaContext);
const stat = (k: { pk: string; sk: string }) => table.get(k.pk, k.sk) as Record<string, number> | undefined;

const A = 'assocS';
const member = (over: Parameters<typeof makeMember>[0]) => memberItem(makeMember({ associationId: A, ...over })) as Img;

describe('member counters', () => {
  it('counts a join, then moves the count from the old status to the new one on the day of the change', async () => {
    const joined = member({ userId: 'u1', status: 'pending', currentPeriodEnd: null, updatedAt: '2026-04-01T10:00:00.000Z', joinedAt: '2026-04-01T10:00:00.000Z' });
    expect((await consume(record('INSERT', { new: joined }))).batchItemFailures).toEqual([]);
    const paid = { ...joined, status: 'active', currentPeriodEnd: '2027-04-03T10:00:00.000Z', updatedAt: '2026-04-03T09:00:00.000Z', version: 2 };
    await consume(record('MODIFY', { old: joined, new: paid }));

    expect(stat(keys.membersTotal(A))).toMatchObject({ pending: 0, active: 1 });
    expect(stat(keys.membersDay(A, '2026-04-01'))).toMatchObject({ pending: 1 });
    expect(stat(keys.membersDay(A, '2026-04-03'))).toMatchObject({ pending: -1, active: 1 });
    expect(stat(keys.renewalsDay(A, '2027-04-03'))).toMatchObject({ count: 1 });

    // Renewed: the renewal moves to the new period end; the status does not change.
    const renewed = { ...paid, currentPeriodEnd: '2028-04-03T10:00:00.000Z', updatedAt: '2027-04-03T10:00:00.000Z', version: 3 };
    await consume(record('MODIFY', { old: paid, new: renewed }));
    expect(stat(keys.renewalsDay(A, '2027-04-03'))).toMatchObject({ count: 0 });
    expect(stat(keys.renewalsDay(A, '2028-04-03'))).toMatchObject({ count: 1 });
    expect(stat(keys.membersTotal(A))).toMatchObject({ active: 1 });
    expect(stat(keys.membersDay(A, '2027-04-03'))).toBeUndefined();

    // Lapsed: no longer renewing.
    const lapsed = { ...renewed, status: 'lapsed', updatedAt: '2028-04-20T00:00:00.000Z', version: 4 };
    await consume(record('MODIFY', { old: renewed, new: lapsed }));
    expect(stat(keys.membersTotal(A))).toMatchObject({ active: 0, lapsed: 1 });
    expect(stat(keys.renewalsDay(A, '2028-04-03'))).toMatchObject({ count: 0 });
  });

  it('counts a redelivered batch once', async () => {
    const joined = member({ userId: 'u2', status: 'active', currentPeriodEnd: '2027-01-10T00:00:00.000Z', updatedAt: '2026-05-01T10:00:00.000Z' });
    const batch = [record('INSERT', { new: joined }, 'evt-same-1'), record('MODIFY', { old: joined, new: { ...joined, status: 'past_due', updatedAt: '2026-05-02T00:00:00.000Z' } }, 'evt-same-2')];
    await consume(...batch);
    const writesBefore = ddb.commandCalls(TransactWriteCommand).length;
    // At-least-once delivery: the same records again (e.g. a retried batch).
    const again = await consume(...batch);
    expect(again.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand).length).toBe(writesBefore + 1); // one transaction for the batch, refused by both markers
    // Summed in the batch: the join's +1 active and the change's -1 never reach the table.
    expect(stat(keys.membersTotal(A))).toMatchObject({ past_due: 1 });
    expect(stat(keys.membersTotal(A))?.active ?? 0).toBe(0);
    expect(stat(keys.membersDay(A, '2026-05-01'))).toMatchObject({ active: 1 });
    expect(stat(keys.renewalsDay(A, '2027-01-10'))).toMatchObject({ count: 1 });
    const marker = table.get(keys.statsApplied('evt-same-1').pk, 'SEEN') as unknown as { expiresAt: number };
    expect(marker.expiresAt).toBeGreaterThan(Date.now() / 1000 + 86_400);
  });

  it('ignores a write that changes neither status nor period end (a name change)', async () => {
    const m = member({ userId: 'u3', status: 'active', currentPeriodEnd: '2027-01-10T00:00:00.000Z' });
    await consume(record('MODIFY', { old: m, new: { ...m, name: 'Renamed' } }));
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('ledger counters', () => {
  const payment = (over: Img) => ({ ...keys.payment(A, String(over.paymentId)), entity: 'payment', associationId: A, userId: 'u1', kind: 'stripe', currency: 'eur', paidAt: '2026-06-15T10:00:00.000Z', createdAt: '2026-06-15T10:00:00.000Z', ...over });
  it('sums payments and refunds per month and currency; failures and unmatched money are not dues', async () => {
    await consume(
      record('INSERT', { new: payment({ paymentId: 'p1', type: 'payment', amount: 5000 }) }),
      record('INSERT', { new: payment({ paymentId: 'p2', amount: 2500 }) }), // entries from before `type`
      record('INSERT', { new: payment({ paymentId: 'p3', type: 'refund', amount: 1000, paidAt: '2026-06-20T00:00:00.000Z' }) }),
      record('INSERT', { new: payment({ paymentId: 'p4', type: 'failure', amount: 5000 }) }),
      record('INSERT', { new: payment({ paymentId: 'p5', type: 'unmatched', amount: 700 }) }),
      record('INSERT', { new: payment({ paymentId: 'p6', type: 'payment', amount: 900, currency: 'USD', paidAt: '2026-07-01T00:00:00.000Z' }) }),
    );
    expect(stat(keys.duesMonth(A, '2026-06', 'eur'))).toMatchObject({ amount: 7500, refunded: 1000 });
    expect(stat(keys.duesMonth(A, '2026-07', 'usd'))).toMatchObject({ amount: 900 });
  });
});

describe('event counters', () => {
  const E = 'evtS';
  const rsvp = (over: Parameters<typeof makeRsvp>[0]) => rsvpItem(makeRsvp({ eventId: E, associationId: A, ...over })) as Img;
  it('counts seats going and waitlisted per hour, moves them on a promotion, and counts check-ins per quarter hour', async () => {
    const going = rsvp({ userId: 'g1', status: 'going', guests: 1, updatedAt: '2026-03-01T09:10:00.000Z' });
    const waiting = rsvp({ userId: 'w1', status: 'waitlisted', guests: 0, updatedAt: '2026-03-01T09:50:00.000Z' });
    await consume(record('INSERT', { new: going }), record('INSERT', { new: waiting }));
    expect(stat(keys.rsvpsHour(E, '2026-03-01T09'))).toMatchObject({ going: 2, waitlisted: 1 });
    const promoted = { ...waiting, status: 'going', updatedAt: '2026-03-02T12:00:00.000Z' };
    await consume(record('MODIFY', { old: waiting, new: promoted }));
    expect(stat(keys.rsvpsHour(E, '2026-03-02T12'))).toMatchObject({ going: 1, waitlisted: -1 });
    expect(stat(keys.eventTotals(E))).toMatchObject({ going: 3, waitlisted: 0 });

    const checkedIn = { ...going, checkedInAt: '2026-03-10T18:07:00.000Z' };
    await consume(record('MODIFY', { old: going, new: checkedIn }));
    expect(stat(keys.checkInsSlot(E, '2026-03-10T18:00'))).toMatchObject({ count: 1 });
    expect(stat(keys.eventTotals(E))).toMatchObject({ going: 3 });

    // Cancelled: the seats leave.
    await consume(record('MODIFY', { old: checkedIn, new: { ...checkedIn, status: 'not_going', updatedAt: '2026-03-10T19:00:00.000Z' } }));
    expect(stat(keys.eventTotals(E))).toMatchObject({ going: 1 });
  });

  it('counts match ratings and met once per side, and a changed rating moves', async () => {
    const match = { ...keys.match(E, 'm1'), entity: 'match', matchId: 'm1', eventId: E, associationId: A, a: 'x', b: 'y', feedback: {} };
    const rated = { ...match, feedback: { a: { rating: 4, met: true, at: '2026-03-11T10:00:00.000Z' } } };
    await consume(record('MODIFY', { old: match, new: rated }));
    const both = { ...match, feedback: { a: { rating: 5, met: true, at: '2026-03-11T11:00:00.000Z' }, b: { rating: 2, met: false, at: '2026-03-11T12:00:00.000Z' } } };
    await consume(record('MODIFY', { old: rated, new: both }));
    expect(stat(keys.eventTotals(E))).toMatchObject({ r4: 0, r5: 1, r2: 1, met: 1, rated: 2 });
  });
});

describe('counting a batch at once', () => {
  const E = 'evtBatch';
  const joins = (n: number) => Array.from({ length: n }, (_, i) => record('INSERT', { new: rsvpItem(makeRsvp({ eventId: E, associationId: A, userId: `b${i}`, status: 'going', guests: 0, updatedAt: '2026-04-01T10:20:00.000Z' })) as Img }));
  const going = () => (stat(keys.eventTotals(E)) as { going?: number } | undefined)?.going ?? 0;
  const markers = (t: TransactItemLike[]) => t.filter((i) => i.Put?.Item.pk.startsWith('STATSEEN#')).length;
  type TransactItemLike = { Put?: { Item: { pk: string } }; Update?: { Key: { pk: string; sk: string } } };
  const transactions = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems as TransactItemLike[]);

  it('writes each counter item once per batch, beside a marker per record', async () => {
    const res = await countBatch({ Records: joins(50) } as DynamoDBStreamEvent);
    expect(res.batchItemFailures).toEqual([]);
    const [only, ...more] = transactions();
    expect(more).toHaveLength(0);
    expect(markers(only!)).toBe(50);
    expect(only!.filter((i) => i.Update).map((i) => i.Update!.Key.sk).sort()).toEqual(['RSVPHOUR#2026-04-01T10', 'TOTALS']);
    expect(going()).toBe(50);
    expect(stat(keys.rsvpsHour(E, '2026-04-01T10'))).toMatchObject({ going: 50 });
  });

  it('chunks a batch past 100 transaction items; a write failing mid-batch reports from the first record not counted, and the retry counts nothing twice', async () => {
    const batch = joins(250);
    // 98 markers and the 2 counter items fill a transaction: chunks of 98, 98 and 54. The second fails.
    table.onTransact = (_items, n) => (n === 1 ? Object.assign(new Error('internal error'), { name: 'InternalServerError' }) : undefined);
    const res = await streams({ Records: batch } as DynamoDBStreamEvent, lambdaContext);
    expect(transactions().every((t) => t.length <= 100)).toBe(true);
    expect(going()).toBe(98);
    // Stream order, from the failed chunk's first record: Lambda retries from the first one listed.
    expect(res.batchItemFailures).toEqual(batch.slice(98).map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber })));

    table.onTransact = undefined;
    const retried = await streams({ Records: batch.slice(98) } as DynamoDBStreamEvent, lambdaContext);
    expect(retried.batchItemFailures).toEqual([]);
    expect(going()).toBe(250);
    // And the whole batch again (a redelivery after a timeout): nothing more.
    await streams({ Records: batch } as DynamoDBStreamEvent, lambdaContext);
    expect(going()).toBe(250);
  });

  it('leaves out the records a concurrent redelivery counted, and counts the rest of the chunk once', async () => {
    const batch = joins(5);
    for (const r of [batch[1]!, batch[3]!]) table.put({ ...keys.statsApplied(r.eventID!), entity: 'stat_applied' });
    expect((await countBatch({ Records: batch } as DynamoDBStreamEvent)).batchItemFailures).toEqual([]);
    expect(transactions().map(markers)).toEqual([5, 3]);
    expect(going()).toBe(3);
  });

  it('after a conflict on the hot counter items, waits and sends the chunk again', async () => {
    table.onTransact = (items, n) => (n === 0 ? transactionCancelled(items.map((i) => (i.Update ? 'TransactionConflict' : 'None'))) : undefined);
    expect((await countBatch({ Records: joins(10) } as DynamoDBStreamEvent)).batchItemFailures).toEqual([]);
    expect(transactions()).toHaveLength(2);
    expect(going()).toBe(10);
  });

  it('reports the batch when the conflicts do not end (after about 3 s of waits at most)', async () => {
    table.onTransact = (items) => transactionCancelled(items.map((i) => (i.Update ? 'TransactionConflict' : 'None')));
    const batch = [record('INSERT', { new: { entity: 'outbox', mailId: 'x' } }), ...joins(3)];
    const res = await countBatch({ Records: batch } as DynamoDBStreamEvent);
    // The outbox record counts nothing and comes first: the report starts at the first record to count.
    expect(res.batchItemFailures).toEqual(batch.slice(1).map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber })));
    expect(transactions()).toHaveLength(11);
    expect(going()).toBe(0);
  }, 10_000);
});
