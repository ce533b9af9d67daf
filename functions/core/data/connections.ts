/**
 * Connections between two people: one shared record per pair (its state) and each person's
 * own side (their note and tags, and their "my network" entry, indexed so that every list
 * and filter is one Query by key). Key formats: keys.ts; the model: docs/connections.md.
 *
 * Every change that can race is one transaction whose conditions name the state it expects:
 * an ask creates the pair only if there is none (or only an expired or declined one), an
 * accept needs it pending and addressed to the caller, a removal or a note/tags change needs
 * the version it read.
 *
 * The pair's own writes (ask, accept, decline, remove, note/tags) are sent once: a conflict
 * (StoreBusy) goes straight to the service, which reads the pair again before deciding
 * (services/connections.ts). Sending the same write again would only meet the same crowd.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys.js';
import { withoutConflictRetry } from './conflict-retry.js';
import { strip, type Table, type Page, type PageRequest, type TransactItem } from './table.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ConditionFailed } from '../errors.js';
import { outboxOps } from './outbox.js';
import type { OutboxMail } from '../domain/types.js';
import { foldName, type Connection, type ConnectionSide } from '../domain/connections.js';

/** An offer to connect, made after an event to a pair who met (or both asked to be introduced). */
export interface FollowUp {
  eventId: string;
  connectionId: string;
  associationId: string;
  matchId: string;
  a: string;
  b: string;
  /** The UTC day the daily job sends it: the day after the event, or the day the pair qualified if later. */
  dueDay: string;
  why: 'met' | 'introduced';
  clickedBy: string[];
  sentAt?: string;
  connectedAt?: string;
}


const nowSeconds = (at: string) => Math.floor(Date.parse(at) / 1000);

/** Which network list to read; `q` narrows any of them to a name prefix. */
export type NetworkFilter = { pending?: boolean; tag?: string; associationId?: string; eventId?: string; q?: string };

