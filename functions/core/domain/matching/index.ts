/**
 * Event matchmaking: reciprocal pair scores (scoring.ts), candidates from an inverted index
 * over tags (candidates.ts), and up to k matches per attendee maximising the total score
 * (bmatching.ts), each with its reasons (sentences.ts for the wording). Pure: no I/O, no
 * clock other than the injectable one that times the run. docs/matching.md explains it.
 *
 * @example
 *   const { matches, figures } = computeMatches(optedIn, event.matchmaking.matchesPerAttendee, { pastPairs });
 *   const lines = reasonSentences(matches[0], viewer, other);
 */
import { buildCandidateGraph, defaultCandidateOptions, type CandidateOptions } from './candidates.js';
import { defaultBMatchingOptions, solveBMatching, type BMatchingOptions } from './bmatching.js';
import { compilePopulation, defaultWeights, explainCompiled } from './scoring.js';
import type { Match, MatchHistory, MatchProfile, MatchResult, Weights } from './types.js';

export type { Match, MatchFigures, MatchHistory, MatchProfile, MatchReason, MatchResult, ReasonKind, Weights } from './types.js';
export { buildScoringContext, defaultWeights, learnMultipliers, normalizeTag, pairKey, rarity, scorePair, type ScoringContext } from './scoring.js';
export { reasonSentences } from './sentences.js';

/** Matches per attendee when the event does not say (`matchmaking.matchesPerAttendee`). */
export const DEFAULT_MATCHES_PER_ATTENDEE = 3;

export interface ComputeOptions {
  /** Milliseconds for `figures.ms`; `performance.now` by default. Matches never depend on it. */
  clock?: () => number;
  candidates?: Partial<CandidateOptions>;
  bmatching?: Partial<BMatchingOptions>;
}

/**
 * Up to k matches per attendee, maximising the total reciprocal score, everyone with a
 * possible partner getting at least one. Only the given profiles are matched (callers pass
 * the opted-in attendees); same-company pairs and past pairs are never proposed. The same
 * input (in any order) gives the same matches.
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

  const { ctx, compiled } = compilePopulation(people, history, weights);
  const past = new Set<number>();
  for (const [a, b] of history?.pastPairs ?? []) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined || i === j) continue;
    past.add(i < j ? i * n + j : j * n + i);
  }
  const excluded = past.size ? (i: number, j: number) => past.has(i * n + j) : undefined;

  const graph = buildCandidateGraph(compiled, ctx, excluded, { ...defaultCandidateOptions, ...options.candidates });
  const solved = cap > 0 ? solveBMatching(graph, cap, { ...defaultBMatchingOptions, ...options.bmatching }) : { edges: new Int32Array(0), deg: new Int32Array(n) };

  const matches: Match[] = [];
  let totalScore = 0;
  for (const e of solved.edges) {
    const u = graph.eu[e]!;
    const v = graph.ev[e]!;
    const { score, reasons } = explainCompiled(compiled[u]!, compiled[v]!, people[u]!.userId, people[v]!.userId, ctx);
    matches.push({ a: people[u]!.userId, b: people[v]!.userId, score, reasons });
    totalScore += score;
  }
  matches.sort((x, y) => y.score - x.score || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));

  const coverable = new Uint8Array(n);
  for (let e = 0; e < graph.eu.length; e++) coverable[graph.eu[e]!] = coverable[graph.ev[e]!] = 1;
  let matched = 0;
  let withK = 0;
  for (let x = 0; x < n; x++) {
    if (solved.deg[x]! > 0) matched++;
    if (cap > 0 && solved.deg[x] === cap) withK++;
  }
  return {
    matches,
    figures: {
      attendees: n,
      matched,
      withK,
      totalScore,
      candidatePairs: graph.eu.length,
      coverable: coverable.reduce((s, c) => s + c, 0),
      ms: clock() - started,
    },
  };
}
