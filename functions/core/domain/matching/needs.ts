/**
 * Needs first: which edges of the candidate graph meet a need (one side `offers` what the
 * other `seeks`), and a set of such edges, at most k per person, under which as many people
 * as possible have at least one need met. The b-matching (bmatching.ts) starts from that set
 * and never lets a move meet fewer needs or break a unique complementary pair, so the score
 * is maximised only among matchings that meet as many needs.
 *
 * Why a separate pass: maximising the sum of scores spends a scarce mentor's k places on
 * whoever scores best with them, possibly other seniors, while the juniors who seek
 * mentoring and have nobody else to meet that need go without. Counting a person once
 * (at least one need met) is not a sum over edges, so it cannot be a weight.
 */
import type { CandidateGraph } from './candidates.js';
import type { CompiledProfile } from './scoring.js';

/** Per edge: bit 1 set when `eu` receives (v offers what u seeks), bit 2 when `ev` does. */
export type NeedBits = Uint8Array;

export const RECEIVES_U = 1;
export const RECEIVES_V = 2;

/** Whether x receives on edge e (x is one of its ends). */
export function receives(meets: NeedBits, eu: Int32Array, e: number, x: number): boolean {
  return (meets[e]! & (eu[e] === x ? RECEIVES_U : RECEIVES_V)) !== 0;
}

/** The need bits of every edge of g, from the compiled offers and seeks. */
export function needBits(g: Pick<CandidateGraph, 'eu' | 'ev'>, people: readonly CompiledProfile[]): NeedBits {
  const m = g.eu.length;
  const out = new Uint8Array(m);
  let maxId = -1;
  for (const p of people) for (const list of [p.offers, p.seeks]) for (const id of list) if (id > maxId) maxId = id;
  if (maxId < 31) {
    // One word per person and side: the fixed vocabulary has 12 intents.
    const offer = new Int32Array(people.length);
    const seek = new Int32Array(people.length);
    people.forEach((p, i) => {
      for (const id of p.offers) offer[i]! |= 1 << id;
      for (const id of p.seeks) seek[i]! |= 1 << id;
    });
    for (let e = 0; e < m; e++) {
      const u = g.eu[e]!;
      const v = g.ev[e]!;
      out[e] = (seek[u]! & offer[v]! ? RECEIVES_U : 0) | (seek[v]! & offer[u]! ? RECEIVES_V : 0);
    }
    return out;
  }
  const meet = (seeks: Int32Array, offers: Int32Array) => {
    for (let i = 0, j = 0; i < seeks.length && j < offers.length; ) {
      if (seeks[i] === offers[j]) return true;
      if (seeks[i]! < offers[j]!) i++;
      else j++;
    }
    return false;
  };
  for (let e = 0; e < m; e++) {
    const a = people[g.eu[e]!]!;
    const b = people[g.ev[e]!]!;
    out[e] = (meet(a.seeks, b.offers) ? RECEIVES_U : 0) | (meet(b.seeks, a.offers) ? RECEIVES_V : 0);
  }
  return out;
}

/** People with at least one need met by the given edges. */
export function needsMetBy(g: Pick<CandidateGraph, 'n' | 'eu' | 'ev'>, meets: NeedBits, edges: ArrayLike<number>): number {
  const met = new Uint8Array(g.n);
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    if (meets[e]! & RECEIVES_U) met[g.eu[e]!] = 1;
    if (meets[e]! & RECEIVES_V) met[g.ev[e]!] = 1;
  }
  return met.reduce((s, x) => s + x, 0);
}

export interface NeedsOptions {
  /** Edges read by one augmenting search at most (bounds the cost at 100k attendees). */
  searchBudget: number;
}

export const defaultNeedsOptions: NeedsOptions = Object.freeze({ searchBudget: 2000 });

