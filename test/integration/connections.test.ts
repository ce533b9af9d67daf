/**
 * Connections over HTTP against DynamoDB Local: ask, accept, decline, remove; who may do
 * what (404 for pairs the caller is not part of, members of another association refused);
 * expired asks; a network of 250 paged past one page with its filters; 200 concurrent asks
 * for one pair; the vCard export read by ical.js and the CSV read strictly.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import ICAL from 'ical.js';
import { call, callBytes, signIn } from '../support/http.js';
import { buildAssociation, errorPaths, expectProblem, expectStatus, join, type AssociationFixture, type User } from '../support/fixtures.js';
import { allItems, createEvent, csvObjects, parseCsvStrict, pool, rsvp, uniqueLabel } from '../support/events.js';
import { putProfile as putMatchingProfile } from '../support/matching.js';

/** The profile routes take connectionsSee too; the matching helper's type does not list it. */
const putProfile = (u: User, p: Parameters<typeof putMatchingProfile>[1] & { connectionsSee?: { email: boolean; company: boolean } }) => putMatchingProfile(u, p as Parameters<typeof putMatchingProfile>[1]);

const ask = (from: User, associationId: string, body: Record<string, unknown>) => call('POST', `/associations/${associationId}/connections`, { token: from.token, body });
const network = (u: User, qs = '') => call('GET', `/me/connections${qs}`, { token: u.token });
const pairId = (x: string, y: string) => (x < y ? `${x}.${y}` : `${y}.${x}`);

async function member(fx: AssociationFixture, label: string, name: string): Promise<User> {
  const u = await signIn(label, name);
  await join(u, fx.associationId, fx.freePlanId);
  return u;
}

let fx: AssociationFixture;
let otherFx: AssociationFixture;

beforeAll(async () => {
  [fx, otherFx] = await Promise.all([buildAssociation(), buildAssociation()]);
}, 60_000);

