/**
 * Reciprocal pair scoring. Each side's gain adds up what the other brings them (an offer
 * meeting one of their needs; shared interests and skills, weighted by rarity; the same
 * industry); the pair's score is the harmonic mean of the two gains, so a pair good for only
 * one side scores low. See docs/matching.md for the weights and their reasons.
 */
import type { MatchHistory, MatchProfile, MatchReason, ReasonKind, Weights } from './types.js';

/** The one documented configuration (docs/matching.md, "Weights"). */
export const defaultWeights: Weights = Object.freeze({
  offerMeetsSeek: 2,
  giverShare: 0.5,
  sharedInterest: 1,
  sharedSkill: 0.6,
  industry: 0.5,
  industryAffinity: 0.5,
  nicheShare: 0.02,
  maxTagsPerKind: 20,
  feedbackPrior: 10,
  feedbackStrength: 0.5,
  feedbackMin: 0.5,
  feedbackMax: 1.5,
});

export const reasonKinds: readonly ReasonKind[] = ['offer_meets_seek', 'shared_interest', 'shared_skill', 'industry'];

export type Multipliers = Record<ReasonKind, number>;

/** A profile reduced to sorted ids, which makes a pair's score a few merges of short arrays. */
export interface CompiledProfile {
  company: number;
  industry: number;
  interests: Int32Array;
  skills: Int32Array;
  offers: Int32Array;
  seeks: Int32Array;
}

/**
 * What scoring needs to know of the population: tag rarities, past pairs, the learnt
 * multipliers. Built once per run by `buildScoringContext`.
 */
export interface ScoringContext {
  weights: Weights;
  multipliers: Multipliers;
  population: number;
  /** Normalized tag (interest, skill or industry: one space) → id; `tagNames[id]` back. */
  tagIds: Map<string, number>;
  tagNames: string[];
  intentIds: Map<string, number>;
  intentNames: string[];
  companyIds: Map<string, number>;
  interestRarity: Float64Array;
  skillRarity: Float64Array;
  industryRarity: Float64Array;
  /** Past introductions and existing connections, as `pairKey(a, b)` of userIds: never matched. */
  pastPairs: Set<string>;
}

