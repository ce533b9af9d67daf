/**
 * The store's paged reads, run against DynamoDB Local and against the in-memory fake with
 * the same assertions: every index resumes correctly past a full page. DynamoDB rejects a
 * resume key that lacks the queried index's own key attributes, so this suite is what
 * keeps the fake honest about it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ulid } from 'ulid';
import { createStore, type Page, type PageRequest, type Store } from '../../functions/core/data/store.js';
import { FakeTable } from '../support/fake-table.js';
import { makeAssociation, makeMember } from '../support/factories.js';
import type { Event, Rsvp } from '../../functions/core/domain/events.js';
import * as keys from '../../functions/core/data/keys.js';

type Backend = { name: string; store: () => Store };

const local: Backend = {
  name: 'DynamoDB Local',
  store: () => {
    const endpoint = process.env.DYNAMODB_URL;
    const table = process.env.LOCAL_TABLE;
    if (!endpoint || !table) throw new Error('DYNAMODB_URL and LOCAL_TABLE come from the integration global setup');
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return createStore(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), table);
  },
};

const fake: Backend = {
  name: 'in-memory fake',
  store: () => {
    // Mock this one client instance only: the DynamoDB Local backend in the same file stays real.
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), { marshallOptions: { removeUndefinedValues: true } });
    new FakeTable().attach(mockClient(doc));
    return createStore(doc, 'fake-table');
  },
};

/** Reads every page of `read`, checking that no page is larger than asked. */
async function readAll<T>(read: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  let pages = 0;
  do {
    const page = await read({ limit, startKey });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    startKey = page.lastKey;
    pages++;
    if (pages > 100) throw new Error('paging does not end');
  } while (startKey);
  return { items, pages };
}

const event = (associationId: string, i: number): Event => ({
  eventId: ulid(),
  associationId,
  title: `Event ${i}`,
  description: '',
  startsAt: new Date(Date.UTC(2031, 0, 1) + i * 86_400_000).toISOString(),
  endsAt: new Date(Date.UTC(2031, 0, 1) + i * 86_400_000 + 3_600_000).toISOString(),
  timezone: 'Europe/Paris',
  capacity: null,
  visibility: i % 3 === 0 ? 'members' : 'public',
  waitlist: true,
  membersFirst: false,
  maxGuests: 0,
  questions: [],
  status: 'scheduled',
  goingCount: 0,
  waitlistCount: 0,
  attendedCount: 0,
  createdBy: 'someone',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  version: 1,
});

describe.each([local, fake])('store paging on $name', (backend) => {
  let store: Store;
  beforeAll(() => {
    store = backend.store();
  });

  test('the table index: all members of an association, 50 a page, each once in key order', async () => {
    const associationId = ulid();
    const members = Array.from({ length: 137 }, (_, i) => makeMember({ associationId, userId: `u${String(i).padStart(4, '0')}`, name: `Member ${i}`, email: `m${i}@example.test` }));
    for (const m of members) await store.join(m);

    const { items, pages } = await readAll((p) => store.membersOfAssociation(associationId, {}, p), 50);

    expect(items.map((m) => m.userId)).toEqual(members.map((m) => m.userId));
    expect(pages).toBe(3);
  });

  test('gsi1: the memberships of one user across 120 associations, 50 a page', async () => {
    const userId = `user-${ulid()}`;
    const ids = Array.from({ length: 120 }, () => ulid()).sort();
    for (const associationId of ids) await store.join(makeMember({ associationId, userId }));

    const { items, pages } = await readAll((p) => store.membershipsOfUser(userId, p), 50);

    expect(items.map((m) => m.associationId)).toEqual(ids);
    expect(pages).toBe(3);
  });

  test('gsi1: the events of an association, upcoming ones filtered to public, 20 a page', async () => {
    const a = makeAssociation({ associationId: ulid() });
    const events = Array.from({ length: 75 }, (_, i) => event(a.associationId, i));
    for (const e of events) await store.createEvent(e);

    const all = await readAll((p) => store.eventsOfAssociation(a.associationId, { from: '2030-01-01', past: false, includeMembersOnly: true }, p), 20);
    const pub = await readAll((p) => store.eventsOfAssociation(a.associationId, { from: '2030-01-01', past: false, includeMembersOnly: false }, p), 20);

    expect(all.items.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(pub.items.map((e) => e.eventId)).toEqual(events.filter((e) => e.visibility === 'public').map((e) => e.eventId));
  });

  test('gsi2: 250 memberships due on one day, 100 a page as the daily job reads them', async () => {
    // A day no other test and no running job uses.
    const day = `2040-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
    const associationId = ulid();
    const due = Array.from({ length: 250 }, (_, i) =>
      makeMember({ associationId, userId: `due${String(i).padStart(4, '0')}`, dueAt: `${day}T${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000Z` }),
    );
    for (const m of due) await store.join(m);

    const { items, pages } = await readAll((p) => store.membersDueOn(day, p), 100);

    const ours = items.filter((m) => m.associationId === associationId);
    expect(ours.map((m) => m.userId)).toEqual(due.map((m) => m.userId));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  test('gsi2: the checked-in attendees of an event (sparse: the check-in sets it), 50 a page in user id order', async () => {
    const e = event(ulid(), 1);
    await store.createEvent(e);
    const people = Array.from({ length: 130 }, (_, i) => `in${String(i).padStart(4, '0')}`);
    await store.batchPut(people.map((userId) => ({ ...keys.rsvp(e.eventId, userId), entity: 'rsvp', eventId: e.eventId, userId, status: 'going', guests: 0 })));
    const came = people.filter((_, i) => i % 10 !== 3);
    for (const userId of came) await store.checkIn(e, { userId } as Rsvp, '2031-01-02T10:00:00.000Z', 'door');

    const { items, pages } = await readAll((p) => store.checkedInOfEvent(e.eventId, p), 50);

    expect(items.map((r) => r.userId)).toEqual(came);
    expect(items.every((r) => r.checkedInAt === '2031-01-02T10:00:00.000Z')).toBe(true);
    expect(pages).toBe(3);
  });

  test("one attendee's matches of a large event: just theirs, from either side of the pair", async () => {
    const eventId = ulid();
    const people = Array.from({ length: 60 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    // Everyone is matched with the next three people round the circle: 180 matches, 6 each.
    const matches = people.flatMap((a, i) =>
      [1, 2, 3].map((d) => ({ matchId: ulid(), eventId, associationId: 'assoc', a, b: people[(i + d) % people.length], score: 1, reasons: [], introRequestedBy: [], feedback: {}, createdAt: '2030-01-01T00:00:00.000Z' })),
    );
    await store.batchPut(matches.map((m) => store.matchItem(m)));

    const mine = await store.matchesOfAttendee(eventId, 'p07');

    const expected = matches.filter((m) => m.a === 'p07' || m.b === 'p07').map((m) => m.matchId).sort();
    expect(mine.map((m) => m.matchId)).toEqual(expected);
    expect(mine).toHaveLength(6);
  });

  test('filtered reads still fill whole pages and resume after the last item returned', async () => {
    const associationId = ulid();
    const members = Array.from({ length: 90 }, (_, i) => makeMember({ associationId, userId: `f${String(i).padStart(3, '0')}`, status: i % 3 === 0 ? 'lapsed' : 'active' }));
    for (const m of members) await store.join(m);

    const { items } = await readAll((p) => store.membersOfAssociation(associationId, { status: 'lapsed' }, p), 7);

    expect(items.map((m) => m.userId)).toEqual(members.filter((m) => m.status === 'lapsed').map((m) => m.userId));
  });
});
