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
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createStore } from '../../../functions/core/data/store.js';
import { patchEvent, promoteWaitlisted, rsvp, withdraw, type EventsDeps } from '../../../functions/core/services/events.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import type { Event, Rsvp } from '../../../functions/core/domain/events.js';
import { FakeTable } from '../../support/fake-table.js';
import { makeAssociation } from '../../support/factories.js';
import { eventItem, makeEvent, makeRsvp, rsvpItem, codeItem, waitlisted, type StoredItem } from '../../support/event-factories.js';

const TABLE = process.env.TABLE_NAME!;
const ddb = mockClient(DynamoDBDocumentClient);
const store = createStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), { marshallOptions: { removeUndefinedValues: true } }), TABLE);
const deps: EventsDeps = {
  store,
  mailer: { ses: new SESv2Client({ region: 'us-east-1' }), fromAddress: 'events@example.test' },
  scheduler: { upsert: jest.fn(async () => undefined), remove: jest.fn(async () => undefined) },
  appUrl: 'https://app.example.test',
  apiUrl: 'https://api.example.test',
};
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
    const res = await rsvp(deps, association, 'evt1', ada, undefined, { status: 'going' }, now);
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
    const res = await rsvp(deps, association, 'evt1', ada, undefined, { status: 'going' }, now);
    expect(res.status).toBe('waitlisted');
    expect(storedEvent()).toMatchObject({ capacity: 4, goingCount: 4, waitlistCount: 1 });
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
    const err = await rejectionOf(rsvp(deps, association, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now));
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
    const err = await rejectionOf(rsvp(deps, association, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now));
    expect([409, 422]).toContain(err.statusCode);
    expect(err.errors).toEqual([expect.objectContaining({ path: 'guests' })]);
    expect(storedRsvp(ada.userId)).toMatchObject({ status: 'going', guests: 0 });
  });

  it('still takes more guests while nobody waits', async () => {
    const adaGoing = makeRsvp({ userId: ada.userId, email: ada.email, status: 'going', guests: 0 });
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 8, maxGuests: 2 })), rsvpItem(adaGoing), codeItem(adaGoing));
    expect(await rsvp(deps, association, 'evt1', ada, undefined, { status: 'going', guests: 1 }, now)).toMatchObject({ status: 'going', guests: 1 });
    expect(storedEvent()).toMatchObject({ goingCount: 9 });
  });
});
