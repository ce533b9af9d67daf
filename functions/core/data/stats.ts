/**
 * Dashboard counters: ADD updates from the stream consumer (once per stream record, by a
 * marker in the same transaction) and the range reads the stats routes make. Items live
 * in their own partitions (STATS#ASSOC#…, STATS#EVENT#…). Key formats: keys.ts; why deltas
 * plus a running total: docs/data-model.md.
 */
import { BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import type { Table } from './table.js';
import { ConditionFailed } from '../errors.js';
import type { CounterDelta, MemberCounts, RatingField } from '../domain/stats.js';

/** Stream records live 24 hours; a marker outlives any redelivery of its record. */
const MARKER_TTL_SECONDS = 2 * 86_400;

type Update = { key: Key; set: Record<string, string>; add: Record<string, number> };

/** The counter items one delta touches: its bucket, and for running series the total too. */
function itemsOf(d: CounterDelta): Update[] {
  const add = d.add as Record<string, number>;
  switch (d.kind) {
    case 'members':
      return [
        { key: keys.membersDay(d.associationId, d.day), set: { associationId: d.associationId, day: d.day }, add },
        { key: keys.membersTotal(d.associationId), set: { associationId: d.associationId }, add },
      ];
    case 'dues':
      return [{ key: keys.duesMonth(d.associationId, d.month, d.currency), set: { associationId: d.associationId, month: d.month, currency: d.currency }, add }];
    case 'renewals':
      return [{ key: keys.renewalsDay(d.associationId, d.day), set: { associationId: d.associationId, day: d.day }, add }];
    case 'rsvps':
      return [
        { key: keys.rsvpsHour(d.eventId, d.hour), set: { eventId: d.eventId, hour: d.hour }, add },
        { key: keys.eventTotals(d.eventId), set: { eventId: d.eventId }, add },
      ];
    case 'checkIns':
      return [{ key: keys.checkInsSlot(d.eventId, d.slot), set: { eventId: d.eventId, slot: d.slot }, add }];
    case 'ratings':
      return [{ key: keys.eventTotals(d.eventId), set: { eventId: d.eventId }, add }];
  }
}

/** One update per item (a transaction may name an item once), zero sums dropped. */
export function mergeUpdates(deltas: CounterDelta[]): Update[] {
  const byKey = new Map<string, Update>();
  for (const u of deltas.flatMap(itemsOf)) {
    const k = `${u.key.pk}|${u.key.sk}`;
    const into = byKey.get(k) ?? { key: u.key, set: {}, add: {} };
    Object.assign(into.set, u.set);
    for (const [f, v] of Object.entries(u.add)) into.add[f] = (into.add[f] ?? 0) + v;
    byKey.set(k, into);
  }
  const out: Update[] = [];
  for (const u of byKey.values()) {
    for (const f of Object.keys(u.add)) if (!u.add[f]) delete u.add[f];
    if (Object.keys(u.add).length) out.push(u);
  }
  return out;
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
     * Applies the counter changes of one stream record, once: a marker keyed by the
     * record's eventID is written in the same transaction, so a redelivered record fails
     * its condition and changes nothing. False when it had been counted before.
     */
    async applyCounterDeltas(streamEventId: string, deltas: CounterDelta[], now: Date): Promise<boolean> {
      const updates = mergeUpdates(deltas);
      if (!updates.length) return true;
      try {
        await write(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: table,
                    Item: { ...keys.statsApplied(streamEventId), entity: 'stat_applied', at: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + MARKER_TTL_SECONDS },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                ...updates.map((u) => updateOf(table, u)),
              ],
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed && err.reasons[0] === 'ConditionalCheckFailed') return false;
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
