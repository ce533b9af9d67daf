/**
 * Waitlist tickets and positions (docs/events.md, "The waitlist"). Each priority of an event
 * has a ticket counter on the event item, taken in the joiner's RSVP transaction (or, when
 * that lost a race, with one atomic update first); a waiting entry's sort key carries its
 * ticket, so promotion order is ticket order. Every ticket that leaves the line (promoted, withdrawn,
 * or taken and never used) is recorded once, with a counter per block of tickets, so a
 * position is `ticket - departures before it` read from a few small items: the cost does
 * not depend on how many people wait.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import * as keys from './keys.js';
import { StoreBusy } from '../errors.js';
import { TICKET_BLOCK, ticketPosition } from '../domain/events.js';

export function createWaitlist(db: DynamoDBDocumentClient, table: string) {
  const ticketAttr = (priority: number) => `waitTicket${priority}`;
  const departedAttr = (priority: number) => `departed${priority}`;

  /** The two writes that record ticket `t` leaving the line; part of the transaction that removes the entry. */
  function departureItems(eventId: string, priority: number, ticket: number) {
    return [
      { Put: { TableName: table, Item: { ...keys.waitDeparture(eventId, priority, ticket), entity: 'waitlist_departure', ticket }, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Update: {
          TableName: table,
          Key: keys.waitDepartureBlock(eventId, priority, Math.floor(ticket / TICKET_BLOCK)),
          UpdateExpression: 'SET #entity = :entity ADD departed :one',
          ExpressionAttributeNames: { '#entity': 'entity' },
          ExpressionAttributeValues: { ':entity': 'waitlist_departures', ':one': 1 },
        },
      },
    ];
  }

  return {
    departureItems,

    /**
     * Issues the next ticket of a priority with one atomic counter, so concurrent joiners never
     * share one: the fallback of a joiner whose ticket, taken in its RSVP transaction, went to
     * another (units.ts saveRsvp). Counters are on the event item (`waitTicket0/1`), created by
     * the first ticket while nobody waits; on their own `WAITTICKETS` item for events whose
     * waitlist began before they moved (`separate`). Undefined on an event whose waitlist began
     * before tickets (it keeps arrival ULIDs until it empties).
     */
    async takeTicket(eventId: string, priority: number, separate: boolean): Promise<number | undefined> {
      try {
        const res = await db.send(
          new UpdateCommand(
            separate
              ? {
                  TableName: table,
                  Key: keys.waitTickets(eventId),
                  UpdateExpression: 'SET #t = #t + :one',
                  ConditionExpression: 'attribute_exists(#t)',
                  ExpressionAttributeNames: { '#t': ticketAttr(priority) },
                  ExpressionAttributeValues: { ':one': 1 },
                  ReturnValues: 'UPDATED_NEW',
                }
              : {
                  TableName: table,
                  Key: keys.event(eventId),
                  // ADD creates a missing counter at 0 first: the first ticket creates both.
                  UpdateExpression: 'ADD #t :one, #o :zero',
                  ConditionExpression: 'attribute_exists(pk) AND (attribute_exists(waitTicket1) OR waitlistCount = :zero)',
                  ExpressionAttributeNames: { '#t': ticketAttr(priority), '#o': ticketAttr(1 - priority) },
                  ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
                  ReturnValues: 'UPDATED_NEW',
                },
          ),
        );
        return res.Attributes?.[ticketAttr(priority)] as number;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return undefined;
        // The event item is in other RSVPs' transactions: a write meeting one is retried like them.
        if ((err as Error).name === 'TransactionConflictException') throw new StoreBusy(['TransactionConflict'], { cause: err });
        throw err;
      }
    },

    /**
     * Records a ticket that was taken but never used (the person was seated or refused instead).
     * Idempotent, and a no-op if an entry holds the ticket after all (a write that timed out but
     * committed): that entry's own departure records it.
     */
    async voidTicket(eventId: string, priority: number, ticket: number, waitKey: string): Promise<void> {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { ConditionCheck: { TableName: table, Key: keys.waiting(eventId, waitKey), ConditionExpression: 'attribute_not_exists(pk)' } },
              ...departureItems(eventId, priority, ticket),
              // The event's total of departures: what a joiner's position is computed from (units.ts).
              { Update: { TableName: table, Key: keys.event(eventId), UpdateExpression: 'ADD #d :one', ExpressionAttributeNames: { '#d': departedAttr(priority) }, ExpressionAttributeValues: { ':one': 1 } } },
            ],
          }),
        );
      } catch (err) {
        const reasons = err instanceof TransactionCanceledException ? (err.CancellationReasons ?? []).map((r) => r.Code) : [];
        if (reasons.includes('ConditionalCheckFailed')) return; // held by an entry, or already recorded
        throw err;
      }
    },

    /**
     * 1-based position of the entry with ticket `t`: three small reads whatever the length of
     * the list (the event's priority-0 count, the departure counters of earlier blocks, the
     * departures of its own block before it).
     */
    async position(eventId: string, priority: number, ticket: number): Promise<number> {
      const block = Math.floor(ticket / TICKET_BLOCK);
      const { pk } = keys.event(eventId);
      const [ahead, earlier, inBlock] = await Promise.all([
        priority === 0
          ? Promise.resolve(0)
          : (async () => {
              const res = await db.send(new GetCommand({ TableName: table, Key: keys.event(eventId), ProjectionExpression: 'waiting0', ConsistentRead: true }));
              return (res.Item?.waiting0 as number | undefined) ?? 0;
            })(),
        block === 0
          ? Promise.resolve(0)
          : sumPages({
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':pk': pk, ':from': keys.waitDepartureBlock(eventId, priority, 0).sk, ':to': keys.waitDepartureBlock(eventId, priority, block - 1).sk },
              ProjectionExpression: 'departed',
            }),
        ticket % TICKET_BLOCK === 0 // first of its block: no departures before it there
          ? Promise.resolve(0)
          : sumPages({
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':pk': pk, ':from': keys.waitDeparture(eventId, priority, block * TICKET_BLOCK).sk, ':to': keys.waitDeparture(eventId, priority, ticket - 1).sk },
              Select: 'COUNT',
            }),
      ]);
      return ticketPosition(ticket, earlier + inBlock, ahead);
    },
  };

  /** Sums `departed` (or counts items) over every page of a query: pages are at most one block or a few hundred counters. */
  async function sumPages(q: { KeyConditionExpression: string; ExpressionAttributeValues: Record<string, unknown>; ProjectionExpression?: string; Select?: 'COUNT' }): Promise<number> {
    let total = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await db.send(new QueryCommand({ TableName: table, ...q, ConsistentRead: true, ExclusiveStartKey: startKey }));
      total += q.Select === 'COUNT' ? (res.Count ?? 0) : (res.Items ?? []).reduce((n, i) => n + ((i.departed as number) ?? 0), 0);
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return total;
  }
}

export type Waitlist = ReturnType<typeof createWaitlist>;
