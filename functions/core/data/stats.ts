/**
 * Dashboard counters: ADD updates from the stream consumer (a batch's records summed per
 * counter item, each record counted once by a marker in the same transaction) and the range
 * reads the stats routes make. Items live
 * in their own partitions (STATS#ASSOC#…, STATS#EVENT#…). Key formats: keys.ts; why deltas
 * plus a running total: docs/data-model.md.
 */
import { BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import type { Table } from './table.js';
import { ConditionFailed } from '../errors.js';
import { cellsOf, sumIncrements, type CellIncrement, type CounterCell, type CounterDelta, type MemberCounts, type RatingField } from '../domain/stats.js';
import { withoutConflictRetry } from './conflict-retry.js';

/** Stream records live 24 hours; a marker outlives any redelivery of its record. */
const MARKER_TTL_SECONDS = 2 * 86_400;

type Update = { key: Key; set: Record<string, string>; add: Record<string, number> };

/** A counter item's key, and the attributes that name its bucket for people reading the table. */
function itemOf(c: CounterCell): { key: Key; set: Record<string, string> } {
  switch (c.kind) {
    case 'membersTotal':
      return { key: keys.membersTotal(c.associationId), set: { associationId: c.associationId } };
    case 'membersDay':
      return { key: keys.membersDay(c.associationId, c.day), set: { associationId: c.associationId, day: c.day } };
    case 'dues':
      return { key: keys.duesMonth(c.associationId, c.month, c.currency), set: { associationId: c.associationId, month: c.month, currency: c.currency } };
    case 'renewals':
      return { key: keys.renewalsDay(c.associationId, c.day), set: { associationId: c.associationId, day: c.day } };
    case 'eventTotals':
      return { key: keys.eventTotals(c.eventId), set: { eventId: c.eventId } };
    case 'rsvpsHour':
      return { key: keys.rsvpsHour(c.eventId, c.hour), set: { eventId: c.eventId, hour: c.hour } };
    case 'checkIns':
      return { key: keys.checkInsSlot(c.eventId, c.slot), set: { eventId: c.eventId, slot: c.slot } };
  }
}

const updatesOf = (increments: CellIncrement[]): Update[] => increments.map((i) => ({ ...itemOf(i.cell), add: { ...i.add } }));

/** One update per item (a transaction may name an item once), zero sums dropped. */
export function mergeUpdates(deltas: CounterDelta[]): Update[] {
  return updatesOf(sumIncrements(deltas.flatMap(cellsOf)));
}

function updateOf(table: string, u: Update) {
  const names: Record<string, string> = { '#entity': 'entity' };
  const values: Record<string, unknown> = { ':entity': 'stat' };
  const sets = ['#entity = :entity'];
  Object.entries(u.set).forEach(([k, v], i) => {
    names[`#s${i}`] = k;
    values[`:s${i}`] = v;
    sets.push(`#s${i} = :s${i}`);
  });
  // ADD starts a missing counter at 0: the first change of a bucket creates it.
  const adds = Object.entries(u.add).map(([k, v], i) => {
    names[`#a${i}`] = k;
    values[`:a${i}`] = v;
    return `#a${i} :a${i}`;
  });
  return { Update: { TableName: table, Key: u.key, UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}

/** The range reads of the stats routes: their functions leave the stream consumer's writes out of their bundles. */
export function statsReads(t: Table) {
  const { db, name: table } = t;

  /** Every item of a sort-key range of one partition, following pages (the ranges are bounded by their callers). */
  async function range(pk: string, from: string, to: string, opts: { newestFirst?: boolean; max?: number } = {}): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
          ScanIndexForward: !opts.newestFirst,
          ExclusiveStartKey: startKey,
          ...(opts.max ? { Limit: opts.max - out.length } : {}),
        }),
      );
      out.push(...(res.Items ?? []));
      startKey = res.LastEvaluatedKey;
    } while (startKey && (!opts.max || out.length < opts.max));
    return out;
  }

  const get = async (key: Key) => (await db.send(new GetCommand({ TableName: table, Key: key }))).Item ?? {};
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);

  return {
    /**
     * An association's counters: the members total, the daily deltas from `fromDay` on
     * (through today: a day's value is the total minus what came after), the monthly dues
     * and the renewals due per day. Four key reads, each a bounded sort-key range.
     */
    async associationCounters(associationId: string, q: { fromDay: string; fromMonth: string; toMonth: string; renewFrom: string; renewTo: string }) {
      const { pk } = keys.associationStats(associationId);
      const [total, days, dues, renewals] = await Promise.all([
        get(keys.membersTotal(associationId)),
        range(pk, keys.membersDay(associationId, q.fromDay).sk, keys.membersDay(associationId, '\uffff').sk),
        range(pk, keys.duesMonth(associationId, q.fromMonth, '').sk, keys.duesMonth(associationId, q.toMonth, '\uffff').sk),
        range(pk, keys.renewalsDay(associationId, q.renewFrom).sk, keys.renewalsDay(associationId, q.renewTo).sk),
      ]);
      return {
        total: total as Partial<MemberCounts>,
        days: days.map((i) => ({ day: i.day as string, add: i as Partial<MemberCounts> })),
        dues: dues.map((i) => ({ month: i.month as string, currency: i.currency as string, amount: n(i.amount), refunded: n(i.refunded) })),
        renewals: renewals.map((i) => ({ day: i.day as string, count: n(i.count) })),
      };
    },

    /** An event's counters: totals (seats, ratings), the newest `maxHours` hourly RSVP deltas, the check-ins per 15 minutes. */
    async eventCounters(eventId: string, q: { maxHours: number; maxSlots: number }) {
      const { pk } = keys.eventStats(eventId);
      const [totals, hours, slots] = await Promise.all([
        get(keys.eventTotals(eventId)),
        range(pk, keys.rsvpsHour(eventId, '').sk, keys.rsvpsHour(eventId, '\uffff').sk, { newestFirst: true, max: q.maxHours }),
        range(pk, keys.checkInsSlot(eventId, '').sk, keys.checkInsSlot(eventId, '\uffff').sk, { max: q.maxSlots }),
      ]);
      return {
        totals: totals as { going?: number; waitlisted?: number } & Partial<Record<RatingField, number>>,
        hours: hours.map((i) => ({ hour: i.hour as string, going: n(i.going), waitlisted: n(i.waitlisted) })),
        slots: slots.map((i) => ({ slot: i.slot as string, count: n(i.count) })),
      };
    },
  };
}

