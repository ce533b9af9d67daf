/**
 * Mutual connections as a reason: "You both know Dana Li". Only when both people of the
 * match let their connections be seen (each learns one of the other's connections), and
 * only people with a name to show. It adds nothing to the score: knowing the same person
 * says little about what two people can do for each other, but it breaks the ice.
 */
import type { MatchConnections, MatchReason } from './types.js';

/** Mutual connections named per match at most. */
export const MAX_MUTUAL_NAMED = 2;

/** A function giving the mutual-connection reasons of a pair (none without connections). */
export function mutualConnections(connections: MatchConnections | undefined): (a: string, b: string) => MatchReason[] {
  if (!connections) return () => [];
  const visible = new Set(connections.visible ?? []);
  if (visible.size === 0) return () => [];
  const names = connections.names ?? new Map<string, string>();
  const network = new Map<string, Set<string>>();
  const link = (x: string, y: string) => {
    let set = network.get(x);
    if (!set) network.set(x, (set = new Set()));
    set.add(y);
  };
  for (const [x, y] of connections.pairs) {
    if (typeof x !== 'string' || typeof y !== 'string' || x === y) continue;
    // Only the networks of people who show them are read.
    if (visible.has(x)) link(x, y);
    if (visible.has(y)) link(y, x);
  }
  return (a, b) => {
    const na = network.get(a);
    const nb = network.get(b);
    if (!na || !nb || !visible.has(a) || !visible.has(b)) return [];
    const [small, large] = na.size <= nb.size ? [na, nb] : [nb, na];
    const common: { id: string; name: string }[] = [];
    for (const c of small) {
      const name = names.get(c)?.trim();
      if (c !== a && c !== b && large.has(c) && name) common.push({ id: c, name });
    }
    // By name, then id: the same input names the same people.
    common.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.id < y.id ? -1 : 1));
    return common.slice(0, MAX_MUTUAL_NAMED).map((c) => ({ kind: 'mutual_connection', tag: c.id, name: c.name, weight: 0 }));
  };
}
