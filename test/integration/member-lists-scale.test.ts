/**
 * Member search, status and plan filters and the directory in a big association, over HTTP
 * on DynamoDB Local: 280 members joined through the API (active, pending on a paid plan,
 * left), their profiles, and 3,000 payment and audit items written straight into the same
 * partition. Each list pages with limit 50 past several full pages and returns every
 * matching member exactly once, in name order, and nobody else.
 */
import { call, signIn, type Res } from '../support/http.js';
import { buildAssociation, expectStatus, join, type AssociationFixture, type User } from '../support/fixtures.js';
import { batchWrite, pool, uniqueLabel } from '../support/events.js';
import * as keys from '../../functions/core/data/keys.js';

const label = uniqueLabel('scale');
const ACTIVE = 200;
const PENDING = 60;
const LEFT = 20;

type Person = User & { name: string; group: 'active' | 'pending' | 'left'; visible: boolean };
let fx: AssociationFixture;
let everyone: Person[];

/** Every page of a list with limit 50; the page sizes and the ids in order. */
async function walk(path: string, token: string) {
  const sizes: number[] = [];
  const items: { userId: string; name: string; email?: string; status?: string; planId?: string }[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res: Res = expectStatus(await call('GET', `${path}${sep}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token }), 200, `page ${i} of ${path}`);
    sizes.push(res.body.items.length);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return { sizes, items };
  }
  throw new Error(`${path}: the cursor never ended`);
}

const byName = (ps: { name: string; userId: string }[]) => [...ps].sort((a, b) => (`${a.name.toLowerCase()}#${a.userId}` < `${b.name.toLowerCase()}#${b.userId}` ? -1 : 1)).map((p) => p.userId);
const A = () => `/associations/${fx.associationId}`;

beforeAll(async () => {
  fx = await buildAssociation({ stripe: true });
  const n = ACTIVE + PENDING + LEFT;
  // Names in an order unrelated to sign-in (and so user id) order; every third name does not start with the label.
  everyone = await pool(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
    const k = (i * 97) % n;
    const name = `${i % 3 === 0 ? 'Other' : label} Person ${String(k).padStart(3, '0')}`;
    const group = i < ACTIVE ? 'active' : i < ACTIVE + PENDING ? 'pending' : 'left';
    const user = await signIn(label, name);
    await join(user, fx.associationId, group === 'pending' ? fx.paidPlanId : fx.freePlanId);
    const visible = i % 4 !== 1;
    expectStatus(await call('PUT', '/me/profile', { token: user.token, body: { name, directoryVisible: visible } }), 200, 'profile');
    if (group === 'left') expectStatus(await call('DELETE', `${A()}/members/${user.userId}`, { token: user.token }), 204, 'leave');
    return { ...user, name, group, visible } as Person;
  });
  // The rest of a busy association's partition: ledger and history, as the store writes them.
  const noise = Array.from({ length: 3_000 }, (_, i) => {
    const who = everyone[i % everyone.length]!;
    return i % 2
      ? { ...keys.payment(fx.associationId, `2026-01-01T00:00:00.${String(i).padStart(4, '0')}Z_offline_${i}`), entity: 'payment', associationId: fx.associationId, userId: who.userId, kind: 'offline', type: 'payment', amount: 5000, currency: 'eur', paidAt: '2026-01-01T00:00:00.000Z', periodStart: null, periodEnd: null, recordedBy: fx.owner.userId, createdAt: '2026-01-01T00:00:00.000Z', status: 'active', nameLower: label }
      : { ...keys.audit(fx.associationId, `01JSCALE${String(i).padStart(18, '0')}`), entity: 'audit', associationId: fx.associationId, action: 'member.joined', actorId: who.userId, subjectId: who.userId, at: '2026-01-01T00:00:00.000Z', status: 'active', nameLower: label };
  });
  await batchWrite(noise);
}, 240_000);

describe('member lists of an association with 285 members and 3,000 other items', () => {
  it('?q= (name or email prefix) pages through every match once: name matches by name, then email-only matches', async () => {
    const { sizes, items } = await walk(`${A()}/members?q=${label.toUpperCase()}`, fx.organizer.token);
    expect(sizes.length).toBeGreaterThanOrEqual(6);
    expect(sizes.slice(0, -2).every((s) => s === 50)).toBe(true);
    const ids = items.map((m) => m.userId);
    expect(new Set(ids).size).toBe(ids.length);
    const nameHits = everyone.filter((p) => p.name.startsWith(label));
    const emailOnly = everyone.filter((p) => !p.name.startsWith(label));
    expect(ids.slice(0, nameHits.length)).toEqual(byName(nameHits));
    expect([...ids.slice(nameHits.length)].sort()).toEqual(emailOnly.map((p) => p.userId).sort());
    const emails = items.slice(nameHits.length).map((m) => `${m.email!.toLowerCase()}#${m.userId}`);
    expect(emails).toEqual([...emails].sort());
  });

  it('?q= with ?status= keeps only that status among the matches', async () => {
    const { items } = await walk(`${A()}/members?q=${label}&status=pending`, fx.organizer.token);
    expect(items.map((m) => m.userId).sort()).toEqual(everyone.filter((p) => p.group === 'pending').map((p) => p.userId).sort());
  });

  it('?status=active pages through every active member once, by name', async () => {
    const { sizes, items } = await walk(`${A()}/members?status=active`, fx.organizer.token);
    const active = [...everyone.filter((p) => p.group === 'active'), fx.owner, fx.admin, fx.organizer, fx.member, fx.other].map((u) => ({ userId: u.userId, name: (u as Person).name }));
    expect(sizes.length).toBeGreaterThanOrEqual(5);
    expect(sizes.slice(0, -1).every((s) => s === 50)).toBe(true);
    expect(items.every((m) => m.status === 'active')).toBe(true);
    const named = items.map((m) => ({ userId: m.userId, name: m.name }));
    expect(items.map((m) => m.userId)).toEqual(byName(named));
    expect(items.map((m) => m.userId).sort()).toEqual(active.map((u) => u.userId).sort());
    const left = await walk(`${A()}/members?status=cancelled`, fx.organizer.token);
    expect(left.items.map((m) => m.userId).sort()).toEqual(everyone.filter((p) => p.group === 'left').map((p) => p.userId).sort());
  });

  it('?planId= pages through the members of that plan, and combined with ?status= within it', async () => {
    const { sizes, items } = await walk(`${A()}/members?planId=${fx.paidPlanId}`, fx.organizer.token);
    expect(sizes).toEqual([50, PENDING - 50]);
    expect(items.map((m) => m.userId)).toEqual(byName(everyone.filter((p) => p.group === 'pending')));
    const both = await walk(`${A()}/members?planId=${fx.freePlanId}&status=cancelled`, fx.organizer.token);
    expect(both.items.map((m) => m.userId)).toEqual(byName(everyone.filter((p) => p.group === 'left')));
  });

  it('the directory pages through the visible members in good standing once, by name, with full pages and no emails', async () => {
    const { sizes, items } = await walk(`${A()}/directory`, fx.member.token);
    const listed = everyone.filter((p) => p.group === 'active' && p.visible);
    expect(listed.length).toBeGreaterThan(120);
    expect(sizes.slice(0, -1).every((s) => s === 50)).toBe(true);
    expect(items.map((m) => m.userId)).toEqual(byName(listed));
    expect(JSON.stringify(items)).not.toContain('@example.test');
  });
});
