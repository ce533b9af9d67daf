/**
 * One-off migration: builds the dashboards' counters (data/stats.ts) from what is already
 * stored, for associations (and their events) from before the counters existed. Reads only
 * by key ranges, in pages: the association's MEMBER# and PAYMENT# items, its events on gsi1,
 * each event's RSVP# and MATCH# items. The same domain rules as the stream consumer
 * (domain/stats.ts) turn each item into counter deltas, as if it had just been written;
 * then each stats partition is replaced whole, so running it again gives the same result.
 *
 * What history cannot be rebuilt: a member counts in their current status from the day
 * they joined, an RSVP in its current status from its last change. Money, renewals,
 * check-ins and ratings are exact. Run it while no stream records for these associations
 * are waiting (counts the stream adds during the run may be overwritten); it is not a
 * request path.
 *
 * Run: TABLE_NAME=... [DYNAMODB_ENDPOINT=...] tsx scripts/migrations/backfill-stats.ts <associationId>...
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as keys from '../../functions/core/data/keys.js';
import { createTable } from '../../functions/core/data/table.js';
import { statsRepo, mergeUpdates } from '../../functions/core/data/stats.js';
import { counterDeltas, type CounterDelta, type Img } from '../../functions/core/domain/stats.js';
import { cli, queryPages } from './run.js';

const pages = (db: DynamoDBDocumentClient, input: QueryCommandInput) => queryPages(db, { ...input, Limit: 500 });

const prefixed = (table: string, pk: string, prefix: string): QueryCommandInput => ({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': prefix } });

export async function backfillStats(db: DynamoDBDocumentClient, table: string, associationId: string): Promise<{ members: number; payments: number; events: number; rsvps: number; matches: number }> {
  const counts = { members: 0, payments: 0, events: 0, rsvps: 0, matches: 0 };
  const assocDeltas: CounterDelta[] = [];
  const asNew = (item: Img, at: string) => counterDeltas({ eventName: 'INSERT', new: item }, at);

  const m = keys.membersPrefix(associationId);
  for await (const item of pages(db, prefixed(table, m.pk, m.skPrefix))) {
    counts.members++;
    // Counted in their current status from the day they joined (the history between is not stored).
    assocDeltas.push(...asNew({ ...item, updatedAt: item.joinedAt ?? item.updatedAt }, String(item.joinedAt ?? item.updatedAt)));
  }
  const p = keys.paymentsPrefix(associationId);
  for await (const item of pages(db, prefixed(table, p.pk, p.skPrefix))) {
    counts.payments++;
    assocDeltas.push(...asNew(item, String(item.paidAt)));
  }
  const stats = statsRepo(createTable(db, table));
  await stats.replaceStatsPartition(keys.associationStats(associationId).pk, mergeUpdates(assocDeltas));

  const ev = keys.eventsOfAssociation(associationId);
  for await (const event of pages(db, { TableName: table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': ev.gsi1pk } })) {
    counts.events++;
    const c = await backfillEventStats(db, table, String(event.eventId));
    counts.rsvps += c.rsvps;
    counts.matches += c.matches;
  }
  return counts;
}

/** One event's counters from its RSVP# and MATCH# items (also used by `npm run seed` for its past event). */
export async function backfillEventStats(db: DynamoDBDocumentClient, table: string, eventId: string): Promise<{ rsvps: number; matches: number }> {
  const counts = { rsvps: 0, matches: 0 };
  const asNew = (item: Img, at: string) => counterDeltas({ eventName: 'INSERT', new: item }, at);
  const deltas: CounterDelta[] = [];
  const r = keys.rsvpsPrefix(eventId);
  for await (const item of pages(db, prefixed(table, r.pk, r.skPrefix))) {
    counts.rsvps++;
    deltas.push(...asNew(item, String(item.updatedAt ?? item.rsvpAt)));
  }
  const mt = keys.matchesPrefix(eventId);
  for await (const item of pages(db, prefixed(table, mt.pk, mt.skPrefix))) {
    counts.matches++;
    deltas.push(...asNew(item, String(item.createdAt)));
  }
  await statsRepo(createTable(db, table)).replaceStatsPartition(keys.eventStats(eventId).pk, mergeUpdates(deltas));
  return counts;
}

await cli(
  import.meta.url,
  async (db, table, ids) => {
    for (const id of ids) console.log(id, await backfillStats(db, table, id));
  },
  { argsName: 'association ids' },
);
