/**
 * Signed mail links: their own key (not the cursor key), a key id in every token so a
 * rotated key still verifies links already mailed, and an expiry on links that change more
 * than mail preferences. The key comes from Secrets Manager in AWS (mocked here).
 */
import 'aws-sdk-client-mock-jest';
import { createHmac } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LINK_TTL_SECONDS, linkSigner, links, loadLinkKeys, parseLinkKeys } from '../../../functions/core/http/links.js';
import { HttpProblem } from '../../../functions/core/errors.js';

const sm = mockClient(SecretsManagerClient);
beforeEach(() => sm.reset());

const K1 = 'k1-key-0123456789abcdef0123456789abcdef';
const K2 = 'k2-key-abcdef0123456789abcdef0123456789';
const v1 = links(parseLinkKeys(JSON.stringify({ kid: '2026-01', key: K1 })));
const v2 = links(parseLinkKeys(JSON.stringify({ kid: '2026-02', key: K2, previousKid: '2026-01', previousKey: K1 })));
const v2only = links(parseLinkKeys(JSON.stringify({ kid: '2026-02', key: K2 })));
const now = new Date('2026-03-01T12:00:00Z');
const data = { email: 'ada@example.test', kind: 'event_reminder' };

function problem(fn: () => unknown): HttpProblem {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpProblem);
    return err as HttpProblem;
  }
  throw new Error('expected a problem');
}
const invalid = (fn: () => unknown) => {
  const p = problem(fn);
  expect(p.statusCode).toBe(400);
  expect(p.errors).toEqual([{ path: 'token', message: 'is not a link we sent' }]);
};

