/**
 * RSVPs through the real store over a mocked DynamoDBDocumentClient, served by an
 * in-memory table that evaluates conditions: seats are taken in one transaction with the
 * RSVP, guarded by the event's counters; lost races are read again (consistently) and
 * land where they belong, never losing or doubling a seat; busy transactions are retried
 * with backoff, then answered 503; freed seats go to the waitlist in order.
 */
import { jest } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createStore } from '../../../functions/core/data/store.js';
import { promoteWaitlisted, queueRsvpMail, rsvp, withdraw, type SchedulingDeps } from '../../../functions/core/services/events.js';
import { deferredLimits } from '../../../functions/core/http/rate-limit.js';
import { createRateLimits } from '../../../functions/core/data/rate-limits.js';
import { rateLimits } from '../../../functions/core/api.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import { problemResponse } from '../../../functions/core/http/problem.js';
import type { Event, Rsvp } from '../../../functions/core/domain/events.js';
import { BUSY_AFTER_NEWCOMER_MS } from '../../../functions/core/domain/events.js';
import { FakeTable, transactionCancelled, type TransactItem } from '../../support/fake-table.js';
import { makeAssociation, makeMember } from '../../support/factories.js';
import { codeItem, eventItem, makeEvent, makeRsvp, rsvpItem, waitlisted, type StoredItem } from '../../support/event-factories.js';

const TABLE = process.env.TABLE_NAME!;
const ddb = mockClient(DynamoDBDocumentClient);
const docClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), { marshallOptions: { removeUndefinedValues: true } });
const store = createStore(docClient, TABLE);
const scheduler = { upsert: jest.fn(async () => undefined), remove: jest.fn(async () => undefined) };
const deps: SchedulingDeps = {
  store,
  scheduler,
  appUrl: 'https://app.example.test',
  apiUrl: 'https://api.example.test',
};
const association = makeAssociation({ associationId: 'assocA', name: 'Engineers of Lyon' });
const now = new Date('2026-03-01T12:00:00.000Z');
const ada = { userId: 'user-ada', email: 'ada@example.test', name: 'Ada Lovelace' };
const bob = { userId: 'user-bob', email: 'bob@example.test', name: 'Bob Builder' };

let table: FakeTable;
// Every event here already has its waitlist ticket counters (its first joiner made them).
function serve(...items: StoredItem[]) {
  table = new FakeTable([{ pk: 'EVENT#evt1', sk: 'WAITTICKETS', entity: 'waitlist_tickets', waitTicket0: 0, waitTicket1: 0 }, ...items]).attach(ddb);
  return table;
}

/** The association item, which only the stream consumer's mail building reads. */
const serveAlso = (a: typeof association) => table.put({ pk: `ASSOC#${a.associationId}`, sk: 'ASSOC', entity: 'association', ...a });

const EVENT_KEY = { pk: 'EVENT#evt1', sk: 'EVENT' };
const storedEvent = () => table.get('EVENT#evt1', 'EVENT') as unknown as Event;
const storedRsvp = (userId: string) => table.get('EVENT#evt1', `RSVP#${userId}`) as unknown as Rsvp | undefined;
const transactions = (): TransactItem[][] => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems as TransactItem[]);
// Reads of the whole event (a waitlist position also reads one counter of it, by projection).
// An RSVP reads it in one BatchGetItem with the RSVP, the profile and the counters.
const eventReads = () =>
  ddb
    .calls()
    .map((c) => c.args[0] as GetCommand | BatchGetCommand)
    .flatMap((cmd) => {
      if (cmd instanceof GetCommand) return cmd.input.Key?.sk === 'EVENT' && !cmd.input.ProjectionExpression ? [cmd.input.ConsistentRead] : [];
      if (cmd instanceof BatchGetCommand) {
        const r = cmd.input.RequestItems![TABLE]!;
        return r.Keys!.some((k) => k.sk === 'EVENT') ? [r.ConsistentRead] : [];
      }
      return [];
    });
/** The mail each RSVP asked the stream consumer for. */
const askedMail = () => table.all('EVENT#evt1', 'RSVP#').flatMap((r) => (r.mail ? [(r.mail as { kind: string }).kind] : []));

/** The rejection of `p`, failing the test if it resolved. */
async function rejectionOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const realSetTimeout = globalThis.setTimeout;
/** Makes every backoff wait 0 ms for real while recording the delay asked for. */
function recordBackoff(random: number): number[] {
  const delays: number[] = [];
  jest.spyOn(Math, 'random').mockReturnValue(random);
  jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return realSetTimeout(fn, 0);
  }) as unknown as typeof setTimeout);
  return delays;
}

