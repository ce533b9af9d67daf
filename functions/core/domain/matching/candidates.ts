/**
 * Candidate generation without all-pairs scoring. Two sources of candidates per person:
 *
 * - Tags: an inverted index from each interest, skill and industry to its holders. Each
 *   person reads their own postings, rarest first, a popular posting only through a window
 *   of `postingCap` entries (placed by a hash of the person, so different people see
 *   different parts), at most `budget` entries in all, adding up what each holder shares.
 * - Intents: people with the same offers and seeks form a class; for each class the classes
 *   that best answer it (the other's offers meeting its seeks, and the other way round) are
 *   ranked once, and each person reads `intentBudget` people from the best of them. This is
 *   what finds, among 40,000 people seeking mentoring, the few who also offer what a mentor
 *   seeks.
 *
 * Everyone met gets the intent part of the score added exactly; the best by that partial
 * score are scored exactly and the best `perPerson` kept. The candidate graph is the union
 * of everyone's kept lists.
 */
import { radixOrder } from './order.js';
import { pack, scorePacked, type CompiledProfile, type Packed, type ScoringContext } from './scoring.js';

export interface CandidateOptions {
  /** Best candidates kept per person (the graph is the union of these lists). */
  perPerson: number;
  /** Entries read of one tag posting; longer ones are read through a window. */
  postingCap: number;
  /** Tag posting entries read per person at most. */
  budget: number;
  /** People read per person from the classes that best answer their intents. */
  intentBudget: number;
  /** People scored exactly per person: this many times `perPerson`, the best by partial score. */
  shortlistFactor: number;
  /** Classes considered as answers (the largest), which bounds the class ranking's cost. */
  maxClasses: number;
}

export const defaultCandidateOptions: CandidateOptions = Object.freeze({
  perPerson: 60,
  postingCap: 1000,
  budget: 3000,
  intentBudget: 600,
  shortlistFactor: 2,
  maxClasses: 3000,
});

/** A weighted graph over people 0..n-1, edges with u < v, sorted by weight desc, then (u, v). */
export interface CandidateGraph {
  n: number;
  eu: Int32Array;
  ev: Int32Array;
  ew: Float64Array;
}

/** Compressed lists: the holders of id t are items[start[t] .. start[t+1]), ascending. */
interface Postings {
  start: Int32Array;
  items: Int32Array;
}

function postings(size: number, people: readonly CompiledProfile[], idsOf: (p: CompiledProfile) => ArrayLike<number>): Postings {
  const start = new Int32Array(size + 1);
  for (const p of people) {
    const ids = idsOf(p);
    for (let i = 0; i < ids.length; i++) start[ids[i]! + 1]!++;
  }
  for (let t = 0; t < size; t++) start[t + 1]! += start[t]!;
  const fill = start.slice(0, size);
  const items = new Int32Array(start[size]!);
  people.forEach((p, idx) => {
    const ids = idsOf(p);
    for (let i = 0; i < ids.length; i++) items[fill[ids[i]!]!++] = idx;
  });
  return { start, items };
}

/** A deterministic integer hash (the window of a popular posting a person reads). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function overlap(x: Int32Array, y: Int32Array): number {
  let i = 0;
  let j = 0;
  let hits = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      hits++;
      i++;
      j++;
    } else if (x[i]! < y[j]!) i++;
    else j++;
  }
  return hits;
}

/**
 * Intent classes: people with the same offers and seeks. For each class, the classes that
 * best answer it, best first, enough of them to hold `pool` people.
 */
