/** My network's page: where and when we met, from the events read for the page. */
import { networkPage } from '../../../functions/web/network.js';
import type { ConnectionView } from '../../../functions/core/services/connections.js';

const person = (over: Partial<ConnectionView> = {}): ConnectionView => ({
  connectionId: 'c1',
  userId: 'u2',
  name: 'Inès Duval',
  state: 'accepted',
  associationId: 'a1',
  tags: [],
  askedAt: '2026-03-11T08:00:00.000Z',
  connectedAt: '2026-03-12T09:00:00.000Z',
  ...over,
});
const base = { url: 'https://app.test/account/network', user: { name: 'Ada', email: 'ada@example.test' }, pending: [], nextCursor: null };

it('names the event where we met, with its day in its zone, and when we connected', () => {
  const metAt = new Map([['ev1', { eventId: 'ev1', title: 'Breakfast <& talk>', startsAt: '2026-03-10T23:30:00.000Z', timezone: 'Asia/Tokyo' }]]);
  const html = networkPage({ ...base, items: [person({ metEventId: 'ev1' })], metAt });
  // 23:30 UTC is the next morning in Tokyo.
  expect(html).toContain('Met at <a href="/e/ev1">Breakfast &lt;&amp; talk&gt;</a>, 11 March 2026 · connected 12 March 2026');
});

it('without an event (or one since deleted), says only when we connected', () => {
  expect(networkPage({ ...base, items: [person()] })).toContain('<p class="met">Connected 12 March 2026</p>');
  expect(networkPage({ ...base, items: [person({ metEventId: 'gone' })], metAt: new Map() })).toContain('<p class="met">Connected 12 March 2026</p>');
});