/** Case, width and spacing do not make two tags different. */
export function normalizeTag(tag: string): string {
  return tag.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** A key for an unordered pair of userIds. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

function distinctNormalized(tags: readonly string[] | undefined, max: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of tags ?? []) {
    if (typeof raw !== 'string') continue;
    const t = normalizeTag(raw);
    if (!t || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
    if (out.length >= max) break;
  }
  return out;
}

/** Ids for names, growing the dictionary (the population) or a per-call extension of it. */
class Dictionary {
  constructor(
    readonly ids: Map<string, number>,
    readonly names: string[],
    private readonly extension?: Map<string, number>,
  ) {}
  id(name: string): number {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    if (this.extension) {
      let id = this.extension.get(name);
      if (id === undefined) {
        id = this.names.length + this.extension.size;
        this.extension.set(name, id);
      }
      return id;
    }
    const id = this.names.length;
    this.ids.set(name, id);
    this.names.push(name);
    return id;
  }
}

interface Dictionaries {
  tags: Dictionary;
  intents: Dictionary;
  companies: Dictionary;
}

const sortedIds = (names: string[], dict: Dictionary) => Int32Array.from(names, (n) => dict.id(n)).sort();

function compileWith(p: MatchProfile, d: Dictionaries, maxTags: number): CompiledProfile {
  const company = p.company ? normalizeTag(p.company) : '';
  const industry = p.industry ? normalizeTag(p.industry) : '';
  return {
    company: company ? d.companies.id(company) : -1,
    industry: industry ? d.tags.id(industry) : -1,
    interests: sortedIds(distinctNormalized(p.interests, maxTags), d.tags),
    skills: sortedIds(distinctNormalized(p.skills, maxTags), d.tags),
    offers: sortedIds(distinctNormalized(p.offers, 64), d.intents),
    seeks: sortedIds(distinctNormalized(p.seeks, 64), d.intents),
  };
}

/**
 * Rarity in (0, 1] of a tag held by `df` of `n` attendees: an IDF, ln(1 + n/df), scaled so
 * that a niche tag (held by `nicheShare` of the attendees or fewer, and at least by 2) is 1.
 */
export function rarity(df: number, n: number, nicheShare: number): number {
  const d = Math.max(df, 2);
  const top = Math.log(1 + n / Math.max(2, nicheShare * n));
  if (!(top > 0)) return 1;
  return Math.min(1, Math.log(1 + n / d) / top);
}

/**
 * Per-reason-kind multipliers learnt from feedback on earlier matches: each rated match moves
 * the kinds it was matched for towards its outcome (rating 1..5 → -1..1; without a rating,
 * met → +0.25, not met → -0.25), shrunk by a prior and bounded.
 */
export function learnMultipliers(feedback: MatchHistory['feedback'], weights: Weights = defaultWeights): Multipliers {
  const sum: Record<string, number> = {};
  const count: Record<string, number> = {};
  for (const f of feedback ?? []) {
    let outcome: number;
    if (typeof f.rating === 'number' && Number.isFinite(f.rating)) outcome = (Math.min(5, Math.max(1, f.rating)) - 3) / 2;
    else if (typeof f.met === 'boolean') outcome = f.met ? 0.25 : -0.25;
    else continue;
    for (const kind of new Set(f.reasons)) {
      if (!reasonKinds.includes(kind as ReasonKind)) continue;
      sum[kind] = (sum[kind] ?? 0) + outcome;
      count[kind] = (count[kind] ?? 0) + 1;
    }
  }
  const out = {} as Multipliers;
  for (const kind of reasonKinds) {
    const mean = (sum[kind] ?? 0) / ((count[kind] ?? 0) + weights.feedbackPrior);
    out[kind] = Math.min(weights.feedbackMax, Math.max(weights.feedbackMin, 1 + weights.feedbackStrength * mean));
  }
  return out;
}

/** The context and the compiled population, in the order given. */
export function compilePopulation(
  profiles: readonly MatchProfile[],
  history?: MatchHistory,
  weights: Weights = defaultWeights,
): { ctx: ScoringContext; compiled: CompiledProfile[]; packed: Packed } {
  const tags = new Dictionary(new Map(), []);
  const intents = new Dictionary(new Map(), []);
  const companies = new Dictionary(new Map(), []);
  const compiled = profiles.map((p) => compileWith(p, { tags, intents, companies }, weights.maxTagsPerKind));
  const nTags = tags.names.length;
  const dfInterest = new Int32Array(nTags);
  const dfSkill = new Int32Array(nTags);
  const dfIndustry = new Int32Array(nTags);
  for (const c of compiled) {
    for (const t of c.interests) dfInterest[t]!++;
    for (const t of c.skills) dfSkill[t]!++;
    if (c.industry >= 0) dfIndustry[c.industry]!++;
  }
  const n = profiles.length;
  const r = (df: Int32Array) => Float64Array.from(df, (d) => rarity(d, n, weights.nicheShare));
  const pastPairs = new Set<string>();
  for (const [a, b] of history?.pastPairs ?? []) if (a !== b) pastPairs.add(pairKey(a, b));
  // People already connected know each other: no introduction.
  for (const [a, b] of history?.connections?.pairs ?? []) if (a !== b) pastPairs.add(pairKey(a, b));
  const ctx: ScoringContext = {
    weights,
    multipliers: learnMultipliers(history?.feedback, weights),
    population: n,
    tagIds: tags.ids,
    tagNames: tags.names,
    intentIds: intents.ids,
    intentNames: intents.names,
    companyIds: companies.ids,
    interestRarity: r(dfInterest),
    skillRarity: r(dfSkill),
    industryRarity: r(dfIndustry),
    pastPairs,
  };
  return { ctx, compiled, packed: pack(compiled) };
}

/** Tag rarities from the population, the past pairs to exclude, multipliers from feedback. */
export function buildScoringContext(profiles: readonly MatchProfile[], history?: MatchHistory, weights: Weights = defaultWeights): ScoringContext {
  return compilePopulation(profiles, history, weights).ctx;
}

/** Receives the reasons of a scored pair; left out on the hot path. */
export type ReasonSink = (kind: ReasonKind, tagId: number, weight: number, giver: 0 | 1 | -1) => void;

/**
 * Profiles packed one after the other in one array, which keeps a pair's score to a couple
 * of cache lines: at `at[i]`, the industry, the counts of interests, skills, offers and
 * seeks, then those sorted ids.
 */
export interface Packed {
  data: Int32Array;
  at: Int32Array;
}

export function pack(people: readonly CompiledProfile[]): Packed {
  const at = new Int32Array(people.length);
  let size = 0;
  people.forEach((p, i) => {
    at[i] = size;
    size += 5 + p.interests.length + p.skills.length + p.offers.length + p.seeks.length;
  });
  const data = new Int32Array(size);
  people.forEach((p, i) => {
    let o = at[i]!;
    data[o++] = p.industry;
    data[o++] = p.interests.length;
    data[o++] = p.skills.length;
    data[o++] = p.offers.length;
    data[o++] = p.seeks.length;
    for (const list of [p.interests, p.skills, p.offers, p.seeks]) {
      data.set(list, o);
      o += list.length;
    }
  });
  return { data, at };
}

/**
 * The score of two packed profiles, the one at offset `a` first (exclusions are the caller's
 * business): the harmonic mean of the two one-way gains, 0 when either side gains nothing.
 */
export function scorePacked(d: Int32Array, a: number, b: number, ctx: ScoringContext, sink?: ReasonSink): number {
  const w = ctx.weights;
  const m = ctx.multipliers;
  // Ranges of each list: interests from aI, skills from aS, offers from aO, seeks from aK.
  const aInd = d[a]!;
  const aI = a + 5;
  const aS = aI + d[a + 1]!;
  const aO = aS + d[a + 2]!;
  const aK = aO + d[a + 3]!;
  const aEnd = aK + d[a + 4]!;
  const bInd = d[b]!;
  const bI = b + 5;
  const bS = bI + d[b + 1]!;
  const bO = bS + d[b + 2]!;
  const bK = bO + d[b + 3]!;
  const bEnd = bK + d[b + 4]!;
  let ga = 0;
  let gb = 0;
  // What b offers that a seeks, then the other way round: the receiver gains, the giver a share.
  if (bK > bO && aEnd > aK) {
    const v = w.offerMeetsSeek * m.offer_meets_seek;
    const hits = intersect(d, bO, bK, aK, aEnd, sink ? (t) => sink('offer_meets_seek', t, v, 1) : undefined);
    ga += hits * v;
    gb += hits * v * w.giverShare;
  }
  if (aK > aO && bEnd > bK) {
    const v = w.offerMeetsSeek * m.offer_meets_seek;
    const hits = intersect(d, aO, aK, bK, bEnd, sink ? (t) => sink('offer_meets_seek', t, v, 0) : undefined);
    gb += hits * v;
    ga += hits * v * w.giverShare;
  }
  const shared =
    weightedIntersect(d, aI, aS, bI, bS, ctx.interestRarity, w.sharedInterest * m.shared_interest, sink ? (t, v) => sink('shared_interest', t, v, -1) : undefined) +
    weightedIntersect(d, aS, aO, bS, bO, ctx.skillRarity, w.sharedSkill * m.shared_skill, sink ? (t, v) => sink('shared_skill', t, v, -1) : undefined);
  ga += shared;
  gb += shared;
  if (aInd >= 0 && aInd === bInd) {
    const v = w.industry * m.industry * rarityOf(ctx.industryRarity, aInd);
    ga += v;
    gb += v;
    sink?.('industry', aInd, v, -1);
  } else {
    // One side works in what the other is interested in: the interested side gains.
    if (aInd >= 0 && contains(d, bI, bS, aInd)) {
      const v = w.industry * w.industryAffinity * m.industry * rarityOf(ctx.interestRarity, aInd);
      gb += v;
      ga += v * w.giverShare;
      sink?.('industry', aInd, v, 0);
    }
    if (bInd >= 0 && contains(d, aI, aS, bInd)) {
      const v = w.industry * w.industryAffinity * m.industry * rarityOf(ctx.interestRarity, bInd);
      ga += v;
      gb += v * w.giverShare;
      sink?.('industry', bInd, v, 1);
    }
  }
  if (!(ga > 0 && gb > 0)) return 0;
  return (2 * ga * gb) / (ga + gb);
}

/** The score of two compiled profiles, `a` first (see scorePacked). */
export function scoreCompiled(a: CompiledProfile, b: CompiledProfile, ctx: ScoringContext, sink?: ReasonSink): number {
  const { data, at } = pack([a, b]);
  return scorePacked(data, at[0]!, at[1]!, ctx, sink);
}

/** Tags outside the population (scorePair on strangers) count as niche. */
const rarityOf = (r: Float64Array, id: number) => (id < r.length ? r[id]! : 1);

function intersect(d: Int32Array, i: number, iEnd: number, j: number, jEnd: number, each?: (id: number) => void): number {
  let hits = 0;
  while (i < iEnd && j < jEnd) {
    const x = d[i]!;
    const y = d[j]!;
    if (x === y) {
      hits++;
      each?.(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return hits;
}

function weightedIntersect(d: Int32Array, i: number, iEnd: number, j: number, jEnd: number, r: Float64Array, unit: number, each?: (id: number, v: number) => void): number {
  let sum = 0;
  while (i < iEnd && j < jEnd) {
    const x = d[i]!;
    const y = d[j]!;
    if (x === y) {
      const v = unit * rarityOf(r, x);
      sum += v;
      each?.(x, v);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return sum;
}

function contains(d: Int32Array, from: number, to: number, id: number): boolean {
  for (let i = from; i < to; i++) if (d[i] === id) return true;
  return false;
}

/** The reasons of a scored pair, strongest first (ties: kind, then tag). */
export function explainPacked(packed: Packed, i: number, j: number, aId: string, bId: string, ctx: ScoringContext, names?: { tags: string[]; intents: string[] }): { score: number; reasons: MatchReason[] } {
  const reasons: MatchReason[] = [];
  const tagNames = names?.tags ?? ctx.tagNames;
  const intentNames = names?.intents ?? ctx.intentNames;
  const score = scorePacked(packed.data, packed.at[i]!, packed.at[j]!, ctx, (kind, id, weight, giver) => {
    const tag = (kind === 'offer_meets_seek' ? intentNames[id] : tagNames[id]) ?? String(id);
    const reason: MatchReason = { kind, tag, weight };
    if (giver !== -1) {
      reason.giver = giver === 0 ? aId : bId;
      reason.receiver = giver === 0 ? bId : aId;
    }
    reasons.push(reason);
  });
  const order = (k: MatchReason['kind']) => reasonKinds.indexOf(k as ReasonKind);
  reasons.sort((x, y) => y.weight - x.weight || order(x.kind) - order(y.kind) || (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : 0) || ((x.giver ?? '') < (y.giver ?? '') ? -1 : 1));
  return { score, reasons };
}

/**
 * The reciprocal score of two attendees and its reasons, or null when they may not be
 * matched (the same person, the same company, or introduced before at this association).
 * A score of 0 means nothing in common.
 */
export function scorePair(a: MatchProfile, b: MatchProfile, ctx: ScoringContext): { score: number; reasons: MatchReason[] } | null {
  if (a.userId === b.userId) return null;
  if (ctx.pastPairs.has(pairKey(a.userId, b.userId))) return null;
  const ca = a.company ? normalizeTag(a.company) : '';
  if (ca && ca === (b.company ? normalizeTag(b.company) : '')) return null;
  // Tags unknown to the population get ids past its dictionary, shared by the two profiles.
  const tagExt = new Map<string, number>();
  const intentExt = new Map<string, number>();
  const d: Dictionaries = {
    tags: new Dictionary(ctx.tagIds, ctx.tagNames, tagExt),
    intents: new Dictionary(ctx.intentIds, ctx.intentNames, intentExt),
    companies: new Dictionary(ctx.companyIds, [], new Map()),
  };
  const pa = compileWith(a, d, ctx.weights.maxTagsPerKind);
  const pb = compileWith(b, d, ctx.weights.maxTagsPerKind);
  const extend = (base: string[], ext: Map<string, number>) => (ext.size ? [...base, ...ext.keys()] : base);
  return explainPacked(pack([pa, pb]), 0, 1, a.userId, b.userId, ctx, { tags: extend(ctx.tagNames, tagExt), intents: extend(ctx.intentNames, intentExt) });
}