/** The reads and the writes (the stream consumer's counting, the backfill). */
export function statsRepo(t: Table) {
  const { db, name: table, write } = t;

  return {
    ...statsReads(t),
    /**
     * Counts a chunk of stream records at once (domain/stats.ts, `foldChanges`): one
     * transaction holds a marker per record, keyed by its eventID and conditioned on not
     * existing, and each counter item's summed update, so a redelivered record fails its
     * condition and nothing of the chunk is counted. Then the records already counted are
     * returned (empty when the chunk counted): the caller folds the rest again.
     *
     * Sent once (`withoutConflictRetry`): counter items are hot, and after a conflict the
     * caller waits (services/contention.ts), then sends afresh. A conflict is StoreBusy.
     */
    async applyCountingChunk(streamEventIds: string[], increments: CellIncrement[], now: Date): Promise<{ alreadyCounted: string[] }> {
      if (!streamEventIds.length) return { alreadyCounted: [] };
      const at = now.toISOString();
      const expiresAt = Math.floor(now.getTime() / 1000) + MARKER_TTL_SECONDS;
      try {
        await write(() =>
          db.send(
            withoutConflictRetry(
              new TransactWriteCommand({
                TransactItems: [
                  ...streamEventIds.map((id) => ({
                    Put: { TableName: table, Item: { ...keys.statsApplied(id), entity: 'stat_applied', at, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' },
                  })),
                  ...updatesOf(increments).map((u) => updateOf(table, u)),
                ],
              }),
            ),
          ),
        );
        return { alreadyCounted: [] };
      } catch (err) {
        // Only markers carry a condition: the failed reasons at their places name the records counted before.
        const counted = err instanceof ConditionFailed ? streamEventIds.filter((_, i) => err.reasons[i] === 'ConditionalCheckFailed') : [];
        if (counted.length) return { alreadyCounted: counted };
        throw err;
      }
    },

    /**
     * The backfill's write: replaces a stats partition with recomputed items (deleting the
     * old ones first, so a bucket that no longer has anything does not linger). Not a
     * request path: run while nothing else writes these counters (docs/data-model.md).
     */
    async replaceStatsPartition(pk: string, items: { key: Key; set: Record<string, string>; add: Record<string, number> }[]): Promise<void> {
      // The whole (small, per-association or per-event) stats partition; DynamoDB refuses '' as a range bound.
      const old: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: startKey }));
        old.push(...(res.Items ?? []));
        startKey = res.LastEvaluatedKey;
      } while (startKey);
      const deletes = old.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
      const puts = items.map((u) => ({ PutRequest: { Item: { ...u.key, entity: 'stat', ...u.set, ...u.add } } }));
      for (const batch of [deletes, puts]) {
        for (let i = 0; i < batch.length; i += 25) {
          let request: Record<string, unknown[]> | undefined = { [table]: batch.slice(i, i + 25) };
          for (let attempt = 0; request && request[table]?.length; attempt++) {
            if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
            const res = await db.send(new BatchWriteCommand({ RequestItems: request as never }));
            request = res.UnprocessedItems as typeof request;
          }
        }
      }
    },
  };
}

export type StatsReads = ReturnType<typeof statsReads>;
export type StatsRepo = ReturnType<typeof statsRepo>;
