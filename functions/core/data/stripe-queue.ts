/**
 * Received Stripe events, recorded raw by the webhook and applied by the stream consumer
 * (functions/stripe-events/handler.ts); events it gave up on, kept as dead letters.
 * Key formats: keys.ts (stripeQueued, stripeDead); why this shape: docs/dues.md.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionFailed } from '../errors.js';
import * as keys from './keys.js';
import { type Table } from './table.js';

// Stripe retries a delivery for 3 days; the record only has to outlive the stream (24 h) and a replay.
const QUEUED_RETENTION_S = 30 * 86_400;
const DEAD_RETENTION_S = 90 * 86_400;

export interface QueuedStripeEvent {
  accountId: string;
  group: string;
  eventId: string;
  type: string;
  created: number;
  /** The event as verified, compact JSON. */
  payload: string;
}

// Only the event's own fields: a record read back from the table carries its keys too.
const fields = ({ accountId, group, eventId, type, created, payload }: QueuedStripeEvent): QueuedStripeEvent => ({ accountId, group, eventId, type, created, payload });

export function stripeQueueRepo(t: Table) {
  const { db, name: table, write } = t;
  return {
    /**
     * The webhook's one write: a conditional Put keyed by the event, so a second delivery of
     * the same event (Stripe retries, or two at once) changes nothing and is told so.
     */
    async recordStripeEvent(e: QueuedStripeEvent, at: string): Promise<'recorded' | 'duplicate'> {
      try {
        await write(() =>
          db.send(
            new PutCommand({
              TableName: table,
              Item: { ...fields(e), ...keys.stripeQueued(e.accountId, e.group, e.created, e.eventId), entity: 'stripe_queued', receivedAt: at, expiresAt: Math.floor(Date.parse(at) / 1000) + QUEUED_RETENTION_S },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
        return 'recorded';
      } catch (err) {
        if (err instanceof ConditionFailed) return 'duplicate';
        throw err;
      }
    },

    /** An event the consumer could not apply after its attempts: kept (once) for the operator. */
    async deadLetterStripeEvent(e: QueuedStripeEvent, failure: { attempts: number; errorName: string; message: string }, at: string): Promise<void> {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...fields(e), ...failure, ...keys.stripeDead(e.accountId, e.created, e.eventId), entity: 'stripe_dead', failedAt: at, expiresAt: Math.floor(Date.parse(at) / 1000) + DEAD_RETENTION_S },
        }),
      );
    },

    async getDeadStripeEvent(accountId: string, created: number, eventId: string): Promise<(QueuedStripeEvent & { attempts: number; errorName: string }) | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.stripeDead(accountId, created, eventId) }));
      return res.Item as (QueuedStripeEvent & { attempts: number; errorName: string }) | undefined;
    },

    /** A replay removes the dead letter once its event is applied. */
    async deleteDeadStripeEvent(accountId: string, created: number, eventId: string): Promise<void> {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.stripeDead(accountId, created, eventId) }));
    },
  };
}

export type StripeQueueRepo = ReturnType<typeof stripeQueueRepo>;