/**
 * Repairs a matching (`initial`, at most k per person; none by default) so that as many
 * people as possible have a need met, giving up as little score as it can: an edge may be
 * dropped only if it is not the only one meeting someone's needs.
 *
 * 1. Greedy: people whose need the fewest can meet go first; each takes the need edge that
 *    costs least (its score, less the score of the edges dropped to make room at either
 *    end), preferring one that meets the other's need too.
 * 2. Augmenting paths (as in bipartite matching with capacities): someone still without a
 *    met need takes the place of a person whose need a full giver meets, and that person
 *    moves to another giver with room, and so on. When the people who seek and the people
 *    who offer are different people this reaches the maximum.
 *
 * Returns the repaired matching's edges.
 */
export function coverNeeds(g: CandidateGraph, meets: NeedBits, k: number, options: NeedsOptions = defaultNeedsOptions, initial: ArrayLike<number> = []): Int32Array {
  const { n, eu, ev } = g;
  const m = eu.length;
  if (k <= 0 || n === 0) return new Int32Array(0);
  // Need edges each person receives on, heaviest first.
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    if (meets[e]! & RECEIVES_U) start[eu[e]! + 1]!++;
    if (meets[e]! & RECEIVES_V) start[ev[e]! + 1]!++;
  }
  for (let x = 0; x < n; x++) start[x + 1]! += start[x]!;
  const fill = start.slice(0, n);
  const recv = new Int32Array(start[n]!);
  for (let e = 0; e < m; e++) {
    if (meets[e]! & RECEIVES_U) recv[fill[eu[e]!]!++] = e;
    if (meets[e]! & RECEIVES_V) recv[fill[ev[e]!]!++] = e;
  }
  const other = (e: number, x: number) => (eu[e] === x ? ev[e]! : eu[e]!);

  const deg = new Int32Array(n);
  /** Chosen edges on which x receives. */
  const cov = new Int32Array(n);
  const inF = new Uint8Array(m);
  const at: number[][] = Array.from({ length: n }, () => []);
  let covered = 0;
  const log: number[] = [];
  const add = (e: number) => {
    inF[e] = 1;
    for (const x of [eu[e]!, ev[e]!]) {
      deg[x]!++;
      at[x]!.push(e);
      if (receives(meets, eu, e, x) && cov[x]!++ === 0) covered++;
    }
    log.push(e + 1);
  };
  const remove = (e: number) => {
    inF[e] = 0;
    for (const x of [eu[e]!, ev[e]!]) {
      deg[x]!--;
      const list = at[x]!;
      list.splice(list.indexOf(e), 1);
      if (receives(meets, eu, e, x) && --cov[x]! === 0) covered--;
    }
    log.push(-(e + 1));
  };
  for (let i = 0; i < initial.length; i++) add(initial[i]!);
  log.length = 0;
  /** Whether dropping f leaves one of its ends with no met need. */
  const soleCover = (f: number) => (receives(meets, eu, f, eu[f]!) && cov[eu[f]!] === 1) || (receives(meets, eu, f, ev[f]!) && cov[ev[f]!] === 1);
  /** The lightest edge of x that can be dropped, or -1. */
  const cheapest = (x: number) => {
    let best = -1;
    for (const f of at[x]!) if (!soleCover(f) && (best < 0 || g.ew[f]! < g.ew[best]!)) best = f;
    return best;
  };
  const undo = () => {
    for (let i = log.length - 1; i >= 0; i--) {
      const c = log[i]!;
      if (c > 0) {
        remove(c - 1);
      } else add(-c - 1);
    }
    log.length = 0;
  };

  // Those with the fewest ways to have a need met go first.
  const seekers: number[] = [];
  for (let x = 0; x < n; x++) if (start[x + 1]! > start[x]!) seekers.push(x);
  seekers.sort((a, b) => start[a + 1]! - start[a]! - (start[b + 1]! - start[b]!) || a - b);

  for (const v of seekers) {
    if (cov[v]! > 0) continue;
    const roomV = deg[v]! < k ? -1 : cheapest(v);
    if (deg[v]! >= k && roomV < 0) continue;
    let pick = -1;
    let pickDrop = -1;
    let pickCost = Infinity;
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      const e = recv[i]!;
      const g2 = other(e, v);
      const drop = deg[g2]! < k ? -1 : cheapest(g2);
      if (deg[g2]! >= k && drop < 0) continue;
      // Meeting the other's need too counts first; then what the move costs in score.
      const cost = (receives(meets, eu, e, g2) && cov[g2] === 0 ? -1e9 : 0) - g.ew[e]! + (drop >= 0 ? g.ew[drop]! : 0);
      if (cost < pickCost) {
        pickCost = cost;
        pick = e;
        pickDrop = drop;
      }
    }
    if (pick < 0) continue;
    const before = covered;
    log.length = 0;
    if (roomV >= 0) remove(roomV);
    if (pickDrop >= 0 && inF[pickDrop]) remove(pickDrop);
    if (deg[eu[pick]!]! < k && deg[ev[pick]!]! < k) add(pick);
    if (covered <= before) undo();
    log.length = 0;
  }

  // Augmenting searches. Givers a failed search reached stay marked until one succeeds
  // (Kuhn's rule): nothing changed for them, so another search through them fails too.
  const seen = new Uint8Array(n);
  const touched: number[] = [];
  const itemSeeker: number[] = [];
  const itemParent: number[] = [];
  const itemAdd: number[] = [];
  const itemRemove: number[] = [];
  for (const root of seekers) {
    if (cov[root]! > 0) continue;
    log.length = 0;
    const before = covered;
    // A full root makes room first, by its lightest edge that meets nobody's only need.
    if (deg[root]! >= k) {
      const f = cheapest(root);
      if (f < 0) continue;
      remove(f);
    }
    itemSeeker.length = itemParent.length = itemAdd.length = itemRemove.length = 0;
    itemSeeker.push(root);
    itemParent.push(-1);
    itemAdd.push(-1);
    itemRemove.push(-1);
    let budget = options.searchBudget;
    // The way out: at item `endItem`, add `endAdd`, after removing `endRemove` (or none).
    let endItem = -1;
    let endAdd = -1;
    let endRemove = -1;
    search: for (let head = 0; head < itemSeeker.length; head++) {
      const s = itemSeeker[head]!;
      for (let i = start[s]!; i < start[s + 1]!; i++) {
        if (budget-- <= 0) break search;
        const e = recv[i]!;
        if (inF[e]) continue;
        const g2 = other(e, s);
        if (seen[g2]) continue;
        if (deg[g2]! < k) {
          endItem = head;
          endAdd = e;
          break search;
        }
        seen[g2] = 1;
        touched.push(g2);
        // When s meets g2's need too, g2 may give up the edge that met it.
        const eCoversG = receives(meets, eu, e, g2);
        for (const f of at[g2]!) {
          const y = other(f, g2);
          const coversG = receives(meets, eu, f, g2);
          const coversY = receives(meets, eu, f, y);
          // Dropping f must not take g2's only met need unless e meets it.
          if (coversG && cov[g2] === 1 && !eCoversG) continue;
          if (!coversY || cov[y]! > 1) {
            endItem = head;
            endAdd = e;
            endRemove = f;
            break search;
          }
          if (y === root || itemSeeker.includes(y)) continue;
          // y loses its only met need and looks for another giver.
          itemSeeker.push(y);
          itemParent.push(head);
          itemAdd.push(e);
          itemRemove.push(f);
        }
      }
    }
    if (endItem < 0) {
      undo();
      continue;
    }
    const removals = endRemove >= 0 ? [endRemove] : [];
    const additions = [endAdd];
    for (let it = endItem; it > 0; it = itemParent[it]!) {
      removals.push(itemRemove[it]!);
      additions.push(itemAdd[it]!);
    }
    let ok = true;
    for (const f of removals) {
      if (inF[f]) remove(f);
      else ok = false;
    }
    for (const e of additions) {
      if (!ok || inF[e] || deg[eu[e]!]! >= k || deg[ev[e]!]! >= k) {
        ok = false;
        break;
      }
      add(e);
    }
    // A person who both seeks and offers can make a path fold onto itself; such a move is
    // taken back rather than reasoned about.
    if (!ok || covered <= before) undo();
    else {
      for (const x of touched) seen[x] = 0;
      touched.length = 0;
    }
    log.length = 0;
  }
  const edges: number[] = [];
  for (let e = 0; e < m; e++) if (inF[e]) edges.push(e);
  return Int32Array.from(edges);
}
