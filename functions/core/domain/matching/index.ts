/**
 * Event matchmaking: reciprocal pair scores (scoring.ts), candidates from an inverted index
 * over tags (candidates.ts), and up to k matches per attendee meeting as many people's needs
 * as possible (needs.ts), then maximising the total score (bmatching.ts), each with its
 * reasons (sentences.ts for the wording). Pure: no I/O, no
 * clock other than the injectable one that times the run. docs/matching.md explains it.
 *
 * @example
 *   const { matches, figures } = computeMatches(optedIn, event.matchmaking.matchesPerAttendee, { pastPairs });
 *   const lines = reasonSentences(matches[0], viewer, other);
 */
import { buildCandidateGraph, defaultCandidateOptions, type CandidateOptions } from './candidates.js';
import { defaultBMatchingOptions, solveBMatching, type BMatchingOptions } from './bmatching.js';
import { compilePopulation, defaultWeights, explainPacked } from './scoring.js';
import { needBits, RECEIVES_U, RECEIVES_V } from './needs.js';
import { mutualConnections } from './connections.js';
import type { Match, MatchHistory, MatchProfile, MatchResult, Weights } from './types.js';

export type { Match, MatchConnections, MatchFigures, MatchHistory, MatchProfile, MatchReason, MatchResult, ReasonKind, Weights } from './types.js';
export { buildScoringContext, defaultWeights, learnMultipliers, normalizeTag, pairKey, rarity, scorePair, type ScoringContext } from './scoring.js';
export { introSentences, reasonSentences } from './sentences.js';

/** Matches per attendee when the event does not say (`matchmaking.matchesPerAttendee`). */
export const DEFAULT_MATCHES_PER_ATTENDEE = 3;

export interface ComputeOptions {
  /** Milliseconds for `figures.ms`; `performance.now` by default. Matches never depend on it. */
  clock?: () => number;
  candidates?: Partial<CandidateOptions>;
  bmatching?: Partial<BMatchingOptions>;
}

/**
 * Up to k matches per attendee: first as many attendees as possible with at least one need
 * (`seeks`) met by a match who `offers` it, then the most total reciprocal score, everyone
 * with a possible partner getting at least one. Only the given profiles are matched
 * (callers pass the opted-in attendees); same-company pairs, past pairs and connected pairs
 * are never proposed. The same input (in any order) gives the same matches.
 */