beforeEach(() => {
  ddb.reset();
  scheduler.upsert.mockClear();
  scheduler.remove.mockClear();
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('RSVP going while seats are free', () => {
  it('takes the seats, the RSVP, its check-in code and the rate-limit count in ONE transaction after ONE read; the consumer builds the mail', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 3 })));
    const rate = deferredLimits([rateLimits.rsvp], { userId: ada.userId, params: { eventId: 'evt1' } }, createRateLimits(docClient, TABLE), now);
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now, { rate });

    expect(res).toEqual({ status: 'going', guests: 1, checkInCode: expect.stringMatching(/^[A-HJ-NP-Z2-9]{8}$/) });
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
    expect(rate.counted).toBe(true);
    const items = transactions()[0]!;
    expect(items).toHaveLength(4);
    const [update, rsvpPut, codePut, ratePut] = items;

    expect(update!.Update).toMatchObject({
      TableName: TABLE,
      Key: EVENT_KEY,
      UpdateExpression: 'SET goingCount = goingCount + :seats, waitlistCount = waitlistCount + :wait, seatsLeft = seatsLeft - :seats, lastSeatAt = :seatedAt',
      ConditionExpression: '#status = :scheduled AND attribute_exists(seatsLeft) AND seatsLeft >= :seats AND waitlistCount = :zero',
      ExpressionAttributeNames: { '#status': 'status' },
    });
    // Two seats (Ada and one guest) fit while at most 10 - 2 are taken; the time marks the event busy for a second (rsvpsCalmly).
    expect(update!.Update!.ExpressionAttributeValues).toEqual({ ':seats': 2, ':wait': 0, ':scheduled': 'scheduled', ':zero': 0, ':seatedAt': now.toISOString() });
    // Sent once: meeting another RSVP on the event item, it goes the surge way instead of waiting its turn.
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].middlewareStack.identify().join()).toContain('noConflictRetry');

    expect(rsvpPut!.Put).toMatchObject({
      TableName: TABLE,
      Item: { pk: 'EVENT#evt1', sk: 'RSVP#user-ada', gsi1pk: 'USER#user-ada', status: 'going', guests: 1, email: ada.email, name: ada.name, version: 1, checkInCode: res.checkInCode },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    // The mail is asked for on the RSVP: the stream consumer builds it.
    expect((rsvpPut!.Put!.Item as Record<string, any>).mail).toEqual({ kind: 'rsvp_confirmed', mailId: `rsvp_confirmed.evt1.user-ada.${Math.floor(now.getTime() / 600_000)}` });
    expect(codePut!.Put).toMatchObject({ Item: { pk: 'EVENT#evt1', sk: `CODE#${res.checkInCode}`, userId: ada.userId }, ConditionExpression: 'attribute_not_exists(pk) OR userId = :uid' });
    expect(ratePut!.Update).toMatchObject({ Key: { pk: 'RATE#rsvp#user-ada#evt1' }, ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit' });
    expect(storedEvent()).toMatchObject({ goingCount: 5, waitlistCount: 0 });

    // The consumer's part: one outbox item with the invite and the QR code.
    serveAlso(association);
    expect(await queueRsvpMail(deps, storedRsvp(ada.userId)!, now)).toBe(true);
    const mailPut = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(mailPut).toMatchObject({
      Item: { pk: expect.stringMatching(/^OUTBOX#rsvp_confirmed\.evt1\.user-ada\./), entity: 'outbox', kind: 'rsvp_confirmed', to: ada.email, status: 'pending', fromName: 'Engineers of Lyon' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const mail = mailPut.Item as Record<string, any>;
    expect(mail.text).toContain(res.checkInCode);
    // The calendar invite, and the QR code of the check-in code shown inline (test/unit/events/check-in-qr.test.ts decodes it).
    expect(mail.attachments).toHaveLength(2);
    expect(mail.attachments[0]).toMatchObject({ filename: 'event.ics', contentType: expect.stringContaining('text/calendar') });
    expect(mail.attachments[1]).toMatchObject({ contentType: 'image/png', contentId: 'check-in-qr' });
    const ics = Buffer.from(mail.attachments[0].contentBase64, 'base64').toString('utf8');
    expect(ics).toContain('BEGIN:VCALENDAR');
    expect(ics).toContain('UID:evt1@assoc-platform');
  });

  it('answers 429 when the rate window is full at the read, writing nothing', async () => {
    const rate = deferredLimits([rateLimits.rsvp], { userId: ada.userId, params: { eventId: 'evt1' } }, createRateLimits(docClient, TABLE), now);
    serve(eventItem(makeEvent({ capacity: 10 })), { ...rate.windows[0]!.key, n: 10 });
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now, { rate }));
    expect(err).toBeInstanceOf(HttpProblem);
    expect(err.statusCode ?? err.status).toBe(429);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    expect(storedRsvp(ada.userId)).toBeUndefined();
  });

  it('takes seats without a capacity condition on an event without a capacity', async () => {
    serve(eventItem(makeEvent({ capacity: null, goingCount: 300 })));
    await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    const update = transactions()[0]![0]!.Update!;
    expect(update.ConditionExpression).toBe('#status = :scheduled AND attribute_not_exists(seatsLeft)');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':seats': 1 });
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':limit');
  });

  it('takes the name and company from the profile and keeps valid answers', async () => {
    serve(
      eventItem(makeEvent({ questions: [{ id: 'track', label: 'Track', type: 'single', required: true, options: ['web', 'data'] }] })),
      { pk: 'USER#user-ada', sk: 'PROFILE', entity: 'profile', userId: 'user-ada', name: 'Ada from profile', company: 'Analytical Engines' },
    );
    await rsvp(deps, 'evt1', ada, undefined, { status: 'going', answers: { track: 'data' } }, now);
    expect(storedRsvp(ada.userId)).toMatchObject({ name: 'Ada from profile', company: 'Analytical Engines', answers: { track: 'data' } });
  });
});

