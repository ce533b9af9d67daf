/** Addresses that must not get a kind of mail. Key formats: keys.ts. */
import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys.js';
import { type Table } from './table.js';

export function suppressionsRepo(t: Table) {
  const { db, name: table } = t;
  return {
    async isSuppressed(email: string, kind: string): Promise<boolean> {
      const res = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: [keys.suppression(email, 'ALL'), keys.suppression(email, kind)], ProjectionExpression: 'pk' } } }),
      );
      return (res.Responses?.[table]?.length ?? 0) > 0;
    },

    async suppress(email: string, kind: string, reason: string, at: string): Promise<void> {
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.suppression(email, kind), entity: 'suppression', reason, at } }));
    },
  };
}

export type SuppressionsRepo = ReturnType<typeof suppressionsRepo>;
