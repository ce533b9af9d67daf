/** Transactions that span entities: a membership with its ledger, mail and markers; an RSVP with the event counters and waitlist. Key formats: keys.ts. */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { memberItem } from './member-item.js';
import { parseWaitKey } from '../domain/events.js';
import { createWaitlist } from './waitlist.js';
import { keys, type Key } from './keys.js';
import { type Table, type TransactItem } from './table.js';
import { ConditionFailed, AlreadyApplied, StaleMember, RateWindowFull } from '../errors.js';
import { rateTakeItem, type RateWindow } from './rate-limits.js';
import type { Member, OutboxMail, Payment } from '../domain/types.js';
import type { Event, Rsvp } from '../domain/events.js';
import { auditOps } from './audit.js';
import { outboxOps } from './outbox.js';
import { paymentsOps } from './payments.js';
import { stripeEventsOps } from './stripe-events.js';

/** An RSVP change, with the event counters it moves, in one transaction. */
export interface RsvpChange {
  event: Event;
  before?: Rsvp;
  after: Rsvp;
  outbox?: OutboxMail[];
  /** A waitlist ticket taken in this write, valid only if the event still is as read (see saveRsvp). */
  claim?: TicketClaim;
  /** The rate-limit windows this request is counted on, in the same transaction. */
  rate?: RateWindow[];
  /** A waitlist join: recorded on the event (Event.lastJoinAt). */
  joinedAt?: string;
}

/** Ticket `ticket` of `priority`, taken from an event read with these departure and priority-0 counts. */
export interface TicketClaim {
  priority: number;
  ticket: number;
  departed: number;
  waiting0: number;
}

/** Everything that changes with a membership, written in one transaction. */
export interface MemberChange {
  before: Member;
  after: Member;
  ledger?: Payment[];
  /** Lookups from a Stripe payment object back to this membership. */
  paymentRefs?: { accountId: string; objectId: string }[];
  outbox?: OutboxMail[];
  /** The Stripe event this change applies; the change happens only once per event. */
  eventId?: string;
  audit?: { action: string; actorId: string; data?: Record<string, unknown> };
}