describe('RSVP going when the event is full', () => {
  it('joins the waitlist in ONE transaction after ONE read: counter guarded by "still full", the ticket taken in it, a WAIT entry, the mail asked for', async () => {
    // An event whose tickets are on the event item (every event since they moved there).
    table = new FakeTable([eventItem(makeEvent({ capacity: 10, goingCount: 10, waitlist: true }))]).attach(ddb);
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);

    expect(res).toEqual({ status: 'waitlisted', waitlistPosition: 1, guests: 0 });
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const items = transactions()[0]!;
    expect(items).toHaveLength(3); // event, RSVP, waiting entry (no check-in code until going)
    const update = items[0]!.Update!;
    expect(update.Key).toEqual(EVENT_KEY);
    expect(update.ConditionExpression).toBe(
      '#status = :scheduled AND attribute_exists(seatsLeft) AND (seatsLeft < :party OR waitlistCount > :zero) AND ' +
        '(attribute_not_exists(#tprev) OR #tprev = :tprev) AND (attribute_not_exists(#dread) OR #dread = :dread) AND (attribute_not_exists(#w0read) OR #w0read = :w0read) AND ' +
        '(attribute_exists(waitTicket1) OR waitlistCount = :zero)',
    );
    expect(update.UpdateExpression).toBe('SET goingCount = goingCount + :seats, waitlistCount = waitlistCount + :wait, lastJoinAt = :joinedAt, #tnext = :tnext ADD #tother :zero');
    // One seat: waiting is right only while more than 10 - 1 seats are taken.
    expect(update.ExpressionAttributeValues).toMatchObject({ ':seats': 0, ':wait': 1, ':scheduled': 'scheduled', ':party': 1, ':zero': 0, ':tprev': 0, ':tnext': 1 });

    const r = storedRsvp(ada.userId)!;
    // Priority 1, then the event's first waitlist ticket.
    expect(r).toMatchObject({ status: 'waitlisted', waitKey: '1#T0000000001', mail: { kind: 'rsvp_waitlisted' } });
    const wait = items.find((i) => i.Put?.Item.sk === `WAIT#${r.waitKey}`)!.Put!;
    expect(wait).toMatchObject({ Item: { pk: 'EVENT#evt1', userId: ada.userId, seats: 1 }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(storedEvent()).toMatchObject({ goingCount: 10, waitlistCount: 1, waitTicket1: 1, waitTicket0: 0 });

    // The next joiner's position follows from the counters its write was conditional on.
    const later = new Date(now.getTime() + BUSY_AFTER_NEWCOMER_MS);
    expect(await rsvp(deps, 'evt1', bob, undefined, { status: 'going' }, later)).toEqual({ status: 'waitlisted', waitlistPosition: 2, guests: 0 });
    expect(storedRsvp(bob.userId)).toMatchObject({ waitKey: '1#T0000000002' });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
    // Soon after a join (a surge), a joiner takes its ticket atomically first.
    const cy = { userId: 'user-cy', email: 'cy@example.test', name: 'Cy' };
    expect(await rsvp(deps, 'evt1', cy, undefined, { status: 'going' }, later)).toEqual({ status: 'waitlisted', waitlistPosition: 3, guests: 0 });
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([EVENT_KEY]);

    // The consumer's part: the waitlisted mail, its position filled in when sent.
    serveAlso(association);
    expect(await queueRsvpMail(deps, r, now)).toBe(true);
    const mail = ddb.commandCalls(PutCommand).at(-1)!.args[0].input.Item as Record<string, any>;
    expect(mail).toMatchObject({ kind: 'rsvp_waitlisted', to: ada.email, fill: { position: { eventId: 'evt1', waitKey: r.waitKey } } });
    expect(mail.text).toContain('position {{position}}');
    expect(mail.text).toMatch(/waitlist\/leave\?token=/);
  });

  it('takes a ticket atomically and retries once the ticket taken in its transaction went to someone else', async () => {
    table = new FakeTable([eventItem(makeEvent({ capacity: 1, goingCount: 1, waitlist: true }))]).attach(ddb);
    // Bob joins between Ada's read and her write, taking ticket 1.
    table.onTransact = (_items, n) => {
      if (n !== 0) return;
      table.put({ ...storedEvent(), ...EVENT_KEY, waitlistCount: 1, waitTicket1: 1, waitTicket0: 0 } as never);
      table.put({ pk: 'EVENT#evt1', sk: 'WAIT#1#T0000000001', entity: 'waiting', userId: bob.userId, seats: 1 });
      table.put(rsvpItem(makeRsvp({ userId: bob.userId, status: 'waitlisted', waitKey: '1#T0000000001' })));
    };
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    expect(res).toEqual({ status: 'waitlisted', waitlistPosition: 2, guests: 0 });
    expect(storedRsvp(bob.userId)).toMatchObject({ waitKey: '1#T0000000001' });
    expect(storedRsvp(ada.userId)).toMatchObject({ waitKey: '1#T0000000002' });
    expect(storedEvent()).toMatchObject({ waitlistCount: 2, waitTicket1: 2 });
    // Ada's second attempt took ticket 2 with one atomic update on the event.
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([EVENT_KEY]);
  });

  it('puts members in good standing ahead on a members-first event', async () => {
    serve(eventItem(makeEvent({ capacity: 1, goingCount: 1, membersFirst: true, waiting0: 0 })));
    await rsvp(deps, 'evt1', ada, makeMember({ userId: ada.userId, status: 'active' }), { status: 'going' }, now);
    expect(storedRsvp(ada.userId)!.waitKey).toMatch(/^0#/);
  });

  it('refuses with 409 when the event has no waitlist, writing nothing', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 10, waitlist: false })));
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now));
    expect(err).toBeInstanceOf(HttpProblem);
    expect(err.statusCode).toBe(409);
    expect(err.errors).toEqual([{ path: 'status', message: 'no spots left and no waitlist' }]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('refuses a party bigger than the whole capacity instead of parking it at the head of the waitlist for ever', async () => {
    // 3 seats can never fit in 2: waiting would block everyone behind (promotion never overtakes).
    serve(eventItem(makeEvent({ capacity: 2, goingCount: 0, maxGuests: 3 })));
    const outcome = await rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 2 }, now).catch((err: HttpProblem) => err);
    expect(outcome).toMatchObject({ statusCode: expect.any(Number), errors: [expect.objectContaining({ path: 'guests' })] });
    expect(outcome).toBeInstanceOf(HttpProblem);
    expect([409, 422]).toContain((outcome as HttpProblem).statusCode);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('waits when the party is bigger than the seats left, even if one seat is free', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 9, maxGuests: 2 })));
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now);
    expect(res.status).toBe('waitlisted');
    expect(transactions()[0]![0]!.Update!.ExpressionAttributeValues).toMatchObject({ ':party': 2 });
    expect(storedEvent()).toMatchObject({ goingCount: 9, waitlistCount: 1 });
  });
});