export function connectionsRepo(t: Table) {
  const { db, name: table, write, queryPage, batchGet } = t;
  const { outboxPut } = outboxOps(t.name);

  const sideIndexes = (s: ConnectionSide) =>
    s.state === 'accepted'
      ? {
          ...keys.networkOf(s.userId),
          gsi3sk: s.nameKey,
          ...keys.networkByAssociation(s.userId, s.associationId),
          gsi4sk: s.nameKey,
          ...(s.metEventId ? { ...keys.networkByEvent(s.userId, s.metEventId), gsi5sk: s.nameKey } : {}),
        }
      : { ...keys.networkOf(s.userId, true), gsi3sk: s.nameKey };

  const sideItem = (s: ConnectionSide) => ({ ...keys.connectionSide(s.userId, s.connectionId), ...sideIndexes(s), entity: 'connection_side', ...s });
  const tagItem = (s: ConnectionSide, tag: string) => ({ ...keys.networkTag(s.userId, tag, s.nameKey), entity: 'connection_tag', userId: s.userId, connectionId: s.connectionId, tag });
  const put = (Item: Record<string, unknown>, ConditionExpression?: string, values?: Record<string, unknown>, names?: Record<string, string>): TransactItem => ({
    Put: { TableName: table, Item, ConditionExpression, ExpressionAttributeValues: values, ExpressionAttributeNames: names },
  });
  const del = (Key: Record<string, unknown>, ConditionExpression?: string, values?: Record<string, unknown>): TransactItem => ({ Delete: { TableName: table, Key, ConditionExpression, ExpressionAttributeValues: values } });

  /** The asked person's answer (accept or decline) replaces a pending, unexpired ask at the version they read. */
  const answerPending = (c: Connection, at: string) =>
    put(
      { ...keys.connection(c.connectionId), entity: 'connection', ...c },
      '#state = :pending AND askedTo = :me AND expiresAt > :now AND version = :v',
      { ':pending': 'pending', ':me': c.askedTo, ':now': nowSeconds(at), ':v': c.version - 1 },
      { '#state': 'state' },
    );

  /** A transaction on the pair, sent once (see above). */
  const pairWrite = (TransactItems: TransactItem[]) => write(() => db.send(withoutConflictRetry(new TransactWriteCommand({ TransactItems }))));

  return {
    async getConnection(connectionId: string): Promise<Connection | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.connection(connectionId), ConsistentRead: true }));
      return strip<Connection>(res.Item);
    },

    async getConnectionSide(userId: string, connectionId: string): Promise<ConnectionSide | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.connectionSide(userId, connectionId), ConsistentRead: true }));
      return strip<ConnectionSide>(res.Item);
    },

    /**
     * Writes a new ask with both sides. Fails (ConditionFailed) if the pair already has a live
     * record: accepted, or pending/declined and not yet expired. An expired one is replaced.
     */
    async putAsk(c: Connection, sides: [ConnectionSide, ConnectionSide]): Promise<void> {
      await pairWrite([
        put({ ...keys.connection(c.connectionId), entity: 'connection', ...c }, 'attribute_not_exists(pk) OR (#state <> :accepted AND expiresAt <= :now)', { ':accepted': 'accepted', ':now': nowSeconds(c.askedAt) }, { '#state': 'state' }),
        // The sides of an earlier, expired ask carry no tags (only accepted sides do), so overwriting them leaves nothing behind.
        ...sides.map((s) => put(sideItem(s))),
      ]);
    },

    /** The asked person accepts: the pair and both sides become accepted, in one transaction. */
    async acceptAsk(c: Connection, sides: [ConnectionSide, ConnectionSide], at: string): Promise<void> {
      await pairWrite([
        answerPending(c, at),
        ...sides.map((s) => put(sideItem(s))),
      ]);
    },

    /**
     * The asked person declines. Only their own side goes: the asker's side stays pending
     * until the ask expires, so declining looks to the asker like no answer.
     */
    async declineAsk(c: Connection, at: string): Promise<void> {
      await pairWrite([
        answerPending(c, at),
        del(keys.connectionSide(c.askedTo, c.connectionId)),
      ]);
    },

    /**
     * Removes the pair, both sides and their tag items. Each side read by the caller is
     * deleted only at the version read (a concurrent tags change means read again); a side
     * read as absent must still be absent.
     */
    async removeConnection(c: Connection, sides: { userId: string; side?: ConnectionSide }[]): Promise<void> {
      const items: TransactItem[] = [del(keys.connection(c.connectionId), 'version = :v', { ':v': c.version })];
      for (const { userId, side } of sides) {
        if (side) {
          items.push(del(keys.connectionSide(userId, c.connectionId), 'version = :v', { ':v': side.version }));
          for (const tag of side.tags ?? []) items.push(del(keys.networkTag(userId, tag, side.nameKey)));
        } else {
          items.push({ ConditionCheck: { TableName: table, Key: keys.connectionSide(userId, c.connectionId), ConditionExpression: 'attribute_not_exists(pk)' } });
        }
      }
      await pairWrite(items);
    },

    /** Replaces my note and tags on an accepted connection, at the version read; tag items follow. */
    async updateSide(before: ConnectionSide, after: ConnectionSide): Promise<void> {
      const removed = (before.tags ?? []).filter((t) => !after.tags.includes(t));
      const added = after.tags.filter((t) => !(before.tags ?? []).includes(t));
      await pairWrite([
        put(sideItem(after), 'version = :v', { ':v': before.version }),
        { ConditionCheck: { TableName: table, Key: keys.connection(after.connectionId), ConditionExpression: '#state = :accepted', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':accepted': 'accepted' } } },
        ...removed.map((tag) => del(keys.networkTag(after.userId, tag, before.nameKey))),
        ...added.map((tag) => put(tagItem(after, tag))),
      ]);
    },

    /**
     * One page of my network, alphabetical: accepted connections (all, by association, by the
     * event where we met, or by one of my tags) or my pending asks, each optionally narrowed to a
     * name prefix. Every variant is one Query on a key that holds only what it lists; pending
     * asks past their expiry (not yet deleted by TTL) are skipped as gone.
     */
    async networkPage(userId: string, f: NetworkFilter, page: PageRequest, at: string): Promise<Page<ConnectionSide>> {
      const prefix = f.q ? { cond: ' AND begins_with(#sk, :q)', values: { ':q': foldName(f.q) } } : { cond: '', values: {} };
      if (f.tag) {
        const tagPage = await queryPage<{ connectionId: string }>(
          { KeyConditionExpression: `pk = :pk${prefix.cond}`, ExpressionAttributeNames: f.q ? { '#sk': 'sk' } : undefined, ExpressionAttributeValues: { ':pk': keys.networkTagPrefix(userId, f.tag).pk, ...prefix.values } },
          page,
        );
        const sides = await batchGet<ConnectionSide>(tagPage.items.map((i) => keys.connectionSide(userId, i.connectionId)), (s) => s.connectionId);
        return { items: tagPage.items.map((i) => sides.get(i.connectionId)).filter((s): s is ConnectionSide => !!s && s.state === 'accepted'), lastKey: tagPage.lastKey };
      }
      const [index, pkAttr, skAttr, pk] = f.associationId
        ? (['gsi4', 'gsi4pk', 'gsi4sk', keys.networkByAssociation(userId, f.associationId).gsi4pk] as const)
        : f.eventId
          ? (['gsi5', 'gsi5pk', 'gsi5sk', keys.networkByEvent(userId, f.eventId).gsi5pk] as const)
          : (['gsi3', 'gsi3pk', 'gsi3sk', keys.networkOf(userId, !!f.pending).gsi3pk] as const);
      const input: Omit<QueryCommandInput, 'TableName'> = {
        IndexName: index,
        KeyConditionExpression: `${pkAttr} = :pk${prefix.cond}`,
        ExpressionAttributeNames: f.q ? { '#sk': skAttr } : undefined,
        ExpressionAttributeValues: { ':pk': pk, ...prefix.values, ...(f.pending ? { ':now': nowSeconds(at) } : {}) },
        // The pending list holds only asks of the last 30 days (and is rate-limited): the filter skips the few expired ones.
        FilterExpression: f.pending ? 'expiresAt > :now' : undefined,
      };
      return queryPage<ConnectionSide>(input, page);
    },

    /** Deletes one side and its tag items (a side whose pair is already gone). */
    async deleteSide(side: ConnectionSide): Promise<void> {
      await write(() => db.send(new TransactWriteCommand({ TransactItems: [del(keys.connectionSide(side.userId, side.connectionId)), ...(side.tags ?? []).map((tag) => del(keys.networkTag(side.userId, tag, side.nameKey)))] })));
    },

    /** Notes a pair to offer a connection after an event; once per pair and event (a repeat is a no-op). */
    async noteFollowUp(f: FollowUp): Promise<boolean> {
      try {
        await write(() => db.send(new PutCommand({ TableName: table, Item: { ...keys.followUp(f.eventId, f.connectionId), ...keys.followUpDue(f.dueDay, f.eventId, f.connectionId), entity: 'follow_up', ...f }, ConditionExpression: 'attribute_not_exists(pk)' })));
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    async getFollowUp(eventId: string, connectionId: string): Promise<FollowUp | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.followUp(eventId, connectionId), ConsistentRead: true }));
      return strip<FollowUp>(res.Item);
    },

    followUpsDueOn(day: string, page: PageRequest): Promise<Page<FollowUp>> {
      return queryPage<FollowUp>({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.followUpsDueOn(day).gsi2pk } }, page);
    },

    /** Marks the offer sent and queues its two mails, together and once: a second run finds sentAt and sends nothing. */
    async sendFollowUp(f: FollowUp, mails: OutboxMail[], at: string): Promise<boolean> {
      try {
        await write(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                { Update: { TableName: table, Key: keys.followUp(f.eventId, f.connectionId), UpdateExpression: 'SET sentAt = :at REMOVE gsi2pk, gsi2sk', ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sentAt)', ExpressionAttributeValues: { ':at': at } } },
                ...mails.map((m) => outboxPut(m)),
              ],
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /** One side clicks "connect" in the follow-up mail; returns the offer after the change (a repeat click changes nothing). */
    async clickFollowUp(eventId: string, connectionId: string, userId: string): Promise<FollowUp | undefined> {
      try {
        const res = await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.followUp(eventId, connectionId),
            UpdateExpression: 'SET clickedBy = list_append(clickedBy, :me)',
            ConditionExpression: 'attribute_exists(sentAt) AND (a = :u OR b = :u) AND NOT contains(clickedBy, :u)',
            ExpressionAttributeValues: { ':me': [userId], ':u': userId },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return strip<FollowUp>(res.Attributes);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return this.getFollowUp(eventId, connectionId);
        throw err;
      }
    },

    /**
     * Both clicked: the pair becomes accepted at once, replacing an open ask between them (both
     * want it) but never an accepted pair (whose notes and tags stay).
     */
    async putConnected(c: Connection, sides: [ConnectionSide, ConnectionSide]): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [put({ ...keys.connection(c.connectionId), entity: 'connection', ...c }, 'attribute_not_exists(pk) OR #state <> :accepted', { ':accepted': 'accepted' }, { '#state': 'state' }), ...sides.map((s) => put(sideItem(s)))],
          }),
        ),
      );
    },

    /** The pair records of `userId` with each of `otherIds`, by key (BatchGet, 100 a call), keyed by the other's id. */
    async pairsWith(userId: string, otherIds: string[]): Promise<Map<string, Connection>> {
      const ids = [...new Set(otherIds.filter((o) => o !== userId))];
      if (!ids.length) return new Map();
      const pairs = await batchGet<Connection>(ids.map((o) => keys.connection(keys.connectionId(userId, o))), (c) => c.connectionId);
      const out = new Map<string, Connection>();
      for (const o of ids) {
        const c = pairs.get(keys.connectionId(userId, o));
        if (c) out.set(o, c);
      }
      return out;
    },

    /** Every side of mine, accepted or pending, paged by key (erasure, export). */
    async connectionSidesOf(userId: string, page: PageRequest): Promise<Page<ConnectionSide>> {
      const { pk, skPrefix } = keys.connectionSidesPrefix(userId);
      return queryPage<ConnectionSide>({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix } }, page);
    },

  };
}

export type ConnectionsRepo = ReturnType<typeof connectionsRepo>;
