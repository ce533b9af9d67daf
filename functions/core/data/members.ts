/** Memberships: one item per person and association, indexed by user (gsi1) and by the day the daily job must look at it (gsi2). Key formats: keys.ts. */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { memberItem } from './member-item.js';
import { tableSchema, type IndexName } from './table-schema.js';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { withoutConflictRetry } from './conflict-retry.js';
import { strip, type Table, type Page, type PageRequest } from './table.js';
import { ConditionFailed, StaleMember } from '../errors.js';
import type { Member } from '../domain/types.js';
import type { MemberStatus, Role } from '../domain/roles.js';
import { associationsOps } from './associations.js';
import { auditOps } from './audit.js';

export type MemberFilter = { status?: MemberStatus; planId?: string; q?: string };

/** A Query of one member index, by partition and optional sort-key prefix, filtered only within that set. */
export function memberQuery(indexName: IndexName, pk: string, skPrefix: string | undefined, within: { status?: string; planId?: string; notNamePrefix?: string }) {
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

/** Transaction parts of this entity, for the table named `table`. */
export function membersOps(table: string) {
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

  return { memberPut };
}

/**
 * The reads of memberships: for functions that only look members up (access checks, lists, the
 * matching service), so their bundles leave the writes (transactions, audit entries) out.
 */
export function memberReads(t: Table) {
  const { db, name: table, queryPage, batchGet } = t;
  return {
    async getMember(associationId: string, userId: string): Promise<Member | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.member(associationId, userId) }));
      return strip<Member>(res.Item);
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

    /** Memberships the daily job must look at on one UTC day (gsi2), oldest due first. */
    async membersDueOn(day: string, page: PageRequest): Promise<Page<Member>> {
      return queryPage<Member>(
        { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.membersDueOn(day).gsi2pk } },
        page,
      );
    },
  };
}

/** Every membership operation: the reads and the writes. */
export function membersRepo(t: Table) {
  const { db, name: table, write } = t;
  const { auditPut } = auditOps(t.name);
  const { memberPut } = membersOps(t.name);
  const { ownerCountUpdate } = associationsOps(t.name);
  return {
    ...memberReads(t),
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

    /** Writes a member's own preferences (and the visibility they make effective), guarded by the version read. */
    async savePreferences(before: Member, after: Member): Promise<void> {
      try {
        await write(() => db.send(new PutCommand(memberPut(before, after, { live: true }))));
      } catch (err) {
        if (err instanceof ConditionFailed) throw new StaleMember();
        throw err;
      }
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

    /**
     * Ends a membership; the item stays (status cancelled) so history is kept. `once`: sent
     * without the client's conflict retry, for a caller that reads again after a conflict
     * (erasures of one person at once, services/privacy.ts).
     */
    async removeMember(m: Member, actorId: string, at: string, opts: { once?: boolean } = {}): Promise<void> {
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
        // A Put of the whole item, so the member's index entries (directory, status) follow.
        { Put: memberPut(m, { ...m, status: 'cancelled', role: 'member', leftAt: at, updatedAt: at } as Member, { live: true }) },
        auditPut({ associationId: m.associationId, action: actorId === m.userId ? 'member.left' : 'member.removed', actorId, subjectId: m.userId, at, data: { role: m.role, status: m.status } }),
      ];
      if (m.role === 'owner') items.push(ownerCountUpdate(m.associationId, -1));
      const command = new TransactWriteCommand({ TransactItems: items });
      await write(() => db.send(opts.once ? withoutConflictRetry(command) : command));
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
  };
}

export type MemberReads = ReturnType<typeof memberReads>;
export type MembersRepo = ReturnType<typeof membersRepo>;