describe('RSVPs in a surge (docs/events.md, "The hot item")', () => {
  const busy = (over: Partial<Event> = {}) => eventItem(makeEvent({ capacity: 10, goingCount: 3, waitlist: true, waiting0: 0, lastSeatAt: now.toISOString(), ...over }));
  const person = (i: number) => ({ userId: `user-${String(i).padStart(3, '0')}`, email: `p${i}@example.test`, name: `Person ${i}` });

  it('takes the seats with ONE conditional UpdateItem on the event, then the RSVP, its code and the rate count in ONE transaction without the event item', async () => {
    table = new FakeTable([busy()]).attach(ddb);
    const rate = deferredLimits([rateLimits.rsvp], { userId: ada.userId, params: { eventId: 'evt1' } }, createRateLimits(docClient, TABLE), now);
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now, { rate });

    expect(res).toMatchObject({ status: 'going', guests: 1 });
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    const [take] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(take).toMatchObject({
      Key: EVENT_KEY,
      UpdateExpression: 'SET goingCount = goingCount + :seats, lastSeatAt = :at, seatsLeft = seatsLeft - :seats',
      ConditionExpression: '#status = :scheduled AND attribute_exists(seatsLeft) AND seatsLeft >= :seats AND waitlistCount = :zero',
    });
    expect(take!.ExpressionAttributeValues).toMatchObject({ ':seats': 2 });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(transactions()[0]!.map((i) => (i.Put ? String(i.Put.Item.sk).split('#')[0] : i.Update!.Key!.pk))).toEqual(['RSVP', 'CODE', 'RATE#rsvp#user-ada#evt1']);
    expect(storedEvent()).toMatchObject({ goingCount: 5, seatsLeft: 5, waitlistCount: 0 });
    expect(storedRsvp(ada.userId)).toMatchObject({ status: 'going', mail: { kind: 'rsvp_confirmed' } });
  });

  it('takes seats on an event without a capacity with no seat condition (a request DynamoDB accepts: no unused values)', async () => {
    table = new FakeTable([busy({ capacity: null, seatsLeft: undefined })]).attach(ddb);
    expect((await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now)).status).toBe('going');
    const [take] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(take).toMatchObject({ ConditionExpression: '#status = :scheduled AND attribute_not_exists(seatsLeft)', UpdateExpression: 'SET goingCount = goingCount + :seats, lastSeatAt = :at' });
    expect(Object.keys(take!.ExpressionAttributeValues!).sort()).toEqual([':at', ':scheduled', ':seats']);
    expect(storedEvent()).toMatchObject({ goingCount: 4 });
  });

  it('joins the waitlist with ONE UpdateItem that takes the ticket and the counts (answering the position from them), then the entry in ONE transaction', async () => {
    table = new FakeTable([busy({ goingCount: 10, seatsLeft: 0, waitTicket1: 4, waitTicket0: 0, waitlistCount: 3, departed1: 1, lastSeatAt: undefined, lastJoinAt: now.toISOString() })]).attach(ddb);
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    // Tickets 1..4 issued, one of them gone: three ahead, so fourth.
    expect(res).toEqual({ status: 'waitlisted', waitlistPosition: 4, guests: 0 });
    const [take] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(take).toMatchObject({
      Key: EVENT_KEY,
      UpdateExpression: 'SET lastJoinAt = :at ADD #t :one, #o :zero, waitlistCount :one',
      ConditionExpression: '#status = :scheduled AND attribute_exists(seatsLeft) AND (seatsLeft < :party OR waitlistCount > :zero) AND (attribute_exists(waitTicket1) OR waitlistCount = :zero)',
      ExpressionAttributeNames: { '#status': 'status', '#t': 'waitTicket1', '#o': 'waitTicket0' },
    });
    expect(transactions()[0]!.map((i) => i.Put!.Item.sk)).toEqual(['RSVP#user-ada', 'WAIT#1#T0000000005']);
    expect(storedEvent()).toMatchObject({ waitlistCount: 4, waitTicket1: 5 });
    // No position read: it came with the ticket.
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it('lands on the waitlist when the last seat went between the read and the UpdateItem: the refusal brings the event as it is, so it joins without reading again', async () => {
    table = new FakeTable([busy({ goingCount: 9, seatsLeft: 1 })]).attach(ddb);
    table.put({ ...storedEvent(), ...EVENT_KEY, goingCount: 10, seatsLeft: 0 } as never);
    // The read ahead saw a seat (what the router read before the other person took it).
    const readAhead = { event: { ...storedEvent(), goingCount: 9, seatsLeft: 1 }, separateTickets: false, rateCounts: [] };
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now, { readAhead });
    expect(res).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    const [seatTake, ticketTake] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(seatTake).toMatchObject({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ConditionExpression: expect.stringContaining('seatsLeft >= :seats') });
    expect(ticketTake).toMatchObject({ ConditionExpression: expect.stringContaining('seatsLeft < :party') });
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 0);
    expect(storedEvent()).toMatchObject({ goingCount: 10, seatsLeft: 0, waitlistCount: 1 });
    expect(table.all('EVENT#evt1', 'CODE#')).toEqual([]);
  });

  it('gives the seats back when the RSVP transaction fails, and hands them to someone who joined the waitlist meanwhile', async () => {
    table = new FakeTable([busy({ goingCount: 9, seatsLeft: 1 })]).attach(ddb);
    // Ada's transaction fails after her seat was taken; meanwhile Bob (the event looked full to him) joined the waitlist.
    table.onTransact = (items, n) => {
      if (n !== 0) return undefined;
      table.put({ ...storedEvent(), ...EVENT_KEY, waitlistCount: 1, waitTicket1: 1, waitTicket0: 0 } as never);
      table.put({ pk: 'EVENT#evt1', sk: 'WAIT#1#T0000000001', entity: 'waiting', userId: bob.userId, seats: 1 });
      table.put(rsvpItem(makeRsvp({ userId: bob.userId, status: 'waitlisted', waitKey: '1#T0000000001' })));
      return transactionCancelled(items.map((_, i) => (i === 1 ? 'ConditionalCheckFailed' : 'None'))); // a check-in code someone holds
    };
    serveAlso(association);
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    // Bob got the seat Ada gave back; Ada, reading again, waits behind nobody.
    expect(storedRsvp(bob.userId)).toMatchObject({ status: 'going' });
    expect(res).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(storedEvent()).toMatchObject({ goingCount: 10, seatsLeft: 0, waitlistCount: 1 });
  });

  it('30 newcomers at once for 10 seats: exactly 10 going, 20 waiting at positions 1..20 each once, counters exact', async () => {
    table = new FakeTable([busy({ goingCount: 0, seatsLeft: 10 })]).attach(ddb);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => rsvp(deps, 'evt1', person(i), undefined, { status: 'going' }, now)));
    expect(results.filter((r) => r.status === 'going')).toHaveLength(10);
    expect(results.flatMap((r) => (r.status === 'waitlisted' ? [r.waitlistPosition] : [])).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(storedEvent()).toMatchObject({ goingCount: 10, seatsLeft: 0, waitlistCount: 20, waitTicket1: 20 });
    expect(table.all('EVENT#evt1', 'WAIT#')).toHaveLength(20);
    expect(table.all('EVENT#evt1', 'CODE#')).toHaveLength(10);
  });
});

