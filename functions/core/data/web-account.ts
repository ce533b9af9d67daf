/**
 * Reads the account page needs beyond the entity stores, all by key under the person's
 * own partition, so nobody can reach another person's items through them: one payment of
 * the payer (gsi1 `USER#<id>` / `PAYMENT#<assoc>#<paymentId>`, exact) and the pointers to
 * their matches (`USER#<id>` / `MATCH#<eventId>#<matchId>`, written by the matching service).
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Payment } from '../domain/types.js';
import * as keys from './keys.js';

const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity'];
const strip = <T>(item: Record<string, unknown>): T => Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRS.includes(k))) as T;

export function createAccountReads(db: DynamoDBDocumentClient, table: string) {
  return {
    /** The payer's own ledger entry, or undefined: someone else's payment id finds nothing here. */
    async paymentOfPayer(userId: string, associationId: string, paymentId: string): Promise<Payment | undefined> {
      const k = keys.paymentOfUser(userId, associationId, paymentId);
      const res = await db.send(
        new QueryCommand({ TableName: table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk', ExpressionAttributeValues: { ':pk': k.gsi1pk, ':sk': k.gsi1sk }, Limit: 1 }),
      );
      const item = res.Items?.[0];
      return item ? strip<Payment>(item) : undefined;
    },

    /**
     * The person's match pointers, most recently created events first (event ids are ULIDs), at most
     * `limit`: one bounded range read of their own partition.
     */
    async matchRefsOfUser(userId: string, limit: number): Promise<{ eventId: string; matchId: string }[]> {
      const { pk, skPrefix } = keys.matchesOfUserPrefix(userId);
      const out: { eventId: string; matchId: string }[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix },
            ProjectionExpression: 'eventId, matchId',
            // Newest first, so the cap keeps the recent events.
            ScanIndexForward: false,
            Limit: limit - out.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const i of res.Items ?? []) out.push({ eventId: i.eventId as string, matchId: i.matchId as string });
        startKey = res.LastEvaluatedKey;
      } while (startKey && out.length < limit);
      return out;
    },
  };
}

export type AccountReads = ReturnType<typeof createAccountReads>;
