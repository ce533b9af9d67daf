/**
 * One-off migration for tables with check-ins recorded before the checked-in index (gsi2 on
 * the RSVP, read by "People who were there"): sets the index keys on each RSVP that has a
 * check-in and lacks them. A maintenance job, not a request path, so it may Scan (in pages,
 * filtered to checked-in RSVPs). Each update only adds the keys and is conditioned on the
 * check-in still being there without them, so a concurrent write is never undone.
 *
 * Run: TABLE_NAME=... [DYNAMODB_ENDPOINT=...] tsx scripts/migrations/backfill-checked-in.ts
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as keys from '../../functions/core/data/keys.js';
import { cli, scanPages } from './run.js';

export async function backfillCheckedIn(db: DynamoDBDocumentClient, table: string): Promise<{ scanned: number; indexed: number; skipped: number }> {
  const out = { scanned: 0, indexed: 0, skipped: 0 };
  const rsvps = scanPages(db, {
    TableName: table,
    FilterExpression: 'entity = :rsvp AND attribute_exists(checkedInAt) AND checkedInAt <> :null AND attribute_not_exists(gsi2pk)',
    ExpressionAttributeValues: { ':rsvp': 'rsvp', ':null': null },
  });
  for await (const item of rsvps) {
    out.scanned++;
    const { eventId, userId } = item as { eventId: string; userId: string };
    const index = keys.rsvpCheckedIn(eventId, userId);
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.rsvp(eventId, userId),
          UpdateExpression: 'SET gsi2pk = :pk, gsi2sk = :sk',
          ConditionExpression: 'attribute_exists(checkedInAt) AND checkedInAt <> :null AND attribute_not_exists(gsi2pk)',
          ExpressionAttributeValues: { ':pk': index.gsi2pk, ':sk': index.gsi2sk, ':null': null },
        }),
      );
      out.indexed++;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      out.skipped++;
    }
  }
  return out;
}

await cli(import.meta.url, async (db, table) => console.log(await backfillCheckedIn(db, table)));
