/**
 * services/matching-connections.ts: the connections store as matching's ConnectionsSource.
 * Reads each attendee's network by key, every page of it; only profiles that say
 * `connectionsSee.network` are visible; names are read only for people two visible
 * attendees both know. A stub store records every read.
 */
import { storeConnections } from '../../../functions/core/services/matching-connections.js';
import { computeMatches } from '../../../functions/core/domain/matching/index.js';
import type { Profile } from '../../../functions/core/domain/types.js';
import { person } from './fixtures.js';

const networks: Record<string, string[]> = {
  cy: ['dana', 'ana', 'zed'],
  dee: ['dana', 'zed'],
  eve: ['dana'],
  // 3 connections, read 2 a page: the second page must be read too.
  fay: ['p1', 'p2', 'dana'],
};
const profiles: Record<string, Partial<Profile>> = {
  cy: { connectionsSee: { email: false, company: true, network: true } },
  dee: { connectionsSee: { email: false, company: true, network: true } },
  eve: {},
  fay: { connectionsSee: { email: false, company: true, network: true } },
  dana: { name: 'Dana Li' },
  zed: { name: '  ' },
};

function stub() {
  const reads = { pages: [] as string[], profiles: [] as string[][] };
  const store = {
    async networkPage(userId: string, _f: object, page: { limit: number; startKey?: Record<string, unknown> }) {
      const all = networks[userId] ?? [];
      const from = Number(page.startKey?.at ?? 0);
      reads.pages.push(`${userId}@${from}`);
      const items = all.slice(from, from + 2).map((otherId) => ({ otherId }));
      return { items, lastKey: from + 2 < all.length ? { at: from + 2 } : undefined };
    },
    async batchGetProfiles(ids: string[]) {
      reads.profiles.push([...ids].sort());
      return new Map(ids.filter((id) => profiles[id]).map((id) => [id, { userId: id, ...profiles[id] } as Profile]));
    },
  };
  return { store: store as never, reads };
}

it('reads every page of each attendee’s own network, by key, and nothing else', async () => {
  const { store, reads } = stub();
  const got = await storeConnections(store).connectionsOf(['cy', 'dee', 'eve', 'fay']);
  expect(reads.pages.sort()).toEqual(['cy@0', 'cy@2', 'dee@0', 'eve@0', 'fay@0', 'fay@2']);
  expect([...got.pairs]).toContainEqual(['fay', 'dana']);
  expect([...got.pairs]).toHaveLength(9);
});

it('shows only networks their owners chose to show, and names only whom two visible attendees share', async () => {
  const { store, reads } = stub();
  const got = await storeConnections(store).connectionsOf(['cy', 'dee', 'eve', 'fay']);
  expect([...got.visible!].sort()).toEqual(['cy', 'dee', 'fay']);
  // Attendees' profiles, then only dana and zed (known to two visible attendees); ana, p1, p2 are never read.
  expect(reads.profiles).toEqual([['cy', 'dee', 'eve', 'fay'], ['dana', 'zed']]);
  expect([...got.names!]).toEqual([['dana', 'Dana Li']]);
});

it('feeds the engine: connected pairs are not matched, a shared connection is a reason', async () => {
  const { store } = stub();
  const got = await storeConnections(store).connectionsOf(['cy', 'dee', 'ana']);
  const people = [
    person('cy', { offers: ['hiring'], seeks: ['job'], interests: ['music'] }),
    person('dee', { offers: ['job'], seeks: ['hiring'], interests: ['music'] }),
    person('ana', { offers: ['job'], seeks: ['hiring'], interests: ['music'] }),
  ];
  const r = computeMatches(people, 1, { pastPairs: [], connections: got });
  expect(r.matches.map((m) => `${m.a}|${m.b}`)).toEqual(['cy|dee']);
  expect(r.matches[0]!.reasons.filter((x) => x.kind === 'mutual_connection')).toEqual([{ kind: 'mutual_connection', tag: 'dana', name: 'Dana Li', weight: 0 }]);
});
