/** Matchmaking: the run of an event, its matches (indexed under both attendees) and the pairs introduced at an association. Key formats: keys.ts. */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type IndexName } from './table-schema.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { strip, type Table, type Page, type PageRequest } from './table.js';
import type { OutboxMail } from '../domain/types.js';
import { outboxOps } from './outbox.js';

/** A stored introduction between two attendees of an event. */
export interface StoredMatch {
  matchId: string;
  eventId: string;
  associationId: string;
  a: string;
  b: string;
  score: number;
  reasons: { kind: string; tag: string; giver?: string; receiver?: string; weight: number }[];
  introRequestedBy: string[];
  introSentAt?: string;
  feedback: Partial<Record<'a' | 'b', { rating: number; met: boolean; at: string }>>;
  createdAt: string;
}

export function matchesRepo(t: Table) {
  const { db, name: table, queryPage } = t;
  const { outboxPut } = outboxOps(t.name);
  return {
    /** Starts the one matchmaking run of an event; false if one already started. */
    async startMatchRun(eventId: string, run: { runId: string; startedBy: string; at: string }): Promise<boolean> {
      try {
        await db.send(new PutCommand({ TableName: table, Item: { ...keys.matchRun(eventId), entity: 'match_run', eventId, status: 'sending', ...run }, ConditionExpression: 'attribute_not_exists(pk)' }));
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },

    async getMatchRun(eventId: string): Promise<{ runId: string; status: string; at: string; matches?: number } | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.matchRun(eventId) }));
      return strip(res.Item);
    },

    async finishMatchRun(eventId: string, figures: Record<string, number>, at: string): Promise<void> {
      await db.send(new UpdateCommand({ TableName: table, Key: keys.matchRun(eventId), UpdateExpression: 'SET #status = :sent, finishedAt = :at, figures = :f', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':sent': 'sent', ':at': at, ':f': figures } }));
    },

    matchItem(m: StoredMatch) {
      return { ...keys.match(m.eventId, m.matchId), ...keys.matchOfSideA(m.eventId, m.a, m.matchId), ...keys.matchOfSideB(m.eventId, m.b, m.matchId), entity: 'match', ...m };
    },

    pairItem(associationId: string, a: string, b: string, eventId: string, at: string) {
      return { ...keys.pair(associationId, a, b), entity: 'pair', associationId, a, b, eventId, at };
    },

    async getMatch(eventId: string, matchId: string): Promise<StoredMatch | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.match(eventId, matchId) }));
      return strip<StoredMatch>(res.Item);
    },

    async matchesOfEvent(eventId: string, page: PageRequest): Promise<Page<StoredMatch>> {
      const { pk, skPrefix } = keys.matchesPrefix(eventId);
      return queryPage<StoredMatch>({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix } }, page);
    },

    /**
     * One attendee's matches of an event, in match order: the side-a index and the side-b
     * index each hold just this person's matches, so the cost is theirs, not the event's.
     */
    async matchesOfAttendee(eventId: string, userId: string): Promise<StoredMatch[]> {
      const k = keys.matchesOfAttendee(eventId, userId);
      const [asA, asB] = await Promise.all([
        queryPage<StoredMatch>({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': k.gsi1pk } }, { limit: 1000 }),
        queryPage<StoredMatch>({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': k.gsi2pk } }, { limit: 1000 }),
      ]);
      return [...asA.items, ...asB.items].sort((x, y) => (x.matchId < y.matchId ? -1 : x.matchId > y.matchId ? 1 : 0));
    },

    /** Earlier introductions at an association, with their feedback. */
    async pairsOfAssociation(associationId: string): Promise<{ a: string; b: string; eventId?: string; rating?: number; met?: boolean; reasons?: string[] }[]> {
      const { pk, skPrefix } = keys.pairsPrefix(associationId);
      const out: { a: string; b: string; eventId?: string; rating?: number; met?: boolean; reasons?: string[] }[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix }, ExclusiveStartKey: startKey }));
        for (const i of res.Items ?? []) out.push({ a: i.a, b: i.b, eventId: i.eventId, rating: i.rating, met: i.met, reasons: i.reasons });
        startKey = res.LastEvaluatedKey;
      } while (startKey);
      return out;
    },

    /** Records one side's ask for an introduction; returns the match after the change. */
    async requestIntro(eventId: string, matchId: string, userId: string): Promise<StoredMatch> {
      const res = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.match(eventId, matchId),
          UpdateExpression: 'SET introRequestedBy = list_append(introRequestedBy, :me)',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(introRequestedBy, :u)',
          ExpressionAttributeValues: { ':me': [userId], ':u': userId },
          ReturnValues: 'ALL_NEW',
        }),
      ).catch(async (err) => {
        if (err instanceof ConditionalCheckFailedException) return { Attributes: (await db.send(new GetCommand({ TableName: table, Key: keys.match(eventId, matchId) }))).Item };
        throw err;
      });
      return strip<StoredMatch>(res.Attributes)!;
    },

    /** Queues the intro mail once: the first caller to see both asks wins the condition. */
    async queueIntro(eventId: string, matchId: string, mail: OutboxMail, at: string): Promise<boolean> {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName: table, Key: keys.match(eventId, matchId), UpdateExpression: 'SET introSentAt = :at', ConditionExpression: 'attribute_not_exists(introSentAt) AND size(introRequestedBy) >= :two', ExpressionAttributeValues: { ':at': at, ':two': 2 } } },
              outboxPut(mail),
            ],
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof TransactionCanceledException) return false;
        throw err;
      }
    },

    /** Stores one side's feedback on the match and on the association's pair record. */
    async saveFeedback(m: StoredMatch, side: 'a' | 'b', fb: { rating: number; met: boolean }, at: string): Promise<void> {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: table, Key: keys.match(m.eventId, m.matchId), UpdateExpression: 'SET feedback.#side = :fb', ExpressionAttributeNames: { '#side': side }, ExpressionAttributeValues: { ':fb': { ...fb, at } } } },
            {
              Update: {
                TableName: table,
                Key: keys.pair(m.associationId, m.a, m.b),
                UpdateExpression: 'SET rating = :r, met = :met, reasons = :reasons',
                ExpressionAttributeValues: { ':r': fb.rating, ':met': fb.met, ':reasons': m.reasons.map((r) => r.kind) },
              },
            },
          ],
        }),
      );
    },
  };
}

export type MatchesRepo = ReturnType<typeof matchesRepo>;
