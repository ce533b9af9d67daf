/** Transactions that span entities: a membership with its ledger, mail and markers; an RSVP with the event counters and waitlist. Key formats: keys.ts. */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { withoutConflictRetry } from './conflict-retry.js';
import { memberItem } from './member-item.js';
import { parseWaitKey, ticketWaitKey } from '../domain/events.js';
import { createWaitlist } from './waitlist.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
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
  /** A newcomer taking seats: recorded on the event (Event.lastSeatAt). */
  seatedAt?: string;
  /** The event's counters were already moved by takeCounters: the transaction leaves the event item out. */
  countersTaken?: boolean;
  /** Sent once: a conflict reaches the caller at once instead of being retried by the client. */
  once?: boolean;
  /**
   * The counters move with a single-item write of their own instead of inside the transaction
   * (promotions and withdrawals, which would otherwise meet each other on the event item): seats
   * taken before the transaction, given back if it fails; seats or places freed after it.
   */
  split?: boolean;
}

/**
 * What a newcomer takes on the event item with one single-item write, outside its RSVP
 * transaction (the surge path): seats, or a place in the waitlist line of a priority.
 */
export type CounterTake =
  | { eventId: string; seats: number; limited: boolean; at: string }
  | { eventId: string; line: { priority: number; party: number }; at: string };

