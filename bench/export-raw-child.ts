/**
 * The raw baseline of bench/export.ts: the paginated Query the export job makes (the event's
 * RSVP# items, filter status = going, Limit 500, every page), items counted and nothing kept.
 * export.ts runs it in its own bench process (warm) and, with this file as a fresh node
 * process, cold as the job is: first connection, cold JIT, the same SDK. Prints its figures.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from '../functions/core/data/keys.js';
import { isMain } from './common.js';

export async function rawQuery(db: DynamoDBDocumentClient, tableName: string, eventId: string) {
  const { pk, skPrefix } = keys.rsvpsPrefix(eventId);
  let items = 0;
  let pages = 0;
  let startKey: Record<string, unknown> | undefined;
  const t0 = performance.now();
  do {
    const res = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        FilterExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix, ':status': 'going' },
        Limit: 500,
        ExclusiveStartKey: startKey,
      }),
    );
    pages++;
    items += res.Items?.length ?? 0;
    startKey = res.LastEvaluatedKey;
  } while (startKey && pages < 10_000);
  return { ms: performance.now() - t0, items, pages };
}

if (isMain(import.meta.url)) {
  const { endpoint, tableName, eventId } = JSON.parse(process.argv[2] ?? '{}') as { endpoint: string; tableName: string; eventId: string };
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const result = await rawQuery(db, tableName, eventId);
  db.destroy();
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}
