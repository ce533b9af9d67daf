/**
 * The DynamoDB Streams consumer: the outbox's sender. New outbox items are sent (each
 * claimed first, so a retried batch sends nothing twice); new broadcasts are expanded
 * into outbox items; an event with free seats and a waitlist gets its waitlist promoted.
 * Failed records are reported one by one, so a retry covers only them.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventsDeps, store, mailer } from '../core/deps.js';
import { deliver } from '../core/services/outbox.js';
import { expandBroadcast, promoteWaitlisted } from '../core/services/events.js';
import { logger } from '../core/http/logger.js';

const deps = await eventsDeps();

async function handleRecord(record: DynamoDBStreamEvent['Records'][number]) {
  const image = record.dynamodb?.NewImage ? unmarshall(record.dynamodb.NewImage as never) : undefined;
  if (!image) return;
  const now = new Date();
  if (record.eventName === 'INSERT' && image.entity === 'outbox') {
    await deliver(store, mailer, image.mailId, now);
  } else if (record.eventName === 'INSERT' && image.entity === 'broadcast') {
    await expandBroadcast(deps, image.broadcastId, now);
  } else if (record.eventName === 'MODIFY' && image.entity === 'event' && image.status === 'scheduled' && image.waitlistCount > 0) {
    if (image.capacity === null || image.capacity > image.goingCount) {
      const association = await store.getAssociation(image.associationId);
      if (association) await promoteWaitlisted(deps, association, image.eventId, now);
    }
  }
}

export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await handleRecord(record);
    } catch (err) {
      logger.error('stream record failed', { eventID: record.eventID, errorName: (err as Error).name });
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
    }
  }
  return { batchItemFailures };
}).use(injectLambdaContext(logger, { resetKeys: true }));