describe('lost races', () => {
  it('re-reads consistently and lands on the waitlist when the last seat went meanwhile', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 9 })));
    // Someone else takes the last seat between our read and our write.
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(eventItem(makeEvent({ capacity: 10, goingCount: 10 })));
    };
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);

    expect(res).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(eventReads()).toEqual([false, true]);
    const [first, second] = transactions();
    expect(first![0]!.Update!.ConditionExpression).toContain('seatsLeft >= :seats');
    expect(second![0]!.Update!.ConditionExpression).toContain('seatsLeft < :party');
    // The cancelled transaction changed nothing: no seat doubled, none lost.
    expect(storedEvent()).toMatchObject({ goingCount: 10, waitlistCount: 1 });
    expect(storedRsvp(ada.userId)!.status).toBe('waitlisted');
    expect(table.all('EVENT#evt1', 'WAIT#')).toHaveLength(1);
    // The check-in code is written when they go.
    expect(table.all('EVENT#evt1', 'CODE#')).toHaveLength(0);
    expect(askedMail()).toEqual(['rsvp_waitlisted']);
  });

  it('re-reads and takes the seat when one was freed while it was joining the waitlist', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 10 })));
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(eventItem(makeEvent({ capacity: 10, goingCount: 9 })));
    };
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    expect(res.status).toBe('going');
    expect(storedEvent()).toMatchObject({ goingCount: 10, waitlistCount: 0 });
    expect(table.all('EVENT#evt1', 'WAIT#')).toEqual([]);
    expect(askedMail()).toEqual(['rsvp_confirmed']);
  });

  it('gives the last seat to exactly one of two people racing for it; the other waits', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 9 })));
    const results = await Promise.all([
      rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now),
      rsvp(deps, 'evt1', bob, undefined, { status: 'going' }, now),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['going', 'waitlisted']);
    // Both read 9 of 10 and tried to take the seat; one transaction was cancelled and retried.
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
    expect(storedEvent()).toMatchObject({ goingCount: 10, waitlistCount: 1 });
    expect(table.all('EVENT#evt1', 'RSVP#').map((r) => r.status).sort()).toEqual(['going', 'waitlisted']);
  });

  it('retries busy transactions (TransactionConflict) with growing backoff, then answers 503', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 3 })));
    table.onTransact = (items) => transactionCancelled(items.map((_, i) => (i === 0 ? 'TransactionConflict' : 'None')));
    const delays = recordBackoff(0.999);

    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now));

    expect(err).toBeInstanceOf(HttpProblem);
    expect(err.statusCode).toBe(503);
    expect(err.headers).toEqual({ 'Retry-After': '1' });
    expect(problemResponse(err).statusCode).toBe(503);
    // The first try and 8 retries, each after a fresh consistent read. The retries go the surge
    // way: seats taken with one UpdateItem, the transaction, and the seats given back when it fails.
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 9);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 16);
    expect(transactions().slice(1).every((items) => items.every((i) => i.Update?.Key?.sk !== 'EVENT'))).toBe(true);
    // The calm try only met another (nothing refused), so its read serves the first retry.
    expect(eventReads()).toEqual([false, true, true, true, true, true, true, true]);
    expect(delays).toHaveLength(8);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[0]!).toBeLessThan(delays[delays.length - 1]!);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    expect(storedEvent()).toMatchObject({ goingCount: 3, seatsLeft: 7 });
    expect(storedRsvp(ada.userId)).toBeUndefined();
  });

  it('succeeds when a conflict clears on a retry', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 3 })));
    table.onTransact = (items, n) => (n < 2 ? transactionCancelled(items.map(() => 'TransactionConflict')) : undefined);
    recordBackoff(0);
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    expect(res.status).toBe('going');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
    expect(storedEvent()).toMatchObject({ goingCount: 4 });
  });

  it('lets DynamoDB throttling of a read propagate without retrying (the handler answers 503)', async () => {
    serve(eventItem(makeEvent()));
    table.failNext('BatchGetCommand', new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: {} }));
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now));
    expect(err.name).toBe('ThrottlingException');
    expect(err).not.toBeInstanceOf(HttpProblem);
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    const res = problemResponse(err);
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'Retry-After': '1' });
  });
});

