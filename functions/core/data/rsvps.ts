/** RSVPs of an event, its waitlist in order and the check-in codes. Key formats: keys.ts. */
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ConditionFailed } from '../errors.js';
import { parseWaitKey } from '../domain/events.js';
import { createWaitlist } from './waitlist.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { strip, type Table, type Page, type PageRequest } from './table.js';
import type { Event, Rsvp, RsvpTotals } from '../domain/events.js';
import type { Profile } from '../domain/types.js';
import { auditOps } from './audit.js';

/** Everything an RSVP decides on, read in one request (rsvpReadAhead). */
export interface RsvpReadAhead {
  event?: Event;
  rsvp?: Rsvp;
  profile?: Profile;
  /** The event's waitlist tickets are on their own item (events whose waitlist began before they moved onto the event). */
  separateTickets: boolean;
  /** Requests counted so far in each rate window asked for, in order. */
  rateCounts: number[];
}

export function rsvpsRepo(t: Table) {
  const { db, name: table, write, queryPage } = t;
  const { auditPut } = auditOps(t.name);
  const waitlist = createWaitlist(t.db, t.name);
  return {
    async getRsvp(eventId: string, userId: string): Promise<Rsvp | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.rsvp(eventId, userId) }));
      return strip<Rsvp>(res.Item);
    },

    /**
     * The event, the caller's RSVP and profile, the event's separate ticket item (if any) and
     * the caller's rate-limit counters: one BatchGetItem (keys left unprocessed under load are
     * asked again).
     */
    async rsvpReadAhead(eventId: string, userId: string, rateKeys: Key[], consistent: boolean): Promise<RsvpReadAhead> {
      const wanted: Key[] = [keys.event(eventId), keys.rsvp(eventId, userId), keys.profile(userId), keys.waitTickets(eventId), ...rateKeys];
      const found = new Map<string, Record<string, unknown>>();
      let request: BatchGetCommandOutput['UnprocessedKeys'] = { [table]: { Keys: wanted, ConsistentRead: consistent } };
      for (let attempt = 0; request?.[table]?.Keys?.length && attempt < 5; attempt++) {
        const res: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const it of res.Responses?.[table] ?? []) found.set(`${it.pk}|${it.sk}`, it);
        request = res.UnprocessedKeys;
      }
      const at = (k: Key) => found.get(`${k.pk}|${k.sk}`);
      return {
        event: strip<Event>(at(wanted[0]!)),
        rsvp: strip<Rsvp>(at(wanted[1]!)),
        profile: strip<Profile>(at(wanted[2]!)),
        separateTickets: !!at(wanted[3]!),
        rateCounts: rateKeys.map((k) => Number(at(k)?.n ?? 0)),
      };
    },

    async rsvpByCode(eventId: string, code: string): Promise<string | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.checkInCode(eventId, code) }));
      return res.Item?.userId as string | undefined;
    },

    /** The first entries of the waitlist, in order. */
    async waitlistHead(eventId: string, limit: number): Promise<{ waitKey: string; userId: string; seats: number }[]> {
      const { pk, skPrefix } = keys.waitingPrefix(eventId);
      const out: { waitKey: string; userId: string; seats: number }[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        // Pages of at most 1 MB: follow them until `limit` entries or the end of the list.
        const res = await db.send(
          new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix }, Limit: Math.min(limit - out.length, 10_000), ConsistentRead: true, ExclusiveStartKey: startKey }),
        );
        for (const i of res.Items ?? []) out.push({ waitKey: String(i.sk).slice(skPrefix.length), userId: i.userId as string, seats: i.seats as number });
        startKey = res.LastEvaluatedKey;
      } while (startKey && out.length < limit);
      return out;
    },

    /**
     * 1-based position on the waitlist. An entry with a ticket: a few small reads (waitlist.ts);
     * an entry from before tickets: how many entries sort before it, plus one.
     */
    async waitlistPosition(eventId: string, waitKey: string): Promise<number> {
      const { priority, ticket } = parseWaitKey(waitKey);
      if (ticket !== undefined) return waitlist.position(eventId, priority, ticket);
      const { pk, skPrefix } = keys.waitingPrefix(eventId);
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': pk, ':from': skPrefix, ':to': `${skPrefix}${waitKey}` },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        );
        count += res.Count ?? 0;
        startKey = res.LastEvaluatedKey;
      } while (startKey);
      return count;
    },

    /** RSVPs of an event in key order, optionally of one status. */
    async rsvpsOfEvent(eventId: string, status: string | undefined, page: PageRequest): Promise<Page<Rsvp>> {
      const { pk, skPrefix } = keys.rsvpsPrefix(eventId);
      return queryPage<Rsvp>(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          FilterExpression: status ? '#status = :status' : undefined,
          ExpressionAttributeNames: status ? { '#status': 'status' } : undefined,
          ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix, ...(status ? { ':status': status } : {}) },
        },
        page,
      );
    },

    /** The event's checked-in attendees, a page at a time in user id order (gsi2, sparse: only they are in it). */
    async checkedInOfEvent(eventId: string, page: PageRequest): Promise<Page<Rsvp>> {
      return queryPage<Rsvp>({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.checkedInOf(eventId).gsi2pk } }, page);
    },

    /**
     * Every RSVP of an event, paged through by key (only status, party, wait key and time): the
     * input of a recount, which runs in a background job, never on a request.
     */
    async rsvpsForRecount(eventId: string): Promise<{ rsvps: Pick<Rsvp, 'status' | 'guests' | 'waitKey'>[]; lastChange?: string }> {
      const { pk, skPrefix } = keys.rsvpsPrefix(eventId);
      const rsvps: Pick<Rsvp, 'status' | 'guests' | 'waitKey'>[] = [];
      let lastChange: string | undefined;
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ProjectionExpression: '#status, guests, waitKey, updatedAt',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const i of res.Items ?? []) {
          rsvps.push({ status: i.status as Rsvp['status'], guests: Number(i.guests ?? 0), waitKey: i.waitKey as string | undefined });
          if (typeof i.updatedAt === 'string' && (!lastChange || i.updatedAt > lastChange)) lastChange = i.updatedAt;
        }
        startKey = res.LastEvaluatedKey;
      } while (startKey);
      return { rsvps, lastChange };
    },

    /**
     * Sets the counters to a recount, only if nothing moved them since `read` (the counters and
     * the newcomer times as read, and the capacity seatsLeft is derived from). False if something did.
     */
    async correctCounters(read: Event, totals: RsvpTotals): Promise<boolean> {
      const names: Record<string, string> = { '#lastSeatAt': 'lastSeatAt', '#lastJoinAt': 'lastJoinAt' };
      const values: Record<string, unknown> = { ':g': totals.goingCount, ':w': totals.waitlistCount, ':w0': totals.waiting0, ':rg': read.goingCount, ':rw': read.waitlistCount };
      const limited = read.capacity !== null && read.seatsLeft !== undefined;
      if (limited) {
        names['#capacity'] = 'capacity';
        values[':cap'] = read.capacity;
      }
      const same = (name: string, v: string | undefined) => (v === undefined ? `attribute_not_exists(${name})` : ((values[`:r${name.slice(1)}`] = v), `${name} = :r${name.slice(1)}`));
      const sets = ['goingCount = :g', 'waitlistCount = :w', 'waiting0 = :w0'];
      if (limited) {
        values[':left'] = read.capacity! - totals.goingCount;
        sets.push('seatsLeft = :left');
      }
      try {
        await write(() =>
          db.send(
            new UpdateCommand({
              TableName: table,
              Key: keys.event(read.eventId),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: ['goingCount = :rg', 'waitlistCount = :rw', limited ? '#capacity = :cap' : 'attribute_not_exists(seatsLeft)', same('#lastSeatAt', read.lastSeatAt), same('#lastJoinAt', read.lastJoinAt)].join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /** Marks an attendee present, once, and counts them. */
    async checkIn(event: Event, rsvp: Rsvp, at: string, actorId: string): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.rsvp(event.eventId, rsvp.userId),
                  // gsi2 lists the event's checked-in attendees (checkedInOfEvent).
                  UpdateExpression: 'SET checkedInAt = :at, gsi2pk = :inPk, gsi2sk = :inSk',
                  ConditionExpression: '#status = :going AND (attribute_not_exists(checkedInAt) OR checkedInAt = :null)',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':at': at, ':going': 'going', ':null': null, ':inPk': keys.rsvpCheckedIn(event.eventId, rsvp.userId).gsi2pk, ':inSk': rsvp.userId },
                },
              },
              { Update: { TableName: table, Key: keys.event(event.eventId), UpdateExpression: 'SET attendedCount = attendedCount + :one', ExpressionAttributeValues: { ':one': 1 } } },
              auditPut({ associationId: event.associationId, action: 'rsvp.checked_in', actorId, subjectId: rsvp.userId, at, data: { eventId: event.eventId } }),
            ],
          }),
        ),
      );
    },
  };
}

export type RsvpsRepo = ReturnType<typeof rsvpsRepo>;
