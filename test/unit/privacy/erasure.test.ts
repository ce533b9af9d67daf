/**
 * The erasure through the real store and privacy data over a mocked DynamoDBDocumentClient,
 * served by the in-memory table: a failure midway leaves an erasure that a second run
 * finishes with the same end state (seats counted once, one erasure audit entry), and the
 * last owner is refused with nothing written.
 */
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createStore } from '../../../functions/core/data/store.js';
import { createPrivacyData, matchRefItem } from '../../../functions/core/data/privacy.js';
import * as keys from '../../../functions/core/data/keys.js';
import { eraseMe, exportMe, type PrivacyDeps } from '../../../functions/core/services/privacy.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import { FakeTable } from '../../support/fake-table.js';
import { makeAssociation, makeMember, makeProfile } from '../../support/factories.js';
import { associationEntity, codeItem, eventItem, makeEvent, makeRsvp, memberEntity, profileEntity, rsvpItem, waitlisted, type StoredItem } from '../../support/event-factories.js';

const TABLE = process.env.TABLE_NAME!;
const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), { marshallOptions: { removeUndefinedValues: true } });
const store = createStore(client, TABLE);
const data = createPrivacyData(client, TABLE);
const stopBilling = jest.fn(async () => undefined);
const deps: PrivacyDeps = {
  store,
  data,
  stopBilling,
  events: {
    store,
    appUrl: 'https://app.example.test',
    apiUrl: 'https://api.example.test',
  },
};
const now = new Date('2026-03-01T12:00:00.000Z');
const ada = { userId: 'user-ada', email: 'ada@example.test', name: 'Ada Lovelace' };

let table: FakeTable;

function world(opts: { adaRole?: 'member' | 'owner'; ownerCount?: number } = {}) {
  const association = makeAssociation({ ownerCount: opts.ownerCount ?? 1 });
  const event = makeEvent({ capacity: 1, goingCount: 1, waitlistCount: 1 });
  const mine = makeRsvp({ userId: ada.userId, name: ada.name, email: ada.email, answers: { diet: 'vegan' }, company: 'Ada Co' });
  const bob = waitlisted('user-bob', '0001');
  const match = { matchId: 'user-ada.user-bob', eventId: event.eventId, associationId: association.associationId, a: 'user-ada', b: 'user-bob', score: 1, reasons: [{ kind: 'shared_interest', tag: 'climate', weight: 1 }], introRequestedBy: [], feedback: {}, createdAt: now.toISOString() };
  const payment = { paymentId: '2026-02-01T00:00:00.000Z#p1', associationId: association.associationId, userId: ada.userId, kind: 'offline', type: 'payment', amount: 5000, currency: 'eur', paidAt: '2026-02-01T00:00:00.000Z', periodStart: null, periodEnd: null, recordedBy: 'user-admin', createdAt: '2026-02-01T00:00:00.000Z' };
  const items: StoredItem[] = [
    associationEntity(association),
    memberEntity(makeMember({ userId: ada.userId, name: ada.name, email: ada.email, role: opts.adaRole ?? 'member', directoryVisible: true, version: 1 })),
    profileEntity(makeProfile({ userId: ada.userId, name: ada.name, matchOptIn: true })),
    eventItem(event),
    rsvpItem(mine),
    codeItem(mine),
    ...bob.items,
    { ...keys.match(event.eventId, match.matchId), entity: 'match', ...match },
    { ...keys.pair(association.associationId, match.a, match.b), entity: 'pair', a: match.a, b: match.b },
    matchRefItem('user-ada', match) as StoredItem,
    matchRefItem('user-bob', match) as StoredItem,
    { ...keys.payment(association.associationId, payment.paymentId), ...keys.paymentOfUser(ada.userId, association.associationId, payment.paymentId), entity: 'payment', ...payment },
  ];
  table = new FakeTable(items).attach(ddb);
}

/** The item a transaction entry writes, as `pk|sk`. */
const keyOf = (ti: { Put?: { Item?: Record<string, unknown> }; Update?: { Key?: Record<string, unknown> } } | undefined) => {
  const k = ti?.Put?.Item ?? ti?.Update?.Key;
  return k ? `${String(k.pk)}|${String(k.sk)}` : '';
};

function endState() {
  const member = table.get('ASSOC#assocA', `MEMBER#${ada.userId}`)!;
  const rsvp = table.get('EVENT#evt1', `RSVP#${ada.userId}`)!;
  const event = table.get('EVENT#evt1', 'EVENT')!;
  return {
    member: { name: member.name, email: member.email, status: member.status, directoryVisible: member.directoryVisible, gsi1pk: member.gsi1pk },
    rsvp: { name: rsvp.name, email: rsvp.email, answers: rsvp.answers, company: rsvp.company, status: rsvp.status, gsi1pk: rsvp.gsi1pk },
    bob: table.get('EVENT#evt1', 'RSVP#user-bob')!.status,
    counts: { going: event.goingCount, waiting: event.waitlistCount },
    waitlist: table.all('EVENT#evt1', 'WAIT#').length,
    matches: table.all('EVENT#evt1', 'MATCH#').length + table.all('USER#', 'MATCH#').length + table.all('ASSOC#assocA', 'PAIR#').length,
    profile: table.get(`USER#${ada.userId}`, 'PROFILE') ?? null,
    payment: { amount: table.all('ASSOC#assocA', 'PAYMENT#')[0]!.amount, gsi1pk: table.all('ASSOC#assocA', 'PAYMENT#')[0]!.gsi1pk },
    suppressed: table.get(`SUPPRESS#${ada.email}`, 'ALL')?.reason,
    erasedAudit: table.all('ASSOC#assocA', 'AUDIT#').filter((a) => a.action === 'person.erased').length,
  };
}

