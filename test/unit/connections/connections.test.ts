/**
 * Connections as plain rules (given now), the vCard writer (escaping, folding), and the
 * connections function when DynamoDB fails mid-request (aws-sdk-client-mock).
 */
import '../../support/stripe-env.js';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from '../../../functions/core/data/keys.js';
import { ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { accepted, declined, epochSeconds, foldName, isLive, isOpenAskTo, newAsk, normaliseTags, sidesOf } from '../../../functions/core/domain/connections.js';
import ICAL from 'ical.js';
import { escapeText, foldLine, vcard } from '../../../functions/core/domain/vcard.js';
import { dueDayOf, qualifies } from '../../../functions/core/services/followups.js';
import { handler } from '../../../functions/connections/handler.js';
import { apiEvent, invoke, type Claims } from '../../support/lambda.js';
import { makeAssociation, makeMember } from '../../support/factories.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import { FakeTable } from '../../support/fake-table.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;

describe('an ask, given now', () => {
  const ask = newAsk({ connectionId: 'u1.u2', from: 'u2', to: 'u1', associationId: 'A', note: 'Hi' }, now);

  it('orders the pair, names who asked whom and expires exactly 30 days later', () => {
    expect(ask).toMatchObject({ a: 'u1', b: 'u2', askedBy: 'u2', askedTo: 'u1', state: 'pending', askNote: 'Hi', version: 1 });
    expect(ask.expiresAt).toBe(epochSeconds(new Date(now.getTime() + 30 * DAY)));
  });

  it('is live until its expiry second and gone from then on; only the person asked may answer it', () => {
    expect(isLive(ask, new Date(now.getTime() + 30 * DAY - 1000))).toBe(true);
    expect(isLive(ask, new Date(now.getTime() + 30 * DAY))).toBe(false);
    expect(isOpenAskTo(ask, 'u1', now)).toBe(true);
    expect(isOpenAskTo(ask, 'u2', now)).toBe(false);
    expect(isOpenAskTo(ask, 'u1', new Date(now.getTime() + 31 * DAY))).toBe(false);
  });

  it('accepted: no expiry any more, live for ever, version bumped', () => {
    const c = accepted(ask, now);
    expect(c.expiresAt).toBeUndefined();
    expect(c).toMatchObject({ state: 'accepted', connectedAt: now.toISOString(), version: 2 });
    expect(isLive(c, new Date(now.getTime() + 400 * DAY))).toBe(true);
  });

  it('declined: kept until the ask would have expired, so a new ask waits as long', () => {
    const c = declined(ask, now);
    expect(c.state).toBe('declined');
    expect(isLive(c, new Date(now.getTime() + 29 * DAY))).toBe(true);
    expect(isLive(c, new Date(now.getTime() + 30 * DAY))).toBe(false);
  });

  it('sides: each sorted by the other person, directions from who asked', () => {
    const [asker, asked] = sidesOf(ask, { u1: 'Zoé Ünal', u2: 'Adam' }, 'pending');
    expect(asker).toMatchObject({ userId: 'u2', otherId: 'u1', direction: 'outgoing', nameKey: 'zoe unal#u1' });
    expect(asked).toMatchObject({ userId: 'u1', otherId: 'u2', direction: 'incoming', nameKey: 'adam#u2' });
  });

  it('names fold for search and order: accents dropped, so "ines" finds Inès and Émile sorts before Zoé', () => {
    expect(foldName(' Inès KIM ')).toBe('ines kim');
    expect(foldName('Zoé')).toBe('zoe');
    expect(foldName('Émile') < foldName('Zoé')).toBe(true);
    // Composed and decomposed spellings of the same name are one key.
    expect(foldName('Ine\u0300s')).toBe(foldName('In\u00e8s'));
  });

  it('tags are trimmed, lower-cased and unique', () => {
    expect(normaliseTags([' Investor', 'investor', 'Lyon ', ''])).toEqual(['investor', 'lyon']);
  });
});

describe('the follow-up rules', () => {
  it('qualifies when both met, or both asked to be introduced; not on one side alone', () => {
    expect(qualifies({ feedback: { a: { rating: 5, met: true, at: '' }, b: { rating: 4, met: true, at: '' } }, introRequestedBy: [] })).toBe('met');
    expect(qualifies({ feedback: { a: { rating: 5, met: true, at: '' } }, introRequestedBy: ['x'] })).toBeUndefined();
    expect(qualifies({ feedback: {}, introRequestedBy: ['x', 'y'] })).toBe('introduced');
  });

  it('is due the day after the event ends, or today when the pair qualified later', () => {
    expect(dueDayOf({ endsAt: '2026-03-01T22:30:00.000Z' }, now)).toBe('2026-03-02');
    expect(dueDayOf({ endsAt: '2026-02-20T22:30:00.000Z' }, now)).toBe('2026-03-01');
  });
});

describe('vCard 4.0 text', () => {
  it('escapes backslash, comma, semicolon and newlines (RFC 6350 3.4)', () => {
    expect(escapeText('a\\b,c;d\ne\r\nf')).toBe('a\\\\b\\,c\\;d\\ne\\nf');
  });

  it('folds lines at 75 octets without splitting a UTF-8 character', () => {
    const line = `NOTE:${'é'.repeat(100)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
  });

  it('writes one card with CRLF line ends and only the fields given', () => {
    const card = vcard({ uid: 'u1', name: 'Ada Lovelace', company: 'Engines, Ltd' });
    expect(card).toBe('BEGIN:VCARD\r\nVERSION:4.0\r\nUID;VALUE=text:u1\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nORG:Engines\\, Ltd\r\nEND:VCARD\r\n');
  });
});

describe('vCard N (family;given;additional;prefixes;suffixes), RFC 6350 6.2.2', () => {
  const n = (p: Parameters<typeof vcard>[0]) => vcard(p).split('\r\n').find((l) => l.startsWith('N:'));

  it('uses separate given and family names where they are given, escaped', () => {
    expect(n({ uid: 'u', name: 'Ada', givenName: 'Ada, Countess', familyName: 'King; Lovelace' })).toBe('N:King\\; Lovelace;Ada\\, Countess;;;');
    expect(n({ uid: 'u', name: 'Ada', familyName: 'Lovelace' })).toBe('N:Lovelace;;;;');
  });

  it.each([
    ['Ada Lovelace', 'N:Lovelace;Ada;;;'],
    ['  Ada   Lovelace ', 'N:Lovelace;Ada;;;'],
    ['Mary Ann Evans', 'N:Evans;Mary Ann;;;'],
    ["Jean-Luc O'Brien", "N:O'Brien;Jean-Luc;;;"],
    ['Zoë Åberg', 'N:Åberg;Zoë;;;'],
    ['Zoe\u0308 Åberg', 'N:Åberg;Zoe\u0308;;;'],
  ])('splits capitalised plain words on the last space: %j', (name, expected) => {
    expect(n({ uid: 'u', name })).toBe(expected);
    expect(vcard({ uid: 'u', name })).toContain(`\r\nFN:${name}\r\n`); // FN keeps the name as written
  });

  it.each([
    ['Cher', 'N:Cher;;;;'],
    ['Ludwig van Beethoven', 'N:Ludwig van Beethoven;;;;'],
    ['Martin Luther King Jr.', 'N:Martin Luther King Jr.;;;;'],
    ['Henry Ford III', 'N:Henry Ford III;;;;'],
    ['Ada M. Lovelace', 'N:Ada M. Lovelace;;;;'],
    ['Alpha 001', 'N:Alpha 001;;;;'],
    ['毛泽东', 'N:毛泽东;;;;'],
    ['محمد علي', 'N:محمد علي;;;;'],
    ['Ada; Lovelace', 'N:Ada\\; Lovelace;;;;'],
    ['Lovelace, Ada', 'N:Lovelace\\, Ada;;;;'],
  ])('keeps a name it cannot split safely whole in the family part, escaped: %j', (name, expected) => {
    expect(n({ uid: 'u', name })).toBe(expected);
  });

  it('reads back with ical.js as the same parts', () => {
    const jcard = ICAL.parse(vcard({ uid: 'u', name: 'Mary Ann Evans' })) as never;
    expect(new ICAL.Component(jcard).getFirstPropertyValue('n')).toEqual(['Evans', 'Mary Ann', '', '', '']);
    const escaped = ICAL.parse(vcard({ uid: 'u', name: 'x', givenName: 'Ada, Countess', familyName: 'King; Lovelace' })) as never;
    expect(new ICAL.Component(escaped).getFirstPropertyValue('n')).toEqual(['King; Lovelace', 'Ada, Countess', '', '', '']);
  });
});

describe('the connections function when DynamoDB fails', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const me: Claims = { sub: 'user-me', email: 'me@example.test', name: 'Me Member' };
  const askBody = { userId: 'user-other' };
  const ask = () => invoke(handler, apiEvent('POST /associations/{associationId}/connections', { claims: me, pathParameters: { associationId: 'assocA' }, body: askBody }));
  const conflict = () => new TransactionCanceledException({ message: 'Transaction cancelled [TransactionConflict]', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }] });

  let table: FakeTable;
  beforeEach(() => {
    ddb.reset();
    table = new FakeTable([associationItem(makeAssociation()), memberItem(makeMember({ userId: me.sub, name: 'Me Member' })), memberItem(makeMember({ userId: 'user-other', name: 'Other Member' }))]);
    table.attach(ddb);
  });

  it('retries an ask that collides with another transaction on the pair, then succeeds', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(conflict()).resolves({});
    const res = await ask();
    expect(res.statusCode).toBe(201);
    expect(res.body).toEqual({ connectionId: 'user-me.user-other', state: 'pending' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('answers a collision from the pair as it then stands: the other ask, committed meanwhile, is accepted, not written over', async () => {
    const connectionId = 'user-me.user-other';
    table.onTransact = (_items, n) => {
      if (n > 0) return;
      // The other person's ask to me won the race.
      table.put({ ...keys.connection(connectionId), entity: 'connection', ...newAsk({ connectionId, from: 'user-other', to: me.sub, associationId: 'assocA' }, new Date()) });
      return conflict();
    };
    const res = await ask();
    expect(res.statusCode).toBe(201);
    expect(res.body).toEqual({ connectionId, state: 'accepted' });
    // The failed ask, then the accept: the ask was not sent again.
    const writes = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems![0]!.Put!.ConditionExpression);
    expect(writes).toEqual([expect.stringContaining('attribute_not_exists(pk)'), expect.stringContaining('#state = :pending')]);
    expect(table.get(keys.connection(connectionId).pk, keys.connection(connectionId).sk)).toEqual(expect.objectContaining({ state: 'accepted', askedBy: 'user-other' }));
  });

  it('answers 409 without writing again when the collision was my own earlier ask', async () => {
    const connectionId = 'user-me.user-other';
    table.onTransact = (_items, n) => {
      if (n > 0) return;
      table.put({ ...keys.connection(connectionId), entity: 'connection', ...newAsk({ connectionId, from: me.sub, to: 'user-other', associationId: 'assocA' }, new Date()) });
      return conflict();
    };
    const res = await ask();
    expect(res.statusCode).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers 503 with Retry-After when the pair keeps colliding, never 500, reading it between tries', async () => {
    ddb.on(TransactWriteCommand).rejects(conflict());
    const res = await ask();
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('1');
    // The first write and ten more, each after a wait and a read of the pair.
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(11);
    expect(ddb.commandCalls(GetCommand).filter((c) => String(c.args[0].input.Key!.pk).startsWith(keys.connection(keys.connectionId(me.sub, 'user-other')).pk))).toHaveLength(10);
  }, 15_000);

  it('answers 503 on throttling of the ask, after one write attempt', async () => {
    ddb.on(TransactWriteCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));
    const res = await ask();
    expect(res.statusCode).toBe(503);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