export function computeMatches(
  profiles: MatchProfile[],
  k: number = DEFAULT_MATCHES_PER_ATTENDEE,
  history?: MatchHistory,
  weights: Weights = defaultWeights,
  options: ComputeOptions = {},
): MatchResult {
  const clock = options.clock ?? (() => globalThis.performance.now());
  const started = clock();
  const cap = Number.isFinite(k) ? Math.max(0, Math.floor(k)) : 0;

  // One profile per userId (the first given), in userId order: ties then break by userId.
  const byId = new Map<string, MatchProfile>();
  for (const p of profiles) if (p && typeof p.userId === 'string' && p.userId && !byId.has(p.userId)) byId.set(p.userId, p);
  const people = [...byId.values()].sort((x, y) => (x.userId < y.userId ? -1 : x.userId > y.userId ? 1 : 0));
  const n = people.length;
  const index = new Map(people.map((p, i) => [p.userId, i]));

  const { ctx, compiled, packed } = compilePopulation(people, history, weights);
  // Past partners of each person, as short sorted lists (a Set of pair keys is slower).
  const pastOf = pastPartners(concat(history?.pastPairs, history?.connections?.pairs), index, n);
  const excluded = pastOf.items.length ? (i: number, j: number) => pastOf.has(i, j) : undefined;

  const graph = buildCandidateGraph(compiled, ctx, excluded, { ...defaultCandidateOptions, ...options.candidates }, packed);
  const meets = needBits(graph, compiled);
  const solved = cap > 0 ? solveBMatching(graph, cap, { ...defaultBMatchingOptions, ...options.bmatching }, meets) : { edges: new Int32Array(0), deg: new Int32Array(n) };
  const canBeMet = new Uint8Array(n);
  for (let e = 0; e < meets.length; e++) {
    if (meets[e]! & RECEIVES_U) canBeMet[graph.eu[e]!] = 1;
    if (meets[e]! & RECEIVES_V) canBeMet[graph.ev[e]!] = 1;
  }

  const pairs: number[] = [];
  for (const e of solved.edges) pairs.push(graph.eu[e]!, graph.ev[e]!);
  const deg = solved.deg;
  const coverable = new Uint8Array(n);
  for (let e = 0; e < graph.eu.length; e++) coverable[graph.eu[e]!] = coverable[graph.ev[e]!] = 1;
  let candidatePairs = graph.eu.length;

  // Second chance: people still short of k are looked for partners among each other. In a
  // big event they are few, nobody's first choice, and missing from each other's candidate
  // lists, which were drawn from everyone.
  for (let round = 0; round < 2 && cap > 0; round++) {
    const short: number[] = [];
    for (let x = 0; x < n; x++) if (deg[x]! < cap) short.push(x);
    if (short.length < 2) break;
    const matchedPairs = new Set<number>();
    for (let i = 0; i < pairs.length; i += 2) matchedPairs.add(pairs[i]! * n + pairs[i + 1]!);
    const sub = buildCandidateGraph(
      short.map((x) => compiled[x]!),
      ctx,
      (i, j) => {
        const key = short[i]! * n + short[j]!;
        return pastOf.has(short[i]!, short[j]!) || matchedPairs.has(key);
      },
      { ...defaultCandidateOptions, ...options.candidates },
    );
    candidatePairs += sub.eu.length;
    let added = 0;
    for (let e = 0; e < sub.eu.length; e++) {
      const u = short[sub.eu[e]!]!;
      const v = short[sub.ev[e]!]!;
      coverable[u] = coverable[v] = 1;
      if (deg[u]! >= cap || deg[v]! >= cap) continue;
      deg[u]!++;
      deg[v]!++;
      pairs.push(u, v);
      added++;
    }
    if (added === 0) break;
  }

  const matches: Match[] = [];
  let totalScore = 0;
  const needMet = new Uint8Array(n);
  const mutual = mutualConnections(history?.connections);
  for (let i = 0; i < pairs.length; i += 2) {
    const u = pairs[i]!;
    const v = pairs[i + 1]!;
    const { score, reasons } = explainPacked(packed, u, v, people[u]!.userId, people[v]!.userId, ctx);
    for (const r of reasons) {
      if (r.kind !== 'offer_meets_seek') continue;
      needMet[index.get(r.receiver!)!] = 1;
      canBeMet[index.get(r.receiver!)!] = 1;
    }
    reasons.push(...mutual(people[u]!.userId, people[v]!.userId));
    matches.push({ a: people[u]!.userId, b: people[v]!.userId, score, reasons });
    totalScore += score;
  }
  matches.sort((x, y) => y.score - x.score || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));

  let matched = 0;
  let withK = 0;
  for (let x = 0; x < n; x++) {
    if (deg[x]! > 0) matched++;
    if (cap > 0 && deg[x] === cap) withK++;
  }
  return {
    matches,
    figures: {
      attendees: n,
      matched,
      withK,
      totalScore,
      candidatePairs,
      coverable: coverable.reduce((s, c) => s + c, 0),
      needsMet: needMet.reduce((s, c) => s + c, 0),
      needsCoverable: canBeMet.reduce((s, c) => s + c, 0),
      ms: clock() - started,
    },
  };
}

function* concat<T>(...lists: (Iterable<T> | undefined)[]): Iterable<T> {
  for (const list of lists) if (list) yield* list;
}

/** Each person's past partners (indices), sorted, with a lookup. */
function pastPartners(pairs: Iterable<[string, string]> | undefined, index: Map<string, number>, n: number) {
  const us: number[] = [];
  const vs: number[] = [];
  for (const [a, b] of pairs ?? []) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined || i === j) continue;
    us.push(i, j);
    vs.push(j, i);
  }
  const start = new Int32Array(n + 1);
  for (const u of us) start[u + 1]!++;
  for (let x = 0; x < n; x++) start[x + 1]! += start[x]!;
  const fill = start.slice(0, n);
  const items = new Int32Array(us.length);
  us.forEach((u, e) => (items[fill[u]!++] = vs[e]!));
  for (let x = 0; x < n; x++) items.subarray(start[x]!, start[x + 1]!).sort();
  return {
    items,
    has(i: number, j: number): boolean {
      for (let at = start[i]!; at < start[i + 1]!; at++) if (items[at] === j) return true;
      return false;
    },
  };
}