describe('ask, accept, decline, remove', () => {
  it('an ask is pending for both; the person asked accepts; both see each other with the current card', async () => {
    const [ana, ben] = await Promise.all([member(fx, 'ana', 'Ana Asker'), member(fx, 'ben', 'Ben Asked')]);
    await putProfile(ben, { name: 'Ben Asked', headline: 'Builds bridges', company: 'Ben & Co', jobTitle: 'CTO' });
    const res = expectStatus(await ask(ana, fx.associationId, { userId: ben.userId, note: 'We met at the mixer' }), 201, 'ask');
    expect(res.body).toEqual({ connectionId: pairId(ana.userId, ben.userId), state: 'pending' });

    const incoming = expectStatus(await network(ben, '?state=pending'), 200, 'pending').body.items;
    expect(incoming).toEqual([expect.objectContaining({ userId: ana.userId, state: 'pending', direction: 'incoming', askNote: 'We met at the mixer' })]);
    expect((await network(ana, '?state=pending')).body.items).toEqual([expect.objectContaining({ userId: ben.userId, direction: 'outgoing' })]);
    expect((await network(ana)).body.items).toEqual([]);

    // Only the person asked answers.
    expectProblem(await call('POST', `/me/connections/${res.body.connectionId}/accept`, { token: ana.token }), 403);
    const acc = expectStatus(await call('POST', `/me/connections/${res.body.connectionId}/accept`, { token: ben.token }), 200, 'accept');
    expect(acc.body).toEqual(expect.objectContaining({ userId: ana.userId, state: 'accepted', connectedAt: expect.any(String) }));
    expectProblem(await call('POST', `/me/connections/${res.body.connectionId}/accept`, { token: ben.token }), 409);

    // The card is read at list time: Ben's later profile change shows.
    await putProfile(ben, { name: 'Ben Asked', headline: 'Now builds tunnels', company: 'Ben & Co', jobTitle: 'CEO' });
    const mine = expectStatus(await network(ana), 200, 'network').body.items;
    expect(mine).toEqual([expect.objectContaining({ userId: ben.userId, name: 'Ben Asked', headline: 'Now builds tunnels', company: 'Ben & Co', jobTitle: 'CEO', tags: [] })]);
    expect(mine[0].email).toBeUndefined(); // not shared by default
    expect((await network(ben)).body.items).toEqual([expect.objectContaining({ userId: ana.userId })]);
    expect((await network(ben, '?state=pending')).body.items).toEqual([]);

    // A second ask while connected is a conflict.
    expectProblem(await ask(ben, fx.associationId, { userId: ana.userId }), 409);

    // Either side removes: gone for both, and a new ask is possible.
    expect((await call('DELETE', `/me/connections/${res.body.connectionId}`, { token: ben.token })).status).toBe(204);
    expect((await network(ana)).body.items).toEqual([]);
    expect((await network(ben)).body.items).toEqual([]);
    expectProblem(await call('DELETE', `/me/connections/${res.body.connectionId}`, { token: ben.token }), 404);
    expectStatus(await ask(ben, fx.associationId, { userId: ana.userId }), 201, 'ask again');
  });

  it('a decline is not shown to the asker: their ask stays pending until it expires, and asking again is a conflict', async () => {
    const [cy, dee] = await Promise.all([member(fx, 'cy', 'Cy Hopeful'), member(fx, 'dee', 'Dee Busy')]);
    const { connectionId } = expectStatus(await ask(cy, fx.associationId, { userId: dee.userId }), 201, 'ask').body;
    expectProblem(await call('POST', `/me/connections/${connectionId}/decline`, { token: cy.token }), 403);
    expect(expectStatus(await call('POST', `/me/connections/${connectionId}/decline`, { token: dee.token }), 200, 'decline').body).toEqual({ connectionId, state: 'declined' });
    expect((await network(dee, '?state=pending')).body.items).toEqual([]);
    expect((await network(cy, '?state=pending')).body.items).toEqual([expect.objectContaining({ userId: dee.userId, state: 'pending' })]);
    const again = await ask(cy, fx.associationId, { userId: dee.userId });
    expectProblem(again, 409);
    expect(again.body.detail).toMatch(/already asked/);
    expectProblem(await call('POST', `/me/connections/${connectionId}/accept`, { token: dee.token }), 404);
    // The one who declined is told so when asking back (they know it), with the day it ends.
    const back = await ask(dee, fx.associationId, { userId: cy.userId });
    expectProblem(back, 409);
    expect(back.body.detail).toMatch(/^You declined this person's ask\. You can ask them from \d{4}-\d{2}-\d{2}\.$/);
    expect(errorPaths(back)).toEqual(['userId']);
  });

  it('asking someone who already asked me accepts their ask', async () => {
    const [eve, fin] = await Promise.all([member(fx, 'eve', 'Eve Mutual'), member(fx, 'fin', 'Fin Mutual')]);
    expectStatus(await ask(eve, fx.associationId, { userId: fin.userId }), 201, 'ask');
    expect(expectStatus(await ask(fin, fx.associationId, { userId: eve.userId }), 201, 'ask back').body.state).toBe('accepted');
    expect((await network(eve)).body.items).toEqual([expect.objectContaining({ userId: fin.userId, state: 'accepted' })]);
  });

  it('bad input names the field; no 500', async () => {
    const gus = await member(fx, 'gus', 'Gus Input');
    expect(errorPaths(expectStatus(await ask(gus, fx.associationId, { userId: gus.userId }), 422, 'self'))).toEqual(['userId']);
    expect(errorPaths(expectStatus(await ask(gus, fx.associationId, { userId: 'nobody-here' }), 422, 'unknown'))).toEqual(['userId']);
    expect(errorPaths(expectStatus(await ask(gus, fx.associationId, { userId: fx.member.userId, role: 'owner' }), 400, 'unknown field'))).toEqual(['role']);
    expect(errorPaths(expectStatus(await ask(gus, fx.associationId, { userId: 'a/b' }), 400, 'bad id'))).toEqual(['userId']);
    expect(errorPaths(expectStatus(await network(gus, '?tag=x&associationId=y'), 400, 'two filters'))).toEqual(['tag']);
    expectProblem(await call('POST', '/me/connections/not-a-pair/accept', { token: gus.token }), 400);
    expect(errorPaths(expectStatus(await call('PATCH', `/me/connections/${pairId(gus.userId, fx.member.userId)}`, { token: gus.token, body: { tags: ['a#b'] } }), 400, 'tag'))).toEqual(['tags.0']);
  });

  it('where we met must be an event of this association both went to', async () => {
    const [hal, ivy, jo] = await Promise.all([member(fx, 'hal', 'Hal Met'), member(fx, 'ivy', 'Ivy Met'), member(fx, 'jo', 'Jo Absent')]);
    const e = await createEvent(fx.organizer, fx.associationId, { title: 'Met here' });
    for (const u of [hal, ivy]) expectStatus(await rsvp(u, e.eventId), 200, 'rsvp');
    expect(errorPaths(expectStatus(await ask(hal, fx.associationId, { userId: jo.userId, eventId: e.eventId }), 422, 'jo did not go'))).toEqual(['eventId']);
    const otherEvent = await createEvent(otherFx.organizer, otherFx.associationId, { title: 'Elsewhere' });
    expect(errorPaths(expectStatus(await ask(hal, fx.associationId, { userId: ivy.userId, eventId: otherEvent.eventId }), 422, 'other association'))).toEqual(['eventId']);
    const { connectionId } = expectStatus(await ask(hal, fx.associationId, { userId: ivy.userId, eventId: e.eventId }), 201, 'ask').body;
    expectStatus(await call('POST', `/me/connections/${connectionId}/accept`, { token: ivy.token }), 200, 'accept');
    expect((await network(hal, `?eventId=${e.eventId}`)).body.items).toEqual([expect.objectContaining({ userId: ivy.userId, metEventId: e.eventId })]);
  });
});

describe('other people and other associations', () => {
  it('a member of another association cannot ask here (403) nor ask one of our members through their own association (422)', async () => {
    const [kim, outsider] = await Promise.all([member(fx, 'kim', 'Kim Here'), signIn('out', 'Out Sider')]);
    await join(outsider, otherFx.associationId, otherFx.freePlanId);
    expectProblem(await ask(outsider, fx.associationId, { userId: kim.userId }), 403);
    expect(errorPaths(expectStatus(await ask(outsider, otherFx.associationId, { userId: kim.userId }), 422, 'not a member there'))).toEqual(['userId']);
  });

  it('a pair the caller is not part of is 404 for every route', async () => {
    const [lou, max, nosy] = await Promise.all([member(fx, 'lou', 'Lou Pair'), member(fx, 'max', 'Max Pair'), member(fx, 'nosy', 'Nosy Third')]);
    const { connectionId } = expectStatus(await ask(lou, fx.associationId, { userId: max.userId }), 201, 'ask').body;
    expectProblem(await call('POST', `/me/connections/${connectionId}/accept`, { token: nosy.token }), 404);
    expectProblem(await call('POST', `/me/connections/${connectionId}/decline`, { token: nosy.token }), 404);
    expectProblem(await call('DELETE', `/me/connections/${connectionId}`, { token: nosy.token }), 404);
    expectProblem(await call('PATCH', `/me/connections/${connectionId}`, { token: nosy.token, body: { note: 'mine now' } }), 404);
    expectProblem(await call('POST', `/me/connections/${connectionId}/accept`, { token: otherFx.member.token }), 404);
    expect((await network(max, '?state=pending')).body.items).toHaveLength(1);
  });

  it('leaving the association keeps connections', async () => {
    const [ola, pia] = await Promise.all([member(fx, 'ola', 'Ola Leaver'), member(fx, 'pia', 'Pia Stayer')]);
    const { connectionId } = expectStatus(await ask(ola, fx.associationId, { userId: pia.userId }), 201, 'ask').body;
    expectStatus(await call('POST', `/me/connections/${connectionId}/accept`, { token: pia.token }), 200, 'accept');
    expect((await call('DELETE', `/associations/${fx.associationId}/members/${ola.userId}`, { token: ola.token })).status).toBeLessThan(300);
    expect((await network(pia)).body.items).toEqual([expect.objectContaining({ userId: ola.userId })]);
    expect((await network(ola)).body.items).toEqual([expect.objectContaining({ userId: pia.userId })]);
  });
});

describe('privacy', () => {
  it('GET /me/export includes my connections; DELETE /me takes me out of everyone\'s network', async () => {
    const [yan, zed, amy] = await Promise.all([member(fx, 'yan', 'Yan Erased'), member(fx, 'zed', 'Zed Stays'), member(fx, 'amy', 'Amy Stays')]);
    const c1 = expectStatus(await ask(yan, fx.associationId, { userId: zed.userId }), 201, 'ask zed').body.connectionId;
    expectStatus(await call('POST', `/me/connections/${c1}/accept`, { token: zed.token }), 200, 'accept');
    expectStatus(await call('PATCH', `/me/connections/${c1}`, { token: zed.token, body: { tags: ['friend'] } }), 200, 'tag');
    expectStatus(await call('PATCH', `/me/connections/${c1}`, { token: yan.token, body: { note: 'Met at the bar', tags: ['bar'] } }), 200, 'note');
    expectStatus(await ask(yan, fx.associationId, { userId: amy.userId }), 201, 'ask amy');

    const data = expectStatus(await call('GET', '/me/export', { token: yan.token }), 200, 'export').body;
    expect(data.connections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: zed.userId, state: 'accepted', note: 'Met at the bar', tags: ['bar'] }),
        expect.objectContaining({ userId: amy.userId, state: 'pending', direction: 'outgoing' }),
      ]),
    );

    expect((await call('DELETE', '/me', { token: yan.token })).status).toBe(204);
    expect((await network(zed)).body.items).toEqual([]);
    expect(await allItems('/me/connections?tag=friend', zed.token)).toEqual([]);
    expect((await network(amy, '?state=pending')).body.items).toEqual([]);
    // A second erasure finds nothing left (idempotent).
    expect((await call('DELETE', '/me', { token: yan.token })).status).toBe(204);
  });
});

