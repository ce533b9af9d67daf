/**
 * Data access for a person's own data: what their export reads (everything keyed by them:
 * gsi1 `USER#<id>`, their partition, their address's suppressions) and the erasure's
 * writes. Every read is a Query or Get by key; every erasure write is idempotent, so an
 * erasure that stopped midway is finished by running it again.
 */
import { BatchGetCommand, DeleteCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { isConflictOnly, withoutConflictRetry } from './conflict-retry.js';
import { StoreBusy } from '../errors.js';
import type { Page, PageRequest, StoredMatch } from './store.js';
import type { AuditEntry, Member, Payment } from '../domain/types.js';
import type { Rsvp } from '../domain/events.js';

export const DELETED_NAME = 'Deleted member';

export interface ExportRecord {
  exportId: string;
  associationId: string;
  what: string;
  subjectId?: string;
  actorId: string;
  rows: number;
  format: string;
  at: string;
}

export interface Suppression {
  kind: string;
  reason: string;
  at: string;
}

/** The pointer from a person to one of their matches, written with the match. */
export const matchRefItem = (userId: string, m: Pick<StoredMatch, 'eventId' | 'matchId'>) => ({ ...keys.matchOfUser(userId, m.eventId, m.matchId), entity: 'match_ref', eventId: m.eventId, matchId: m.matchId });

const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'nameLower', 'emailLower'];
function strip<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRS) delete out[k];
  return out as T;
}