function intentClasses(people: readonly CompiledProfile[], offerGain: number, giverShare: number, pool: number, maxClasses: number) {
  const n = people.length;
  const ids = new Map<string, number>();
  const classOf = new Int32Array(n);
  const reps: CompiledProfile[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = people[i]!;
    if (!p.offers.length && !p.seeks.length) {
      classOf[i] = -1;
      continue;
    }
    const key = `${p.offers.join(',')}|${p.seeks.join(',')}`;
    let c = ids.get(key);
    if (c === undefined) {
      c = reps.length;
      ids.set(key, c);
      reps.push(p);
      sizes.push(0);
    }
    classOf[i] = c;
    sizes[c]!++;
  }
  const nc = reps.length;
  const start = new Int32Array(nc + 1);
  for (let i = 0; i < n; i++) if (classOf[i]! >= 0) start[classOf[i]! + 1]!++;
  for (let c = 0; c < nc; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, nc);
  const items = new Int32Array(start[nc]!);
  for (let i = 0; i < n; i++) if (classOf[i]! >= 0) items[fill[classOf[i]!]!++] = i;
  // Answers are looked for among the largest classes only (ties: first seen).
  const answerIds = Array.from({ length: nc }, (_, c) => c).sort((a, b) => sizes[b]! - sizes[a]! || a - b).slice(0, maxClasses);
  // The intent score of two classes only depends on how many intents meet each way, so the
  // answers of a class are grouped by those two counts, the groups taken best first, and
  // within a group the largest classes first.
  const answers: Int32Array[] = [];
  const groups = new Map<number, number[]>();
  for (let c = 0; c < nc; c++) {
    const a = reps[c]!;
    groups.clear();
    for (let i = 0; i < answerIds.length; i++) {
      const b = reps[answerIds[i]!]!;
      const toA = overlap(b.offers, a.seeks);
      const toB = overlap(a.offers, b.seeks);
      if (!toA && !toB) continue;
      const key = toA * 4096 + toB;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(answerIds[i]!);
    }
    const score = (key: number) => {
      const toA = Math.floor(key / 4096);
      const toB = key % 4096;
      const ga = offerGain * (toA + giverShare * toB);
      const gb = offerGain * (toB + giverShare * toA);
      return ga > 0 && gb > 0 ? (2 * ga * gb) / (ga + gb) : 0;
    };
    const keys = [...groups.keys()].filter((key) => score(key) > 0).sort((x, y) => score(y) - score(x) || x - y);
    const chosen: number[] = [];
    let held = 0;
    for (const key of keys) {
      for (const d of groups.get(key)!) {
        chosen.push(d);
        held += sizes[d]!;
        if (held >= pool) break;
      }
      if (held >= pool) break;
    }
    answers.push(Int32Array.from(chosen));
  }
  return { classOf, members: { start, items }, answers };
}

/**
 * The candidate graph. `excluded(i, j)` (i < j) tells pairs that may not be matched apart
 * from the same company, which is checked here.
 */
