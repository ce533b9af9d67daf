/**
 * Maximum-weight b-matching (everyone at most k partners) on a candidate graph:
 *
 * 1. Prices: a few hundred subgradient steps on the LP dual give each person a price y_v
 *    (what a place in their k is worth); edges are then taken greedily in order of reduced
 *    weight w_e − y_u − y_v rather than of weight. Plain greedy reaches about 95 % of the
 *    optimum; the priced pass about 99.5 %.
 * 2. Local search by alternating walks (add an edge, drop one of the partner's, add one from
 *    whoever lost it, …) from where the matching disagrees with the prices.
 * 3. Coverage repair: everyone with a candidate gets a partner, at the least loss found.
 * 4. Fill: walks that add an edge between two people short of k, losing a little at most.
 *
 * Needs first (needs.ts): given which edges meet a need, the matching starts from a set of
 * them meeting as many people's needs as possible, and no later step may meet fewer: a walk
 * may take someone's last met need only if it meets someone else's (and never a unique
 * complementary pair's). The score is maximised among those matchings. On small graphs an
 * improvement phase (improveNeedsFirst) tries other starts from per-person prices on needs
 * and keeps a result only if it meets as many needs, covers as many people, keeps the
 * unique pairs and scores more.
 *
 * Deterministic: nodes and edges are visited in a fixed order and ties break by edge order,
 * that is by weight, then by index.
 */
import type { CandidateGraph } from './candidates.js';
import { radixOrder } from './order.js';
import { coverNeeds, defaultNeedsOptions, needsMetBy, RECEIVES_U, RECEIVES_V, type NeedBits, type NeedsOptions } from './needs.js';

const EPS = 1e-9;
/** What one more need met below the floor is worth in a walk: more than any score. */
const NEED_PRICE = 1e6;

export interface BMatchingOptions {
  /** Run the local search (alternating walks) after the greedy pass. */
  improve: boolean;
  /** Give everyone with a candidate at least one partner, at the least loss found. */
  cover: boolean;
  /**
   * Give people short of k another partner by a walk between two of them when it costs at
   * most this share of the mean matched score (0: no fill).
   */
  fillTolerance: number;
  /** Neighbours read when looking for a partner with room (walk ends, coverage repair). */
  scan: number;
  /** Local search: additions per alternating walk (0: no local search). */
  walkDepth: number;
  /** Local search: edges tried from each freed person, and from the root. */
  walkBreadth: number;
  rootBreadth: number;
  /** Search steps from one root at most. */
  maxVisits: number;
  /** After the priced greedy pass, search first from where it disagrees with the prices only. */
  targetRoots: boolean;
  /** Subgradient steps on the LP dual whose prices order the greedy pass (0: plain weights). */
  dualIterations: number;
  /** With need bits: first meet as many people's needs as possible, then maximise the score. */
  needsFirst: boolean;
  needs: NeedsOptions;
  /**
   * Needs first, improvement phase: rounds of other starts (0: none), each the score-only
   * matching under per-person prices on needs, then needs first and deeper walks.
   */
  improveRounds: number;
  /** Improvement phase only on graphs with at most this many edges (bounds its cost). */
  improveMaxEdges: number;
  /** Walks of the improvement phase: additions, edges per freed person, steps per root. */
  improveDepth: number;
  improveBreadth: number;
  improveVisits: number;
  /** First step of a need's price, in mean matched scores (it shrinks as 1/√round). */
  improveStep: number;
  /** The best starts of the improvement phase given the deeper walks. */
  improvePolish: number;
  /**
   * Which pairs are never given up once met. 'mutual' (the default, the "only mentor
   * and only mentee"): a seeker whom only one person can help, who in turn can help nobody
   * else. Any other met need may still move to another seeker, never to fewer needs met, so
   * a need is never traded for shared interests. 'seeker': also a seeker's only helper when
   * that helper could serve others (stricter; it costs score where one giver serves many).
   */
  uniquePairs: 'seeker' | 'mutual';
  /** Needs first: finally, walks that may meet fewer needs, down to this many (internal), deeper ones with floorDeep. */
  needsFloor?: number;
  floorDeep?: boolean;
}

export const defaultBMatchingOptions: BMatchingOptions = Object.freeze({
  improve: true,
  cover: true,
  fillTolerance: 0.5,
  scan: 24,
  walkDepth: 2,
  walkBreadth: 4,
  rootBreadth: 32,
  maxVisits: 200,
  targetRoots: true,
  dualIterations: 300,
  needsFirst: true,
  needs: defaultNeedsOptions,
  improveRounds: 15,
  improveMaxEdges: 15_000,
  improveDepth: 3,
  improveBreadth: 8,
  improveVisits: 5000,
  improveStep: 0.33,
  improvePolish: 3,
  uniquePairs: 'mutual',
});