describe('refused RSVPs', () => {
  it('refuses more guests than the event allows with 422 naming guests', async () => {
    serve(eventItem(makeEvent({ maxGuests: 2 })));
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 3 }, now));
    expect(err).toBeInstanceOf(HttpProblem);
    expect(err.statusCode).toBe(422);
    expect(err.message).toBe('At most 2 guests per attendee.');
    expect(err.errors).toEqual([{ path: 'guests', message: 'must be at most 2' }]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('says so when the event takes no guests', async () => {
    serve(eventItem(makeEvent({ maxGuests: 0 })));
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now));
    expect(err.statusCode).toBe(422);
    expect(err.message).toBe('This event does not take guests.');
    expect(err.errors).toEqual([{ path: 'guests', message: 'must be at most 0' }]);
  });

  it('refuses invalid answers with 422 naming each answer', async () => {
    serve(eventItem(makeEvent({ questions: [{ id: 'track', label: 'Track', type: 'single', required: true, options: ['web', 'data'] }] })));
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going', answers: { track: 'design', extra: 'x' } }, now));
    expect(err.statusCode).toBe(422);
    expect(err.errors.map((e: { path: string }) => e.path).sort()).toEqual(['answers.extra', 'answers.track']);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('refuses a cancelled event with 409 and an ended one with 422', async () => {
    serve(eventItem(makeEvent({ status: 'cancelled' })));
    expect((await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now))).statusCode).toBe(409);
    serve(eventItem(makeEvent()));
    expect((await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, new Date('2026-03-11T00:00:00Z')))).statusCode).toBe(422);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});

describe('repeating an RSVP', () => {
  const going = makeRsvp({ userId: ada.userId, email: ada.email, status: 'going', guests: 1, version: 4, checkInCode: 'GOING234' });

  it('changes no seat when a going attendee sends the same RSVP again, even on a full event', async () => {
    serve(eventItem(makeEvent({ capacity: 2, goingCount: 2 })), rsvpItem(going), codeItem(going));
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now);

    expect(res).toEqual({ status: 'going', guests: 1, checkInCode: 'GOING234' });
    const items = transactions()[0]!;
    expect(items).toHaveLength(2);
    // No seat moves, so no guard on the event (freeing or keeping seats needs none).
    expect(items[0]!.Update).toMatchObject({ ConditionExpression: undefined, ExpressionAttributeValues: { ':seats': 0, ':wait': 0 } });
    expect(items[1]!.Put).toMatchObject({ ConditionExpression: '#version = :v', ExpressionAttributeValues: { ':v': 4 }, Item: { status: 'going', guests: 1, version: 5 } });
    // No new code, no second confirmation.
    expect(items.some((i) => i.Put?.Item.entity === 'outbox' || String(i.Put?.Item.sk).startsWith('CODE#'))).toBe(false);
    expect(storedEvent()).toMatchObject({ goingCount: 2 });
  });

  it('keeps the guests when a going attendee repeats the RSVP without saying how many', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 2 })), rsvpItem(going));
    await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    expect(transactions()[0]![0]!.Update!.ExpressionAttributeValues).toMatchObject({ ':seats': 0 });
    expect(storedRsvp(ada.userId)!.guests).toBe(1);
  });

  it('refuses more guests than the free spots with 409, writing nothing', async () => {
    serve(eventItem(makeEvent({ capacity: 3, goingCount: 3, maxGuests: 2 })), rsvpItem(going));
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 2 }, now));
    expect(err.statusCode).toBe(409);
    expect(err.errors).toEqual([{ path: 'guests', message: 'not enough free spots' }]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});

