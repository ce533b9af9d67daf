/**
 * DynamoDB refuses a key condition whose value is the empty string ("The AttributeValue for
 * a key attribute cannot contain an empty string value"); the in-memory table does not, so
 * this checks the queries themselves. Found running the backfill from `npm run seed`
 * against DynamoDB Local: replacing a stats partition read it from sk '' and failed.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { backfillStats } from '../../../scripts/migrations/backfill-stats.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import * as keys from '../../../functions/core/data/keys.js';
import { FakeTable } from '../../support/fake-table.js';
import { makeMember } from '../../support/factories.js';
import { eventItem, makeEvent, makeRsvp, rsvpItem } from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
const A = 'assocE1';
const E = 'evtE1';

it('queries no key with an empty string, also when a stats partition is already there', async () => {
  new FakeTable([
    memberItem(makeMember({ associationId: A, userId: 'u1', status: 'active', joinedAt: '2026-01-05T10:00:00.000Z' })),
    eventItem(makeEvent({ eventId: E, associationId: A })),
    rsvpItem(makeRsvp({ eventId: E, associationId: A, userId: 'u1', status: 'going', updatedAt: '2026-03-01T09:30:00.000Z' })),
  ]).attach(ddb);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  await backfillStats(db, 'test-table', A);
  await backfillStats(db, 'test-table', A);
  const values = ddb.commandCalls(QueryCommand).flatMap((c) => Object.entries(c.args[0].input.ExpressionAttributeValues ?? {}));
  expect(values.length).toBeGreaterThan(0);
  expect(values.filter(([, v]) => v === '')).toEqual([]);
});
