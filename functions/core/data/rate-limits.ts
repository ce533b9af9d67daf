/**
 * Fixed-window request counters, one item per (limit, subject, window). One conditional
 * UpdateItem both counts and checks, so concurrent requests can never overshoot the limit:
 * DynamoDB serialises writes to one item and the condition sees every earlier ADD.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { rateWindow, type RateWindow } from './rate-window.js';
import { tableSchema } from './table-schema.js';

export type RateDecision = { allowed: true; count: number } | { allowed: false; retryAfterSeconds: number };

export interface RateLimits {
  /** Counts one request of `subject` against `limit` per `windowSeconds`; refused once the window is full. */
  take(bucket: string, subject: string, limit: number, windowSeconds: number, now: Date): Promise<RateDecision>;
}

export { rateWindow, type RateWindow } from './rate-window.js';

/** The same counting as `take`, as one item of a transaction: the transaction fails on it once the window is full. */
export function rateTakeItem(table: string, w: RateWindow) {
  return {
    Update: {
      TableName: table,
      Key: w.key,
      UpdateExpression: 'ADD #n :one SET #ttl = :exp',
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
      ExpressionAttributeNames: { '#n': 'n', '#ttl': tableSchema.ttlAttribute },
      ExpressionAttributeValues: { ':one': 1, ':limit': w.limit, ':exp': w.windowEnd },
    },
  };
}

export function createRateLimits(db: DynamoDBDocumentClient, table: string): RateLimits {
  return {
    async take(bucket, subject, limit, windowSeconds, now) {
      const w = rateWindow(bucket, subject, limit, windowSeconds, now);
      try {
        // A refused request is not counted: the condition fails before the ADD applies. Old
        // windows are never read again (the key holds the window start); TTL only tidies up.
        const res = await db.send(new UpdateCommand({ ...rateTakeItem(table, w).Update, ReturnValues: 'UPDATED_NEW' }));
        return { allowed: true, count: Number(res.Attributes?.n ?? 1) };
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') {
          return { allowed: false, retryAfterSeconds: w.retryAfterSeconds };
        }
        throw err;
      }
    },
  };
}
