/**
 * One-off migration for tables created before the member-list indexes (gsi3-gsi7): rewrites
 * each member item that lacks their keys as `memberItem` builds it. A maintenance job, not a
 * request path, so it may Scan (in pages, filtered to members). Each Put is conditioned on
 * the version read and keeps it (the member's data does not change); a member written
 * meanwhile already has its keys (every write uses memberItem), so a lost race is skipped.
 *
 * Run: TABLE_NAME=... [DYNAMODB_ENDPOINT=...] tsx scripts/migrations/backfill-member-indexes.ts
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { memberItem } from '../../functions/core/data/member-item.js';
import { tableSchema } from '../../functions/core/data/table-schema.js';
import type { Member } from '../../functions/core/domain/types.js';
import { cli, scanPages } from './run.js';

const derived = ['pk', 'sk', 'entity', 'nameLower', 'emailLower', ...tableSchema.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])];

export async function backfillMemberIndexes(db: DynamoDBDocumentClient, table: string): Promise<{ scanned: number; rewritten: number; skipped: number }> {
  const out = { scanned: 0, rewritten: 0, skipped: 0 };
  for await (const item of scanPages(db, { TableName: table, FilterExpression: 'entity = :member', ExpressionAttributeValues: { ':member': 'member' } })) {
    out.scanned++;
    if (item.gsi5pk) continue; // written since the indexes exist
    const m = Object.fromEntries(Object.entries(item).filter(([k]) => !derived.includes(k))) as unknown as Member;
    try {
      await db.send(new PutCommand({ TableName: table, Item: memberItem(m), ConditionExpression: '#version = :v', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': m.version } }));
      out.rewritten++;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      out.skipped++;
    }
  }
  return out;
}

await cli(import.meta.url, async (db, table) => console.log(await backfillMemberIndexes(db, table)));
