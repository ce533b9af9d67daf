/** Mail to send: written with the state change that causes it, claimed by one sender. Key formats: keys.ts. */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type IndexName } from './table-schema.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { strip, type Table, type Page, type PageRequest } from './table.js';
import type { OutboxMail } from '../domain/types.js';

/** Transaction parts of this entity, for the table named `table`. */
export function outboxOps(table: string) {
  function outboxPut(mail: OutboxMail) {
    return { Put: { TableName: table, Item: { ...keys.outbox(mail.mailId), ...keys.outboxPending(mail.createdAt, mail.mailId), entity: 'outbox', ...mail }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  return { outboxPut };
}

/** A mail a sender may take: not yet claimed, or claimed by a sender that has since gone quiet (staleMs). */
const CLAIMABLE = '#status = :pending OR (#status = :sending AND claimedAt < :stale)';
const claimable = (now: Date, staleMs: number) => ({ ':pending': 'pending', ':sending': 'sending', ':stale': new Date(now.getTime() - staleMs).toISOString() });

export function outboxRepo(t: Table) {
  const { db, name: table, write, queryPage } = t;
  const { outboxPut } = outboxOps(t.name);
  return {
    async getMail(mailId: string): Promise<OutboxMail | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.outbox(mailId) }));
      return strip<OutboxMail>(res.Item);
    },

    /**
     * Claims a mail for sending. Only one sender wins; a claim older than `staleMs`
     * (a sender that died mid-way) may be taken over.
     */
    async claimMail(mailId: string, now: Date, staleMs = 5 * 60_000): Promise<OutboxMail | undefined> {
      try {
        const res = await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.outbox(mailId),
            UpdateExpression: 'SET #status = :sending, claimedAt = :now, attempts = attempts + :one',
            ConditionExpression: CLAIMABLE,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':now': now.toISOString(), ':one': 1, ...claimable(now, staleMs) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return strip<OutboxMail>(res.Attributes);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return undefined;
        throw err;
      }
    },

    /** Marks a claimed mail sent (and drops it from the unsent index) or back to pending. */
    async finishMail(mailId: string, outcome: 'sent' | 'pending' | 'failed' | 'suppressed', at: string): Promise<void> {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.outbox(mailId),
          UpdateExpression: outcome === 'pending' ? 'SET #status = :s' : 'SET #status = :s, finishedAt = :at REMOVE gsi2pk, gsi2sk',
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': outcome, ':sending': 'sending', ...(outcome === 'pending' ? {} : { ':at': at }) },
        }),
      );
    },

    /**
     * Asks the stream consumer to try a mail again (the daily sweep): bumps its `retry` count,
     * which the consumer sends on as on a new item. Only while a claim could take it (pending,
     * or a claim gone stale), so a mail being sent or finished is left alone; false otherwise.
     */
    async markMailForRetry(mailId: string, now: Date, staleMs = 5 * 60_000): Promise<boolean> {
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.outbox(mailId),
            UpdateExpression: 'SET retriedAt = :now ADD #retry :one',
            ConditionExpression: CLAIMABLE,
            ExpressionAttributeNames: { '#status': 'status', '#retry': 'retry' },
            ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString(), ...claimable(now, staleMs) },
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },

    async unsentMailOn(day: string, page: PageRequest): Promise<Page<OutboxMail>> {
      return queryPage<OutboxMail>(
        { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.outboxPendingOn(day).gsi2pk } },
        page,
      );
    },

    /** Queues mail on its own (no state change goes with it). */
    async enqueueMail(mails: OutboxMail[]): Promise<void> {
      if (!mails.length) return;
      await write(() => db.send(new TransactWriteCommand({ TransactItems: mails.map(outboxPut) })));
    },

    /** Queues one mail if it is not queued yet (ids are deterministic, so a retry adds nothing). */
    async enqueueMailOnce(mail: OutboxMail): Promise<boolean> {
      try {
        await db.send(new PutCommand(outboxPut(mail).Put));
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },
  };
}

export type OutboxRepo = ReturnType<typeof outboxRepo>;
