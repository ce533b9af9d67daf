/**
 * Which stream records each of the table's two readers gets (lib/stream-filters.ts): the same
 * patterns go to the event source mappings in AWS and decide what the local stack hands on, so
 * these cases are what both do. Records are shaped as DynamoDB Streams writes them.
 */
import { matchesFilters, streamFilters, type FilterPattern } from '../../lib/stream-filters.js';

type Image = Record<string, { S?: string; N?: string }>;
const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', pk: string, image: Image, old?: Image) => ({
  eventName,
  dynamodb: {
    Keys: { pk: { S: pk }, sk: { S: 'X' } },
    ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image, ...(old ? { OldImage: old } : {}) }),
  },
});
const entity = (name: string, extra: Image = {}): Image => ({ entity: { S: name }, ...extra });
const readers = (r: unknown) => (Object.keys(streamFilters) as (keyof typeof streamFilters)[]).filter((name) => matchesFilters(streamFilters[name], r));

test.each([
  ['a new outbox mail', record('INSERT', 'MAIL#1', entity('outbox')), ['streams']],
  ['a new broadcast', record('INSERT', 'EVENT#1', entity('broadcast')), ['streams']],
  ['a new export job', record('INSERT', 'ASSOC#1', entity('exportJob')), ['streams']],
  ['an export job finishing', record('MODIFY', 'ASSOC#1', entity('exportJob')), []],
  ['a changed event (promotion)', record('MODIFY', 'EVENT#1', entity('event')), ['streams']],
  ['a new event', record('INSERT', 'EVENT#1', entity('event')), []],
  ['outbox mail marked for retry', record('MODIFY', 'MAIL#1', entity('outbox', { retry: { N: '1' } })), ['streams']],
  ['outbox mail claimed (no retry mark)', record('MODIFY', 'MAIL#1', entity('outbox')), []],
  ['a new RSVP (its mail, the counters)', record('INSERT', 'EVENT#1', entity('rsvp')), ['streams']],
  ['a changed RSVP', record('MODIFY', 'EVENT#1', entity('rsvp')), ['streams']],
  ['a removed RSVP (the counters)', record('REMOVE', 'EVENT#1', entity('rsvp')), ['streams']],
  ['a new, changed and removed member', record('REMOVE', 'ASSOC#1', entity('member')), ['streams']],
  ['a payment', record('INSERT', 'ASSOC#1', entity('payment')), ['streams']],
  ['a match', record('MODIFY', 'EVENT#1', entity('match')), ['streams']],
  ['a queued Stripe event', record('INSERT', 'STRIPEQ#cus_1', entity('stripe_queued')), ['stripeEvents']],
  ['a queued Stripe event applied', record('MODIFY', 'STRIPEQ#cus_1', entity('stripe_queued')), []],
  ['an audit entry', record('INSERT', 'ASSOC#1', entity('audit')), []],
  ['a counters item', record('MODIFY', 'STATS#1', entity('stats')), []],
  ['a removed outbox mail', record('REMOVE', 'MAIL#1', entity('outbox')), []],
  ['an item with no entity', record('INSERT', 'X#1', {}), []],
])('%s reaches %j', (_what, r, expected) => {
  expect(readers(r)).toEqual(expected);
});

test('no record reaches both readers: neither waits behind the other', () => {
  const kinds = ['outbox', 'broadcast', 'exportJob', 'event', 'rsvp', 'member', 'payment', 'match', 'stripe_queued'];
  for (const kind of kinds)
    for (const eventName of ['INSERT', 'MODIFY', 'REMOVE'] as const)
      for (const pk of ['STRIPEQ#cus_1', 'EVENT#1']) expect(readers(record(eventName, pk, entity(kind))).length).toBeLessThanOrEqual(kind === 'stripe_queued' || !pk.startsWith('STRIPEQ#') ? 1 : 2);
});

test('the rules: equality, exists (true and false), prefix; an unknown rule is refused rather than guessed', () => {
  const r = { eventName: 'INSERT', dynamodb: { NewImage: { n: { N: '3' } } } };
  expect(matchesFilters([{ dynamodb: { NewImage: { n: { N: [{ exists: true }] } } } }], r)).toBe(true);
  expect(matchesFilters([{ dynamodb: { NewImage: { m: { N: [{ exists: false }] } } } }], r)).toBe(true);
  expect(matchesFilters([{ dynamodb: { NewImage: { n: { N: [{ exists: false }] } } } }], r)).toBe(false);
  expect(matchesFilters([{ eventName: [{ prefix: 'INS' }] }], r)).toBe(true);
  expect(matchesFilters([{ eventName: ['MODIFY', 'INSERT'] }], r)).toBe(true);
  expect(matchesFilters([{ dynamodb: { OldImage: { n: { N: ['3'] } } } }], r)).toBe(false);
  expect(() => matchesFilters([{ eventName: [{ 'anything-but': 'x' } as never] } as FilterPattern], r)).toThrow(/not understood/);
});