export function unitsRepo(t: Table) {
  const { db, name: table, write } = t;
  const { auditPut } = auditOps(t.name);
  const { paymentPut } = paymentsOps(t.name);
  const { eventMarkerPut } = stripeEventsOps(t.name);
  const { outboxPut } = outboxOps(t.name);
  const waitlist = createWaitlist(t.db, t.name);
  return {
    /**
     * Writes a membership's new state with everything that goes with it (ledger, mail,
     * the processed-event marker, audit), conditional on the version that was read.
     */
    async saveMember(c: MemberChange): Promise<void> {
      const at = c.after.updatedAt;
      const items: TransactItem[] = [
        {
          Put: {
            TableName: table,
            Item: memberItem({ ...c.after, version: c.before.version + 1 }),
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': c.before.version },
          },
        },
      ];
      for (const p of c.ledger ?? []) {
        items.push(paymentPut(p));
      }
      for (const r of c.paymentRefs ?? []) {
        // One reference per Stripe payment object: a payment reported twice (by Stripe's event
        // and by the daily job's reconciliation) is recorded once.
        items.push({ Put: { TableName: table, Item: { ...keys.paymentRef(r.accountId, r.objectId), entity: 'payref', associationId: c.after.associationId, userId: c.after.userId }, ConditionExpression: 'attribute_not_exists(pk)' } });
      }
      for (const mail of c.outbox ?? []) items.push(outboxPut(mail));
      if (c.eventId) items.push(eventMarkerPut(c.eventId, at));
      if (c.audit) {
        items.push(auditPut({ associationId: c.after.associationId, action: c.audit.action, actorId: c.audit.actorId, subjectId: c.after.userId, at, data: c.audit.data }));
      }
      try {
        await write(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // Item 0 is the membership; any other failed condition is a marker or ledger entry
        // that exists already, i.e. this very change was made before.
        const failed = err.reasons.map((r, i) => (r === 'ConditionalCheckFailed' ? i : -1)).filter((i) => i >= 0);
        if (failed.some((i) => i > 0)) throw new AlreadyApplied();
        throw new StaleMember();
      }
    },

    /**
     * Writes an RSVP change and moves the event's counters in the same transaction. Taking
     * seats is conditional on enough being free; joining the waitlist on none being free;
     * the RSVP itself on the version read. Freeing seats needs no guard. At most four small
     * items for a newcomer: the event's counters, the RSVP, the check-in code or the waiting
     * entry, and the rate-limit window the request is counted on.
     */
    async saveRsvp(c: RsvpChange): Promise<void> {
      const { event, before, after } = c;
      const seatsBefore = before?.status === 'going' ? 1 + before.guests : 0;
      const seatsAfter = after.status === 'going' ? 1 + after.guests : 0;
      const seatDelta = seatsAfter - seatsBefore;
      const waitDelta = (after.status === 'waitlisted' ? 1 : 0) - (before?.status === 'waitlisted' ? 1 : 0);
      const leaving = before?.status === 'waitlisted' && before.waitKey && after.status !== 'waitlisted' ? parseWaitKey(before.waitKey) : undefined;
      const joining = after.status === 'waitlisted' && before?.status !== 'waitlisted' ? parseWaitKey(after.waitKey!) : undefined;
      // Priority-0 entries with tickets are counted: priority-1 positions start after them.
      const waiting0Delta = (joining?.ticket !== undefined && joining.priority === 0 ? 1 : 0) - (leaving?.ticket !== undefined && leaving.priority === 0 ? 1 : 0);
      const values: Record<string, unknown> = { ':seats': seatDelta, ':wait': waitDelta };
      const names: Record<string, string> = {};
      // Taking seats or joining the waitlist needs a scheduled event; freeing seats needs no guard.
      const conditions: string[] = [];
      const sets = ['goingCount = goingCount + :seats', 'waitlistCount = waitlistCount + :wait'];
      // ADD creates a counter missing on an older event at 0 first.
      const adds: string[] = [];
      if (waiting0Delta) {
        values[':w0'] = waiting0Delta;
        adds.push('waiting0 :w0');
      }
      if (leaving?.ticket !== undefined) {
        // The event's total of departures per priority: a joiner's position is computed from it.
        names['#gone'] = `departed${leaving.priority}`;
        values[':one'] = 1;
        adds.push('#gone :one');
      }
      if (seatDelta > 0 || waitDelta > 0) {
        values[':scheduled'] = 'scheduled';
        names['#status'] = 'status';
        conditions.push('#status = :scheduled');
      }
      // Seats are checked against the stored `seatsLeft` (capacity - goingCount, kept by every seat
      // change and by PATCH capacity), never against the capacity of the copy read. The copy only
      // says which shape to expect; a stored event of another shape fails the write and is re-read.
      const limited = event.capacity !== null;
      const derive = limited && event.seatsLeft === undefined; // an event from before seatsLeft: derived in this write
      if (seatDelta !== 0 || joining) {
        if (!limited) conditions.push('attribute_not_exists(seatsLeft)');
        else if (derive) {
          Object.assign(values, { ':cap': event.capacity, ':limit': event.capacity! - seatDelta });
          names['#capacity'] = 'capacity';
          conditions.push('attribute_not_exists(seatsLeft)', '#capacity = :cap');
          sets.push('seatsLeft = :limit - goingCount');
        } else {
          conditions.push('attribute_exists(seatsLeft)');
          if (seatDelta !== 0) sets.push('seatsLeft = seatsLeft - :seats');
        }
      }
      if (seatDelta > 0 && limited) {
        conditions.push(derive ? 'goingCount <= :limit' : 'seatsLeft >= :seats');
        // Only a promotion may take seats while people wait: nobody overtakes the waitlist.
        if (before?.status !== 'waitlisted') {
          values[':zero'] = 0;
          conditions.push('waitlistCount = :zero');
        }
      }
      if (joining && limited) {
        // Only wait while the event is really full for this party, or others already wait.
        values[':zero'] = 0;
        if (derive) {
          values[':fullFrom'] = event.capacity! - (1 + after.guests);
          conditions.push('(goingCount > :fullFrom OR waitlistCount > :zero)');
        } else {
          values[':party'] = 1 + after.guests;
          conditions.push('(seatsLeft < :party OR waitlistCount > :zero)');
        }
      }
      if (joining && joining.ticket === undefined) {
        // An entry without a ticket only joins a waitlist from before tickets (none were issued since).
        conditions.push('attribute_not_exists(waitTicket1)');
      }
      if (joining && c.joinedAt) {
        values[':joinedAt'] = c.joinedAt;
        sets.push('lastJoinAt = :joinedAt');
      }
      if (joining && c.claim) {
        // The ticket is taken here: valid only if nobody took one, left, or joined ahead since the
        // read, so the position computed from the read (ticketPositionAtJoin) is exact.
        const { priority, ticket, departed, waiting0 } = c.claim;
        const cond = (attr: string, name: string, read: number) => {
          names[name] = attr;
          values[`:${name.slice(1)}`] = read;
          // Absent counters (an event before tickets) read as 0.
          conditions.push(read === 0 ? `(attribute_not_exists(${name}) OR ${name} = :${name.slice(1)})` : `${name} = :${name.slice(1)}`);
        };
        cond(`waitTicket${priority}`, '#tprev', ticket - 1);
        cond(`departed${priority}`, '#dread', departed);
        if (priority === 1) cond('waiting0', '#w0read', waiting0);
        names['#tnext'] = `waitTicket${priority}`;
        names['#tother'] = `waitTicket${1 - priority}`;
        values[':tnext'] = ticket;
        values[':zero'] = 0;
        sets.push('#tnext = :tnext');
        // The first ticket creates both counters (and only while nobody waits without one).
        adds.push('#tother :zero');
        if (ticket === 1) conditions.push('(attribute_exists(waitTicket1) OR waitlistCount = :zero)');
      }
      const items: TransactItem[] = [
        {
          Update: {
            TableName: table,
            Key: keys.event(event.eventId),
            UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
            ConditionExpression: conditions.length ? conditions.join(' AND ') : undefined,
            ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
            ExpressionAttributeValues: values,
          },
        },
        {
          Put: {
            TableName: table,
            Item: { ...keys.rsvp(after.eventId, after.userId), ...keys.rsvpOfUser(after.userId, event.startsAt, event.eventId), ...(after.checkedInAt ? keys.rsvpCheckedIn(after.eventId, after.userId) : {}), entity: 'rsvp', ...after, version: (before?.version ?? 0) + 1 },
            ConditionExpression: before ? '#version = :v' : 'attribute_not_exists(pk)',
            ...(before ? { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': before.version } } : {}),
          },
        },
      ];
      if (before?.status === 'waitlisted' && before.waitKey && after.status !== 'waitlisted') {
        items.push({ Delete: { TableName: table, Key: keys.waiting(event.eventId, before.waitKey), ConditionExpression: 'attribute_exists(pk)' } });
        if (leaving?.ticket !== undefined) items.push(...waitlist.departureItems(event.eventId, leaving.priority, leaving.ticket));
      }
      if (after.status === 'waitlisted' && before?.status !== 'waitlisted') {
        items.push({ Put: { TableName: table, Item: { ...keys.waiting(event.eventId, after.waitKey!), entity: 'waiting', userId: after.userId, seats: 1 + after.guests }, ConditionExpression: 'attribute_not_exists(pk)' } });
      }
      // The check-in code is looked up only to check someone in, so it is written when they
      // first go (a waitlisted person gets it with their promotion). Codes are unique: a code
      // held by someone else fails the write, which is retried with a new one.
      if (after.status === 'going' && before?.status !== 'going') {
        items.push({
          Put: {
            TableName: table,
            Item: { ...keys.checkInCode(event.eventId, after.checkInCode), entity: 'checkin_code', userId: after.userId },
            ConditionExpression: 'attribute_not_exists(pk) OR userId = :uid',
            ExpressionAttributeValues: { ':uid': after.userId },
          },
        });
      }
      for (const mail of c.outbox ?? []) items.push(outboxPut(mail));
      const rateAt = items.length;
      for (const w of c.rate ?? []) items.push(rateTakeItem(table, w));
      try {
        await write(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (err) {
        if (err instanceof ConditionFailed && err.reasons.slice(rateAt).includes('ConditionalCheckFailed')) throw new RateWindowFull({ cause: err });
        throw err;
      }
    },
  };
}

export type UnitsRepo = ReturnType<typeof unitsRepo>;