/** The counters as they stood right after a take. */
export type TakenCounters = Pick<Event, 'goingCount' | 'seatsLeft' | 'waitlistCount' | 'waiting0' | 'waitTicket0' | 'waitTicket1' | 'departed0' | 'departed1'>;

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
      if (seatDelta > 0 && c.seatedAt) {
        values[':seatedAt'] = c.seatedAt;
        sets.push('lastSeatAt = :seatedAt');
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
      const counters = {
        TableName: table,
        Key: keys.event(event.eventId),
        UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
        ConditionExpression: conditions.length ? conditions.join(' AND ') : undefined,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
      };
      // Split only what has no ticket claim, no join and a stored seatsLeft shape to rely on.
      const split = !!c.split && !c.countersTaken && !c.claim && !joining && !derive;
      const takes = seatDelta > 0;
      /**
       * The counters moved by `sign` (-1 undoes a take) with no condition but the event's
       * shape: seatsLeft kept with a capacity, absent without one. A capacity set or removed
       * meanwhile changed the shape: then the other one.
       */
      const move = async (sign: 1 | -1) => {
        const signed: Record<string, unknown> = { ':seats': sign * seatDelta, ':wait': sign * waitDelta };
        if (waiting0Delta) signed[':w0'] = sign * waiting0Delta;
        if (leaving?.ticket !== undefined) signed[':one'] = sign;
        const free = (withLeft: boolean) =>
          write(() =>
            db.send(
              new UpdateCommand({
                TableName: table,
                Key: keys.event(event.eventId),
                UpdateExpression: `SET goingCount = goingCount + :seats, waitlistCount = waitlistCount + :wait${withLeft ? ', seatsLeft = seatsLeft - :seats' : ''}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
                ConditionExpression: withLeft ? 'attribute_exists(seatsLeft)' : 'attribute_not_exists(seatsLeft)',
                ExpressionAttributeNames: leaving?.ticket !== undefined ? { '#gone': names['#gone']! } : undefined,
                ExpressionAttributeValues: signed,
              }),
            ),
          );
        try {
          await free(limited);
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          await free(!limited);
        }
      };
      const items: TransactItem[] = [];
      const afterwards: NonNullable<TransactItem['Update']>[] = [];
      if (split && takes) await write(() => db.send(new UpdateCommand(counters)));
      else if (!c.countersTaken && !split) items.push({ Update: counters });
      items.push(
        {
          Put: {
            TableName: table,
            Item: { ...keys.rsvp(after.eventId, after.userId), ...keys.rsvpOfUser(after.userId, event.startsAt, event.eventId), ...(after.checkedInAt ? keys.rsvpCheckedIn(after.eventId, after.userId) : {}), entity: 'rsvp', ...after, version: (before?.version ?? 0) + 1 },
            ConditionExpression: before ? '#version = :v' : 'attribute_not_exists(pk)',
            ...(before ? { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': before.version } } : {}),
          },
        },
      );
      if (before?.status === 'waitlisted' && before.waitKey && after.status !== 'waitlisted') {
        items.push({ Delete: { TableName: table, Key: keys.waiting(event.eventId, before.waitKey), ConditionExpression: 'attribute_exists(pk)' } });
        if (leaving?.ticket !== undefined) {
          const [departure, blockCount] = waitlist.departureItems(event.eventId, leaving.priority, leaving.ticket);
          // Split, the block's departure counter follows the transaction: it is shared by a hundred tickets, so
          // concurrent promotions and withdrawals would meet on it as on the event item.
          items.push(departure!);
          if (split) afterwards.push(blockCount!.Update!);
          else items.push(blockCount!);
        }
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
      const command = new TransactWriteCommand({ TransactItems: items });
      try {
        await write(() => db.send(c.once ? withoutConflictRetry(command) : command));
      } catch (err) {
        if (split && takes) await move(-1);
        if (err instanceof ConditionFailed && err.reasons.slice(rateAt).includes('ConditionalCheckFailed')) throw new RateWindowFull({ cause: err });
        throw err;
      }
      // Freed after the RSVP says so: a crash in between leaves seats counted for nobody, never an overbooking.
      if (split && !takes && (seatDelta !== 0 || waitDelta !== 0)) await move(1);
      for (const u of afterwards) await db.send(new UpdateCommand(u));
    },

    /**
     * The surge path's first write: a newcomer's seats, or its waitlist ticket, taken on the
     * event item with one conditional UpdateItem. Single-item writes to one item do not cancel
     * each other as transactions do (DynamoDB serialises them on the item), so a burst of
     * newcomers goes through in turn. The conditions are saveRsvp's: seats only while enough are
     * left and nobody waits; a ticket only while the event is full for this party or others
     * wait (the first ticket creates both counters, only while nobody waits). Fails with
     * ConditionFailed when the event is no longer as read.
     */
    async takeCounters(c: CounterTake): Promise<TakenCounters> {
      const names: Record<string, string> = { '#status': 'status' };
      // DynamoDB refuses a value the expressions do not use: ':zero' is added where it is.
      const values: Record<string, unknown> = { ':scheduled': 'scheduled', ':at': c.at };
      let update: string;
      const conditions = ['#status = :scheduled'];
      if ('seats' in c) {
        values[':seats'] = c.seats;
        update = `SET goingCount = goingCount + :seats, lastSeatAt = :at${c.limited ? ', seatsLeft = seatsLeft - :seats' : ''}`;
        if (c.limited) values[':zero'] = 0;
        conditions.push(c.limited ? 'attribute_exists(seatsLeft) AND seatsLeft >= :seats AND waitlistCount = :zero' : 'attribute_not_exists(seatsLeft)');
      } else {
        const { priority, party } = c.line;
        Object.assign(names, { '#t': `waitTicket${priority}`, '#o': `waitTicket${1 - priority}` });
        Object.assign(values, { ':one': 1, ':party': party, ':zero': 0 });
        update = `SET lastJoinAt = :at ADD #t :one, #o :zero, waitlistCount :one${priority === 0 ? ', waiting0 :one' : ''}`;
        conditions.push('attribute_exists(seatsLeft) AND (seatsLeft < :party OR waitlistCount > :zero)', '(attribute_exists(waitTicket1) OR waitlistCount = :zero)');
      }
      const res = await write(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.event(c.eventId),
            UpdateExpression: update,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
            // A refused take says why: the event as it is now (full, freed, cancelled) comes back with the refusal, so the caller need not read it again.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return res.Attributes as TakenCounters;
    },

    /**
     * Gives back what takeCounters took, when the RSVP transaction after it failed: the seats,
     * or the ticket, recorded as gone like any that leaves the line (so positions behind it stay
     * exact) together with the waitlist counts it added. Idempotent for a ticket; a no-op if an
     * entry holds the ticket after all (a transaction that timed out but committed).
     */
    async returnCounters(c: CounterTake, ticket?: number): Promise<{ waitlistCount: number }> {
      if ('seats' in c) {
        // A capacity removed meanwhile took seatsLeft with it: then only goingCount moves back.
        const give = (withLeft: boolean) =>
          write(() =>
            db.send(
              new UpdateCommand({
                TableName: table,
                Key: keys.event(c.eventId),
                UpdateExpression: `SET goingCount = goingCount - :seats${withLeft ? ', seatsLeft = seatsLeft + :seats' : ''}`,
                ConditionExpression: withLeft ? 'attribute_exists(seatsLeft)' : 'attribute_not_exists(seatsLeft)',
                ExpressionAttributeValues: { ':seats': c.seats },
                // Whether anyone waits now, for the caller to hand the seats on.
                ReturnValues: 'ALL_NEW',
              }),
            ),
          );
        let res;
        try {
          res = await give(c.limited);
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          res = await give(!c.limited);
        }
        return { waitlistCount: Number(res.Attributes?.waitlistCount ?? 0) };
      }
      const { priority } = c.line;
      try {
        await write(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                { ConditionCheck: { TableName: table, Key: keys.waiting(c.eventId, ticketWaitKey(priority, ticket!)), ConditionExpression: 'attribute_not_exists(pk)' } },
                ...waitlist.departureItems(c.eventId, priority, ticket!),
                {
                  Update: {
                    TableName: table,
                    Key: keys.event(c.eventId),
                    UpdateExpression: `ADD #gone :one, waitlistCount :minus${priority === 0 ? ', waiting0 :minus' : ''}`,
                    ExpressionAttributeNames: { '#gone': `departed${priority}` },
                    ExpressionAttributeValues: { ':one': 1, ':minus': -1 },
                  },
                },
              ],
            }),
          ),
        );
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err; // else held by an entry, or already given back
      }
      return { waitlistCount: 0 };
    },
  };
}

export type UnitsRepo = ReturnType<typeof unitsRepo>;