describe('withdrawing and promotion', () => {
  it('writes the RSVP, then frees the seats with one UpdateItem (no capacity condition); the promotion takes them with one, then writes its RSVP', async () => {
    const adaGoing = makeRsvp({ userId: ada.userId, email: ada.email, status: 'going', guests: 1, version: 2 });
    const head = waitlisted('user-w1', '01JAAAAAAAAAAAAAAAAAAAAAA1', { version: 3 });
    serve(eventItem(makeEvent({ capacity: 2, goingCount: 2, waitlistCount: 1 })), rsvpItem(adaGoing), ...head.items);

    const res = await withdraw(deps, 'evt1', ada, now);
    expect(res).toEqual({ status: 'not_going' });

    // Neither transaction holds the event item: concurrent cancellations and promotions would meet on it.
    const [free, promote] = transactions();
    expect(transactions()).toHaveLength(2);
    expect(transactions().flat().some((i) => i.Update?.Key?.sk === 'EVENT')).toBe(false);
    expect(free).toHaveLength(1);
    expect(free![0]!.Put).toMatchObject({ Item: { sk: 'RSVP#user-ada', status: 'not_going' }, ConditionExpression: '#version = :v', ExpressionAttributeValues: { ':v': 2 } });
    const [freed, taken] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    // Freeing seats needs no capacity guard (it also works on a cancelled event), only the stored shape it updates.
    expect(freed).toMatchObject({ Key: EVENT_KEY, ConditionExpression: 'attribute_exists(seatsLeft)', ExpressionAttributeValues: { ':seats': -2, ':wait': 0 } });
    // A promotion is the one seat-taking change allowed while others wait.
    expect(taken).toMatchObject({ Key: EVENT_KEY, ConditionExpression: '#status = :scheduled AND attribute_exists(seatsLeft) AND seatsLeft >= :seats', ExpressionAttributeValues: { ':seats': 1, ':wait': -1 } });
    expect(promote!.find((i) => i.Delete)!.Delete).toMatchObject({ Key: { pk: 'EVENT#evt1', sk: `WAIT#${head.rsvp.waitKey}` }, ConditionExpression: 'attribute_exists(pk)' });
    // The promoted RSVP asks for its mail (built with the invite and QR code by the stream consumer); no outbox item here.
    expect(promote!.some((i) => i.Put?.Item.entity === 'outbox')).toBe(false);
    expect(promote!.find((i) => i.Put?.Item.entity === 'rsvp')!.Put!.Item).toMatchObject({ status: 'going', mail: { kind: 'rsvp_promoted', mailId: 'promoted.evt1.user-w1.3' } });

    expect(storedEvent()).toMatchObject({ goingCount: 1, seatsLeft: 1, waitlistCount: 0 });
    expect(storedRsvp('user-w1')).toMatchObject({ status: 'going', version: 4 });
    expect(storedRsvp('user-w1')).not.toHaveProperty('waitKey');
    expect(table.all('EVENT#evt1', 'WAIT#')).toEqual([]);
  });

  it('gives the seats a promotion took back when its RSVP write fails (someone else promoted that person first)', async () => {
    const head = waitlisted('user-w1', '01JAAAAAAAAAAAAAAAAAAAAAA1', { version: 3 });
    serve(eventItem(makeEvent({ capacity: 2, goingCount: 1, waitlistCount: 1 })), ...head.items);
    const seen: unknown[] = [];
    table.onTransact = (items, n) => {
      seen.push({ ...storedEvent() });
      return n === 0 ? transactionCancelled(items.map((_, i) => (i === 0 ? 'ConditionalCheckFailed' : 'None'))) : undefined;
    };
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(1);
    // Taken, given back, taken again: the counters end exact.
    expect(seen[0]).toMatchObject({ goingCount: 2, seatsLeft: 0, waitlistCount: 0 });
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues![':seats'])).toEqual([1, -1, 1]);
    expect(storedEvent()).toMatchObject({ goingCount: 2, seatsLeft: 0, waitlistCount: 0 });
    expect(storedRsvp('user-w1')).toMatchObject({ status: 'going' });
  });

  it('leaves the waitlist without touching seats or promoting anyone', async () => {
    const w = waitlisted(ada.userId, '01JAAAAAAAAAAAAAAAAAAAAAA1');
    serve(eventItem(makeEvent({ capacity: 2, goingCount: 2, waitlistCount: 1 })), ...w.items);
    await withdraw(deps, 'evt1', ada, now);
    expect(transactions()).toHaveLength(1);
    const items = transactions()[0]!;
    expect(items.find((i) => i.Delete)!.Delete!.Key).toEqual({ pk: 'EVENT#evt1', sk: `WAIT#${w.rsvp.waitKey}` });
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([{ ':seats': 0, ':wait': -1 }]);
    expect(storedEvent()).toMatchObject({ goingCount: 2, waitlistCount: 0 });
  });

  it('answers 404 without an RSVP and changes nothing on a second withdrawal', async () => {
    serve(eventItem(makeEvent()));
    expect((await rejectionOf(withdraw(deps, 'evt1', ada, now))).statusCode).toBe(404);
    serve(eventItem(makeEvent()), rsvpItem(makeRsvp({ userId: ada.userId, status: 'not_going' })));
    expect(await withdraw(deps, 'evt1', ada, now)).toEqual({ status: 'not_going' });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('lets an attendee withdraw from a cancelled event (freeing seats needs no guard)', async () => {
    const adaGoing = makeRsvp({ userId: ada.userId, email: ada.email, status: 'going', version: 2 });
    serve(eventItem(makeEvent({ status: 'cancelled', goingCount: 1, cancelledAt: '2026-02-28T00:00:00.000Z' })), rsvpItem(adaGoing));
    recordBackoff(0);
    const outcome = await withdraw(deps, 'evt1', ada, now).catch((err: HttpProblem) => `${err.statusCode} ${err.message}`);
    expect(outcome).toEqual({ status: 'not_going' });
    expect(storedRsvp(ada.userId)!.status).toBe('not_going');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });
});

