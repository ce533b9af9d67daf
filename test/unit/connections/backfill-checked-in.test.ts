/** The one-off backfill of the checked-in index keys on RSVPs, against a mocked DocumentClient. */
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { backfillCheckedIn } from '../../../scripts/migrations/backfill-checked-in.js';
import * as keys from '../../../functions/core/data/keys.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const old = (eventId: string, userId: string) => ({ ...keys.rsvp(eventId, userId), entity: 'rsvp', eventId, userId, status: 'going', checkedInAt: '2026-05-01T18:00:00.000Z' });

it('adds the checked-in keys to old RSVPs across scan pages, only where the check-in is there without them, and skips one changed meanwhile', async () => {
  ddb.on(ScanCommand).resolvesOnce({ Items: [old('e1', 'u1')], LastEvaluatedKey: { pk: 'x', sk: 'y' } }).resolvesOnce({ Items: [old('e1', 'u2'), old('e2', 'u3')] });
  ddb.on(UpdateCommand).callsFake((input: { Key: { sk: string } }) => {
    if (input.Key.sk === 'RSVP#u2') throw new ConditionalCheckFailedException({ message: 'changed', $metadata: {} });
    return {};
  });

  expect(await backfillCheckedIn(doc, 'test-table')).toEqual({ scanned: 3, indexed: 2, skipped: 1 });
  expect(ddb).toHaveReceivedCommandWith(ScanCommand, { ExclusiveStartKey: { pk: 'x', sk: 'y' } });
  const first = ddb.commandCalls(UpdateCommand)[0].args[0].input;
  expect(first).toMatchObject({
    Key: keys.rsvp('e1', 'u1'),
    UpdateExpression: 'SET gsi2pk = :pk, gsi2sk = :sk',
    ExpressionAttributeValues: { ':pk': keys.rsvpCheckedIn('e1', 'u1').gsi2pk, ':sk': 'u1' },
  });
  expect(first.ConditionExpression).toContain('attribute_not_exists(gsi2pk)');
});

it('fails on anything but a lost condition, rather than reporting a partial backfill as done', async () => {
  ddb.reset();
  ddb.on(ScanCommand).resolves({ Items: [old('e1', 'u1')] });
  ddb.on(UpdateCommand).rejects(new Error('throttled'));
  await expect(backfillCheckedIn(doc, 'test-table')).rejects.toThrow('throttled');
});