describe('expired asks', () => {
  const db = () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_URL, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  /** 30 days pass for one ask: its expiry moves into the past (TTL deletes it later; reads must not wait for that). */
  async function age(connectionId: string, userIds: string[]) {
    const past = Math.floor(Date.now() / 1000) - 60;
    const client = db();
    const keys = [{ pk: `CONN#${connectionId}`, sk: 'CONN' }, ...userIds.map((u) => ({ pk: `USER#${u}`, sk: `CONN#${connectionId}` }))];
    for (const Key of keys) await client.send(new UpdateCommand({ TableName: process.env.LOCAL_TABLE!, Key, UpdateExpression: 'SET expiresAt = :p', ExpressionAttributeValues: { ':p': past } }));
  }

  it('an expired ask is gone: not listed, cannot be accepted, and may be asked again', async () => {
    const [quin, rex] = await Promise.all([member(fx, 'quin', 'Quin Late'), member(fx, 'rex', 'Rex Late')]);
    const { connectionId } = expectStatus(await ask(quin, fx.associationId, { userId: rex.userId }), 201, 'ask').body;
    await age(connectionId, [quin.userId, rex.userId]);
    expect((await network(rex, '?state=pending')).body.items).toEqual([]);
    expect((await network(quin, '?state=pending')).body.items).toEqual([]);
    expectProblem(await call('POST', `/me/connections/${connectionId}/accept`, { token: rex.token }), 404);
    expectStatus(await ask(quin, fx.associationId, { userId: rex.userId }), 201, 'ask again');
    expectStatus(await call('POST', `/me/connections/${connectionId}/accept`, { token: rex.token }), 200, 'accept the new ask');
  });
});

