/** The one-off backfill of the member-list index keys, against a mocked DocumentClient. */
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { backfillMemberIndexes } from '../../../scripts/migrations/backfill-member-indexes.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import * as keys from '../../../functions/core/data/keys.js';
import { makeMember } from '../../support/factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

/** A member as stored before gsi3-gsi7 existed. */
const legacy = (userId: string, version: number) => {
  const m = makeMember({ userId, name: `Old ${userId}`, version });
  return { ...keys.member(m.associationId, m.userId), ...keys.memberByUser(m.userId, m.associationId), entity: 'member', ...m, nameLower: m.name.toLowerCase(), emailLower: m.email.toLowerCase() };
};

it('rewrites old member items with their index keys at the version read, across scan pages, and skips members changed meanwhile', async () => {
  const current = memberItem(makeMember({ userId: 'user-new', version: 4 }));
  ddb.on(ScanCommand).resolvesOnce({ Items: [legacy('user-a', 2), current], LastEvaluatedKey: { pk: 'x', sk: 'y' } }).resolvesOnce({ Items: [legacy('user-b', 7)] });
  // user-b was written meanwhile: its version moved on.
  ddb.on(PutCommand).callsFake((input: { Item: { userId: string } }) => {
    if (input.Item.userId === 'user-b') throw new ConditionalCheckFailedException({ message: 'changed', $metadata: {} });
    return {};
  });

  expect(await backfillMemberIndexes(doc, 'test-table')).toEqual({ scanned: 3, rewritten: 1, skipped: 1 });
  expect(ddb).toHaveReceivedCommandTimes(ScanCommand, 2);
  expect(ddb).toHaveReceivedCommandWith(ScanCommand, { ExclusiveStartKey: { pk: 'x', sk: 'y' } });
  const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
  expect(puts).toHaveLength(2);
  const a = puts.find((p) => p.Item!.userId === 'user-a')!;
  expect(a.Item).toEqual(memberItem(makeMember({ userId: 'user-a', name: 'Old user-a', version: 2 })));
  expect(a.Item).toMatchObject({ gsi4pk: 'ASSOC#assocA#STATUS#active', gsi5sk: 'old user-a#user-a' });
  expect(a).toMatchObject({ ConditionExpression: '#version = :v', ExpressionAttributeValues: { ':v': 2 } });
});