export function buildCandidateGraph(
  people: readonly CompiledProfile[],
  ctx: ScoringContext,
  excluded: ((i: number, j: number) => boolean) | undefined,
  options: CandidateOptions = defaultCandidateOptions,
  packed: Packed = pack(people),
): CandidateGraph {
  const n = people.length;
  const nTags = ctx.tagNames.length;
  const EMPTY = new Int32Array(0);
  const single = (t: number) => (t >= 0 ? Int32Array.of(t) : EMPTY);
  const interested = postings(nTags, people, (p) => p.interests);
  const skilled = postings(nTags, people, (p) => p.skills);
  const inIndustry = postings(nTags, people, (p) => single(p.industry));

  const w = ctx.weights;
  const mult = ctx.multipliers;
  const offerGain = w.offerMeetsSeek * mult.offer_meets_seek;
  const affinity = w.industry * w.industryAffinity * mult.industry;
  const rarityAt = (r: Float64Array, t: number) => (t < r.length ? r[t]! : 1);
  const classes = intentClasses(people, offerGain, w.giverShare, options.intentBudget, options.maxClasses);
  const { data: pd, at: pat } = packed;
  // What the inner loop reads of everyone, side by side (one cache line per person): the
  // company, then offers and seeks as bit sets when the intents fit in 31 bits.
  const masks = ctx.intentNames.length <= 31;
  const mask = (ids: Int32Array) => ids.reduce((m, id) => m | (1 << id), 0);
  const info = new Int32Array(4 * n);
  people.forEach((p, i) => {
    info[4 * i] = p.company;
    info[4 * i + 1] = masks ? mask(p.offers) : 0;
    info[4 * i + 2] = masks ? mask(p.seeks) : 0;
  });

  // What each person met so far shares with the person reading (tags only): its gain to the
  // reader (gainP) and to them (gainQ): the same sums as the exact score, over what was read.
  const gain = new Float64Array(2 * n); // gainP at 2q, gainQ at 2q+1
  const met = new Uint8Array(n);
  const touched = new Int32Array(n);
  const perPerson = Math.max(1, options.perPerson);
  const shortlist = Math.max(perPerson, Math.ceil(perPerson * options.shortlistFactor));
  const heapScore = new Float64Array(shortlist);
  const heapIdx = new Int32Array(shortlist);
  const bestScore = new Float64Array(perPerson);
  const bestIdx = new Int32Array(perPerson);
  let keys = new Float64Array(Math.min(n * perPerson, 1 << 20) || 16);
  let keyScores = new Float64Array(keys.length);
  let nKeys = 0;

  // Sources of one person: a posting, its id and what each holder brings to each side.
  const srcList: Postings[] = [];
  const srcId: number[] = [];
  const srcToP: number[] = [];
  const srcToQ: number[] = [];
  const srcOrder: number[] = [];
  const lenOf = (s: number) => srcList[s]!.start[srcId[s]! + 1]! - srcList[s]!.start[srcId[s]!]!;

  for (let p = 0; p < n; p++) {
    const cp = people[p]!;
    srcList.length = srcId.length = srcToP.length = srcToQ.length = 0;
    const add = (list: Postings, id: number, toP: number, toQ: number) => {
      if (id < 0 || list.start[id + 1]! - list.start[id]! <= 1) return;
      srcList.push(list);
      srcId.push(id);
      srcToP.push(toP);
      srcToQ.push(toQ);
    };
    // (The reader is p; "q" is whoever the posting lists.)
    for (const t of cp.interests) {
      const v = w.sharedInterest * mult.shared_interest * rarityAt(ctx.interestRarity, t);
      add(interested, t, v, v);
      if (t !== cp.industry) {
        const a = affinity * rarityAt(ctx.interestRarity, t);
        add(inIndustry, t, a, a * w.giverShare);
      }
    }
    for (const t of cp.skills) {
      const v = w.sharedSkill * mult.shared_skill * rarityAt(ctx.skillRarity, t);
      add(skilled, t, v, v);
    }
    if (cp.industry >= 0) {
      const v = w.industry * mult.industry * rarityAt(ctx.industryRarity, cp.industry);
      add(inIndustry, cp.industry, v, v);
      const a = affinity * rarityAt(ctx.interestRarity, cp.industry);
      add(interested, cp.industry, a * w.giverShare, a);
    }
    srcOrder.length = 0;
    for (let s = 0; s < srcList.length; s++) srcOrder.push(s);
    srcOrder.sort((x, y) => lenOf(x) - lenOf(y) || x - y);

    // Tags: the postings, rarest first, within the budget.
    let nTouched = 0;
    let read = 0;
    for (let o = 0; o < srcOrder.length && read < options.budget; o++) {
      const s = srcOrder[o]!;
      const list = srcList[s]!;
      const from = list.start[srcId[s]!]!;
      const len = lenOf(s);
      const take = Math.min(len, options.postingCap, options.budget - read);
      const offset = len > take ? mix(p * 7919 + s * 104729 + srcId[s]!) % len : 0;
      const toP = srcToP[s]!;
      const toQ = srcToQ[s]!;
      read += take;
      for (let r = 0; r < take; r++) {
        let at = offset + r;
        if (at >= len) at -= len;
        const q = list.items[from + at]!;
        if (!met[q]) {
          met[q] = 1;
          touched[nTouched++] = q;
        }
        gain[2 * q] += toP;
        gain[2 * q + 1] += toQ;
      }
    }
    // Intents: people of the classes that best answer p's, a window of each.
    const c = classes.classOf[p]!;
    if (c >= 0) {
      let left = options.intentBudget;
      for (const d of classes.answers[c]!) {
        if (left <= 0) break;
        const from = classes.members.start[d]!;
        const len = classes.members.start[d + 1]! - from;
        const take = Math.min(len, left);
        const offset = len > take ? mix(p * 31 + d) % len : 0;
        left -= take;
        for (let r = 0; r < take; r++) {
          let at = offset + r;
          if (at >= len) at -= len;
          const q = classes.members.items[from + at]!;
          if (!met[q]) {
            met[q] = 1;
            touched[nTouched++] = q;
          }
        }
      }
    }

    // Shortlist by the partial score (tags read + intents exactly), then score it exactly.
    const pCompany = cp.company;
    const pIntents = cp.offers.length > 0 || cp.seeks.length > 0;
    const pOffers = info[4 * p + 1]!;
    const pSeeks = info[4 * p + 2]!;
    let heapSize = 0;
    for (let t = 0; t < nTouched; t++) {
      const q = touched[t]!;
      let a = gain[2 * q]!;
      let b = gain[2 * q + 1]!;
      gain[2 * q] = 0;
      gain[2 * q + 1] = 0;
      met[q] = 0;
      if (q === p) continue;
      if (pCompany >= 0 && pCompany === info[4 * q]) continue;
      if (pIntents) {
        let toP: number;
        let toQ: number;
        if (masks) {
          toP = popcount(info[4 * q + 1]! & pSeeks);
          toQ = popcount(pOffers & info[4 * q + 2]!);
        } else {
          toP = overlap(people[q]!.offers, cp.seeks);
          toQ = overlap(cp.offers, people[q]!.seeks);
        }
        a += offerGain * (toP + w.giverShare * toQ);
        b += offerGain * (toQ + w.giverShare * toP);
      }
      if (!(a > 0 && b > 0)) continue;
      const partial = (2 * a * b) / (a + b);
      // Below the worst of a full shortlist: out (without a call).
      if (heapSize === shortlist && (partial < heapScore[0]! || (partial === heapScore[0]! && q > heapIdx[0]!))) continue;
      if (excluded && excluded(p < q ? p : q, p < q ? q : p)) continue;
      heapSize = pushBest(heapScore, heapIdx, heapSize, shortlist, partial, q);
    }
    // Score the shortlist exactly and keep the best `perPerson` (in any order: the union
    // below sorts the pairs).
    let kept = 0;
    for (let h = 0; h < heapSize; h++) {
      const q = heapIdx[h]!;
      const score = p < q ? scorePacked(pd, pat[p]!, pat[q]!, ctx) : scorePacked(pd, pat[q]!, pat[p]!, ctx);
      if (score > 0) kept = pushBest(bestScore, bestIdx, kept, perPerson, score, q);
    }
    if (nKeys + kept > keys.length) {
      const size = Math.max(keys.length * 2, nKeys + kept);
      const biggerKeys = new Float64Array(size);
      biggerKeys.set(keys.subarray(0, nKeys));
      keys = biggerKeys;
      const biggerScores = new Float64Array(size);
      biggerScores.set(keyScores.subarray(0, nKeys));
      keyScores = biggerScores;
    }
    for (let h = 0; h < kept; h++) {
      const q = bestIdx[h]!;
      keyScores[nKeys] = bestScore[h]!;
      keys[nKeys++] = p < q ? p * n + q : q * n + p;
    }
  }

  // Union of the kept lists: order the pair keys, drop repeats (a pair's score is the same
  // from both sides: always computed with the lower index first).
  const byKey = radixOrder(keys.subarray(0, nKeys));
  const eu0 = new Int32Array(nKeys);
  const ev0 = new Int32Array(nKeys);
  const ew0 = new Float64Array(nKeys);
  let m = 0;
  let last = -1;
  for (let i = 0; i < nKeys; i++) {
    const key = keys[byKey[i]!]!;
    if (key === last) continue;
    last = key;
    const u = Math.floor(key / n);
    eu0[m] = u;
    ev0[m] = key - u * n;
    ew0[m++] = keyScores[byKey[i]!]!;
  }
  // Heaviest first; ties keep (u, v) order.
  const order = radixOrder(ew0.subarray(0, m), true);
  const eu = new Int32Array(m);
  const ev = new Int32Array(m);
  const ew = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const o = order[e]!;
    eu[e] = eu0[o]!;
    ev[e] = ev0[o]!;
    ew[e] = ew0[o]!;
  }
  return { n, eu, ev, ew };
}