describe('concurrency', () => {
  it('200 concurrent asks for one pair (100 each way) leave exactly one connection, and no 5xx', async () => {
    const [sam, tia] = await Promise.all([member(fx, 'sam', 'Sam Race'), member(fx, 'tia', 'Tia Race')]);
    const results = await pool(Array.from({ length: 200 }, (_, i) => i), 200, (i) => ask(i % 2 ? sam : tia, fx.associationId, { userId: i % 2 ? tia.userId : sam.userId }));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => s === 201 || s === 409)));
    // One pair, one state, the same on both sides.
    const all = async (u: User) => [...(await network(u)).body.items, ...(await network(u, '?state=pending')).body.items];
    const [s, t] = [await all(sam), await all(tia)];
    expect(s).toHaveLength(1);
    expect(t).toHaveLength(1);
    expect(s[0].state).toBe(t[0].state);
  }, 60_000);

  it('200 concurrent asks one way: exactly one pending, the rest 409 or 429 (100 asks a day)', async () => {
    const [uma, val] = await Promise.all([member(fx, 'uma', 'Uma Burst'), member(fx, 'val', 'Val Burst')]);
    const statuses = (await pool(Array.from({ length: 200 }, (_, i) => i), 200, () => ask(uma, fx.associationId, { userId: val.userId }))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    expect((await network(val, '?state=pending')).body.items).toHaveLength(1);
  }, 60_000);

  it('accept, remove and a second ask at once: both sides agree afterwards and no tag or side is left over', async () => {
    const [wes, xia] = await Promise.all([member(fx, 'wes', 'Wes Mix'), member(fx, 'xia', 'Xia Mix')]);
    const { connectionId } = expectStatus(await ask(wes, fx.associationId, { userId: xia.userId }), 201, 'ask').body;
    const calls = Array.from({ length: 150 }, (_, i) =>
      i % 3 === 0
        ? () => call('POST', `/me/connections/${connectionId}/accept`, { token: xia.token })
        : i % 3 === 1
          ? () => call('DELETE', `/me/connections/${connectionId}`, { token: wes.token })
          : () => ask(wes, fx.associationId, { userId: xia.userId }),
    );
    const statuses = (await pool(calls, 150, (f) => f())).map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    const all = async (u: User) => [...(await network(u)).body.items, ...(await network(u, '?state=pending')).body.items];
    const [w, x] = [await all(wes), await all(xia)];
    expect(w.length).toBe(x.length);
    if (w.length) expect(w[0].state).toBe(x[0].state);
  }, 60_000);
});