const conditionFailed = (err: unknown) =>
  err instanceof ConditionalCheckFailedException || (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'));

export function createPrivacyData(db: DynamoDBDocumentClient, table: string) {
  async function page<T>(input: { IndexName?: string; pk: string; skPrefix?: string; from?: string; newestFirst?: boolean }, req: PageRequest): Promise<Page<T>> {
    const [pkAttr, skAttr] = input.IndexName ? ['gsi1pk', 'gsi1sk'] : ['pk', 'sk'];
    const cond = input.skPrefix !== undefined ? `${pkAttr} = :pk AND begins_with(${skAttr}, :sk)` : input.from !== undefined ? `${pkAttr} = :pk AND ${skAttr} >= :sk` : `${pkAttr} = :pk`;
    const res = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: input.IndexName,
        KeyConditionExpression: cond,
        ExpressionAttributeValues: { ':pk': input.pk, ...(input.skPrefix !== undefined ? { ':sk': input.skPrefix } : input.from !== undefined ? { ':sk': input.from } : {}) },
        ScanIndexForward: !input.newestFirst,
        Limit: req.limit,
        ExclusiveStartKey: req.startKey,
      }),
    );
    return { items: (res.Items ?? []).map((i) => strip<T>(i)), lastKey: res.LastEvaluatedKey };
  }

  /** Every page of a keyed read. */
  async function all<T>(read: (req: PageRequest) => Promise<Page<T>>): Promise<T[]> {
    const out: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const p = await read({ limit: 500, startKey });
      out.push(...p.items);
      startKey = p.lastKey;
    } while (startKey);
    return out;
  }

  /** Drops an item from the person's gsi1 listing; an item already gone is not re-created. */
  async function unlink(key: Key): Promise<void> {
    try {
      await db.send(new UpdateCommand({ TableName: table, Key: key, UpdateExpression: 'REMOVE gsi1pk, gsi1sk', ConditionExpression: 'attribute_exists(pk)' }));
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }

  const user = (prefix: { gsi1pk: string; gsi1skPrefix: string }) => ({ IndexName: 'gsi1', pk: prefix.gsi1pk, skPrefix: prefix.gsi1skPrefix });

  return {
    // ---------------------------------------------------------------- reads for the export
    paymentsOfUser: (userId: string) => all<Payment>((r) => page(user(keys.paymentsOfUserPrefix(userId)), r)),
    rsvpsOfUser: (userId: string) => all<Rsvp>((r) => page(user(keys.rsvpsOfUserPrefix(userId)), r)),
    auditOfUser: (userId: string) => all<AuditEntry>((r) => page(user(keys.auditOfUserPrefix(userId)), r)),
    membershipsOfUser: (userId: string) => all<Member>((r) => page(user(keys.membershipsOfUserPrefix(userId)), r)),
    matchRefsOfUser: async (userId: string) => {
      const { pk, skPrefix } = keys.matchesOfUserPrefix(userId);
      return all<{ eventId: string; matchId: string }>((r) => page({ pk, skPrefix }, r));
    },
    async matches(refs: { eventId: string; matchId: string }[]): Promise<StoredMatch[]> {
      const out: StoredMatch[] = [];
      for (let i = 0; i < refs.length; i += 100) {
        let request: Record<string, { Keys: Key[] }> | undefined = { [table]: { Keys: refs.slice(i, i + 100).map((r) => keys.match(r.eventId, r.matchId)) } };
        for (let attempt = 0; request && Object.keys(request).length && attempt < 5; attempt++) {
          const res: import('@aws-sdk/lib-dynamodb').BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
          for (const it of res.Responses?.[table] ?? []) out.push(strip<StoredMatch>(it));
          request = res.UnprocessedKeys as typeof request;
        }
      }
      return out;
    },
    /** Exports of one list (`members`, `payments`, `EVENT#<id>`) made at or after `since`. */
    exportsOfListSince: (associationId: string, list: string, since: string) =>
      all<ExportRecord>((r) => page({ IndexName: 'gsi1', pk: keys.exportsOfList(associationId, list).gsi1pk, from: ulidFloor(since) }, r)),
    suppressionsOf: async (email: string): Promise<Suppression[]> => {
      const items = await all<Record<string, unknown>>((r) => page({ pk: keys.suppressionsOf(email).pk }, r));
      return items.map((i) => ({ kind: String(i.kind), reason: String(i.reason), at: String(i.at) }));
    },

    /** The export log of an association, newest first (sk prefix EXPORT#: export records only). */
    exportsOf(associationId: string, req: PageRequest): Promise<Page<ExportRecord>> {
      const { pk, skPrefix } = keys.exportsPrefix(associationId);
      return page<ExportRecord>({ pk, skPrefix, newestFirst: true }, req);
    },

    // ---------------------------------------------------------------- erasure
    /** Stops every kind of mail to the address; `erased` marks it as the person's own request. */
    async suppressForErasure(email: string, at: string): Promise<void> {
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.suppression(email, 'ALL'), entity: 'suppression', kind: 'ALL', reason: 'erased', at } }));
    },

    /** Lifts an erasure's suppression (the person came back); bounces and complaints stay. */
    async liftErasureSuppression(email: string): Promise<void> {
      try {
        await db.send(new DeleteCommand({ TableName: table, Key: keys.suppression(email, 'ALL'), ConditionExpression: 'reason = :erased', ExpressionAttributeValues: { ':erased': 'erased' } }));
      } catch (err) {
        if (!conditionFailed(err)) throw err;
      }
    },

    /**
     * Replaces the membership's personal fields by the pseudonym and unlinks it from the
     * person (gsi1) and from the daily job (gsi2). The first time also writes an audit entry.
     * Sent once: concurrent erasures of one person meet here, and after a conflict the caller
     * reads the membership again (services/privacy.ts) rather than sending this again (StoreBusy).
     */
    async pseudonymiseMember(m: Member, at: string): Promise<void> {
      try {
        await db.send(
          withoutConflictRetry(new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.member(m.associationId, m.userId),
                  UpdateExpression:
                    'SET #name = :name, nameLower = :lower, email = :empty, emailLower = :empty, directoryVisible = :false, matchOptIn = :false, erasedAt = :at, updatedAt = :at, #version = #version + :one REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk, dueAt, remindersSent',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(erasedAt)',
                  ExpressionAttributeNames: { '#name': 'name', '#version': 'version' },
                  ExpressionAttributeValues: { ':name': DELETED_NAME, ':lower': DELETED_NAME.toLowerCase(), ':empty': '', ':false': false, ':at': at, ':one': 1 },
                },
              },
              {
                Put: {
                  TableName: table,
                  Item: { ...keys.audit(m.associationId, ulid()), entity: 'audit', associationId: m.associationId, action: 'person.erased', actorId: m.userId, subjectId: m.userId, at },
                },
              },
            ],
          })),
        );
      } catch (err) {
        if (isConflictOnly(err)) throw new StoreBusy(['TransactionConflict'], { cause: err });
        if (!conditionFailed(err)) throw err; // already pseudonymised: nothing left to do
      }
    },

    /** Erases an RSVP's personal fields; status, guests and check-in stay for the seat counts. */
    async eraseRsvp(r: Rsvp, at: string): Promise<void> {
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.rsvp(r.eventId, r.userId),
            UpdateExpression: 'SET #name = :name, email = :empty, answers = :none, erasedAt = :at, updatedAt = :at, #version = #version + :one REMOVE company, jobTitle, gsi1pk, gsi1sk',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#name': 'name', '#version': 'version' },
            ExpressionAttributeValues: { ':name': DELETED_NAME, ':empty': '', ':none': {}, ':at': at, ':one': 1 },
          }),
        );
      } catch (err) {
        if (!conditionFailed(err)) throw err;
      }
    },

    /** Deletes a match of the person (and the pair record with its feedback); the pointers go last, so a retry finds the match again. */
    async deleteMatch(m: StoredMatch): Promise<void> {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.match(m.eventId, m.matchId) }));
      await db.send(new DeleteCommand({ TableName: table, Key: keys.pair(m.associationId, m.a, m.b) }));
    },
    async deleteMatchRef(userId: string, ref: { eventId: string; matchId: string }): Promise<void> {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.matchOfUser(userId, ref.eventId, ref.matchId) }));
    },

    /** Keeps the ledger entry (amounts, dates, the opaque id) but no longer files it under the person. */
    unlinkPayment: (p: Payment) => unlink(keys.payment(p.associationId, p.paymentId)),
    unlinkAudit: (e: AuditEntry) => unlink(keys.audit(e.associationId, e.auditId)),
    async deleteProfile(userId: string): Promise<void> {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.profile(userId) }));
    },
  };
}

export type PrivacyData = ReturnType<typeof createPrivacyData>;

/** The smallest ULID of the millisecond `iso`: export ids (ULIDs) sort by time. */
function ulidFloor(iso: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let ms = Math.max(0, Date.parse(iso));
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = alphabet[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out.padEnd(26, '0');
}
