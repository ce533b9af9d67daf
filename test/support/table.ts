/**
 * A tiny in-memory stand-in behind a mocked DynamoDBDocumentClient, for handler tests:
 * GetItem answers by key, Query by partition key and sort-key prefix (filters are not
 * evaluated), BatchGet by keys. Writes are only recorded by the mock, never applied, so
 * a test asserts the commands sent rather than a resulting state.
 */
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { keys } from '../../functions/core/data/keys.js';
import { tableSchema } from '../../functions/core/data/table-schema.js';
import { memberItem as storeMemberItem } from '../../functions/core/data/member-item.js';
import type { Association, Member, Plan, Profile } from '../../functions/core/domain/types.js';

export type Item = Record<string, unknown> & { pk: string; sk: string };

export const associationItem = (a: Association): Item => ({ ...keys.association(a.associationId), type: 'association', ...a });
export const planItem = (p: Plan): Item => ({ ...keys.plan(p.associationId, p.planId), type: 'plan', ...p });
/** As the store writes it (index keys included), so index reads find it. */
export const memberItem = (m: Member): Item => ({ ...storeMemberItem(m), type: 'member' });
export const profileItem = (p: Profile): Item => ({ ...keys.profile(p.userId), type: 'profile', ...p });

/** Serves `items` to reads; writes succeed and change nothing. */
export function serveTable(ddb: AwsClientStub<DynamoDBDocumentClient>, items: Item[]): void {
  const byKey = new Map(items.map((it) => [`${it.pk}|${it.sk}`, it]));
  ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const it = byKey.get(`${input.Key.pk}|${input.Key.sk}`);
    return it ? { Item: structuredClone(it) } : {};
  });
  ddb.on(QueryCommand).callsFake((input: { IndexName?: string; ExpressionAttributeValues: Record<string, string> }) => {
    const pk = input.ExpressionAttributeValues[':pk'];
    const prefix = input.ExpressionAttributeValues[':sk'] ?? '';
    const index = tableSchema.globalSecondaryIndexes.find((g) => g.indexName === input.IndexName);
    const [pkAttr, skAttr] = index ? [index.partitionKey, index.sortKey] : ['pk', 'sk'];
    const found = items.filter((it) => it[pkAttr] === pk && String(it[skAttr] ?? '').startsWith(prefix));
    return { Items: structuredClone(found) };
  });
  ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => {
    const Responses: Record<string, Item[]> = {};
    for (const [table, { Keys }] of Object.entries(input.RequestItems)) {
      Responses[table] = Keys.map((k) => byKey.get(`${k.pk}|${k.sk}`)).filter((it): it is Item => !!it).map((it) => structuredClone(it));
    }
    return { Responses };
  });
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
}
