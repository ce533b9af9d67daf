/**
 * Needs first: as many attendees as possible with at least one need (`seeks`) met by
 * someone they are introduced to, then the score; connected pairs never introduced.
 */
import { buildScoringContext, computeMatches, scorePair, type MatchProfile } from '../../../functions/core/domain/matching/index.js';
import { allPairsGraph } from '../../../functions/core/domain/matching/candidates.js';
import { compilePopulation } from '../../../functions/core/domain/matching/scoring.js';
import { coverNeeds, needBits, needsMetBy, RECEIVES_U, RECEIVES_V } from '../../../functions/core/domain/matching/needs.js';
import { generatePopulation, prng, skewed } from '../../../bench/matching/generator.js';
import { pairOf, person } from './fixtures.js';

/**
 * 24 people: the only mentor and the only mentee, each sharing three niche interests with
 * two others, and ten pairs who share interests among themselves.
 */
function event24(): MatchProfile[] {
  const people: MatchProfile[] = [
    person('mentor', { offers: ['mentoring'], interests: ['kayaks', 'opera', 'tango', 'bonsai', 'runes', 'lichens'], industry: 'energy' }),
    person('mentee', { seeks: ['mentoring'], interests: ['chess', 'falconry', 'origami', 'sumo', 'yodel', 'kites'], industry: 'retail' }),
    person('ann', { interests: ['kayaks', 'opera', 'tango'] }),
    person('bob', { interests: ['bonsai', 'runes', 'lichens'] }),
    person('cat', { interests: ['chess', 'falconry', 'origami'] }),
    person('dan', { interests: ['sumo', 'yodel', 'kites'] }),
  ];
  for (let i = 0; i < 18; i++) people.push(person(`p${String(i).padStart(2, '0')}`, { interests: [`topic${Math.floor(i / 2)}`, `theme${Math.floor(i / 2)}`] }));
  return people;
}

const paired = (r: { matches: { a: string; b: string }[] }, a: string, b: string) => r.matches.some((m) => pairOf(m.a, m.b) === pairOf(a, b));

describe('needs first', () => {
  it.each([1, 2, 3])('introduces the only mentor to the only mentee of a 24-person event although both share more with others (k=%i)', (k) => {
    const people = event24();
    expect(people).toHaveLength(24);
    const ours = computeMatches(people, k);
    expect(paired(ours, 'mentor', 'mentee')).toBe(true);
    expect(ours.figures.needsMet).toBe(1);
    expect(ours.figures.needsCoverable).toBe(1);
    // Ann and Bob share interests only with the mentor, Cat and Dan only with the mentee:
    // the places the pair takes are theirs (at k = 1 all four go without, at k = 2 two do).
    // Everyone else has a match.
    expect(ours.figures.matched).toBe(24 - [4, 2, 0][k - 1]!);
  });

  it('is what changed: maximising the score alone drops the pair at k = 1', () => {
    const before = computeMatches(event24(), 1, undefined, undefined, { bmatching: { needsFirst: false } });
    expect(paired(before, 'mentor', 'mentee')).toBe(false);
    expect(before.figures.needsMet).toBe(0);
  });

  it('spreads a scarce giver over the people who need them, not over people already helped', () => {
    // Two mentors with room for two each, four mentees; mentee a and b also score well
    // with each other, which must not cost c and d their mentor.
    const people = [
      person('m1', { offers: ['mentoring'], interests: ['x1'] }),
      person('m2', { offers: ['mentoring'], interests: ['x2'] }),
      person('a', { seeks: ['mentoring'], interests: ['x1', 'x2', 'y1', 'y2'] }),
      person('b', { seeks: ['mentoring'], interests: ['x1', 'x2', 'y1', 'y2'] }),
      person('c', { seeks: ['mentoring'] }),
      person('d', { seeks: ['mentoring'] }),
    ];
    const r = computeMatches(people, 2);
    expect(r.figures.needsMet).toBe(4);
  });

  it('never meets fewer needs than a greedy needs-first baseline, over random skewed populations', () => {
    const rnd = prng(42);
    for (let trial = 0; trial < 25; trial++) {
      const n = 20 + Math.floor(rnd() * 100);
      const k = 1 + Math.floor(rnd() * 3);
      const profiles = generatePopulation(n, 1000 + trial, skewed).sort((a, b) => (a.userId < b.userId ? -1 : 1));
      const { ctx, compiled } = compilePopulation(profiles);
      const all = allPairsGraph(compiled, ctx);
      const meets = needBits(all, compiled);
      const baseline = greedyNeeds(all, meets, k);
      const ours = computeMatches(profiles, k);
      expect({ trial, n, k, needsMet: Math.max(ours.figures.needsMet, baseline) }).toEqual({ trial, n, k, needsMet: ours.figures.needsMet });
      // And no worse than the repair alone reaches from nothing.
      expect(ours.figures.needsMet).toBeGreaterThanOrEqual(needsMetBy(all, meets, coverNeeds(all, meets, k)));
    }
  });

  it('gives the same matches for the same people in any order, with the improvement phase (a small event)', () => {
    const profiles = generatePopulation(120, 9, skewed);
    const rnd = prng(3);
    const shuffled = profiles.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const a = computeMatches(profiles, 3);
    const b = computeMatches(shuffled.reverse(), 3);
    expect(b.matches.map((m) => [m.a, m.b, m.score])).toEqual(a.matches.map((m) => [m.a, m.b, m.score]));
    // And no worse than without the phase.
    const without = computeMatches(profiles, 3, undefined, undefined, { bmatching: { improveRounds: 0 } });
    expect(a.figures.needsMet).toBeGreaterThanOrEqual(without.figures.needsMet);
    expect(a.figures.totalScore).toBeGreaterThanOrEqual(without.figures.totalScore - 1e-9);
  });

  it('counts needs met in the figures the way the reasons say', () => {
    const profiles = generatePopulation(150, 7, skewed);
    const r = computeMatches(profiles, 3);
    const met = new Set(r.matches.flatMap((m) => m.reasons.filter((x) => x.kind === 'offer_meets_seek').map((x) => x.receiver)));
    expect(r.figures.needsMet).toBe(met.size);
    expect(r.figures.needsMet).toBeLessThanOrEqual(r.figures.needsCoverable);
  });

  it('keeps the caps and the exclusions', () => {
    const profiles = generatePopulation(200, 3, skewed);
    const company = new Map(profiles.map((p) => [p.userId, p.company]));
    const pastPairs: [string, string][] = profiles.slice(0, 60).map((p, i) => [p.userId, profiles[i + 60]!.userId]);
    const r = computeMatches(profiles, 2, { pastPairs });
    const deg = new Map<string, number>();
    for (const m of r.matches) {
      deg.set(m.a, (deg.get(m.a) ?? 0) + 1);
      deg.set(m.b, (deg.get(m.b) ?? 0) + 1);
      if (company.get(m.a)) expect(company.get(m.a)).not.toBe(company.get(m.b));
    }
    expect(Math.max(...deg.values())).toBeLessThanOrEqual(2);
    const past = new Set(pastPairs.map(([a, b]) => pairOf(a, b)));
    expect(r.matches.filter((m) => past.has(pairOf(m.a, m.b)))).toEqual([]);
  });
});