interface WalkMode {
  keepCovered: boolean;
  depth: number;
  breadth: number;
  rootBreadth: number;
  /** Only walks that add an edge (root and end both short of k), losing at most maxLoss. */
  augmentOnly: boolean;
  maxLoss: number;
  /** Start from everyone rather than from the people changed since the last search. */
  everyone: boolean;
  /** Steps of the search from one root at most (keeps hubs from costing seconds). */
  maxVisits: number;
  /** Needs met may fall to this count but not below it (default: never fall). */
  needsFloor?: number;
}

/** The matching as a set of edge ids of the graph. */
export interface BMatching {
  edges: Int32Array;
  deg: Int32Array;
}

export function solveBMatching(g: CandidateGraph, k: number, options: Partial<BMatchingOptions> = {}, meets?: NeedBits): BMatching {
  const o = { ...defaultBMatchingOptions, ...options };
  const main = solveOnce(g, k, o, meets);
  if (!meets || !o.needsFirst || k <= 0 || o.improveRounds <= 0 || o.walkDepth <= 0 || g.eu.length === 0 || g.eu.length > o.improveMaxEdges) return main;
  return improveNeedsFirst(g, k, o, meets, main);
}

/**
 * Needs first, improvement phase (small graphs): which seekers the scarce givers serve
 * decides most of the score, and the walks only move one at a time. So other starting
 * points are tried, Lagrangian style: each person who can have a need met gets a price
 * added to the edges that meet it, and the score-only matching under those prices is the
 * start; a price rises while its person goes without and falls while they have two or more
 * (the subgradient of "each need met once"). From each start the usual needs
 * first runs, then deeper walks that may give up a need only down to the count the first
 * solve met. A result is kept only if it meets at least that many needs, leaves no more
 * people without a match, keeps every unique complementary pair of the first solve and
 * scores more. Deterministic: no randomness, the prices follow from the graph.
 */
function improveNeedsFirst(g: CandidateGraph, k: number, o: BMatchingOptions, meets: NeedBits, main: BMatching): BMatching {
  const { n, eu, ev, ew } = g;
  const m = eu.length;
  const floor = needsMetBy(g, meets, main.edges);
  const options = new Int32Array(n);
  for (let e = 0; e < m; e++) {
    if (meets[e]! & RECEIVES_U) options[eu[e]!]!++;
    if (meets[e]! & RECEIVES_V) options[ev[e]!]!++;
  }
  if (o.uniquePairs === 'mutual') mutualOnly(g, meets, options);
  const hasEdge = new Uint8Array(n);
  for (let e = 0; e < m; e++) hasEdge[eu[e]!] = hasEdge[ev[e]!] = 1;
  const uncovered = (deg: Int32Array) => {
    let count = 0;
    for (let x = 0; x < n; x++) if (hasEdge[x] && deg[x] === 0) count++;
    return count;
  };
  const unique = (e: number) => ((meets[e]! & RECEIVES_U) !== 0 && options[eu[e]!] === 1) || ((meets[e]! & RECEIVES_V) !== 0 && options[ev[e]!] === 1);
  const mustKeep = Array.from(main.edges).filter(unique);
  const scoreOf = (edges: Int32Array) => edges.reduce((sum, e) => sum + ew[e]!, 0);
  const uncovered0 = uncovered(main.deg);
  const step0 = (o.improveStep * scoreOf(main.edges)) / Math.max(1, main.edges.length);
  const count = new Int32Array(n);
  const subOptions = { ...o, improveRounds: 0 };
  /** Whether cand is allowed: as many needs, as many covered, every unique pair kept. */
  const allowed = (cand: BMatching) => {
    const inCand = new Uint8Array(m);
    for (const e of cand.edges) inCand[e] = 1;
    return needsMetBy(g, meets, cand.edges) >= floor && uncovered(cand.deg) <= uncovered0 && mustKeep.every((e) => inCand[e]);
  };
  // The best allowed results so far, best first (the first solve is allowed).
  const top: { cand: BMatching; score: number }[] = [{ cand: main, score: scoreOf(main.edges) }];
  const consider = (cand: BMatching) => {
    const score = scoreOf(cand.edges);
    if (top.length >= o.improvePolish && score <= top[top.length - 1]!.score + EPS) return;
    if (top.some((t) => Math.abs(t.score - score) <= EPS) || !allowed(cand)) return;
    top.push({ cand, score });
    top.sort((a, b) => b.score - a.score);
    if (top.length > o.improvePolish) top.pop();
  };
  // The first solve itself, with walks that may move a need down to the floor.
  consider(solveOnce(g, k, { ...subOptions, needsFloor: floor }, meets, main.edges));
  // The unique pairs the first solve met go into every start (their weight outranks any
  // two others), so that no start gives them up.
  const keep = new Uint8Array(m);
  for (const e of mustKeep) keep[e] = 1;
  const keepBonus = 2 * (m ? ew[0]! : 0);
  const price = new Float64Array(n);
  const weight = new Float64Array(m);
  for (let round = 0; round < o.improveRounds; round++) {
    for (let e = 0; e < m; e++) {
      const b = meets[e]!;
      weight[e] = ew[e]! + (b & RECEIVES_U ? price[eu[e]!]! : 0) + (b & RECEIVES_V ? price[ev[e]!]! : 0) + (keep[e] ? keepBonus : 0);
    }
    // The priced graph, heaviest first as the solver expects.
    const order = radixOrder(weight, true);
    const priced: CandidateGraph = { n, eu: Int32Array.from(order, (e) => eu[e]!), ev: Int32Array.from(order, (e) => ev[e]!), ew: Float64Array.from(order, (e) => weight[e]!) };
    const start = Int32Array.from(solveOnce(priced, k, { ...subOptions, needsFirst: false }).edges, (e) => order[e]!);
    count.fill(0);
    for (const e of start) {
      if (meets[e]! & RECEIVES_U) count[eu[e]!]!++;
      if (meets[e]! & RECEIVES_V) count[ev[e]!]!++;
    }
    const step = step0 / Math.sqrt(round + 1);
    for (let x = 0; x < n; x++) if (options[x]! > 0) price[x] = Math.max(0, price[x]! + step * (1 - count[x]!));
    consider(solveOnce(g, k, { ...subOptions, needsFloor: floor }, meets, start));
  }
  // The best few get the deeper walks; the best allowed result wins, the first solve on a tie.
  let best = main;
  let bestScore = scoreOf(main.edges);
  for (const { cand, score } of top.slice()) {
    if (score > bestScore + EPS) {
      best = cand;
      bestScore = score;
    }
    const polished = solveOnce(g, k, { ...subOptions, needsFloor: floor, floorDeep: true }, meets, cand.edges);
    const polishedScore = scoreOf(polished.edges);
    if (polishedScore > bestScore + EPS && allowed(polished)) {
      best = polished;
      bestScore = polishedScore;
    }
  }
  return best;
}

