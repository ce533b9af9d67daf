/**
 * Seats, guests and waitlist positions against the stored state at the moment of each write:
 * a capacity lowered between an RSVP's read and its write, more guests asked for while a
 * party waits, positions read in O(1) from per-event counters, and confirmation mail that
 * does not flood when someone toggles their RSVP.
 */
import { jest } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createStore } from '../../../functions/core/data/store.js';
import { patchEvent, promoteWaitlisted, reconcileCounters, rsvp, withdraw, type EventsDeps } from '../../../functions/core/services/events.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import type { Event, Rsvp } from '../../../functions/core/domain/events.js';
import { FakeTable, transactionCancelled } from '../../support/fake-table.js';
import { mockedStore, TABLE, unitEventsDeps } from '../../support/unit-events.js';
import { makeAssociation } from '../../support/factories.js';
import { eventItem, makeEvent, makeRsvp, rsvpItem, codeItem, waitlisted, type StoredItem } from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
const store = mockedStore();
const deps = unitEventsDeps(store);
const association = makeAssociation({ associationId: 'assocA', name: 'Engineers of Lyon' });
const now = new Date('2026-03-01T12:00:00.000Z');
const ada = { userId: 'user-ada', email: 'ada@example.test', name: 'Ada Lovelace' };
const organizer = { userId: 'user-organizer', email: 'org@example.test', name: 'Org' };
const user = (i: number) => ({ userId: `user-${String(i).padStart(3, '0')}`, email: `u${i}@example.test`, name: `User ${i}` });

let table: FakeTable;
function serve(...items: StoredItem[]) {
  table = new FakeTable(items).attach(ddb);
  return table;
}
const storedEvent = () => table.get('EVENT#evt1', 'EVENT') as unknown as Event;
// The waitlist ticket counters are on the event item.
const tickets = () => table.get('EVENT#evt1', 'EVENT');
const storedRsvp = (userId: string) => table.get('EVENT#evt1', `RSVP#${userId}`) as unknown as Rsvp | undefined;

async function rejectionOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const realSetTimeout = globalThis.setTimeout;
beforeEach(() => {
  ddb.reset();
  // Backoff waits for real would only slow the tests down.
  jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void) => realSetTimeout(fn, 0)) as unknown as typeof setTimeout);
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('capacity is read at the moment of the write', () => {
  it('an organizer lowering the capacity between the RSVP read and its write never leaves more going than seats', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 5 })));
    // The organizer's PATCH commits (capacity 10 -> 5, version bumped) while the RSVP is in flight.
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(eventItem(makeEvent({ capacity: 5, goingCount: 5, version: 2 })));
    };
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    const e = storedEvent();
    expect(e.goingCount).toBeLessThanOrEqual(e.capacity!);
    expect(res.status).toBe('waitlisted');
    expect(e).toMatchObject({ capacity: 5, goingCount: 5, waitlistCount: 1 });
  });

  it('a capacity set on an unlimited event between the read and the write is respected', async () => {
    serve(eventItem(makeEvent({ capacity: null, goingCount: 4 })));
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(eventItem(makeEvent({ capacity: 4, goingCount: 4, version: 2 })));
    };
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    expect(res.status).toBe('waitlisted');
    expect(storedEvent()).toMatchObject({ capacity: 4, goingCount: 4, waitlistCount: 1 });
  });

  it('an event stored before seatsLeft gets it derived by its next seat change, guarded by the capacity it was read with', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 3, seatsLeft: undefined })));
    await rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now);
    expect(storedEvent()).toMatchObject({ capacity: 10, goingCount: 5, seatsLeft: 5 });
  });

  it('an event stored before seatsLeft whose capacity is lowered mid-flight is obeyed too', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 3, seatsLeft: undefined })));
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(eventItem(makeEvent({ capacity: 3, goingCount: 3, seatsLeft: undefined, version: 2 })));
    };
    expect((await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now)).status).toBe('waitlisted');
    expect(storedEvent()).toMatchObject({ capacity: 3, goingCount: 3, seatsLeft: 0, waitlistCount: 1 });
  });

  it('PATCH capacity moves seatsLeft in the same write, from the stored goingCount; no capacity removes it', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 4 })));
    await patchEvent(deps, association, makeEvent({ capacity: 10, goingCount: 4 }), organizer, { capacity: 7 } as never, now);
    expect(storedEvent()).toMatchObject({ capacity: 7, goingCount: 4, seatsLeft: 3, version: 2 });
    await patchEvent(deps, association, storedEvent(), organizer, { capacity: null } as never, now);
    expect(storedEvent()).toMatchObject({ capacity: null, goingCount: 4 });
    expect(storedEvent()).not.toHaveProperty('seatsLeft');
    expect((await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now)).status).toBe('going');
    expect(storedEvent()).toMatchObject({ goingCount: 5 });
    expect(storedEvent()).not.toHaveProperty('seatsLeft');
  });

  it('an organizer editing other fields meanwhile does not make an RSVP retry', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 5 })));
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(eventItem(makeEvent({ capacity: 10, goingCount: 5, title: 'Renamed', version: 2 })));
    };
    expect((await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now)).status).toBe('going');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(storedEvent()).toMatchObject({ goingCount: 6, seatsLeft: 4, title: 'Renamed' });
  });

  it('PATCH refuses a capacity below the seats taken with 422 naming capacity, and keeps the stored one', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 6 })));
    const err = await rejectionOf(patchEvent(deps, association, makeEvent({ capacity: 10, goingCount: 6 }), organizer, { capacity: 5 } as never, now));
    expect(err).toBeInstanceOf(HttpProblem);
    expect(err.statusCode).toBe(422);
    expect(err.errors).toEqual([{ path: 'capacity', message: 'must be at least 6' }]);
    expect(storedEvent()).toMatchObject({ capacity: 10, goingCount: 6 });
  });
});

