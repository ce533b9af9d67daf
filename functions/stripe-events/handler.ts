/**
 * The DynamoDB Streams consumer of recorded Stripe events (entity stripe_queued, written by
 * the webhook). Records of one partition (one customer: one membership) are applied one
 * after another in stream order; partitions in parallel. An event that keeps failing is
 * dead-lettered by the service and the partition moves on; only a record whose dead letter
 * could not be written is reported, with every later one of its partition, so the stream
 * retries them in order.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as stripeSdk from '../core/payments/stripe.js';
import { duesDeps, duesStore } from '../core/deps-dues.js';
import { table } from '../core/deps.js';
import { stripeQueueRepo } from '../core/data/stripe-queue.js';
import type { QueuedStripeEvent } from '../core/data/stripe-queue.js';
import { applyQueuedStripeEvent } from '../core/services/stripe-queue.js';
import { logger } from '../core/http/logger.js';

// The dues services' repositories and the Stripe queue's: the bundle leaves the others out (deps.ts).
const store = { ...duesStore(table), ...stripeQueueRepo(table) };
const deps = { ...(await duesDeps(store, stripeSdk)), store };

type Image = Record<string, { S?: string; N?: string }>;
type StreamRecord = DynamoDBStreamEvent['Records'][number];

function queuedOf(record: StreamRecord): QueuedStripeEvent | undefined {
  const img = record.dynamodb?.NewImage as Image | undefined;
  if (record.eventName !== 'INSERT' || img?.entity?.S !== 'stripe_queued') return undefined;
  return { accountId: img.accountId!.S!, group: img.group!.S!, eventId: img.eventId!.S!, type: img.type!.S!, created: Number(img.created!.N), payload: img.payload!.S! };
}

export async function consume(records: StreamRecord[]): Promise<DynamoDBBatchResponse> {
  const groups = new Map<string, { record: StreamRecord; queued: QueuedStripeEvent }[]>();
  for (const record of records) {
    const queued = queuedOf(record);
    if (!queued) continue;
    const pk = `${queued.accountId}#${queued.group}`;
    if (!groups.has(pk)) groups.set(pk, []);
    groups.get(pk)!.push({ record, queued });
  }
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    [...groups.values()].map(async (items) => {
      for (let i = 0; i < items.length; i++) {
        try {
          const outcome = await applyQueuedStripeEvent(deps, items[i]!.queued, () => new Date());
          logger.info('stripe event applied', { eventId: items[i]!.queued.eventId, type: items[i]!.queued.type, outcome });
        } catch (err) {
          logger.error('stripe event neither applied nor dead-lettered', { eventId: items[i]!.queued.eventId, errorName: (err as Error).name });
          // This one and the rest of its partition, so a retry keeps their order.
          for (const rest of items.slice(i)) batchItemFailures.push({ itemIdentifier: rest.record.dynamodb?.SequenceNumber ?? rest.record.eventID ?? '' });
          return;
        }
      }
    }),
  );
  return { batchItemFailures };
}

export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => consume(event.Records)).use(injectLambdaContext(logger, { resetKeys: true }));
