/**
 * Member search, status and plan filters and the directory read by a key that selects just
 * their members (sparse indexes gsi3-gsi7), never a FilterExpression over the association's
 * partition (members, plans, payments, audit...). The real store over an in-memory table:
 * the queries it sends are asserted, and so is what comes back, page by page.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { createStore, type MemberFilter, type Store } from '../../../functions/core/data/store.js';
import * as keys from '../../../functions/core/data/keys.js';
import * as members from '../../../functions/core/services/members.js';
import type { Member } from '../../../functions/core/domain/types.js';
import type { MemberStatus } from '../../../functions/core/domain/roles.js';
import { makeAssociation, makeMember, makeProfile } from '../../support/factories.js';
import { FakeTable, type Item } from '../../support/fake-table.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const assoc = makeAssociation({ associationId: 'assocA' });
const at = '2026-03-01T10:00:00.000Z';

const statusOf = (i: number): MemberStatus => (['active', 'active', 'past_due', 'pending', 'lapsed'] as const)[i % 5]!;
/** 130 members; names ordered unlike user ids; every third one visible in the directory. */
const people: Member[] = Array.from({ length: 130 }, (_, i) =>
  makeMember({
    associationId: 'assocA',
    userId: `user-${String((i * 37) % 130).padStart(3, '0')}`,
    name: `${i % 2 ? 'Ab' : 'Cd'} Person ${String(i).padStart(3, '0')}`,
    email: `${i % 4 === 0 ? 'ab' : 'zz'}.${i}@example.test`,
    status: statusOf(i),
    planId: i % 3 ? 'planYearly' : 'planFree',
    directoryVisible: i % 3 === 0,
    version: 1,
  }),
);
/** Payments and audit entries in the same partition, which no filtered list may read. */
const noise: Item[] = Array.from({ length: 400 }, (_, i) =>
  i % 2
    ? { ...keys.payment('assocA', `2026-01-01T00:00:${String(i).padStart(3, '0')}Z_p${i}`), entity: 'payment', userId: 'user-001', nameLower: 'ab person', status: 'active' }
    : { ...keys.audit('assocA', `01J${String(i).padStart(23, '0')}`), entity: 'audit', action: 'member.joined', status: 'active' },
);

let table: FakeTable;
let store: Store;

beforeEach(async () => {
  ddb.reset();
  table = new FakeTable(noise).attach(ddb);
  store = createStore(doc, 'test-table');
  for (const m of people) await store.join(m);
  ddb.resetHistory();
});

const queries = (): QueryCommandInput[] => ddb.commandCalls(QueryCommand).map((c) => c.args[0].input as QueryCommandInput);

/** Reads every page of a list the way the handler does (limit 50, resume key). */
async function walk(read: (startKey?: Record<string, unknown>) => Promise<{ items: { userId: string }[]; lastKey?: Record<string, unknown> }>) {
  const pages: string[][] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await read(startKey);
    pages.push(page.items.map((m) => m.userId));
    startKey = page.lastKey;
  } while (startKey && pages.length < 50);
  return pages;
}

const sortKey = (m: Member) => `${m.name.toLowerCase()}#${m.userId}`;
const byName = (ms: Member[]) => [...ms].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)).map((m) => m.userId);
const list = (filter: MemberFilter) => walk((startKey) => members.list(store, assoc, filter, 20, startKey));