describe('a network of 250, paged and filtered, and its export', () => {
  let hub: User;
  let people: User[];
  let e: { eventId: string };

  beforeAll(async () => {
    const label = uniqueLabel('net');
    hub = await member(fx, `${label}hub`, 'Hub Person');
    e = await createEvent(fx.organizer, fx.associationId, { title: `Network night ${label}` });
    expectStatus(await rsvp(hub, e.eventId), 200, 'hub rsvp');
    people = await pool(Array.from({ length: 250 }, (_, i) => i), 25, (i) => member(fx, `${label}p${i}`, `${i < 20 ? 'Alpha' : 'Beta'} ${String(i).padStart(3, '0')}`));
    await pool(people.slice(0, 30), 25, (p) => rsvp(p, e.eventId));
    await pool(people, 25, async (p, i) => {
      const { connectionId } = expectStatus(await ask(p, fx.associationId, { userId: hub.userId, ...(i < 30 ? { eventId: e.eventId } : {}) }), 201, 'ask').body;
      expectStatus(await call('POST', `/me/connections/${connectionId}/accept`, { token: hub.token }), 200, 'accept');
      if (i % 10 === 0) expectStatus(await call('PATCH', `/me/connections/${connectionId}`, { token: hub.token, body: { tags: ['Investor', 'lyon'], note: `Note ${i}` } }), 200, 'tag');
    });
    // Two people share their email and one hides the company; the comma and the newline must survive the export.
    await putProfile(people[0]!, { name: 'Alpha 000', company: 'Zero, Inc; "quoted"', jobTitle: 'Chief\nThinker', connectionsSee: { email: true, company: true } });
    await putProfile(people[1]!, { name: 'Alpha 001', company: 'Hidden Co', connectionsSee: { email: false, company: false } });
    await putProfile(people[2]!, { name: 'Alpha 002', company: 'Two Co', connectionsSee: { email: true, company: true } });
  }, 300_000);

  it('pages past 200 in name order with every item once', async () => {
    const first = expectStatus(await network(hub, '?limit=200'), 200, 'page 1').body;
    expect(first.items).toHaveLength(200);
    expect(first.nextCursor).toEqual(expect.any(String));
    const items = await allItems('/me/connections', hub.token, 60);
    expect(items).toHaveLength(250);
    expect(new Set(items.map((i) => i.userId)).size).toBe(250);
    const names = items.map((i) => i.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    // A cursor belongs to its list and its owner.
    expectProblem(await network(people[3]!, `?cursor=${encodeURIComponent(first.nextCursor)}`), 400);
    expectProblem(await network(hub, `?q=alpha&cursor=${encodeURIComponent(first.nextCursor)}`), 400);
  }, 60_000);

  it('filters by name prefix, tag, association and event, each paged', async () => {
    expect(await allItems('/me/connections?q=alpha', hub.token, 7)).toHaveLength(20);
    const tagged = await allItems('/me/connections?tag=investor', hub.token, 10);
    expect(tagged).toHaveLength(25);
    expect(tagged.every((t) => t.tags.includes('investor') && t.note)).toBe(true);
    expect(await allItems('/me/connections?tag=investor&q=alpha', hub.token)).toHaveLength(2);
    expect(await allItems(`/me/connections?associationId=${fx.associationId}`, hub.token, 100)).toHaveLength(250);
    expect(await allItems(`/me/connections?associationId=${otherFx.associationId}`, hub.token)).toHaveLength(0);
    expect(await allItems(`/me/connections?eventId=${e.eventId}`, hub.token, 8)).toHaveLength(30);
    // Removing a tag takes it out of the tag list.
    const one = tagged[tagged.length - 1];
    expectStatus(await call('PATCH', `/me/connections/${one.connectionId}`, { token: hub.token, body: { tags: ['lyon'] } }), 200, 'untag');
    expect(await allItems('/me/connections?tag=investor', hub.token)).toHaveLength(24);
    expect((await allItems('/me/connections?tag=lyon', hub.token)).map((t) => t.userId)).toContain(one.userId);
  }, 60_000);

  it('exports a vCard 4.0 file that ical.js reads, with emails only of those who share them', async () => {
    const res = await callBytes('GET', '/me/connections/export?format=vcf', { token: hub.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/vcard/);
    const text = res.bytes.toString('utf8');
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const parsed = ICAL.parse(text) as unknown[];
    const cards = (Array.isArray(parsed[0]) ? parsed : [parsed]).map((jcard) => new ICAL.Component(jcard as any));
    expect(cards).toHaveLength(250);
    expect(cards.every((c) => c.getFirstPropertyValue('version') === '4.0')).toBe(true);
    const byName = new Map(cards.map((c) => [String(c.getFirstPropertyValue('fn')), c]));
    const zero = byName.get('Alpha 000')!;
    expect(zero.getFirstPropertyValue('org')).toBe('Zero, Inc; "quoted"');
    expect(zero.getFirstPropertyValue('title')).toBe('Chief\nThinker');
    expect(zero.getFirstPropertyValue('email')).toBe(people[0]!.email);
    // Not two plain words (digits): the whole name stays in N's family part (domain/vcard.ts nameParts).
    expect(zero.getFirstPropertyValue('n')).toEqual(['Alpha 000', '', '', '', '']);
    expect(byName.get('Alpha 001')!.getFirstPropertyValue('org')).toBeNull();
    const emails = cards.map((c) => c.getFirstPropertyValue('email')).filter(Boolean);
    expect(emails.sort()).toEqual([people[0]!.email, people[2]!.email].sort());
  }, 60_000);

  it('exports a strict CSV with the same people', async () => {
    const res = await callBytes('GET', '/me/connections/export?format=csv', { token: hub.token });
    expect(res.status).toBe(200);
    const rows = csvObjects(parseCsvStrict(res.bytes));
    expect(rows).toHaveLength(250);
    expect(rows.find((r) => r.Name === 'Alpha 000')).toEqual(expect.objectContaining({ Email: people[0]!.email, Company: 'Zero, Inc; "quoted"', 'Job title': 'Chief\nThinker', Tags: 'investor, lyon' }));
    expect(rows.filter((r) => r.Email).length).toBe(2);
    expectProblem(await call('GET', '/me/connections/export?format=pdf', { token: hub.token }), 400);
  }, 60_000);
});