/** Unique pairs only where the giver, too, can meet one person's need: others count as two options. */
function mutualOnly(g: { n: number; eu: Int32Array; ev: Int32Array }, meets: NeedBits, options: Int32Array): void {
  const gives = new Int32Array(g.n);
  for (let e = 0; e < g.eu.length; e++) {
    if (meets[e]! & RECEIVES_U) gives[g.ev[e]!]!++;
    if (meets[e]! & RECEIVES_V) gives[g.eu[e]!]!++;
  }
  for (let e = 0; e < g.eu.length; e++) {
    if (meets[e]! & RECEIVES_U && options[g.eu[e]!] === 1 && gives[g.ev[e]!]! > 1) options[g.eu[e]!] = 2;
    if (meets[e]! & RECEIVES_V && options[g.ev[e]!] === 1 && gives[g.eu[e]!]! > 1) options[g.ev[e]!] = 2;
  }
}

function solveOnce(g: CandidateGraph, k: number, o: BMatchingOptions, meets?: NeedBits, start?: ArrayLike<number>): BMatching {
  const s = new BMatchingState(g, k);
  s.scanLimit = o.scan;
  let everyone = true;
  if (start) {
    s.reset(start);
  } else if (o.dualIterations > 0) {
    const { order, reduced } = s.dualOrder(o.dualIterations);
    s.greedy(order);
    // With good prices the greedy pass is nearly optimal; where it disagrees with them (an
    // edge taken at a loss, one left at a profit, a place left empty) is where to search.
    if (o.targetRoots) {
      s.markDisagreements(reduced);
      everyone = false;
    }
  } else s.greedy();
  const walk = { depth: o.walkDepth, breadth: o.walkBreadth, rootBreadth: o.rootBreadth, maxLoss: 0, maxVisits: o.maxVisits };
  const improve = (keepCovered: boolean, all = false) => {
    if (o.improve && o.walkDepth > 0) s.walks({ ...walk, keepCovered, augmentOnly: false, everyone: all });
  };
  if (!start) improve(false, everyone);
  if (o.cover && !start) {
    s.cover(o.scan);
    improve(true);
  }
  const fill = () => {
    if (o.fillTolerance > 0 && o.walkDepth > 0) {
      s.walks({ ...walk, keepCovered: o.cover, augmentOnly: true, maxLoss: o.fillTolerance * s.meanMatched(), everyone: true });
      improve(o.cover);
    }
  };
  if (!start) fill();
  // Needs first: repair the best-score matching so that as many people as possible have a
  // need met, then let the same steps win back score. Walks may move a met need from one
  // person to another (never fewer met in the end, never a unique complementary pair): the
  // scarce givers' places are all need edges, and whom they serve decides much of the score.
  if (meets && o.needsFirst && k > 0) {
    s.trackNeeds(meets, o.uniquePairs);
    // From the best-score matching, and from nothing (which can leave givers freer for the
    // people only they can help); the one meeting more needs, the first on a tie.
    const fromBest = coverNeeds(g, meets, k, o.needs, s.result().edges);
    const fromNothing = start ? fromBest : coverNeeds(g, meets, k, o.needs);
    s.reset(needsMetBy(g, meets, fromNothing) > needsMetBy(g, meets, fromBest) ? fromNothing : fromBest);
    improve(o.cover);
    if (o.cover) {
      s.cover(o.scan);
      improve(true);
    }
    fill();
    if (o.needsFloor !== undefined && o.walkDepth > 0) {
      const deep = o.floorDeep ? { depth: o.improveDepth, breadth: o.improveBreadth, maxVisits: o.improveVisits } : {};
      const floorWalk = { ...walk, ...deep, keepCovered: o.cover, augmentOnly: false, everyone: true, needsFloor: o.needsFloor };
      s.walks(floorWalk);
      if (o.cover) {
        s.cover(o.scan);
        s.walks({ ...floorWalk, everyone: false });
      }
    }
  }
  return s.result();
}

