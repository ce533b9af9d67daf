/**
 * Where a person shown on a page stands with the viewer: the rule (given now), the lookup
 * (one BatchGet of pair records by key, never a Query of anyone's network), and the control
 * the directory and My matches render for each state.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { accepted, declined, newAsk, personConnection, type Connection } from '../../../functions/core/domain/connections.js';
import { createStore } from '../../../functions/core/data/store.js';
import * as keys from '../../../functions/core/data/keys.js';
import { attendeesToMeet, connectionStates } from '../../../functions/core/services/connections.js';
import { connectControl, returnPath, withDone } from '../../../functions/web/network.js';
import { directoryPage, type DirectoryEntry } from '../../../functions/web/directory.js';
import { FakeTable } from '../../support/fake-table.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const askFrom = (from: string, to: string, at = now) => newAsk({ connectionId: keys.connectionId(from, to), from, to, associationId: 'A' }, at);

describe('personConnection: what a page offers for a person, given our pair record and now', () => {
  it('myself; nobody yet; an expired ask is as nobody', () => {
    expect(personConnection('me', 'me', undefined, now)).toEqual({ state: 'self' });
    expect(personConnection('me', 'u2', undefined, now)).toEqual({ state: 'none' });
    expect(personConnection('me', 'u2', askFrom('me', 'u2', new Date(now.getTime() - 31 * DAY)), now)).toEqual({ state: 'none' });
  });

  it('my open ask reads "asked", theirs "incoming", an accepted pair "connected"', () => {
    const mine = askFrom('me', 'u2');
    expect(personConnection('me', 'u2', mine, now)).toEqual({ state: 'asked', connectionId: mine.connectionId });
    expect(personConnection('u2', 'me', mine, now)).toEqual({ state: 'incoming', connectionId: mine.connectionId });
    expect(personConnection('me', 'u2', accepted(mine, now), now)).toEqual({ state: 'connected', connectionId: mine.connectionId });
    expect(personConnection('u2', 'me', accepted(mine, now), now)).toEqual({ state: 'connected', connectionId: mine.connectionId });
  });

  it('a declined ask still reads "asked" to its asker (nobody learns who declined); the decliner is offered nothing', () => {
    const c = declined(askFrom('me', 'u2'), now);
    expect(personConnection('me', 'u2', c, now)).toMatchObject({ state: 'asked' });
    expect(personConnection('u2', 'me', c, now)).toMatchObject({ state: 'declined' });
  });

  it('a record of some other pair never counts', () => {
    expect(personConnection('me', 'u2', accepted(askFrom('u3', 'u2'), now), now)).toEqual({ state: 'none' });
  });
});

describe('connectionStates: one BatchGet of our pair records', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = createStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), 'T');
  const item = (c: Connection) => ({ ...keys.connection(c.connectionId), entity: 'connection', ...c });
  beforeEach(() => ddb.reset());

  it('reads each pair by key, once for a whole page, and never queries a network', async () => {
    const others = Array.from({ length: 120 }, (_, i) => `u${String(i).padStart(3, '0')}`);
    new FakeTable([item(accepted(askFrom('u001', 'me'), now)), item(askFrom('me', 'u002')), item(askFrom('u003', 'me')), item(accepted(askFrom('u004', 'u005'), now))]).attach(ddb);
    const states = await connectionStates(store, 'me', ['me', ...others, 'u001'], now);
    expect(states.get('me')).toEqual({ state: 'self' });
    expect(states.get('u001')).toMatchObject({ state: 'connected' });
    expect(states.get('u002')).toMatchObject({ state: 'asked' });
    expect(states.get('u003')).toMatchObject({ state: 'incoming' });
    expect(states.get('u004')).toEqual({ state: 'none' });
    expect(states.get('u119')).toEqual({ state: 'none' });
    // 120 distinct others (me and the repeat left out): two calls of at most 100 keys, pair keys only.
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls.map((c) => c.args[0].input.RequestItems!.T!.Keys!.length)).toEqual([100, 20]);
    expect(calls.flatMap((c) => c.args[0].input.RequestItems!.T!.Keys!).every((k) => String(k.pk).startsWith('CONN#') && k.sk === 'CONN')).toBe(true);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('nobody but me on the page: no read at all', async () => {
    new FakeTable([]).attach(ddb);
    expect((await connectionStates(store, 'me', ['me'], now)).get('me')).toEqual({ state: 'self' });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
  });
});

describe('attendeesToMeet: the others checked in at an event who are in the directory', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = createStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), 'T');
  beforeEach(() => ddb.reset());
  const came = (userId: string, checkedIn: boolean) => ({ ...keys.rsvp('E', userId), ...(checkedIn ? keys.rsvpCheckedIn('E', userId) : {}), entity: 'rsvp', eventId: 'E', userId, status: 'going', ...(checkedIn ? { checkedInAt: now.toISOString() } : {}) });
  const member = (userId: string, status: string, directoryVisible: boolean) => ({ ...keys.member('A', userId), entity: 'member', associationId: 'A', userId, name: `Member ${userId}`, status, directoryVisible });
  const profile = (userId: string, name: string) => ({ ...keys.profile(userId), entity: 'profile', userId, name, headline: `${name} headline` });

  it('reads the checked-in index by key a page at a time, keeps the listed, and says where each stands with me', async () => {
    new FakeTable([
      came('me', true), came('u1', true), came('u2', true), came('u3', false), came('u4', true), came('u5', true),
      member('me', 'active', true), member('u1', 'active', true), member('u2', 'active', false), member('u3', 'active', true), member('u4', 'cancelled', true), member('u5', 'active', true),
      profile('u1', 'Ann'), profile('u5', 'Eve'),
      { ...keys.connection(keys.connectionId('me', 'u5')), entity: 'connection', ...askFrom('u5', 'me') },
    ]).attach(ddb);
    const first = await attendeesToMeet(store, { eventId: 'E', associationId: 'A' }, 'me', { limit: 3 }, now);
    // me, u1, u2 on the first page: me left out, u2 not listed.
    expect(first.items).toEqual([{ userId: 'u1', name: 'Ann', headline: 'Ann headline', company: null, jobTitle: null, connection: { state: 'none' } }]);
    expect(first.lastKey).toBeDefined();
    const second = await attendeesToMeet(store, { eventId: 'E', associationId: 'A' }, 'me', { limit: 3, startKey: first.lastKey }, now);
    // u3 never checked in; u4 left the association; u5 asked me.
    expect(second.items.map((p) => [p.userId, p.connection.state])).toEqual([['u5', 'incoming']]);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => [q.IndexName, q.FilterExpression])).toEqual([['gsi2', undefined], ['gsi2', undefined]]);
  });
});

describe('connectControl: what a person shows, per state', () => {
  const p = { associationId: 'A', userId: 'u2', name: 'Bo <Li>' };
  it('Connect posts an ask; the others post to My network actions on the pair', () => {
    expect(connectControl(p)).toContain('action="/account/network/ask"');
    expect(connectControl({ ...p, connection: { state: 'none' } })).toContain('>Connect</button>');
    const connected = connectControl({ ...p, connection: { state: 'connected', connectionId: 'me.u2' } });
    expect(connected).toContain('Connected');
    expect(connected).toContain('href="/account/network?q=Bo+%3CLi%3E"');
    expect(connected).not.toContain('<form');
    const asked = connectControl({ ...p, connection: { state: 'asked', connectionId: 'me.u2' } });
    expect(asked).toContain('Request sent');
    expect(asked).toContain('action="/account/network/me.u2/remove"');
    expect(asked).toContain('Cancel request<span class="visually-hidden"> to Bo &lt;Li&gt;</span>');
    const incoming = connectControl({ ...p, connection: { state: 'incoming', connectionId: 'me.u2' } });
    expect(incoming).toContain('action="/account/network/me.u2/accept"');
    expect(incoming).toContain('action="/account/network/me.u2/decline"');
    expect(incoming).not.toContain('/account/network/ask');
    for (const state of ['self', 'declined'] as const) expect(connectControl({ ...p, connection: state === 'self' ? { state } : { state, connectionId: 'me.u2' } })).not.toContain('<button');
  });

  it('the directory: never a Connect button for myself, each person in their state', () => {
    const entry = (userId: string, name: string) => ({ userId, name }) as DirectoryEntry;
    const html = directoryPage({
      url: 'https://app.test/a/g/directory',
      user: { name: 'Me', email: 'me@example.test' },
      association: { associationId: 'A', name: 'Guild', slug: 'g' },
      items: [entry('me', 'Me Myself'), entry('u1', 'Ann'), entry('u2', 'Bo'), entry('u3', 'Cy')],
      me: 'me',
      // Even a stray "none" for myself does not bring a button back.
      connections: new Map([['me', { state: 'none' }], ['u1', { state: 'connected', connectionId: 'me.u1' }], ['u2', { state: 'asked', connectionId: 'me.u2' }]]),
      nextCursor: null,
      paged: true,
      here: '/a/g/directory?cursor=abc',
    });
    expect(html).toContain('This is you.');
    expect(html).not.toContain('aria-label="Connect with Me Myself"');
    expect(html).not.toContain('aria-label="Connect with Ann"');
    expect(html).not.toContain('aria-label="Connect with Bo"');
    expect(html).toContain('aria-label="Connect with Cy"');
    expect(html).toContain('Request sent');
    // Every form answers back on this page (this cursor page).
    const forms = html.match(/<form method="post" action="\/account\/network\/[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBe(2);
    for (const f of forms) expect(f).toContain('<input type="hidden" name="next" value="/a/g/directory?cursor=abc">');
  });
});

describe('where a connect form answers (next)', () => {
  it('takes a path on this site, with its query and fragment', () => {
    expect(returnPath('/a/g/directory')).toBe('/a/g/directory');
    expect(returnPath('/a/g/directory?cursor=abc')).toBe('/a/g/directory?cursor=abc');
    expect(returnPath('/account#matches')).toBe('/account#matches');
  });

  it('refuses absolute URLs, other origins and anything that is not a plain path', () => {
    for (const bad of ['https://evil.test/a/g/directory', '//evil.test/x', '/\\evil.test', '\\\\evil.test', 'javascript:alert(1)', 'a/g/directory', '/x\r\nLocation: https://evil.test', '', null, undefined, `/${'a'.repeat(2100)}`]) {
      expect(returnPath(bad)).toBeUndefined();
    }
  });

  it('adds done before the fragment, replacing one already there', () => {
    expect(withDone('/account#matches', 'accepted')).toBe('/account?done=accepted#matches');
    expect(withDone('/a/g/directory?cursor=abc', 'asked')).toBe('/a/g/directory?cursor=abc&done=asked');
    expect(withDone('/account/network?done=asked', 'removed')).toBe('/account/network?done=removed');
  });
});
