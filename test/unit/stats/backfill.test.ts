/** The stats backfill (scripts/migrations/backfill-stats.ts) over an in-memory table: counters from existing items, by key ranges only, the same on a second run. */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { backfillStats } from '../../../scripts/migrations/backfill-stats.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import * as keys from '../../../functions/core/data/keys.js';
import { FakeTable } from '../../support/fake-table.js';
import { makeMember } from '../../support/factories.js';
import { eventItem, makeEvent, makeRsvp, rsvpItem } from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
const A = 'assocB1';
const E = 'evtB1';

it('builds member, dues, renewal, RSVP and check-in counters from what is stored, and a rerun changes nothing', async () => {
  const table = new FakeTable([
    memberItem(makeMember({ associationId: A, userId: 'u1', status: 'active', joinedAt: '2026-01-05T10:00:00.000Z', currentPeriodEnd: '2027-01-05T10:00:00.000Z' })),
    memberItem(makeMember({ associationId: A, userId: 'u2', status: 'lapsed', joinedAt: '2026-02-01T10:00:00.000Z', currentPeriodEnd: '2026-03-01T00:00:00.000Z' })),
    { ...keys.payment(A, 'p1'), entity: 'payment', associationId: A, type: 'payment', amount: 12000, currency: 'eur', paidAt: '2026-01-05T10:00:00.000Z' },
    { ...keys.payment(A, 'p2'), entity: 'payment', associationId: A, type: 'refund', amount: 2000, currency: 'eur', paidAt: '2026-01-20T10:00:00.000Z' },
    eventItem(makeEvent({ eventId: E, associationId: A })),
    rsvpItem(makeRsvp({ eventId: E, associationId: A, userId: 'u1', status: 'going', guests: 1, updatedAt: '2026-03-01T09:30:00.000Z', checkedInAt: '2026-03-10T18:20:00.000Z' })),
    rsvpItem(makeRsvp({ eventId: E, associationId: A, userId: 'u2', status: 'waitlisted', guests: 0, updatedAt: '2026-03-02T09:30:00.000Z' })),
  ]).attach(ddb);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const stat = (k: { pk: string; sk: string }) => table.get(k.pk, k.sk);
  const expectCounters = () => {
    expect(stat(keys.membersTotal(A))).toMatchObject({ active: 1, lapsed: 1 });
    expect(stat(keys.membersDay(A, '2026-01-05'))).toMatchObject({ active: 1 });
    expect(stat(keys.duesMonth(A, '2026-01', 'eur'))).toMatchObject({ amount: 12000, refunded: 2000 });
    expect(stat(keys.renewalsDay(A, '2027-01-05'))).toMatchObject({ count: 1 });
    expect(stat(keys.renewalsDay(A, '2026-03-01'))).toBeUndefined();
    expect(stat(keys.eventTotals(E))).toMatchObject({ going: 2, waitlisted: 1 });
    expect(stat(keys.checkInsSlot(E, '2026-03-10T18:15'))).toMatchObject({ count: 1 });
  };
  const counts = await backfillStats(db, process.env.TABLE_NAME ?? 'test-table', A);
  expect(counts).toEqual({ members: 2, payments: 2, events: 1, rsvps: 2, matches: 0 });
  expectCounters();
  await backfillStats(db, process.env.TABLE_NAME ?? 'test-table', A);
  expectCounters();
  expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
});
