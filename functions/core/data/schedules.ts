/** Local mode's stand-in for EventBridge Scheduler: one-time schedules by day. Key formats: keys.ts. */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type IndexName } from './table-schema.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { type Table } from './table.js';

export function schedulesRepo(t: Table) {
  const { db, name: table } = t;
  return {
    async putLocalSchedule(name: string, at: string, payload: Record<string, unknown>): Promise<void> {
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.localSchedule(name), ...keys.localScheduleDue(at, name), entity: 'schedule', name, at, payload } }));
    },

    async deleteLocalSchedule(name: string): Promise<void> {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.localSchedule(name) }));
    },

    async localSchedulesOn(day: string): Promise<{ name: string; at: string; payload: Record<string, unknown> }[]> {
      const res = await db.send(new QueryCommand({ TableName: table, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.localSchedulesOn(day).gsi2pk } }));
      return (res.Items ?? []).map((i) => ({ name: i.name as string, at: i.at as string, payload: i.payload as Record<string, unknown> }));
    },
  };
}

export type SchedulesRepo = ReturnType<typeof schedulesRepo>;
