/**
 * The DynamoDB Streams consumer: the outbox's sender, the one function that sends mail. New
 * outbox items, and those the daily sweep marks for retry, are sent (each claimed first, so a
 * retried batch sends nothing twice); new broadcasts are expanded
 * into outbox items; an RSVP write that asks for a mail (a new `mail` id) gets it built
 * and queued; an event with free seats and a waitlist gets its waitlist promoted; a new export
 * job item gets its job started.
 * Member, ledger, RSVP and match changes are counted into the dashboards' counters.
 * Failed records are reported one by one, so a retry covers only them.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventsDeps, store, mailer } from '../core/deps.js';
import { deliver } from '../core/services/outbox.js';
import { expandBroadcast, mailLookup, promoteWaitlisted, queueRsvpMail, type MailLookup } from '../core/services/events.js';
import { logger } from '../core/http/logger.js';
import { exportJobs } from '../core/export-jobs.js';
import { countStreamBatch, plainImage } from '../core/services/stats.js';
import type { Rsvp } from '../core/domain/events.js';

const deps = eventsDeps();
const jobs = exportJobs();

type Image = Record<string, { S?: string; N?: string; NULL?: boolean }>;
const str = (img: Image, k: string) => img[k]?.S;
const num = (img: Image, k: string) => (img[k]?.N !== undefined ? Number(img[k]!.N) : img[k]?.NULL ? null : undefined);

/**
 * An outbox MODIFY is sent on only when the daily sweep marked the mail for retry (its `retry`
 * count changed: data/outbox.ts markMailForRetry), never on this consumer's own claim and
 * finish, which leave it as it was. The claim still decides, so a retry sends at most once.
 */
const retried = (record: DynamoDBStreamEvent['Records'][number]) =>
  num(record.dynamodb?.NewImage as Image, 'retry') !== num((record.dynamodb?.OldImage ?? {}) as Image, 'retry');

/**
 * Reads only the few attributes it needs, straight from the record: most records (RSVPs,
 * members) are not for this consumer, and a full unmarshall would fail on any attribute
 * shape it does not expect (DynamoDB Local writes empty maps without their type).
 */
async function handleRecord(record: DynamoDBStreamEvent['Records'][number], lookup: MailLookup) {
  const img = record.dynamodb?.NewImage as Image | undefined;
  if (!img) return;
  const entity = str(img, 'entity');
  const now = new Date();
  if (entity === 'outbox' && (record.eventName === 'INSERT' || (record.eventName === 'MODIFY' && retried(record)))) {
    await deliver(store, mailer, str(img, 'mailId')!, now);
  } else if (entity === 'rsvp' && (record.eventName === 'INSERT' || record.eventName === 'MODIFY')) {
    const old = record.dynamodb?.OldImage as Image | undefined;
    const mailId = (img.mail as { M?: Image } | undefined)?.M?.mailId?.S;
    if (mailId && mailId !== (old?.mail as { M?: Image } | undefined)?.M?.mailId?.S) {
      // Sent at once rather than on the outbox item's own record (one stream hop less for the
      // attendee); that record then finds the mail claimed and sends nothing.
      if (await queueRsvpMail(deps, plainImage(img as never) as unknown as Rsvp, now, lookup)) await deliver(store, mailer, mailId, now);
    }
  } else if (record.eventName === 'INSERT' && entity === 'exportJob') {
    // Started here, not by the request: the job runs exactly when its item exists.
    await jobs.start({ associationId: str(img, 'associationId')!, exportId: str(img, 'exportId')! });
  } else if (record.eventName === 'INSERT' && entity === 'broadcast') {
    await expandBroadcast(deps, str(img, 'broadcastId')!, now);
  } else if (record.eventName === 'MODIFY' && entity === 'event' && str(img, 'status') === 'scheduled' && (num(img, 'waitlistCount') ?? 0) > 0) {
    const capacity = num(img, 'capacity') ?? null;
    if (capacity === null || capacity > (num(img, 'goingCount') ?? 0)) {
      await promoteWaitlisted(deps, str(img, 'eventId')!, now);
    }
  }
}

type StreamRecord = DynamoDBStreamEvent['Records'][number];

/**
 * The local stack reads the stream twice (STATS_COUNTING=separate): this consumer for mail and
 * `countBatch` for the counters, so a bulk change's counting never holds mail back.
 */
const countsSeparately = process.env.STATS_COUNTING === 'separate';

/**
 * Counts the batch's records (but those that already failed, which Lambda retries anyway) into
 * the dashboard counters at once (services/stats.ts): summed per counter item, a transaction
 * per chunk. If a chunk fails, it and every record after it are reported, so the retry starts
 * from the first record not counted; what was counted before it is not counted again.
 */
async function countInto(event: DynamoDBStreamEvent, failed: Set<StreamRecord>, fail: (r: StreamRecord, err: unknown) => void) {
  const result = await countStreamBatch(store, event.Records.filter((r) => !failed.has(r)), new Date());
  if (!result.failed) return;
  // Logged once, at the first record not counted; the rest are reported with it.
  const from = event.Records.indexOf(result.failed.from);
  fail(result.failed.from, result.failed.error);
  for (const record of event.Records.slice(from + 1)) failed.add(record);
}

/** The dashboard counters of a batch alone (the local stack's second reader of the stream). */
export async function countBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const failed = new Set<StreamRecord>();
  await countInto(event, failed, (record, err) => {
    logger.error('stream record not counted', { eventID: record.eventID, errorName: (err as Error).name });
    failed.add(record);
  });
  return { batchItemFailures: event.Records.filter((r) => failed.has(r)).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? r.eventID ?? '' })) };
}

export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const failed = new Set<StreamRecord>();
  const fail = (record: StreamRecord, err: unknown) => {
    logger.error('stream record failed', { eventID: record.eventID, errorName: (err as Error).name });
    failed.add(record);
  };
  // Mail first for the whole batch, then the dashboard counters (services/stats.ts, summed
  // per counter item): a batch of bulk changes must not hold its mail behind its counting.
  const lookup = mailLookup(deps);
  for (const record of event.Records) {
    try {
      await handleRecord(record, lookup);
    } catch (err) {
      fail(record, err);
    }
  }
  if (!countsSeparately) await countInto(event, failed, fail);
  // Reported in stream order: Lambda retries from the first one listed.
  const batchItemFailures = event.Records.filter((r) => failed.has(r)).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? r.eventID ?? '' }));
  return { batchItemFailures };
}).use(injectLambdaContext(logger, { resetKeys: true }));