/**
 * Offers (score, idx) to a bounded min-heap of the best `cap` (root: the worst); returns the
 * new size.
 */
function pushBest(heapScore: Float64Array, heapIdx: Int32Array, size: number, cap: number, score: number, q: number): number {
  if (size < cap) {
    let c = size++;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (worse(heapScore[parent]!, heapIdx[parent]!, score, q)) break;
      heapScore[c] = heapScore[parent]!;
      heapIdx[c] = heapIdx[parent]!;
      c = parent;
    }
    heapScore[c] = score;
    heapIdx[c] = q;
    return size;
  }
  if (!worse(heapScore[0]!, heapIdx[0]!, score, q)) return size;
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const child = r < size && worse(heapScore[r]!, heapIdx[r]!, heapScore[l]!, heapIdx[l]!) ? r : l;
    if (worse(score, q, heapScore[child]!, heapIdx[child]!)) break;
    heapScore[c] = heapScore[child]!;
    heapIdx[c] = heapIdx[child]!;
    c = child;
  }
  heapScore[c] = score;
  heapIdx[c] = q;
  return size;
}

/** True when (s1, i1) ranks below (s2, i2): a lower score, or the same score and a higher index. */
function worse(s1: number, i1: number, s2: number, i2: number): boolean {
  return s1 < s2 || (s1 === s2 && i1 > i2);
}

/** Every pair scored: the reference graph for small populations (tests, bench). */
export function allPairsGraph(people: readonly CompiledProfile[], ctx: ScoringContext, excluded?: (i: number, j: number) => boolean): CandidateGraph {
  const n = people.length;
  const { data, at } = pack(people);
  const u: number[] = [];
  const v: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = people[i]!;
      const b = people[j]!;
      if (a.company >= 0 && a.company === b.company) continue;
      if (excluded && excluded(i, j)) continue;
      const s = scorePacked(data, at[i]!, at[j]!, ctx);
      if (s > 0) {
        u.push(i);
        v.push(j);
        w.push(s);
      }
    }
  }
  const order = u.map((_, e) => e).sort((x, y) => w[y]! - w[x]! || x - y);
  return { n, eu: Int32Array.from(order, (e) => u[e]!), ev: Int32Array.from(order, (e) => v[e]!), ew: Float64Array.from(order, (e) => w[e]!) };
}