describe('format', () => {
  it('kid.payload.mac, URL-safe, read back for the same purpose', () => {
    const token = v1.sign('unsubscribe', { email: 'o+tag/x?y=z&a@example.test', kind: 'event_reminder' });
    expect(token).toMatch(/^2026-01\.[\w-]+\.[\w-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(v1.read('unsubscribe', token, now)).toEqual({ email: 'o+tag/x?y=z&a@example.test', kind: 'event_reminder' });
  });

  it('refuses a changed payload, a changed MAC, another purpose, and malformed tokens', () => {
    const token = v1.sign('unsubscribe', data);
    const [kid, , mac] = token.split('.');
    invalid(() => v1.read('unsubscribe', `${kid}.${Buffer.from(JSON.stringify({ ...data, email: 'victim@example.test' })).toString('base64url')}.${mac}`, now));
    invalid(() => v1.read('unsubscribe', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, now));
    invalid(() => v1.read('unsubscribe', `${token}A`, now));
    invalid(() => v1.read('leave-waitlist', token, now));
    for (const t of ['', 'a', 'a.b', '..', `${token}.x`, `.${token.split('.').slice(1).join('.')}`]) invalid(() => v1.read('unsubscribe', t, now));
  });

  it('answers 400, not 500, for a correctly signed payload that is not JSON', () => {
    const signed = `2026-01.${Buffer.from('not json').toString('base64url')}`;
    const mac = createHmac('sha256', K1).update(`link:unsubscribe:${signed}`).digest('base64url');
    invalid(() => v1.read('unsubscribe', `${signed}.${mac}`, now));
  });

  it('the cursor key signs no link: a token keyed with CURSOR_SECRET, old format or new, is refused', () => {
    const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
    const oldMac = createHmac('sha256', process.env.CURSOR_SECRET!).update(`link:unsubscribe:${payload}`).digest('base64url');
    invalid(() => v1.read('unsubscribe', `${payload}.${oldMac}`, now));
    const signed = `2026-01.${payload}`;
    const mac = createHmac('sha256', process.env.CURSOR_SECRET!).update(`link:unsubscribe:${signed}`).digest('base64url');
    invalid(() => v1.read('unsubscribe', `${signed}.${mac}`, now));
  });
});

describe('expiry', () => {
  it('waitlist, introduce and connect links expire after 30 days; unsubscribe links never do', () => {
    expect(LINK_TTL_SECONDS).toEqual({ 'leave-waitlist': 30 * 86_400, introduce: 30 * 86_400, connect: 30 * 86_400 });
    const leave = v1.sign('leave-waitlist', { eventId: 'e1', userId: 'u1' }, now);
    expect(v1.read('leave-waitlist', leave, new Date(now.getTime() + 30 * 86_400_000 - 1000))).toEqual({ eventId: 'e1', userId: 'u1' });
    const expired = problem(() => v1.read('leave-waitlist', leave, new Date(now.getTime() + 30 * 86_400_000)));
    expect(expired.statusCode).toBe(410);
    expect(expired.message).toMatch(/expired/);
    expect(expired.errors).toEqual([{ path: 'token', message: 'has expired' }]);
    const unsubscribe = v1.sign('unsubscribe', data, now);
    expect(v1.read('unsubscribe', unsubscribe, new Date('2036-01-01T00:00:00Z'))).toEqual(data);
  });

  it('an expiring purpose without exp is refused, and signing one without now is a programming error', () => {
    const signed = `2026-01.${Buffer.from(JSON.stringify({ eventId: 'e1', userId: 'u1' })).toString('base64url')}`;
    const mac = createHmac('sha256', K1).update(`link:introduce:${signed}`).digest('base64url');
    invalid(() => v1.read('introduce', `${signed}.${mac}`, now));
    expect(() => v1.sign('introduce', { eventId: 'e1' })).toThrow(/pass now/);
    expect(() => v1.sign('unsubscribe', { exp: '1' })).toThrow(/reserved/);
  });
});

describe('rotation', () => {
  it('links signed with the previous key still verify; new links use the current key', () => {
    const old = v1.sign('unsubscribe', data);
    expect(v2.read('unsubscribe', old, now)).toEqual(data);
    const fresh = v2.sign('unsubscribe', data);
    expect(fresh.startsWith('2026-02.')).toBe(true);
    // A container still on the old secret cannot read links from the new key: rotate before signing with it.
    invalid(() => v1.read('unsubscribe', fresh, now));
  });

  it('once the previous key is dropped, its links are refused; an unknown kid is refused', () => {
    invalid(() => v2only.read('unsubscribe', v1.sign('unsubscribe', data), now));
    const [, payload, mac] = v1.sign('unsubscribe', data).split('.');
    invalid(() => v2.read('unsubscribe', `2025-12.${payload}.${mac}`, now));
  });

  it('a kid naming the current key but signed with the previous one is refused', () => {
    const [, payload] = v1.sign('unsubscribe', data).split('.');
    const mac = createHmac('sha256', K1).update(`link:unsubscribe:2026-02.${payload}`).digest('base64url');
    invalid(() => v2.read('unsubscribe', `2026-02.${payload}.${mac}`, now));
  });
});

describe('the secret', () => {
  it('is read from Secrets Manager when LINK_SECRET_ARN is set, never from a plain variable then', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ kid: '2026-02', key: K2, previousKid: '2026-01', previousKey: K1 }) });
    const keys = await loadLinkKeys({ LINK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:links', LINK_SECRET: 'ignored-ignored-ignored-ignored-ignored' });
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:links' });
    expect(keys.current).toEqual({ kid: '2026-02', key: K2 });
    expect([...keys.byKid.keys()]).toEqual(['2026-02', '2026-01']);
  });

  it('a throttled read fails the request: no link is signed or read with a guessed key', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(loadLinkKeys({ LINK_SECRET_ARN: 'arn:x' })).rejects.toThrow('slow down');
  });

  it('refuses short or unnamed keys, a previous key equal to the current kid, and no configuration at all', async () => {
    expect(() => parseLinkKeys('{"kid":"a","key":"short"}')).toThrow(/32 characters/);
    expect(() => parseLinkKeys(JSON.stringify({ kid: 'a.b', key: K1 }))).toThrow(/kid/);
    expect(() => parseLinkKeys(JSON.stringify({ kid: 'a', key: K1, previousKid: 'a', previousKey: K2 }))).toThrow(/differ/);
    expect(() => parseLinkKeys(JSON.stringify({ kid: 'a', key: K1, previousKid: 'b' }))).toThrow(/previous key/);
    expect(() => parseLinkKeys('not json')).toThrow(/JSON/);
    await expect(loadLinkKeys({})).rejects.toThrow(/LINK_SECRET_ARN/);
  });

  it('locally, LINK_SECRET (test env) signs links with kid "local"', async () => {
    expect((await linkSigner()).sign('unsubscribe', data).startsWith('local.')).toBe(true);
  });
});
