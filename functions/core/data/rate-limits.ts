/**
 * Fixed-window request counters, one item per (limit, subject, window). One conditional
 * UpdateItem both counts and checks, so concurrent requests can never overshoot the limit:
 * DynamoDB serialises writes to one item and the condition sees every earlier ADD.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { keys } from './keys.js';
import { tableSchema } from './table-schema.js';

export type RateDecision = { allowed: true; count: number } | { allowed: false; retryAfterSeconds: number };

export interface RateLimits {
  /** Counts one request of `subject` against `limit` per `windowSeconds`; refused once the window is full. */
  take(bucket: string, subject: string, limit: number, windowSeconds: number, now: Date): Promise<RateDecision>;
}

export function createRateLimits(db: DynamoDBDocumentClient, table: string): RateLimits {
  return {
    async take(bucket, subject, limit, windowSeconds, now) {
      const nowSeconds = now.getTime() / 1000;
      const windowStart = Math.floor(nowSeconds / windowSeconds) * windowSeconds;
      const windowEnd = windowStart + windowSeconds;
      try {
        const res = await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.rateWindow(bucket, subject, windowStart),
            UpdateExpression: 'ADD #n :one SET #ttl = :exp',
            // A refused request is not counted: the condition fails before the ADD applies.
            ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
            ExpressionAttributeNames: { '#n': 'n', '#ttl': tableSchema.ttlAttribute },
            // Old windows are never read again (the key holds the window start); TTL only tidies up.
            ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':exp': windowEnd },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return { allowed: true, count: Number(res.Attributes?.n ?? 1) };
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(windowEnd - nowSeconds)) };
        }
        throw err;
      }
    },
  };
}
