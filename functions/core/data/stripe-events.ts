/** Processed Stripe events: a marker per event id makes each event take effect once. Key formats: keys.ts. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { type Table } from './table.js';

const EVENT_RETENTION_S = 30 * 86_400; // Stripe retries for 3 days; keep a safe margin.

/** Transaction parts of this entity, for the table named `table`. */
export function stripeEventsOps(table: string) {
  function eventMarkerPut(eventId: string, at: string) {
    return {
      Put: {
        TableName: table,
        Item: { ...keys.stripeEvent(eventId), entity: 'stripe_event', processedAt: at, expiresAt: Math.floor(Date.parse(at) / 1000) + EVENT_RETENTION_S },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  return { eventMarkerPut };
}

export function stripeEventsRepo(t: Table) {
  const { db, name: table, write } = t;
  const { eventMarkerPut } = stripeEventsOps(t.name);
  return {
    /** Has this Stripe event already taken effect? */
    async eventProcessed(eventId: string): Promise<boolean> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.stripeEvent(eventId), ProjectionExpression: 'pk' }));
      return !!res.Item;
    },

    /** Records an event that changes nothing of ours, so a replay is recognised at once. */
    async markEventProcessed(eventId: string, at: string): Promise<void> {
      await write(() => db.send(new PutCommand(eventMarkerPut(eventId, at).Put)));
    },
  };
}

export type StripeEventsRepo = ReturnType<typeof stripeEventsRepo>;