describe('connections as input', () => {
  const dana = 'dana';
  const mentor = person('mentor', { name: 'Maya Stone', offers: ['mentoring'], interests: ['solar'] });
  const mentee = person('mentee', { name: 'Jo Park', seeks: ['mentoring'], interests: ['solar'] });
  const third = person('third', { name: 'Tim Roe', seeks: ['mentoring'] });

  it('never introduces people who are already connected', () => {
    const connections = { pairs: [['mentee', 'mentor'] as [string, string]] };
    const r = computeMatches([mentor, mentee, third], 3, { pastPairs: [], connections });
    expect(paired(r, 'mentor', 'mentee')).toBe(false);
    expect(paired(r, 'mentor', 'third')).toBe(true);
    const ctx = buildScoringContext([mentor, mentee, third], { pastPairs: [], connections });
    expect(scorePair(mentor, mentee, ctx)).toBeNull();
    expect(scorePair(mentor, third, ctx)).not.toBeNull();
  });

  it('names a mutual connection when both sides let connections be seen', () => {
    const connections = {
      pairs: [['mentor', dana], [dana, 'mentee'], ['mentor', 'zed'], ['mentee', 'yan']] as [string, string][],
      visible: ['mentor', 'mentee'],
      names: new Map([[dana, 'Dana Li'], ['zed', 'Zed Fox'], ['yan', 'Yan Wu']]),
    };
    const r = computeMatches([mentor, mentee], 3, { pastPairs: [], connections });
    expect(r.matches).toHaveLength(1);
    const mutual = r.matches[0]!.reasons.filter((x) => x.kind === 'mutual_connection');
    expect(mutual).toEqual([{ kind: 'mutual_connection', tag: dana, name: 'Dana Li', weight: 0 }]);
    // It adds nothing to the score.
    expect(r.matches[0]!.score).toBeCloseTo(computeMatches([mentor, mentee], 3).matches[0]!.score, 12);
  });

  it('names nobody when one side keeps connections private, or the person has no name', () => {
    const pairs = [['mentor', dana], [dana, 'mentee']] as [string, string][];
    const names = new Map([[dana, 'Dana Li']]);
    for (const connections of [{ pairs, visible: ['mentor'], names }, { pairs, names }, { pairs, visible: ['mentor', 'mentee'] }]) {
      const r = computeMatches([mentor, mentee], 3, { pastPairs: [], connections });
      expect(r.matches[0]!.reasons.filter((x) => x.kind === 'mutual_connection')).toEqual([]);
    }
  });
});

/** Greedy needs first: need edges covering two uncovered people, then one, heaviest first. */
function greedyNeeds(g: ReturnType<typeof allPairsGraph>, meets: Uint8Array, k: number): number {
  const deg = new Int32Array(g.n);
  const met = new Uint8Array(g.n);
  const gain = (e: number) => ((meets[e]! & RECEIVES_U) && !met[g.eu[e]!] ? 1 : 0) + ((meets[e]! & RECEIVES_V) && !met[g.ev[e]!] ? 1 : 0);
  for (const want of [2, 1]) {
    for (let e = 0; e < g.eu.length; e++) {
      if (gain(e) < want || deg[g.eu[e]!]! >= k || deg[g.ev[e]!]! >= k) continue;
      deg[g.eu[e]!]!++;
      deg[g.ev[e]!]!++;
      if (meets[e]! & RECEIVES_U) met[g.eu[e]!] = 1;
      if (meets[e]! & RECEIVES_V) met[g.ev[e]!] = 1;
    }
  }
  return met.reduce((s, x) => s + x, 0);
}