describe('more guests while a party waits', () => {
  it('answers 409 naming guests (not 503 after a retry loop) when a going attendee asks for more guests and someone waits', async () => {
    // 2 seats are free, but the head of the waitlist is a party of 3: the free seats are theirs.
    const adaGoing = makeRsvp({ userId: ada.userId, email: ada.email, status: 'going', guests: 0 });
    const party = waitlisted('user-party', '01JAAAAAAAAAAAAAAAAAAAAAA1', { guests: 2 });
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 8, waitlistCount: 1, maxGuests: 2 })), rsvpItem(adaGoing), codeItem(adaGoing), ...party.items);
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now));
    expect(err).toBeInstanceOf(HttpProblem);
    expect([409, 422]).toContain(err.statusCode);
    expect(err.errors).toEqual([expect.objectContaining({ path: 'guests' })]);
    expect(err.message).toMatch(/wait/i);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    expect(storedEvent()).toMatchObject({ goingCount: 8, waitlistCount: 1 });
    expect(storedRsvp(ada.userId)).toMatchObject({ status: 'going', guests: 0 });
  });

  it('answers 409 naming guests when the waitlist was joined between the read and the write', async () => {
    const adaGoing = makeRsvp({ userId: ada.userId, email: ada.email, status: 'going', guests: 0 });
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 8, waitlistCount: 0, maxGuests: 2 })), rsvpItem(adaGoing), codeItem(adaGoing));
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(eventItem(makeEvent({ capacity: 10, goingCount: 8, waitlistCount: 1, maxGuests: 2 })));
    };
    const err = await rejectionOf(rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now));
    expect([409, 422]).toContain(err.statusCode);
    expect(err.errors).toEqual([expect.objectContaining({ path: 'guests' })]);
    expect(storedRsvp(ada.userId)).toMatchObject({ status: 'going', guests: 0 });
  });

  it('still takes more guests while nobody waits', async () => {
    const adaGoing = makeRsvp({ userId: ada.userId, email: ada.email, status: 'going', guests: 0 });
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 8, maxGuests: 2 })), rsvpItem(adaGoing), codeItem(adaGoing));
    expect(await rsvp(deps, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now)).toMatchObject({ status: 'going', guests: 1 });
    expect(storedEvent()).toMatchObject({ goingCount: 9 });
  });
});