const erased = {
  member: { name: 'Deleted member', email: '', status: 'cancelled', directoryVisible: false, gsi1pk: undefined },
  rsvp: { name: 'Deleted member', email: '', answers: {}, company: undefined, status: 'not_going', gsi1pk: undefined },
  bob: 'going',
  counts: { going: 1, waiting: 0 },
  waitlist: 0,
  matches: 0,
  profile: null,
  payment: { amount: 5000, gsi1pk: undefined },
  suppressed: 'erased',
  erasedAudit: 1,
};

beforeEach(() => {
  ddb.reset();
  stopBilling.mockClear();
});

describe('eraseMe', () => {
  it('erases the person, promotes the waitlist into their seat and keeps the ledger amount', async () => {
    world();
    await eraseMe(deps, ada, now);
    expect(endState()).toEqual(erased);
  });

  it('is finished by a second run after failing midway, with the same end state', async () => {
    world();
    // The first delete (the match) fails: RSVPs are done, matches, memberships, ledger and profile are not.
    table.failNext('DeleteCommand', Object.assign(new Error('network'), { name: 'TimeoutError' }));
    await expect(eraseMe(deps, ada, now)).rejects.toThrow('network');
    const midway = endState();
    expect(midway.suppressed).toBe('erased');
    expect(midway.rsvp.status).toBe('not_going');
    expect(midway.matches).toBeGreaterThan(0);
    expect(midway.profile).not.toBeNull();
    await eraseMe(deps, ada, now);
    expect(endState()).toEqual(erased);
  });

  it('run twice changes nothing the second time', async () => {
    world();
    await eraseMe(deps, ada, now);
    const once = endState();
    await eraseMe(deps, ada, now);
    expect(endState()).toEqual(once);
  });

  it('meets another erasure of the same person on the membership: reads it again after each conflict instead of writing again', async () => {
    world();
    const memberKey = { pk: 'ASSOC#assocA', sk: `MEMBER#${ada.userId}` };
    const conflict = () => new TransactionCanceledException({ message: 'Transaction cancelled [TransactionConflict, None]', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] });
    const sent = { leave: 0, pseudonymise: 0 };
    table.onTransact = (items) => {
      if (keyOf(items[0]) !== `${memberKey.pk}|${memberKey.sk}`) return;
      // The other erasure's write lands while ours is in flight.
      const stored = table.get(memberKey.pk, memberKey.sk)!;
      if (items[0]!.Put && ++sent.leave === 1) {
        table.put({ ...stored, status: 'cancelled', role: 'member', leftAt: now.toISOString() });
        return conflict();
      }
      if (items[0]!.Update && ++sent.pseudonymise === 1) {
        table.put({ ...stored, name: 'Deleted member', nameLower: 'deleted member', email: '', emailLower: '', directoryVisible: false, matchOptIn: false, erasedAt: now.toISOString(), gsi1pk: undefined, gsi1sk: undefined });
        return conflict();
      }
    };
    await eraseMe(deps, ada, now);
    // One send each: after the conflict the membership read showed the other erasure's work done.
    expect(sent).toEqual({ leave: 1, pseudonymise: 1 });
    // The audit entry of the erasure is the other request's (not simulated here), so none from this one.
    expect(endState()).toEqual({ ...erased, erasedAudit: 0 });
  });

  it('refuses the last owner with a 409 and writes nothing', async () => {
    world({ adaRole: 'owner', ownerCount: 1 });
    const before = [...table.items.values()];
    const err = await eraseMe(deps, ada, now).catch((e) => e);
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).statusCode).toBe(409);
    expect([...table.items.values()]).toEqual(before);
  });

  it('lets an owner go when another owner remains, keeping the owner count right', async () => {
    world({ adaRole: 'owner', ownerCount: 2 });
    await eraseMe(deps, ada, now);
    expect(table.get('ASSOC#assocA', 'ASSOC')!.ownerCount).toBe(1);
    expect(endState().member.status).toBe('cancelled');
  });
});

describe('after an erasure', () => {
  it('a later change of the membership (a Stripe event about the old subscription) does not file it under the person again', async () => {
    world();
    await eraseMe(deps, ada, now);
    const m = (await store.getMember('assocA', ada.userId))!;
    await store.saveMember({ before: m, after: { ...m, autoRenew: false, updatedAt: '2026-03-02T00:00:00.000Z' } });
    const item = table.get('ASSOC#assocA', `MEMBER#${ada.userId}`)!;
    expect({ name: item.name, gsi1pk: item.gsi1pk, autoRenew: item.autoRenew }).toEqual({ name: 'Deleted member', gsi1pk: undefined, autoRenew: false });
    expect((await exportMe(deps, ada, now)).memberships).toEqual([]);
  });
});

describe('exportMe', () => {
  it('reads every piece by key and hands over the RSVP answers, the match and the ledger entry', async () => {
    world();
    const out = await exportMe(deps, ada, now);
    expect(out.profile?.name).toBe(ada.name);
    expect(out.memberships.map((m) => m.associationId)).toEqual(['assocA']);
    expect(out.rsvps.map((r) => r.answers)).toEqual([{ diet: 'vegan' }]);
    expect(out.matches.map((m) => m.matchId)).toEqual(['user-ada.user-bob']);
    expect(out.payments.map((p) => p.amount)).toEqual([5000]);
    // The fake table refuses Scan, and no read of the export filters a partition.
    for (const call of ddb.calls()) expect((call.args[0].input as { FilterExpression?: string }).FilterExpression).toBeUndefined();
  });
});