/**
 * An upper bound on the best total of any b-matching of the graph: the LP dual objective
 * kΣy + Σ max(0, w_e − y_u − y_v) at the best prices found by `iterations` subgradient steps.
 */
export function lpDualBound(g: CandidateGraph, k: number, iterations: number): number {
  return new BMatchingState(g, k).dualOrder(iterations).bound;
}

class BMatchingState {
  readonly n: number;
  readonly m: number;
  readonly eu: Int32Array;
  readonly ev: Int32Array;
  readonly ew: Float64Array;
  /** Edges of each node by weight desc: adjEdge[adjStart[x] .. adjStart[x+1]). */
  readonly adjStart: Int32Array;
  readonly adjEdge: Int32Array;
  /** The same, by neighbour, for lookups: nbrNode ascending with nbrEdge beside it. */
  readonly nbrNode: Int32Array;
  readonly nbrEdge: Int32Array;
  readonly inM: Uint8Array;
  readonly deg: Int32Array;
  /** The matched edges of node x: slot[x*k .. x*k+deg[x]). */
  readonly slot: Int32Array;
  /** People whose matches changed since the last local search (its starting points). */
  readonly dirty: Uint8Array;
  /** Changes of the move in progress, to undo it: edge id, +1 added / -1 removed. */
  private log: number[] = [];
  /** Neighbours read when looking for a free partner (BMatchingOptions.scan). */
  scanLimit = 12;
  /** Needs first: which ends of each edge receive, matched edges meeting each person's needs, people with one. */
  private meets?: NeedBits;
  private needCount?: Int32Array;
  private walkDelta?: Int32Array;
  /** Per person, the candidate edges on which they receive: 1 means only one partner can meet their need. */
  private needOptions?: Int32Array;
  /** Net change in people with a met need of the walk in progress. */
  private walkNet = 0;
  needsMet = 0;