describe('waitlist positions from tickets', () => {
  const full = (over: Partial<Event> = {}) => eventItem(makeEvent({ capacity: 1, goingCount: 1, waiting0: 0, ...over }));
  const join = (i: number, member?: Parameters<typeof rsvp>[3]) => rsvp(deps, 'evt1', user(i), member, { status: 'going' }, now);
  const positionOf = async (i: number) => (await join(i)).waitlistPosition;

  it('gives tickets in arrival order; leaving from the middle moves everyone behind up by one', async () => {
    serve(full());
    for (let i = 1; i <= 6; i++) expect(await join(i)).toMatchObject({ status: 'waitlisted', waitlistPosition: i });
    expect(storedRsvp(user(3).userId)!.waitKey).toBe('1#T0000000003');
    await withdraw(deps, 'evt1', user(3), now);
    await withdraw(deps, 'evt1', user(5), now);
    expect(await Promise.all([1, 2, 4, 6].map(positionOf))).toEqual([1, 2, 3, 4]);
    // Each departure is recorded once: an item per ticket and a counter per block.
    expect(table.all('EVENT#evt1', 'WAITGONE#').map((i) => i.ticket)).toEqual([3, 5]);
    expect(table.get('EVENT#evt1', 'WAITGONEN#1#000000')).toMatchObject({ departed: 2 });
    expect(storedEvent()).toMatchObject({ waitlistCount: 4 });
    expect(tickets()).toMatchObject({ waitTicket1: 6 });
  });

  it('promotion takes the lowest ticket, and the positions behind follow', async () => {
    serve(full());
    for (let i = 1; i <= 4; i++) await join(i);
    table.put(eventItem({ ...storedEvent(), goingCount: 0, seatsLeft: 1 })); // a seat frees up
    expect(await promoteWaitlisted(deps, 'evt1', now)).toBe(1);
    expect(storedRsvp(user(1).userId)!.status).toBe('going');
    expect(await Promise.all([2, 3, 4].map(positionOf))).toEqual([1, 2, 3]);
    expect(table.all('EVENT#evt1', 'WAITGONE#').map((i) => i.ticket)).toEqual([1]);
  });

  it('counts departures across blocks of tickets (the counters of earlier blocks, the items of its own)', async () => {
    serve(full());
    for (let i = 1; i <= 103; i++) await join(i); // tickets 1..99 in block 0, 100..103 in block 1
    expect(storedRsvp(user(103).userId)!.waitKey).toBe('1#T0000000103');
    for (const i of [50, 99, 101]) await withdraw(deps, 'evt1', user(i), now);
    expect(table.get('EVENT#evt1', 'WAITGONEN#1#000000')).toMatchObject({ departed: 2 });
    expect(table.get('EVENT#evt1', 'WAITGONEN#1#000001')).toMatchObject({ departed: 1 });
    expect(await Promise.all([49, 51, 98, 100, 102, 103].map(positionOf))).toEqual([49, 50, 97, 98, 99, 100]);
  });

  it('puts every priority-0 entry ahead of priority 1 on a members-first event', async () => {
    serve(full({ membersFirst: true }));
    const active = (i: number) => ({ associationId: 'assocA', userId: user(i).userId, status: 'active', role: 'member' }) as never;
    await join(1);
    await join(2);
    expect(await join(3, active(3))).toMatchObject({ waitlistPosition: 1 });
    expect(await join(4, active(4))).toMatchObject({ waitlistPosition: 2 });
    expect(await positionOf(1)).toBe(3);
    expect(storedEvent()).toMatchObject({ waiting0: 2 });
    expect(tickets()).toMatchObject({ waitTicket0: 2, waitTicket1: 2 });
    await withdraw(deps, 'evt1', user(3), now);
    expect(storedEvent()).toMatchObject({ waiting0: 1 });
    expect(await positionOf(4)).toBe(1);
    expect(await positionOf(2)).toBe(3);
  });

  it('issues no ticket for a waitlist write that lost a race (the ticket was taken in it), so the next person is not told a position too far back', async () => {
    serve(full());
    // The waitlist write loses a race: a seat was freed meanwhile, and the retry takes it.
    table.onTransact = (_items, n) => {
      if (n === 0) table.put(full({ goingCount: 0 }));
    };
    expect((await join(1)).status).toBe('going');
    expect(table.all('EVENT#evt1', 'WAITGONE#')).toEqual([]);
    table.onTransact = undefined;
    table.put(full({ goingCount: 1 }));
    expect(await join(2)).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(storedRsvp(user(2).userId)!.waitKey).toBe('1#T0000000001');
  });

  it('gives back a ticket taken in a surge whose RSVP write failed, so the next person is not told a position too far back', async () => {
    // Someone joined within the last second: the joiner takes its ticket with one UpdateItem first.
    serve(full({ lastJoinAt: now.toISOString() }));
    // Its transaction fails (the same person's other request wrote the RSVP first, say).
    table.onTransact = (items, n) => (n === 0 ? transactionCancelled(items.map((_, i) => (i === 0 ? 'ConditionalCheckFailed' : 'None'))) : undefined);
    expect(await join(1)).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    // Ticket 1 was recorded as gone with the counts it had added; the retry took ticket 2.
    expect(table.all('EVENT#evt1', 'WAITGONE#').map((i) => i.ticket)).toEqual([1]);
    expect(storedRsvp(user(1).userId)!.waitKey).toBe('1#T0000000002');
    expect(storedEvent()).toMatchObject({ waitlistCount: 1, waitTicket1: 2, departed1: 1 });
    table.onTransact = undefined;
    expect(await join(2)).toMatchObject({ status: 'waitlisted', waitlistPosition: 2 });
  });

  it('does not record as unused a ticket an entry holds (a write that timed out but committed), nor one twice', async () => {
    serve(full());
    await join(1);
    await store.waitlist.voidTicket('evt1', 1, 1, '1#T0000000001');
    expect(table.all('EVENT#evt1', 'WAITGONE')).toEqual([]);
    await store.waitlist.voidTicket('evt1', 1, 2, '1#T0000000002');
    await store.waitlist.voidTicket('evt1', 1, 2, '1#T0000000002');
    expect(table.all('EVENT#evt1', 'WAITGONE#').map((i) => i.ticket)).toEqual([2]);
    expect(table.get('EVENT#evt1', 'WAITGONEN#1#000000')).toMatchObject({ departed: 1 });
  });

  it('reads a position with the same few requests for 5 or 250 people waiting, never querying the waitlist itself', async () => {
    const cost = async (n: number) => {
      serve(full());
      for (let i = 1; i <= n; i++) await join(i);
      ddb.resetHistory();
      expect(await store.waitlistPosition('evt1', storedRsvp(user(n).userId)!.waitKey!)).toBe(n);
      const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
      expect(queries.filter((q) => String(q.ExpressionAttributeValues?.[':from'] ?? '').startsWith('WAIT#'))).toEqual([]);
      return ddb.calls().length;
    };
    expect(await cost(5)).toBeLessThanOrEqual(3);
    expect(await cost(150)).toBe(3);
    expect(await cost(250)).toBe(3);
  });

  it('moves an event from before tickets onto tickets once its old waitlist is empty, and keeps old entries exact until then', async () => {
    const legacy = waitlisted('user-old', '01JAAAAAAAAAAAAAAAAAAAAAA1');
    serve(eventItem(makeEvent({ capacity: 1, goingCount: 1, waitlistCount: 1 })), ...legacy.items);
    // Someone joins while an old entry waits: an arrival ULID, counted the old way, behind it.
    const late = await join(1);
    expect(late).toMatchObject({ status: 'waitlisted', waitlistPosition: 2 });
    expect(storedRsvp(user(1).userId)!.waitKey).toMatch(/^1#[0-9A-HJKMNP-TV-Z]{26}$/);
    await withdraw(deps, 'evt1', legacy.rsvp, now);
    await withdraw(deps, 'evt1', user(1), now);
    expect(await join(2)).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(storedRsvp(user(2).userId)!.waitKey).toBe('1#T0000000001');
    expect(storedEvent()).toMatchObject({ waitlistCount: 1 });
    expect(tickets()).toMatchObject({ waitTicket1: 1 });
  });
});

describe('confirmation mail for repeated toggles', () => {
  // The mail each RSVP write asks for, as the stream consumer queues it: once per mail id.
  const asked = new Map<string, string>();
  beforeEach(() => asked.clear());
  const toggle = async (status: 'going' | 'not_going', at: Date) => {
    const res = await rsvp(deps, 'evt1', ada, undefined, { status }, at);
    const m = storedRsvp(ada.userId)?.mail;
    if (m) asked.set(m.mailId, m.kind);
    return res;
  };
  const mails = (kind: string) => [...asked].filter(([, k]) => k === kind).map(([mailId]) => ({ mailId }));

  it('toggling going / not going 50 times queues one confirmation per window, with an id naming event, person, status and window', async () => {
    serve(eventItem(makeEvent({ capacity: 10, waiting0: 0 })));
    for (let i = 0; i < 50; i++) {
      const at = new Date(now.getTime() + i * 1000);
      await toggle('going', at);
      await toggle('not_going', at);
    }
    expect(mails('rsvp_confirmed').map((m) => m.mailId)).toEqual([`rsvp_confirmed.evt1.${ada.userId}.${Math.floor(now.getTime() / 600_000)}`]);
    expect(storedEvent()).toMatchObject({ goingCount: 0 });
    // A later window confirms again: the person really came back.
    await toggle('going', new Date(now.getTime() + 3_600_000));
    expect(mails('rsvp_confirmed')).toHaveLength(2);
  });

  it('toggling across a window boundary still queues one confirmation (the window runs from the last mail)', async () => {
    serve(eventItem(makeEvent({ capacity: 10, waiting0: 0 })));
    const boundary = Math.ceil(now.getTime() / 600_000) * 600_000;
    for (let i = -5; i < 5; i++) {
      const at = new Date(boundary + i * 1000);
      await toggle('going', at);
      await toggle('not_going', at);
    }
    expect(mails('rsvp_confirmed')).toHaveLength(1);
    await toggle('going', new Date(boundary - 5000 + 600_000));
    expect(mails('rsvp_confirmed')).toHaveLength(2);
  });

  it('two requests racing in one window still ask for one mail (the loser re-reads and leaves it out)', async () => {
    serve(eventItem(makeEvent({ capacity: 10, waiting0: 0 })));
    const results = await Promise.all([toggle('going', now), toggle('going', now)]);
    expect(results.map((r) => r.status)).toEqual(['going', 'going']);
    expect(mails('rsvp_confirmed')).toHaveLength(1);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
    expect(storedEvent()).toMatchObject({ goingCount: 1 });
  });

  it('joining the waitlist again in the same window queues one waitlisted mail', async () => {
    serve(eventItem(makeEvent({ capacity: 1, goingCount: 1, waiting0: 0 })));
    for (let i = 0; i < 5; i++) {
      expect((await toggle('going', now)).status).toBe('waitlisted');
      await toggle('not_going', now);
    }
    expect(mails('rsvp_waitlisted')).toHaveLength(1);
  });
});

describe('recounting the counters a dead function left too high (reconcileCounters)', () => {
  const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
  const going = (i: number, guests = 0) => rsvpItem(makeRsvp({ userId: user(i).userId, status: 'going', guests, updatedAt: hourAgo }));
  const waiting = (i: number, key: string) => rsvpItem(makeRsvp({ userId: user(i).userId, status: 'waitlisted', waitKey: key, updatedAt: hourAgo }));

  it('sets seats, seatsLeft, waitlist and priority-0 counts to what the RSVPs say on a quiet event', async () => {
    // Two seats and one place counted for nobody (taken, then the function died before writing the RSVP).
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 5, seatsLeft: 5, waitlistCount: 2, waiting0: 1, lastSeatAt: hourAgo, lastJoinAt: hourAgo })), going(1, 1), going(2), waiting(3, '1#T0000000001'));
    expect(await reconcileCounters(store, 'evt1', now)).toBe('corrected');
    expect(storedEvent()).toMatchObject({ goingCount: 3, seatsLeft: 7, waitlistCount: 1, waiting0: 0 });
    // A second run finds them exact and writes nothing.
    ddb.resetHistory();
    expect(await reconcileCounters(store, 'evt1', now)).toBe('exact');
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it('pages through every RSVP of a large event', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => going(i));
    serve(eventItem(makeEvent({ capacity: 2000, goingCount: 1201, seatsLeft: 799, lastSeatAt: hourAgo })), ...many);
    table.pageSize = 500;
    expect(await reconcileCounters(store, 'evt1', now)).toBe('corrected');
    expect(storedEvent()).toMatchObject({ goingCount: 1200, seatsLeft: 800 });
    expect(ddb.commandCalls(QueryCommand).length).toBeGreaterThanOrEqual(3);
  });

  it('leaves a busy event alone: a newcomer or an RSVP change in the last 15 minutes may be half-way', async () => {
    const recent = new Date(now.getTime() - 60_000).toISOString();
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 5, seatsLeft: 5, lastSeatAt: recent })), going(1));
    expect(await reconcileCounters(store, 'evt1', now)).toBe('busy');
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 5, seatsLeft: 5, lastSeatAt: hourAgo })), rsvpItem(makeRsvp({ userId: 'user-x', status: 'not_going', updatedAt: recent })));
    expect(await reconcileCounters(store, 'evt1', now)).toBe('busy');
    expect(storedEvent()).toMatchObject({ goingCount: 5, seatsLeft: 5 });
  });

  it('writes nothing when the counters moved between its read and its write (the correction is conditional)', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 5, seatsLeft: 5, lastSeatAt: hourAgo })), going(1));
    const racing = { ...store, rsvpsForRecount: async (eventId: string) => {
      const read = await store.rsvpsForRecount(eventId);
      table.put({ ...table.get('EVENT#evt1', 'EVENT')!, goingCount: 6, seatsLeft: 4, lastSeatAt: now.toISOString() } as never); // someone took a seat meanwhile
      return read;
    } };
    expect(await reconcileCounters(racing, 'evt1', now)).toBe('busy');
    expect(storedEvent()).toMatchObject({ goingCount: 6, seatsLeft: 4 });
  });
});
