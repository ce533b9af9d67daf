/**
 * Data access for the single table: the only module that builds keys (through keys.ts),
 * knows attribute names, and turns conditional-check failures into named domain errors.
 * Every read is a GetItem, BatchGetItem or Query by key; there is no Scan.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { keys, type Key } from './keys.js';
import { resumeKeyOf, tableSchema, type IndexName } from './table-schema.js';
import { memberItem } from './member-item.js';
import type { Association, AuditEntry, Member, OutboxMail, Payment, Plan, Profile } from '../domain/types.js';
import { parseWaitKey, type Event, type Rsvp } from '../domain/events.js';
import { createWaitlist } from './waitlist.js';
import type { MemberStatus, Role } from '../domain/roles.js';

/** A write lost a race or broke an invariant; the service decides what it means. */
export class ConditionFailed extends Error {
  constructor(readonly reasons: (string | undefined)[] = []) {
    super('A condition on the write did not hold');
    this.name = 'ConditionFailed';
  }
}

/** The Stripe event (or the payment it records) has already taken effect. */
export class AlreadyApplied extends Error {
  constructor() {
    super('This change was already applied');
    this.name = 'AlreadyApplied';
  }
}

/** The membership changed since it was read; read again and retry. */
export class StaleMember extends Error {
  constructor() {
    super('The membership changed since it was read');
    this.name = 'StaleMember';
  }
}

export type Page<T> = { items: T[]; lastKey?: Record<string, unknown> };
export type PageRequest = { limit: number; startKey?: Record<string, unknown> };

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

// `entity` names the kind of item for people reading the table; it is not part of the domain.
const KEY_ATTRS = ['pk', 'sk', ...tableSchema.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]), 'entity'] as const;
function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRS) delete out[k];
  delete out.nameLower;
  delete out.emailLower;
  return out as T;
}

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

/** One mail to every attendee of an event (going, and waitlisted if said), expanded later. */
export interface Broadcast {
  broadcastId: string;
  eventId: string;
  kind: string;
  audience: ('going' | 'waitlisted')[];
  createdAt: string;
  data?: Record<string, unknown>;
}