describe('member lists read by key', () => {
  it('?status= reads the status index only: every member of that status once, by name, with no filter at all', async () => {
    const pages = await list({ status: 'active' });
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.flat()).toEqual(byName(people.filter((m) => m.status === 'active')));
    expect(queries().every((q) => q.IndexName === 'gsi4' && q.FilterExpression === undefined)).toBe(true);
  });

  it('?planId= reads the plan index only', async () => {
    const pages = await list({ planId: 'planYearly' });
    expect(pages.flat()).toEqual(byName(people.filter((m) => m.planId === 'planYearly')));
    expect(queries().every((q) => q.IndexName === 'gsi7' && q.FilterExpression === undefined)).toBe(true);
  });

  it('?q= finds name prefixes (by name), then email prefixes not already found (by email), each member once', async () => {
    const pages = await list({ q: 'AB' });
    const nameHits = people.filter((m) => m.name.toLowerCase().startsWith('ab'));
    const emailOnly = people.filter((m) => !m.name.toLowerCase().startsWith('ab') && m.email.startsWith('ab'));
    expect(emailOnly.length).toBeGreaterThan(0);
    const emailKey = (m: Member) => `${m.email}#${m.userId}`;
    expect(pages.flat()).toEqual([...byName(nameHits), ...[...emailOnly].sort((a, b) => (emailKey(a) < emailKey(b) ? -1 : 1)).map((m) => m.userId)]);
    expect(new Set(pages.flat()).size).toBe(pages.flat().length);
    const sent = queries();
    expect(sent.every((q) => q.IndexName === 'gsi5' || q.IndexName === 'gsi6')).toBe(true);
    // The name list has no filter; the email list only drops, within its own prefix, those the name list had.
    expect(sent.filter((q) => q.IndexName === 'gsi5').every((q) => q.FilterExpression === undefined)).toBe(true);
    expect(sent.filter((q) => q.IndexName === 'gsi6').every((q) => q.FilterExpression === 'NOT begins_with(nameLower, :namePrefix)')).toBe(true);
  });

  it('combined filters filter only within the set the first key selected', async () => {
    const pages = await list({ status: 'active', planId: 'planFree' });
    expect(pages.flat()).toEqual(byName(people.filter((m) => m.status === 'active' && m.planId === 'planFree')));
    expect(queries().every((q) => q.IndexName === 'gsi4')).toBe(true);
  });

  it('the directory reads the directory index: visible members in good standing, by name, full pages', async () => {
    for (const m of people) table.put({ ...keys.profile(m.userId), entity: 'profile', ...makeProfile({ userId: m.userId, name: m.name }) });
    const pages = await walk((startKey) => members.directory(store, assoc, 10, startKey));
    const expected = byName(people.filter((m) => m.directoryVisible && (m.status === 'active' || m.status === 'past_due')));
    expect(expected.length).toBeGreaterThan(20);
    expect(pages.flat()).toEqual(expected);
    expect(pages.slice(0, -1).every((p) => p.length === 10)).toBe(true);
    expect(queries().every((q) => q.IndexName === 'gsi3' && q.FilterExpression === undefined)).toBe(true);
  });

  it('never sends a FilterExpression over the association partition itself, for any filter', async () => {
    for (const filter of [{}, { status: 'lapsed' }, { planId: 'planFree' }, { q: 'cd' }, { q: 'zz', status: 'active' }, { planId: 'planFree', q: 'ab' }] as MemberFilter[]) {
      await list(filter);
    }
    await walk((startKey) => members.directory(store, assoc, 50, startKey));
    const overPartition = queries().filter((q) => !q.IndexName && q.FilterExpression !== undefined);
    expect(overPartition).toEqual([]);
  });
});

describe('every member write keeps the index entries right', () => {
  const visible = people.find((m) => m.directoryVisible && m.status === 'active')!;

  it('leaving takes the member out of the directory and out of their status list', async () => {
    await store.removeMember({ ...visible, version: 1 }, visible.userId, at);
    expect((await walk((s) => store.directoryOf('assocA', { limit: 500, startKey: s }))).flat()).not.toContain(visible.userId);
    expect((await list({ status: 'active' })).flat()).not.toContain(visible.userId);
    expect((await list({ status: 'cancelled' })).flat()).toEqual([visible.userId]);
  });

  it('a profile change renames the member in every name-sorted list, and moves the directory flag unless the membership chose its own', async () => {
    await store.syncMemberships(visible.userId, { name: 'Aaa First', directoryVisible: false }, at);
    expect((await list({ status: 'active' })).flat()[0]).toBe(visible.userId); // "aaa first" sorts first
    expect((await list({ q: 'aaa' })).flat()).toEqual([visible.userId]);
    expect((await walk((s) => store.directoryOf('assocA', { limit: 500, startKey: s }))).flat()).not.toContain(visible.userId);

    const chose = people.find((m) => !m.directoryVisible && m.status === 'active')!;
    const before = (await store.getMember('assocA', chose.userId))!;
    await store.savePreferences(before, { ...before, preferences: { directoryVisible: true }, directoryVisible: true });
    await store.syncMemberships(chose.userId, { name: 'Aab Second', directoryVisible: false }, at);
    expect((await walk((s) => store.directoryOf('assocA', { limit: 500, startKey: s }))).flat()[0]).toBe(chose.userId);
    expect(await store.getMember('assocA', chose.userId)).toMatchObject({ name: 'Aab Second', directoryVisible: true, preferences: { directoryVisible: true }, version: before.version + 2 });
  });
});
