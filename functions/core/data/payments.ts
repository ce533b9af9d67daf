/** The ledger: payments, failures and refunds of an association, and lookups from Stripe's payment objects to a membership. Key formats: keys.ts. */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type IndexName } from './table-schema.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { type Table, type Page, type PageRequest } from './table.js';
import { ConditionFailed } from '../errors.js';
import type { OutboxMail, Payment } from '../domain/types.js';
import { outboxOps } from './outbox.js';
import { stripeEventsOps } from './stripe-events.js';

/** Transaction parts of this entity, for the table named `table`. */
export function paymentsOps(table: string) {
  /** A ledger entry, written once; indexed by payer on gsi1. */
  function paymentPut(p: Payment) {
    return {
      Put: { TableName: table, Item: { ...keys.payment(p.associationId, p.paymentId), ...keys.paymentOfUser(p.userId, p.associationId, p.paymentId), entity: 'payment', ...p }, ConditionExpression: 'attribute_not_exists(pk)' },
    };
  }

  return { paymentPut };
}

export function paymentsRepo(t: Table) {
  const { db, name: table, write, queryPage } = t;
  const { paymentPut } = paymentsOps(t.name);
  const { eventMarkerPut } = stripeEventsOps(t.name);
  const { outboxPut } = outboxOps(t.name);
  return {
    /** unmatched: the payment did not count for the membership (its refunds do not either). */
    async paymentRef(accountId: string, objectId: string): Promise<{ associationId: string; userId: string; unmatched?: boolean } | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.paymentRef(accountId, objectId) }));
      return res.Item ? { associationId: res.Item.associationId as string, userId: res.Item.userId as string, ...(res.Item.unmatched ? { unmatched: true } : {}) } : undefined;
    },

    /**
     * Adds a ledger entry with no membership change (e.g. an unmatched payment), with the
     * lookups that let its refunds be found (marked unmatched: they change no membership).
     */
    async recordLedger(p: Payment, eventId: string, outbox: OutboxMail[] = [], unmatchedRefs: { accountId: string; objectId: string }[] = []): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              paymentPut(p),
              ...unmatchedRefs.map((r) => ({
                Put: { TableName: table, Item: { ...keys.paymentRef(r.accountId, r.objectId), entity: 'payref', associationId: p.associationId, userId: p.userId, unmatched: true }, ConditionExpression: 'attribute_not_exists(pk)' },
              })),
              ...outbox.map(outboxPut),
              eventMarkerPut(eventId, p.createdAt),
            ],
          }),
        ),
      );
    },

    /**
     * Adds one ledger entry on its own, once: false when an entry with this id exists
     * (the same Stripe object reported by another event). For refunds, keyed by the refund.
     */
    async addLedgerEntry(p: Payment): Promise<boolean> {
      try {
        await write(() => db.send(new PutCommand(paymentPut(p).Put)));
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /** The ledger, newest first; optionally one member's entries only (gsi1, by payer: no filter over the ledger). */
    async paymentsOf(associationId: string, page: PageRequest, userId?: string): Promise<Page<Payment>> {
      if (userId) {
        return queryPage<Payment>(
          { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)', ExpressionAttributeValues: { ':pk': keys.paymentsOfPayer(associationId, userId).gsi1pk, ':sk': keys.paymentsOfPayer(associationId, userId).gsi1skPrefix }, ScanIndexForward: false },
          page,
        );
      }
      const { pk, skPrefix } = keys.paymentsPrefix(associationId);
      return queryPage<Payment>(
        { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix }, ScanIndexForward: false },
        page,
      );
    },
  };
}

export type PaymentsRepo = ReturnType<typeof paymentsRepo>;