describe('promoteWaitlisted', () => {
  it('promotes in waitlist order while the parties fit', async () => {
    const a = waitlisted('user-a', '01JAAAAAAAAAAAAAAAAAAAAAA1');
    const b = waitlisted('user-b', '01JAAAAAAAAAAAAAAAAAAAAAA2');
    const c = waitlisted('user-c', '01JAAAAAAAAAAAAAAAAAAAAAA3');
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 8, waitlistCount: 3 })), ...a.items, ...b.items, ...c.items);
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(2);
    expect(['user-a', 'user-b', 'user-c'].map((u) => storedRsvp(u)!.status)).toEqual(['going', 'going', 'waitlisted']);
    expect(storedEvent()).toMatchObject({ goingCount: 10, waitlistCount: 1 });
    expect(['user-a', 'user-b'].map((u) => storedRsvp(u)!.mail)).toEqual([
      { kind: 'rsvp_promoted', mailId: 'promoted.evt1.user-a.1' },
      { kind: 'rsvp_promoted', mailId: 'promoted.evt1.user-b.1' },
    ]);
  });

  it('stops at the first party that does not fit, so nobody behind it is promoted ahead of it', async () => {
    const big = waitlisted('user-big', '01JAAAAAAAAAAAAAAAAAAAAAA1', { guests: 2 });
    const small = waitlisted('user-small', '01JAAAAAAAAAAAAAAAAAAAAAA2', { guests: 0 });
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 8, waitlistCount: 2 })), ...big.items, ...small.items);
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(0);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    expect(storedRsvp('user-small')!.status).toBe('waitlisted');
  });

  it('promotes the head, then stops at the next party that does not fit', async () => {
    const one = waitlisted('user-one', '01JAAAAAAAAAAAAAAAAAAAAAA1', { guests: 0 });
    const three = waitlisted('user-three', '01JAAAAAAAAAAAAAAAAAAAAAA2', { guests: 2 });
    const last = waitlisted('user-last', '01JAAAAAAAAAAAAAAAAAAAAAA3', { guests: 0 });
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 7, waitlistCount: 3 })), ...one.items, ...three.items, ...last.items);
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(1);
    expect(['user-one', 'user-three', 'user-last'].map((u) => storedRsvp(u)!.status)).toEqual(['going', 'waitlisted', 'waitlisted']);
    expect(storedEvent()).toMatchObject({ goingCount: 8, waitlistCount: 2 });
  });

  it('does nothing on a full or cancelled event', async () => {
    const a = waitlisted('user-a', '01JAAAAAAAAAAAAAAAAAAAAAA1');
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 10, waitlistCount: 1 })), ...a.items);
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(0);
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 2, waitlistCount: 1, status: 'cancelled' })), ...a.items);
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(0);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('names the promotion mail after the event, the person and the RSVP version, so a retried promotion asks for the same one', async () => {
    const a = waitlisted('user-a', '01JAAAAAAAAAAAAAAAAAAAAAA1', { version: 7 });
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 9, waitlistCount: 1 })), ...a.items);
    // The first attempt loses a race after the mail was built; the second builds it again.
    table.onTransact = (_items, n) => (n === 0 ? transactionCancelled(['TransactionConflict', 'None', 'None', 'None']) : undefined);
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(1);
    const ids = transactions().map((items) => (items.find((i) => i.Put?.Item.entity === 'rsvp')!.Put!.Item.mail as { mailId: string }).mailId);
    expect(ids).toEqual(['promoted.evt1.user-a.7', 'promoted.evt1.user-a.7']);
    expect(storedRsvp('user-a')!.mail).toEqual({ kind: 'rsvp_promoted', mailId: 'promoted.evt1.user-a.7' });
  });
});