  constructor(
    g: CandidateGraph,
    readonly k: number,
  ) {
    const n = (this.n = g.n);
    const m = (this.m = g.eu.length);
    this.eu = g.eu;
    this.ev = g.ev;
    this.ew = g.ew;
    const start = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) {
      start[g.eu[e]! + 1]!++;
      start[g.ev[e]! + 1]!++;
    }
    for (let x = 0; x < n; x++) start[x + 1]! += start[x]!;
    const fill = start.slice(0, n);
    const adj = new Int32Array(2 * m);
    for (let e = 0; e < m; e++) {
      adj[fill[g.eu[e]!]!++] = e;
      adj[fill[g.ev[e]!]!++] = e;
    }
    this.adjStart = start;
    this.adjEdge = adj;
    // Neighbour-sorted copy: pack (neighbour, edge) into one number and sort each segment.
    const packed = new Float64Array(2 * m);
    for (let x = 0; x < n; x++) {
      for (let i = start[x]!; i < start[x + 1]!; i++) {
        const e = adj[i]!;
        const y = g.eu[e] === x ? g.ev[e]! : g.eu[e]!;
        packed[i] = y * m + e;
      }
      packed.subarray(start[x]!, start[x + 1]!).sort();
    }
    this.nbrNode = new Int32Array(2 * m);
    this.nbrEdge = new Int32Array(2 * m);
    for (let i = 0; i < 2 * m; i++) {
      const y = Math.floor(packed[i]! / m);
      this.nbrNode[i] = y;
      this.nbrEdge[i] = packed[i]! - y * m;
    }
    this.inM = new Uint8Array(m);
    this.deg = new Int32Array(n);
    this.slot = new Int32Array(Math.max(0, n * k)).fill(-1);
    this.dirty = new Uint8Array(n);
  }

  other(e: number, x: number): number {
    return this.eu[e] === x ? this.ev[e]! : this.eu[e]!;
  }

  /** The edge between x and y, or -1. */
  edge(x: number, y: number): number {
    let lo = this.adjStart[x]!;
    let hi = this.adjStart[x + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const z = this.nbrNode[mid]!;
      if (z === y) return this.nbrEdge[mid]!;
      if (z < y) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * From now on, no move may meet fewer people's needs; coverage repair may not take anyone's
   * last met need (isProtected), walks only a non-unique one they make up for (isUniqueNeed).
   */
  trackNeeds(meets: NeedBits, uniquePairs: BMatchingOptions['uniquePairs'] = 'mutual'): void {
    this.meets = meets;
    this.needCount = new Int32Array(this.n);
    this.walkDelta = new Int32Array(this.n);
    this.needOptions = new Int32Array(this.n);
    this.walkNet = 0;
    for (let e = 0; e < this.m; e++) {
      if (meets[e]! & RECEIVES_U) this.needOptions[this.eu[e]!]!++;
      if (meets[e]! & RECEIVES_V) this.needOptions[this.ev[e]!]!++;
    }
    if (uniquePairs === 'mutual') mutualOnly(this, meets, this.needOptions);
    this.needsMet = 0;
    for (let e = 0; e < this.m; e++) if (this.inM[e]) this.countNeeds(e, 1);
  }

  /**
   * Whether dropping e would leave one of its ends with no met need, counting the edges the
   * walk in progress has added and dropped so far (walkDelta).
   */
  isProtected(e: number): boolean {
    const b = this.meets?.[e];
    if (!b) return false;
    const nc = this.needCount!;
    const d = this.walkDelta!;
    const u = this.eu[e]!;
    const v = this.ev[e]!;
    return ((b & RECEIVES_U) !== 0 && nc[u]! + d[u]! === 1) || ((b & RECEIVES_V) !== 0 && nc[v]! + d[v]! === 1);
  }

  /**
   * Whether a walk may not drop e: it is the last met need of someone whom nobody else in
   * the candidate graph can meet (a unique complementary pair). Other last met needs may
   * be dropped by a walk that meets as many people's needs in the end (walkNet).
   */
  isUniqueNeed(e: number): boolean {
    const b = this.meets?.[e];
    if (!b) return false;
    const nc = this.needCount!;
    const d = this.walkDelta!;
    const opts = this.needOptions!;
    const u = this.eu[e]!;
    const v = this.ev[e]!;
    return ((b & RECEIVES_U) !== 0 && opts[u] === 1 && nc[u]! + d[u]! === 1) || ((b & RECEIVES_V) !== 0 && opts[v] === 1 && nc[v]! + d[v]! === 1);
  }

  /** The walk in progress adds (+1) or drops (-1) e, or takes that back. */
  walkNeeds(e: number, delta: number): void {
    const b = this.meets?.[e];
    if (!b) return;
    if (b & RECEIVES_U) this.walkStep(this.eu[e]!, delta);
    if (b & RECEIVES_V) this.walkStep(this.ev[e]!, delta);
  }

  private walkStep(x: number, delta: number): void {
    const d = this.walkDelta!;
    const before = this.needCount![x]! + d[x]!;
    d[x]! += delta;
    if (before === 0 && delta > 0) this.walkNet++;
    else if (before + delta === 0 && delta < 0) this.walkNet--;
  }

  private countNeeds(e: number, delta: 1 | -1): void {
    const b = this.meets![e]!;
    const nc = this.needCount!;
    if (b & RECEIVES_U) {
      const u = this.eu[e]!;
      nc[u]! += delta;
      if (nc[u] === (delta > 0 ? 1 : 0)) this.needsMet += delta;
    }
    if (b & RECEIVES_V) {
      const v = this.ev[e]!;
      nc[v]! += delta;
      if (nc[v] === (delta > 0 ? 1 : 0)) this.needsMet += delta;
    }
  }

  add(e: number): void {
    const u = this.eu[e]!;
    const v = this.ev[e]!;
    if (this.meets) this.countNeeds(e, 1);
    this.dirty[u] = this.dirty[v] = 1;
    this.inM[e] = 1;
    this.slot[u * this.k + this.deg[u]!++] = e;
    this.slot[v * this.k + this.deg[v]!++] = e;
    this.log.push(e + 1);
  }

  remove(e: number): void {
    if (this.meets) this.countNeeds(e, -1);
    this.inM[e] = 0;
    this.dirty[this.eu[e]!] = this.dirty[this.ev[e]!] = 1;
    for (const x of [this.eu[e]!, this.ev[e]!]) {
      const base = x * this.k;
      const d = --this.deg[x]!;
      for (let i = 0; i <= d; i++) {
        if (this.slot[base + i] === e) {
          this.slot[base + i] = this.slot[base + d]!;
          this.slot[base + d] = -1;
          break;
        }
      }
    }
    this.log.push(-(e + 1));
  }

  /** Makes the matching exactly `edges` (changed people become dirty). */
  reset(edges: ArrayLike<number>): void {
    const keep = new Uint8Array(this.m);
    for (let i = 0; i < edges.length; i++) keep[edges[i]!] = 1;
    for (let e = 0; e < this.m; e++) if (this.inM[e] && !keep[e]) this.remove(e);
    for (let i = 0; i < edges.length; i++) if (!this.inM[edges[i]!]) this.add(edges[i]!);
    this.log.length = 0;
  }

  private begin(): void {
    this.log.length = 0;
  }

  /** Undoes the move in progress. */
  private undo(): void {
    const log = this.log.splice(0);
    for (let i = log.length - 1; i >= 0; i--) {
      const c = log[i]!;
      if (c > 0) this.remove(c - 1);
      else this.add(-c - 1);
    }
    this.log.length = 0;
  }

  /** Plain greedy: heaviest edge first while both ends have room. */
  greedy(order?: Uint32Array): void {
    const { k, deg, eu, ev } = this;
    for (let i = 0; i < this.m; i++) {
      const e = order ? order[i]! : i;
      if (!this.inM[e] && deg[eu[e]!]! < k && deg[ev[e]!]! < k) this.add(e);
    }
  }

  /**
   * Prices per person from the LP dual (min kΣy + Σ max(0, w_e − y_u − y_v)) by subgradient
   * steps; returns the edge order by reduced weight w_e − y_u − y_v and the best dual bound.
   */
  dualOrder(iterations: number): { order: Uint32Array; bound: number; reduced: Float64Array } {
    const { n, m, k, eu, ev, ew } = this;
    const y = new Float64Array(n);
    const count = new Int32Array(n);
    // Start from half of each person's k-th best weight: the price at which they want k.
    for (let v = 0; v < n; v++) {
      const deg = this.adjStart[v + 1]! - this.adjStart[v]!;
      if (deg >= k) y[v] = ew[this.adjEdge[this.adjStart[v]! + k - 1]!]! / 2;
    }
    let mean = 0;
    for (let e = 0; e < m; e++) mean += ew[e]!;
    mean = m ? mean / m : 0;
    let bound = Infinity;
    let bestY = y.slice();
    for (let t = 0; t < iterations; t++) {
      count.fill(0);
      let d = 0;
      for (let e = 0; e < m; e++) {
        const r = ew[e]! - y[eu[e]!]! - y[ev[e]!]!;
        if (r > 0) {
          d += r;
          count[eu[e]!]!++;
          count[ev[e]!]!++;
        }
      }
      for (let v = 0; v < n; v++) d += k * y[v]!;
      if (d < bound) {
        bound = d;
        bestY = y.slice();
      }
      const step = (0.2 * mean) / Math.sqrt(t + 1) / Math.max(1, k);
      for (let v = 0; v < n; v++) {
        const next = y[v]! + step * (count[v]! - k);
        y[v] = next > 0 ? next : 0;
      }
    }
    const reduced = new Float64Array(m);
    for (let e = 0; e < m; e++) reduced[e] = ew[e]! - bestY[eu[e]!]! - bestY[ev[e]!]!;
    return { order: radixOrder(reduced, true), bound, reduced };
  }

  /**
   * The best unmatched edge from x to someone with room (other than `not`), among the first
   * `scan` neighbours of x; -1 if none.
   */
  bestFree(x: number, not: number, scan: number): number {
    const { adjStart, adjEdge, inM, deg, k } = this;
    const end = Math.min(adjStart[x + 1]!, adjStart[x]! + scan);
    for (let i = adjStart[x]!; i < end; i++) {
      const f = adjEdge[i]!;
      if (inM[f]) continue;
      const z = this.other(f, x);
      if (z !== not && deg[z]! < k) return f;
    }
    return -1;
  }

  /** Adds f if both ends still have room; its weight, or 0. */
  private tryAdd(f: number): number {
    if (f < 0 || this.inM[f]) return 0;
    if (this.deg[this.eu[f]!]! >= this.k || this.deg[this.ev[f]!]! >= this.k) return 0;
    this.add(f);
    return this.ew[f]!;
  }

  /**
   * Local search by alternating walks (Lin–Kernighan style): from a root, add an unmatched
   * edge, drop an edge of the partner if it is full, add an edge from the partner it lost, …
   * while the running gain stays positive, up to `depth` additions. A walk from a root with
   * room may end anywhere; from a full root it must come back and drop one of the root's
   * edges (a cycle: the 2-opt swap is the shortest). The best walk found is applied, then its
   * people are searched again, until no walk gains.
   */
  walks(mode: WalkMode): void {
    const { n, k, adjStart, adjEdge, inM, deg, slot, ew } = this;
    const { keepCovered, depth, breadth, rootBreadth, augmentOnly } = mode;
    if (k <= 0) return;
    // Improving: every walk must gain. Filling: walks must add an edge and may lose up to `floor`.
    const floor = augmentOnly ? -mode.maxLoss : EPS;
    const queue = new Int32Array(n);
    const queued = new Uint8Array(n);
    let head = 0;
    let size = 0;
    const push = (x: number) => {
      if (x < 0 || queued[x] || (augmentOnly && deg[x]! >= k)) return;
      queued[x] = 1;
      queue[(head + size++) % n] = x;
    };
    // Start from everyone the first time, then from the people changed since.
    for (let x = 0; x < n; x++) if (mode.everyone || this.dirty[x]) push(x);
    this.dirty.fill(0);
    let rootVisits = 0;
    const maxVisits = mode.maxVisits;
    // The heaviest edge of each person: the most a walk can regain where it frees a place.
    const top = new Float64Array(n);
    for (let x = 0; x < n; x++) top[x] = adjStart[x + 1]! > adjStart[x]! ? ew[adjEdge[adjStart[x]!]!]! : 0;
    const onWalk = new Uint8Array(n);
    const removedOnWalk = new Uint8Array(this.m);
    // The walk in progress and the best one: edge ids, + for added, - for dropped (id+1).
    const walk = new Int32Array(4 * depth + 2);
    let walkLen = 0;
    const best = new Int32Array(4 * depth + 2);
    let bestLen = 0;
    let bestGain = EPS;
    let root = -1;
    let rootFree = false;
    // Needs first: a walk may not end with fewer people's needs met, and one ending with
    // more is worth more than any score (it moves a need from one person to another, or
    // meets one more, and the rest is score).
    // With a floor (the improvement phase), a walk may meet fewer needs as long as as many
    // as the floor stay met; below the floor, getting back towards it comes before score.
    const needsFloor = mode.needsFloor;
    const worth =
      needsFloor === undefined
        ? (gain: number) => (this.walkNet < 0 ? -Infinity : gain)
        : (gain: number) => {
            const before = Math.max(0, needsFloor - this.needsMet);
            const after = Math.max(0, needsFloor - this.needsMet - this.walkNet);
            return after > before ? -Infinity : gain + NEED_PRICE * (before - after);
          };
    const record = (gain: number) => {
      bestGain = gain;
      bestLen = walkLen;
      best.set(walk.subarray(0, walkLen));
    };

    // v has just been given an added edge; running gain g.
    const afterAdd = (v: number, g: number, level: number): void => {
      if (deg[v]! < k) {
        if (rootFree && worth(g) > bestGain) record(worth(g));
        return;
      }
      for (let b = 0; b < k; b++) {
        const yo = slot[v * k + b]!;
        if (removedOnWalk[yo] || this.isUniqueNeed(yo)) continue;
        const y = this.other(yo, v);
        const g2 = g - ew[yo]!;
        // The running gain may dip below the floor if y's best edge can lift it back.
        if (g2 + (y === root ? 0 : top[y]!) <= floor) continue;
        walk[walkLen++] = -(yo + 1);
        this.walkNeeds(yo, -1);
        if (y === root) {
          if (!augmentOnly && worth(g2) > bestGain) record(worth(g2));
        } else if (!onWalk[y]) {
          if (!augmentOnly && rootFree && worth(g2) > bestGain && !(keepCovered && deg[y] === 1)) record(worth(g2));
          if (level < depth) {
            onWalk[y] = 1;
            removedOnWalk[yo] = 1;
            fromFreed(y, g2, level);
            removedOnWalk[yo] = 0;
            onWalk[y] = 0;
          }
        }
        this.walkNeeds(yo, 1);
        walkLen--;
      }
    };
    // Whether adding an edge to full z (running gain g after it) can go on: some edge of z
    // can be dropped keeping the gain above the floor.
    const viable = (z: number, g: number): boolean => {
      for (let b = 0; b < k; b++) {
        const zo = slot[z * k + b]!;
        if (!removedOnWalk[zo] && !this.isUniqueNeed(zo) && g - ew[zo]! + top[this.other(zo, z)]! > floor) return true;
      }
      return false;
    };
    // y has a free place (it just lost an edge); running gain g. Partners with room end the
    // walk (only the best one matters), so more of them are read than of full ones.
    const fromFreed = (y: number, g: number, level: number): void => {
      let tried = 0;
      let freeSeen = false;
      const end = Math.min(adjStart[y + 1]!, adjStart[y]! + Math.max(breadth, this.scanLimit));
      for (let i = adjStart[y]!; i < end; i++) {
        const f = adjEdge[i]!;
        if (inM[f]) continue;
        const z = this.other(f, y);
        if (onWalk[z]) continue;
        const g2 = g + ew[f]!;
        if (deg[z]! >= k) {
          if (tried >= breadth || level >= depth || rootVisits >= maxVisits || !viable(z, g2)) continue;
          tried++;
        } else {
          if (freeSeen || !rootFree) continue;
          freeSeen = true;
        }
        rootVisits++;
        onWalk[z] = 1;
        walk[walkLen++] = f + 1;
        this.walkNeeds(f, 1);
        afterAdd(z, g2, level + 1);
        this.walkNeeds(f, -1);
        walkLen--;
        onWalk[z] = 0;
      }
    };

    let budget = 50 * this.m + 10 * n;
    while (size > 0 && budget-- > 0) {
      const u = queue[head]!;
      head = (head + 1) % n;
      size--;
      queued[u] = 0;
      root = u;
      rootFree = deg[u]! < k;
      if (augmentOnly && !rootFree) continue;
      rootVisits = 0;
      bestGain = floor;
      bestLen = 0;
      onWalk[u] = 1;
      let tried = 0;
      let freeSeen = false;
      for (let i = adjStart[u]!; i < adjStart[u + 1]! && tried < rootBreadth && rootVisits < maxVisits; i++) {
        const e = adjEdge[i]!;
        if (inM[e]) continue;
        const v = this.other(e, u);
        if (deg[v]! < k) {
          if (freeSeen || !rootFree) continue;
          freeSeen = true;
        } else if (!viable(v, ew[e]!)) continue;
        tried++;
        rootVisits++;
        onWalk[v] = 1;
        walk[walkLen++] = e + 1;
        this.walkNeeds(e, 1);
        afterAdd(v, ew[e]!, 1);
        this.walkNeeds(e, -1);
        walkLen--;
        onWalk[v] = 0;
      }
      onWalk[u] = 0;
      if (bestLen === 0) continue;
      const needsBefore = this.needsMet;
      this.begin();
      for (let i = 0; i < bestLen; i++) if (best[i]! < 0) this.remove(-best[i]! - 1);
      let ok = true;
      for (let i = 0; i < bestLen; i++) if (best[i]! > 0 && this.tryAdd(best[i]! - 1) === 0) ok = false;
      // The walk counted needs as it went; counted again on the matching as applied.
      const needsDelta = this.needsMet - needsBefore;
      const shortBefore = needsFloor === undefined ? 0 : Math.max(0, needsFloor - needsBefore);
      const shortAfter = needsFloor === undefined ? (needsDelta < 0 ? 1 : 0) : Math.max(0, needsFloor - this.needsMet);
      if (!ok || shortAfter > shortBefore) {
        this.undo();
        continue;
      }
      for (let i = 0; i < bestLen; i++) {
        const e = Math.abs(best[i]!) - 1;
        push(this.eu[e]!);
        push(this.ev[e]!);
      }
    }
  }

  /**
   * Everyone with a candidate gets a partner: directly if someone has room, else by taking
   * the place of a partner who keeps another match (or finds a free one), at the least loss.
   */
  cover(scan: number): void {
    const { n, k, adjStart, adjEdge, deg, slot, ew } = this;
    if (k <= 0) return;
    for (let u = 0; u < n; u++) {
      if (deg[u]! > 0 || adjStart[u] === adjStart[u + 1]) continue;
      let bestCost = Infinity;
      let bE = -1;
      let bY = -1;
      let bF = -1;
      for (let i = adjStart[u]!; i < adjStart[u + 1]!; i++) {
        const e = adjEdge[i]!;
        const v = this.other(e, u);
        const w = ew[e]!;
        if (deg[v]! < k) {
          if (-w < bestCost) {
            bestCost = -w;
            bE = e;
            bY = bF = -1;
          }
          continue;
        }
        for (let b = 0; b < k; b++) {
          const yo = slot[v * k + b]!;
          if (this.isProtected(yo)) continue;
          const y = this.other(yo, v);
          let cost = ew[yo]! - w;
          let f = -1;
          if (deg[y] === 1) {
            f = this.bestFree(y, v, scan);
            if (f < 0 || this.other(f, y) === u) continue;
            cost -= ew[f]!;
          }
          if (cost < bestCost) {
            bestCost = cost;
            bE = e;
            bY = yo;
            bF = f;
          }
        }
      }
      if (bE < 0) continue;
      const needsBefore = this.needsMet;
      this.begin();
      if (bY >= 0) this.remove(bY);
      this.tryAdd(bE);
      this.tryAdd(bF);
      const y = bY >= 0 ? this.other(bY, this.other(bE, u)) : -1;
      if (!this.inM[bE] || (y >= 0 && deg[y] === 0) || this.needsMet < needsBefore) this.undo();
    }
  }

  /** People with a candidate and no match. */
  uncovered(): number {
    let count = 0;
    for (let x = 0; x < this.n; x++) if (this.deg[x] === 0 && this.adjStart[x + 1]! > this.adjStart[x]!) count++;
    return count;
  }

  /** Total score of the matching. */
  total(): number {
    let sum = 0;
    for (let e = 0; e < this.m; e++) if (this.inM[e]) sum += this.ew[e]!;
    return sum;
  }

  /** Marks as where to search the ends of edges the matching and the prices disagree on. */
  markDisagreements(reduced: Float64Array): void {
    const { n, m, k, eu, ev, inM, deg, dirty, adjStart } = this;
    dirty.fill(0);
    for (let e = 0; e < m; e++) {
      if (inM[e] ? reduced[e]! < 0 : reduced[e]! > 0) dirty[eu[e]!] = dirty[ev[e]!] = 1;
    }
    for (let x = 0; x < n; x++) if (deg[x]! < k && adjStart[x + 1]! > adjStart[x]!) dirty[x] = 1;
  }

  /** Mean score of the matched edges (0 when none). */
  meanMatched(): number {
    let total = 0;
    let count = 0;
    for (let e = 0; e < this.m; e++) {
      if (this.inM[e]) {
        total += this.ew[e]!;
        count++;
      }
    }
    return count ? total / count : 0;
  }

  result(): BMatching {
    const edges: number[] = [];
    for (let e = 0; e < this.m; e++) if (this.inM[e]) edges.push(e);
    return { edges: Int32Array.from(edges), deg: this.deg };
  }
}
