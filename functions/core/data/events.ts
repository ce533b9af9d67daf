/** Events of an association (gsi1 in start order) and broadcasts to their attendees. Key formats: keys.ts. */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type IndexName } from './table-schema.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { strip, type Table, type Page, type PageRequest, type TransactItem } from './table.js';
import type { Event } from '../domain/events.js';
import { auditOps } from './audit.js';

/** One mail to every attendee of an event (going, and waitlisted if said), expanded later. */
export interface Broadcast {
  broadcastId: string;
  eventId: string;
  kind: string;
  audience: ('going' | 'waitlisted')[];
  createdAt: string;
  data?: Record<string, unknown>;
}

export function eventItem(e: Event) {
  return { ...keys.event(e.eventId), ...keys.eventOfAssociation(e.associationId, e.startsAt, e.eventId), entity: 'event', ...e };
}

/** Transaction parts of this entity, for the table named `table`. */
export function eventsOps(table: string) {
  function broadcastPut(b: Broadcast) {
    return { Put: { TableName: table, Item: { ...keys.broadcast(b.broadcastId), entity: 'broadcast', ...b }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  return { broadcastPut };
}

export function eventsRepo(t: Table) {
  const { db, name: table, write, queryPage, batchGet } = t;
  const { auditPut } = auditOps(t.name);
  const { broadcastPut } = eventsOps(t.name);
  return {
    async createEvent(e: Event): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: eventItem(e), ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut({ associationId: e.associationId, action: 'event.created', actorId: e.createdBy, subjectId: e.eventId, at: e.createdAt }),
            ],
          }),
        ),
      );
    },

    async getEvent(eventId: string, consistent = false): Promise<Event | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.event(eventId), ConsistentRead: consistent }));
      return strip<Event>(res.Item);
    },

    /** Several events by id, in BatchGets of 100 (where people met, on My network). */
    async batchGetEvents(ids: string[]): Promise<Map<string, Event>> {
      return batchGet<Event>([...new Set(ids)].map((id) => keys.event(id)), (e) => e.eventId);
    },

    /** An association's events by start time (gsi1): upcoming from `from` ascending, or past before it, newest first. */
    async eventsOfAssociation(associationId: string, opts: { from: string; past: boolean; includeMembersOnly: boolean }, page: PageRequest): Promise<Page<Event>> {
      return queryPage<Event>(
        {
          IndexName: 'gsi1',
          KeyConditionExpression: opts.past ? 'gsi1pk = :pk AND gsi1sk < :from' : 'gsi1pk = :pk AND gsi1sk >= :from',
          FilterExpression: opts.includeMembersOnly ? undefined : 'visibility = :public',
          ExpressionAttributeValues: { ':pk': keys.eventsOfAssociation(associationId).gsi1pk, ':from': opts.from, ...(opts.includeMembersOnly ? {} : { ':public': 'public' }) },
          ScanIndexForward: !opts.past,
        },
        page,
      );
    },

    /**
     * Applies an organizer's change to the event's own fields, conditional on the version
     * read; counters are never overwritten. A capacity below the seats taken is refused.
     */
    async updateEvent(before: Event, fields: Partial<Event>, actorId: string, at: string, extra: { broadcast?: Broadcast } = {}): Promise<void> {
      const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt', '#status': 'status' };
      const values: Record<string, unknown> = { ':version': before.version, ':one': 1, ':at': at, ':scheduled': 'scheduled' };
      const sets = ['#version = #version + :one', '#updatedAt = :at'];
      const removes: string[] = [];
      for (const [k, v] of Object.entries(fields)) {
        names[`#${k}`] = k;
        if (v === undefined) removes.push(`#${k}`);
        else {
          values[`:${k}`] = v;
          sets.push(`#${k} = :${k}`);
        }
      }
      if (fields.startsAt) {
        Object.assign(values, { ':g1': keys.eventOfAssociation(before.associationId, fields.startsAt, before.eventId).gsi1sk });
        sets.push('gsi1sk = :g1');
      }
      let condition = '#version = :version AND #status = :scheduled';
      if (fields.capacity !== undefined && fields.capacity !== null) {
        values[':cap'] = fields.capacity;
        condition += ' AND goingCount <= :cap';
        // Seats left follow the capacity in the same write, from the stored goingCount.
        sets.push('seatsLeft = :cap - goingCount');
      }
      if (fields.capacity === null) removes.push('seatsLeft');
      const items: TransactItem[] = [
        {
          Update: {
            TableName: table,
            Key: keys.event(before.eventId),
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
        auditPut({ associationId: before.associationId, action: fields.status === 'cancelled' ? 'event.cancelled' : 'event.updated', actorId, subjectId: before.eventId, at, data: { fields: Object.keys(fields) } }),
      ];
      if (extra.broadcast) items.push(broadcastPut(extra.broadcast));
      await write(() => db.send(new TransactWriteCommand({ TransactItems: items })));
    },

    async getBroadcast(broadcastId: string): Promise<Broadcast | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.broadcast(broadcastId) }));
      return strip<Broadcast>(res.Item);
    },

    async putBroadcast(b: Broadcast): Promise<void> {
      await write(() => db.send(new PutCommand(broadcastPut(b).Put)));
    },
  };
}

export type EventsRepo = ReturnType<typeof eventsRepo>;