/** An RSVP change, with the event counters it moves, in one transaction. */
export interface RsvpChange {
  event: Event;
  before?: Rsvp;
  after: Rsvp;
  outbox?: OutboxMail[];
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

const EVENT_RETENTION_S = 30 * 86_400; // Stripe retries for 3 days; keep a safe margin.

export type MemberFilter = { status?: MemberStatus; planId?: string; q?: string };

export function createStore(db: DynamoDBDocumentClient, table: string) {
  const waitlist = createWaitlist(db, table);
  /** Wraps a write so a failed condition surfaces as ConditionFailed with per-item reasons. */
  async function write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new ConditionFailed(['ConditionalCheckFailed']);
      if (err instanceof TransactionCanceledException) {
        const reasons = (err.CancellationReasons ?? []).map((r) => r.Code);
        // Only condition failures are a domain outcome; conflicts and throttling stay infrastructure errors.
        if (reasons.includes('ConditionalCheckFailed')) throw new ConditionFailed(reasons);
        const busy = new Error('transaction cancelled by a concurrent request');
        busy.name = 'TransactionInProgressException';
        throw busy;
      }
      throw err;
    }
  }

  function auditPut(entry: Omit<AuditEntry, 'auditId'>) {
    const auditId = ulid();
    // Entries about a person are also keyed by them, so their own export can find them.
    const aboutPerson = entry.subjectId && /^(member|rsvp)\./.test(entry.action) ? keys.auditOfUser(entry.subjectId, entry.associationId, auditId) : {};
    return { Put: { TableName: table, Item: { ...keys.audit(entry.associationId, auditId), ...aboutPerson, entity: 'audit', auditId, ...entry } } };
  }

  /** Replaces a membership read at `before.version` with `after`, bumping the version; `live`: only if not cancelled. */
  function memberPut(before: Member, after: Member, opts: { live?: boolean } = {}) {
    return {
      TableName: table,
      Item: memberItem({ ...after, version: before.version + 1 }),
      ConditionExpression: opts.live ? '#version = :version AND #status <> :cancelled' : '#version = :version',
      ExpressionAttributeNames: { '#version': 'version', ...(opts.live ? { '#status': 'status' } : {}) },
      ExpressionAttributeValues: { ':version': before.version, ...(opts.live ? { ':cancelled': 'cancelled' } : {}) },
    };
  }

  /** A Query of one member index, by partition and optional sort-key prefix, filtered only within that set. */
  function memberQuery(indexName: IndexName, pk: string, skPrefix: string | undefined, within: { status?: string; planId?: string; notNamePrefix?: string }) {
    const index = tableSchema.globalSecondaryIndexes.find((g) => g.indexName === indexName)!;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': pk };
    const conds: string[] = [];
    if (skPrefix !== undefined) values[':prefix'] = skPrefix;
    if (within.status) {
      names['#status'] = 'status';
      values[':status'] = within.status;
      conds.push('#status = :status');
    }
    if (within.planId) {
      names['#planId'] = 'planId';
      values[':planId'] = within.planId;
      conds.push('#planId = :planId');
    }
    if (within.notNamePrefix) {
      values[':namePrefix'] = within.notNamePrefix;
      conds.push('NOT begins_with(nameLower, :namePrefix)');
    }
    return {
      IndexName: indexName,
      KeyConditionExpression: `${index.partitionKey} = :pk${skPrefix !== undefined ? ` AND begins_with(${index.sortKey}, :prefix)` : ''}`,
      FilterExpression: conds.length ? conds.join(' AND ') : undefined,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: values,
    };
  }

  /** BatchGetItem by key, 100 keys a call; unprocessed keys (a partial answer under load) are asked again. */
  async function batchGet<T>(allKeys: Key[], idOf: (item: T) => string): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    for (let i = 0; i < allKeys.length; i += 100) {
      let request: Record<string, { Keys: Key[] }> | undefined = { [table]: { Keys: allKeys.slice(i, i + 100) } };
      for (let attempt = 0; request && Object.keys(request).length && attempt < 5; attempt++) {
        const res: import('@aws-sdk/lib-dynamodb').BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const it of res.Responses?.[table] ?? []) {
          const item = strip<T>(it)!;
          out.set(idOf(item), item);
        }
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  /** `SET #k = :k, …` for the defined fields of a patch, plus updatedAt. */
  function setExpression(patch: Record<string, unknown>, at: string) {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': at };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    return { UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
  }

  /** Query helper that keeps reading until `limit` items pass the filter, for exact page sizes. */
  async function queryPage<T>(input: Omit<QueryCommandInput, "TableName">, page: PageRequest): Promise<Page<T>> {
    const items: Record<string, unknown>[] = [];
    let startKey = page.startKey;
    for (;;) {
      const res = await db.send(new QueryCommand({ ...input, TableName: table, Limit: page.limit, ExclusiveStartKey: startKey }));
      for (const it of res.Items ?? []) {
        items.push(it);
        if (items.length === page.limit) {
          // The page is full mid-way: resume after the last item we return.
          const more = it !== res.Items![res.Items!.length - 1] || res.LastEvaluatedKey !== undefined;
          return { items: items.map((i) => strip<T>(i)!), lastKey: more ? resumeKeyOf(it, input.IndexName) : undefined };
        }
      }
      if (!res.LastEvaluatedKey) return { items: items.map((i) => strip<T>(i)!) };
      startKey = res.LastEvaluatedKey;
    }
  }

  return {
    // ---------------------------------------------------------------- associations
    async getAssociation(associationId: string): Promise<Association | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.association(associationId) }));
      return strip<Association>(res.Item);
    },

    async batchGetAssociations(ids: string[]): Promise<Map<string, Association>> {
      return batchGet<Association>(ids.map((id) => keys.association(id)), (a) => a.associationId);
    },

    /** Creates the association, reserves its slug and makes the creator owner, all or nothing. */
    async createAssociation(a: Association, owner: Member): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: { ...keys.association(a.associationId), entity: 'association', ...a }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table, Item: { ...keys.slug(a.slug), entity: 'slug', associationId: a.associationId }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table, Item: memberItem(owner), ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut({ associationId: a.associationId, action: 'association.created', actorId: owner.userId, at: a.createdAt }),
            ],
          }),
        ),
      );
    },

    async updateAssociation(associationId: string, patch: Record<string, unknown>, actorId: string, at: string): Promise<Association> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.association(associationId),
                  ...setExpression(patch, at),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              auditPut({ associationId, action: 'association.updated', actorId, at, data: { fields: Object.keys(patch) } }),
            ],
          }),
        ),
      );
      return (await this.getAssociation(associationId))!;
    },

    // ---------------------------------------------------------------- plans
    async putPlan(plan: Plan, actorId: string): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: { ...keys.plan(plan.associationId, plan.planId), entity: 'plan', ...plan }, ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut({ associationId: plan.associationId, action: 'plan.created', actorId, subjectId: plan.planId, at: plan.createdAt }),
            ],
          }),
        ),
      );
    },

    async getPlan(associationId: string, planId: string): Promise<Plan | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.plan(associationId, planId) }));
      return strip<Plan>(res.Item);
    },

    /** All plans of an association (a handful), archived ones included. */
    async plansOfAssociation(associationId: string): Promise<Plan[]> {
      const { pk, skPrefix } = keys.plansPrefix(associationId);
      const page = await queryPage<Plan>(
        { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix } },
        { limit: 1000 },
      );
      return page.items;
    },

    async updatePlan(associationId: string, planId: string, patch: Record<string, unknown>, actorId: string, at: string): Promise<Plan> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.plan(associationId, planId),
                  ...setExpression(patch, at),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              auditPut({ associationId, action: patch.archived ? 'plan.archived' : 'plan.updated', actorId, subjectId: planId, at }),
            ],
          }),
        ),
      );
      return (await this.getPlan(associationId, planId))!;
    },

    // ---------------------------------------------------------------- members
    async getMember(associationId: string, userId: string): Promise<Member | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.member(associationId, userId) }));
      return strip<Member>(res.Item);
    },

    /**
     * Writes a new membership. Succeeds only if the user is not a member, or left or
     * lapsed before (rejoining keeps the history in the audit log).
     */
    async join(member: Member): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: memberItem(member),
                  ConditionExpression: 'attribute_not_exists(pk) OR #status IN (:cancelled, :lapsed)',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':cancelled': 'cancelled', ':lapsed': 'lapsed' },
                },
              },
              auditPut({ associationId: member.associationId, action: 'member.joined', actorId: member.userId, subjectId: member.userId, at: member.joinedAt, data: { planId: member.planId, status: member.status } }),
            ],
          }),
        ),
      );
    },

    /**
     * Members of an association. Each filter reads by a key that selects just its members,
     * so the cost follows the answer, not the association's size: none → the member items
     * (by user id); status → gsi4, planId → gsi7 (by name); q → gsi5 (name prefix, by name),
     * then gsi6 (email prefix, by email, minus those the name already found). A second
     * filter is applied within the set the first one's key selected.
     */
    async membersOfAssociation(associationId: string, filter: MemberFilter, page: PageRequest): Promise<Page<Member>> {
      if (filter.q) {
        const q = filter.q.toLowerCase();
        const rest = { status: filter.status, planId: filter.planId };
        // The cursor says which of the two lists it is in.
        const start = page.startKey as { phase?: 'name' | 'email'; key?: Record<string, unknown> } | undefined;
        const found: Member[] = [];
        if (start?.phase !== 'email') {
          const byName = await queryPage<Member>(memberQuery('gsi5', keys.membersByName(associationId).gsi5pk, q, rest), { limit: page.limit, startKey: start?.key });
          if (byName.lastKey) return { items: byName.items, lastKey: { phase: 'name', key: byName.lastKey } };
          found.push(...byName.items);
          // A full page ends here; the next one starts the email list (it may come back empty).
          if (found.length === page.limit) return { items: found, lastKey: { phase: 'email' } };
        }
        const byEmail = await queryPage<Member>(memberQuery('gsi6', keys.membersByEmail(associationId).gsi6pk, q, { ...rest, notNamePrefix: q }), {
          limit: page.limit - found.length,
          startKey: start?.phase === 'email' ? start.key : undefined,
        });
        return { items: [...found, ...byEmail.items], lastKey: byEmail.lastKey ? { phase: 'email', key: byEmail.lastKey } : undefined };
      }
      if (filter.status) return queryPage<Member>(memberQuery('gsi4', keys.membersWithStatus(associationId, filter.status).gsi4pk, undefined, { planId: filter.planId }), page);
      if (filter.planId) return queryPage<Member>(memberQuery('gsi7', keys.membersOnPlan(associationId, filter.planId).gsi7pk, undefined, {}), page);
      const { pk, skPrefix } = keys.membersPrefix(associationId);
      return queryPage<Member>({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix } }, page);
    },

    /** The directory (gsi3): only visible members in good standing are in it, by name. */
    async directoryOf(associationId: string, page: PageRequest): Promise<Page<Member>> {
      return queryPage<Member>({ IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': keys.directoryOf(associationId).gsi3pk } }, page);
    },

    /** Memberships of some people in one association, by key (absent: not a member). */
    async batchGetMembers(associationId: string, userIds: string[]): Promise<Map<string, Member>> {
      return batchGet<Member>([...new Set(userIds)].map((id) => keys.member(associationId, id)), (m) => m.userId);
    },

    /** Writes a member's own preferences (and the visibility they make effective), guarded by the version read. */
    async savePreferences(before: Member, after: Member): Promise<void> {
      try {
        await write(() => db.send(new PutCommand(memberPut(before, after, { live: true }))));
      } catch (err) {
        if (err instanceof ConditionFailed) throw new StaleMember();
        throw err;
      }
    },

    /** The memberships of one user across associations (gsi1). */
    async membershipsOfUser(userId: string, page: PageRequest): Promise<Page<Member>> {
      const { gsi1pk, gsi1skPrefix } = keys.membershipsOfUserPrefix(userId);
      return queryPage<Member>(
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
          ExpressionAttributeValues: { ':pk': gsi1pk, ':sk': gsi1skPrefix },
        },
        page,
      );
    },

    /**
     * Changes a member's role, guarded by the version read. Demoting an owner also
     * decrements the association's owner count, which may never reach zero.
     */
    async changeRole(m: Member, role: Role, actorId: string, at: string): Promise<void> {
      const ownerDelta = (role === 'owner' ? 1 : 0) - (m.role === 'owner' ? 1 : 0);
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
        {
          Update: {
            TableName: table,
            Key: keys.member(m.associationId, m.userId),
            UpdateExpression: 'SET #role = :role, #version = #version + :one, updatedAt = :at',
            ConditionExpression: '#version = :version AND #status <> :cancelled',
            ExpressionAttributeNames: { '#role': 'role', '#version': 'version', '#status': 'status' },
            ExpressionAttributeValues: { ':role': role, ':one': 1, ':at': at, ':version': m.version, ':cancelled': 'cancelled' },
          },
        },
        auditPut({ associationId: m.associationId, action: 'member.role_changed', actorId, subjectId: m.userId, at, data: { from: m.role, to: role } }),
      ];
      if (ownerDelta !== 0) items.push(ownerCountUpdate(m.associationId, ownerDelta));
      await write(() => db.send(new TransactWriteCommand({ TransactItems: items })));
    },

    /** Ends a membership; the item stays (status cancelled) so history is kept. */
    async removeMember(m: Member, actorId: string, at: string): Promise<void> {
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
        // A Put of the whole item, so the member's index entries (directory, status) follow.
        { Put: memberPut(m, { ...m, status: 'cancelled', role: 'member', leftAt: at, updatedAt: at } as Member, { live: true }) },
        auditPut({ associationId: m.associationId, action: actorId === m.userId ? 'member.left' : 'member.removed', actorId, subjectId: m.userId, at, data: { role: m.role, status: m.status } }),
      ];
      if (m.role === 'owner') items.push(ownerCountUpdate(m.associationId, -1));
      await write(() => db.send(new TransactWriteCommand({ TransactItems: items })));
    },

    /**
     * Copies profile fields the member list shows onto each membership of the user: the name,
     * and the directory flag where the membership did not choose its own. Each membership is
     * re-read and replaced at its version (retried if it changed meanwhile), so its index
     * entries follow and a concurrent change is never overwritten.
     */
    async syncMemberships(userId: string, fields: { name: string; directoryVisible: boolean }, at: string): Promise<void> {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.membershipsOfUser(userId, { limit: 100, startKey });
        for (const listed of page.items) {
          for (let attempt = 0; ; attempt++) {
            const res = await db.send(new GetCommand({ TableName: table, Key: keys.member(listed.associationId, userId), ConsistentRead: true }));
            const m = strip<Member>(res.Item);
            if (!m) break;
            const after: Member = { ...m, name: fields.name, directoryVisible: m.preferences?.directoryVisible ?? fields.directoryVisible, updatedAt: at };
            try {
              await write(() => db.send(new PutCommand(memberPut(m, after))));
              break;
            } catch (err) {
              if (!(err instanceof ConditionFailed)) throw err;
              if (attempt >= 5) throw new StaleMember();
              // Spread out writers racing for the same membership.
              await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
            }
          }
        }
        startKey = page.lastKey;
      } while (startKey);
    },

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

    /** Has this Stripe event already taken effect? */
    async eventProcessed(eventId: string): Promise<boolean> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.stripeEvent(eventId), ProjectionExpression: 'pk' }));
      return !!res.Item;
    },

    /** Records an event that changes nothing of ours, so a replay is recognised at once. */
    async markEventProcessed(eventId: string, at: string): Promise<void> {
      await write(() => db.send(new PutCommand(eventMarkerPut(eventId, at).Put)));
    },

    /** Links a connected account to an association, once; the account id can never be swapped. */
    async linkStripeAccount(associationId: string, accountId: string, actorId: string, at: string): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.association(associationId),
                  UpdateExpression: 'SET stripeAccountId = :acct, chargesEnabled = :false, updatedAt = :at',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(stripeAccountId)',
                  ExpressionAttributeValues: { ':acct': accountId, ':false': false, ':at': at },
                },
              },
              { Put: { TableName: table, Item: { ...keys.stripeAccount(accountId), entity: 'stripe_account', associationId }, ConditionExpression: 'attribute_not_exists(pk)' } },
              auditPut({ associationId, action: 'stripe.connected', actorId, at, data: { accountId } }),
            ],
          }),
        ),
      );
    },

    async associationIdForStripeAccount(accountId: string): Promise<string | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.stripeAccount(accountId) }));
      return res.Item?.associationId as string | undefined;
    },

    /** unmatched: the payment did not count for the membership (its refunds do not either). */
    async paymentRef(accountId: string, objectId: string): Promise<{ associationId: string; userId: string; unmatched?: boolean } | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.paymentRef(accountId, objectId) }));
      return res.Item ? { associationId: res.Item.associationId as string, userId: res.Item.userId as string, ...(res.Item.unmatched ? { unmatched: true } : {}) } : undefined;
    },

    /** Applies Stripe's account status to the association, once per event. */
    async updateStripeAccountStatus(associationId: string, accountId: string, status: { chargesEnabled: boolean; detailsSubmitted: boolean }, eventId: string, at: string): Promise<void> {
      await write(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.association(associationId),
                  UpdateExpression: 'SET chargesEnabled = :ce, stripeDetailsSubmitted = :ds, updatedAt = :at',
                  ConditionExpression: 'stripeAccountId = :acct',
                  ExpressionAttributeValues: { ':ce': status.chargesEnabled, ':ds': status.detailsSubmitted, ':at': at, ':acct': accountId },
                },
              },
              eventMarkerPut(eventId, at),
              auditPut({ associationId, action: 'stripe.account_updated', actorId: 'stripe', at, data: { ...status } }),
            ],
          }),
        ),
      );
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

    /** Memberships the daily job must look at on one UTC day (gsi2), oldest due first. */
    async membersDueOn(day: string, page: PageRequest): Promise<Page<Member>> {
      return queryPage<Member>(
        { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.membersDueOn(day).gsi2pk } },
        page,
      );
    },

    // ---------------------------------------------------------------- outbox
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
            ConditionExpression: '#status = :pending OR (#status = :sending AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':now': now.toISOString(), ':one': 1, ':stale': new Date(now.getTime() - staleMs).toISOString() },
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


    // ---------------------------------------------------------------- events
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

    async getRsvp(eventId: string, userId: string): Promise<Rsvp | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.rsvp(eventId, userId) }));
      return strip<Rsvp>(res.Item);
    },

    async rsvpByCode(eventId: string, code: string): Promise<string | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.checkInCode(eventId, code) }));
      return res.Item?.userId as string | undefined;
    },

    /**
     * Writes an RSVP change and moves the event's counters in the same transaction. Taking
     * seats is conditional on enough being free; joining the waitlist on none being free;
     * the RSVP itself on the version read. Freeing seats needs no guard.
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
      const values: Record<string, unknown> = { ':seats': seatDelta, ':wait': waitDelta, ...(waiting0Delta ? { ':w0': waiting0Delta } : {}) };
      // Taking seats or joining the waitlist needs a scheduled event; freeing seats needs no guard.
      const conditions: string[] = [];
      const sets = ['goingCount = goingCount + :seats', 'waitlistCount = waitlistCount + :wait'];
      if (waiting0Delta) sets.push('waiting0 = waiting0 + :w0');
      if (seatDelta > 0 || waitDelta > 0) {
        values[':scheduled'] = 'scheduled';
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
      const items: TransactItem[] = [
        {
          Update: {
            TableName: table,
            Key: keys.event(event.eventId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: conditions.length ? conditions.join(' AND ') : undefined,
            ExpressionAttributeNames: conditions.length && (values[':scheduled'] || derive) ? { ...(values[':scheduled'] ? { '#status': 'status' } : {}), ...(derive ? { '#capacity': 'capacity' } : {}) } : undefined,
            ExpressionAttributeValues: values,
          },
        },
        {
          Put: {
            TableName: table,
            Item: { ...keys.rsvp(after.eventId, after.userId), ...keys.rsvpOfUser(after.userId, event.startsAt, event.eventId), entity: 'rsvp', ...after, version: (before?.version ?? 0) + 1 },
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
      // An entry without a ticket only joins a waitlist that has none (tickets start once it is empty).
      if (joining && joining.ticket === undefined) items.push(waitlist.noTicketsYet(event.eventId));
      if (!before) {
        items.push({ Put: { TableName: table, Item: { ...keys.checkInCode(event.eventId, after.checkInCode), entity: 'checkin_code', userId: after.userId }, ConditionExpression: 'attribute_not_exists(pk)' } });
      }
      for (const mail of c.outbox ?? []) items.push(outboxPut(mail));
      await write(() => db.send(new TransactWriteCommand({ TransactItems: items })));
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

    /** Waitlist tickets: issued by a counter, positions read from departure counters (data/waitlist.ts). */
    waitlist,

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
                  UpdateExpression: 'SET checkedInAt = :at',
                  ConditionExpression: '#status = :going AND (attribute_not_exists(checkedInAt) OR checkedInAt = :null)',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':at': at, ':going': 'going', ':null': null },
                },
              },
              { Update: { TableName: table, Key: keys.event(event.eventId), UpdateExpression: 'SET attendedCount = attendedCount + :one', ExpressionAttributeValues: { ':one': 1 } } },
              auditPut({ associationId: event.associationId, action: 'rsvp.checked_in', actorId, subjectId: rsvp.userId, at, data: { eventId: event.eventId } }),
            ],
          }),
        ),
      );
    },

    async getBroadcast(broadcastId: string): Promise<Broadcast | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.broadcast(broadcastId) }));
      return strip<Broadcast>(res.Item);
    },

    async putBroadcast(b: Broadcast): Promise<void> {
      await write(() => db.send(new PutCommand(broadcastPut(b).Put)));
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

    // ---------------------------------------------------------------- suppression
    async isSuppressed(email: string, kind: string): Promise<boolean> {
      const res = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: [keys.suppression(email, 'ALL'), keys.suppression(email, kind)], ProjectionExpression: 'pk' } } }),
      );
      return (res.Responses?.[table]?.length ?? 0) > 0;
    },

    async suppress(email: string, kind: string, reason: string, at: string): Promise<void> {
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.suppression(email, kind), entity: 'suppression', reason, at } }));
    },

    async recordExport(associationId: string, record: { exportId: string; what: string; subjectId?: string; actorId: string; rows: number; format: string; at: string }): Promise<void> {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { ...keys.exportRecord(associationId, record.exportId), ...keys.exportOfList(associationId, record.subjectId ? `EVENT#${record.subjectId}` : record.what, record.exportId), entity: 'export', associationId, ...record },
              },
            },
            auditPut({ associationId, action: 'export.created', actorId: record.actorId, subjectId: record.subjectId, at: record.at, data: { what: record.what, rows: record.rows, format: record.format } }),
          ],
        }),
      );
    },

    // ---------------------------------------------------------------- local schedules
    async putLocalSchedule(name: string, at: string, payload: Record<string, unknown>): Promise<void> {
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.localSchedule(name), ...keys.localScheduleDue(at, name), entity: 'schedule', name, at, payload } }));
    },
    async deleteLocalSchedule(name: string): Promise<void> {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.localSchedule(name) }));
    },
    async localSchedulesOn(day: string): Promise<{ name: string; at: string; payload: Record<string, unknown> }[]> {
      const res = await db.send(new QueryCommand({ TableName: table, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.localSchedulesOn(day).gsi2pk } }));
      return (res.Items ?? []).map((i) => ({ name: i.name as string, at: i.at as string, payload: i.payload as Record<string, unknown> }));
    },

    // ---------------------------------------------------------------- matching
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

    /** Writes items in batches of 25, retrying what DynamoDB leaves unprocessed. Idempotent for fixed keys. */
    async batchPut(items: Record<string, unknown>[]): Promise<void> {
      for (let i = 0; i < items.length; i += 25) {
        let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
        for (let attempt = 0; request && request[table]?.length; attempt++) {
          if (attempt > 8) throw Object.assign(new Error('batch write kept being throttled'), { name: 'ThrottlingException' });
          if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          const res: import('@aws-sdk/lib-dynamodb').BatchWriteCommandOutput = await db.send(new BatchWriteCommand({ RequestItems: request }));
          request = res.UnprocessedItems as typeof request;
        }
      }
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
    // ---------------------------------------------------------------- profiles
    async getProfile(userId: string): Promise<Profile | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.profile(userId) }));
      return strip<Profile>(res.Item);
    },

    async batchGetProfiles(userIds: string[]): Promise<Map<string, Profile>> {
      return batchGet<Profile>(userIds.map((id) => keys.profile(id)), (p) => p.userId);
    },

    async putProfile(profile: Profile): Promise<void> {
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.profile(profile.userId), entity: 'profile', ...profile } }));
    },

    // ---------------------------------------------------------------- audit
    async auditOf(associationId: string, page: PageRequest): Promise<Page<AuditEntry>> {
      const { pk, skPrefix } = keys.auditPrefix(associationId);
      return queryPage<AuditEntry>(
        { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix }, ScanIndexForward: false },
        page,
      );
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

  function eventMarkerPut(eventId: string, at: string) {
    return {
      Put: {
        TableName: table,
        Item: { ...keys.stripeEvent(eventId), entity: 'stripe_event', processedAt: at, expiresAt: Math.floor(Date.parse(at) / 1000) + EVENT_RETENTION_S },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** A ledger entry, written once; indexed by payer on gsi1. */
  function paymentPut(p: Payment) {
    return {
      Put: { TableName: table, Item: { ...keys.payment(p.associationId, p.paymentId), ...keys.paymentOfUser(p.userId, p.associationId, p.paymentId), entity: 'payment', ...p }, ConditionExpression: 'attribute_not_exists(pk)' },
    };
  }

  function outboxPut(mail: OutboxMail) {
    return { Put: { TableName: table, Item: { ...keys.outbox(mail.mailId), ...keys.outboxPending(mail.createdAt, mail.mailId), entity: 'outbox', ...mail }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  function eventItem(e: Event) {
    return { ...keys.event(e.eventId), ...keys.eventOfAssociation(e.associationId, e.startsAt, e.eventId), entity: 'event', ...e };
  }

  function broadcastPut(b: Broadcast) {
    return { Put: { TableName: table, Item: { ...keys.broadcast(b.broadcastId), entity: 'broadcast', ...b }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  function ownerCountUpdate(associationId: string, delta: number) {
    return {
      Update: {
        TableName: table,
        Key: keys.association(associationId),
        UpdateExpression: 'SET ownerCount = ownerCount + :d',
        // The last owner cannot leave or be demoted: someone must always be able to administer.
        ConditionExpression: delta < 0 ? 'ownerCount > :one' : 'attribute_exists(pk)',
        ExpressionAttributeValues: delta < 0 ? { ':d': delta, ':one': 1 } : { ':d': delta },
      },
    };
  }
}

export type Store = ReturnType<typeof createStore>;
