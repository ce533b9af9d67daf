/**
 * The connections store as matching's ConnectionsSource (services/matching.ts): each
 * attendee's accepted connections, read by key (one Query on their own network index, a
 * page at a time), who lets connections be seen (`connectionsSee.network` in the profile,
 * off unless they turn it on) and the names of the people two of them share.
 */
import type { MatchConnections } from '../domain/matching/index.js';
import type { ConnectionsRepo, ProfilesRepo } from '../data/store.js';
import type { Profile } from '../domain/types.js';
import { allPages } from './exports.js';

export type MatchingConnectionsStore = Pick<ConnectionsRepo, 'networkPage'> & Pick<ProfilesRepo, 'batchGetProfiles'>;

/** Attendees whose networks are read at once: a few hundred attendees stay a few rounds of Queries. */
const PARALLEL = 8;

/** Whether people I am matched with may learn who we both know. Off by default: a network is private until its owner says otherwise. */
export const letsConnectionsBeSeen = (p: Profile | undefined) => p?.connectionsSee?.network === true;

export function storeConnections(store: MatchingConnectionsStore, now: () => Date = () => new Date()) {
  return {
    async connectionsOf(userIds: string[]): Promise<MatchConnections> {
      const at = now().toISOString();
      const networks = new Map<string, string[]>();
      const queue = [...new Set(userIds)];
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const others: string[] = [];
          for await (const page of allPages((startKey) => store.networkPage(id!, {}, { limit: 500, startKey }, at))) for (const s of page) others.push(s.otherId);
          networks.set(id, others);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
      const pairs: [string, string][] = [...networks].flatMap(([id, others]) => others.map((o) => [id, o] as [string, string]));
      const profiles = await store.batchGetProfiles([...networks.keys()]);
      const visible = [...networks.keys()].filter((id) => letsConnectionsBeSeen(profiles.get(id)));
      // Only someone known to two visible attendees can be named: read just their names.
      const seenBy = new Map<string, number>();
      for (const id of visible) for (const o of networks.get(id)!) seenBy.set(o, (seenBy.get(o) ?? 0) + 1);
      const named = [...seenBy].filter(([, n]) => n >= 2).map(([o]) => o);
      const theirs = named.length ? await store.batchGetProfiles(named) : new Map<string, Profile>();
      const names = new Map<string, string>();
      for (const o of named) {
        const name = theirs.get(o)?.name?.trim();
        if (name) names.set(o, name);
      }
      return { pairs, visible, names };
    },
  };
}
