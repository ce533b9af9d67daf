import { buildScoringContext, computeMatches, scorePair, type Match, type MatchProfile } from '../../../functions/core/domain/matching/index.js';
import { generatePopulation, generateHistory, prng } from '../../../bench/matching/generator.js';
import { pairOf, person } from './fixtures.js';

const clock = () => 0;
const degrees = (matches: Match[]) => {
  const d = new Map<string, number>();
  for (const m of matches) for (const x of [m.a, m.b]) d.set(x, (d.get(x) ?? 0) + 1);
  return d;
};

describe('computeMatches', () => {
  const population = generatePopulation(400, 7);
  const byId = new Map(population.map((p) => [p.userId, p]));

  it('is deterministic: the same input, in any order, gives the same matches', () => {
    const first = computeMatches(population, 3, undefined, undefined, { clock });
    const again = computeMatches(population, 3, undefined, undefined, { clock });
    const shuffled = population.slice();
    const rnd = prng(99);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const reordered = computeMatches(shuffled, 3, undefined, undefined, { clock });
    expect(again).toEqual(first);
    expect(reordered).toEqual(first);
  });

  it.each([1, 2, 3, 5])('never gives anyone more than k = %i matches', (k) => {
    const { matches, figures } = computeMatches(population, k);
    expect(Math.max(...degrees(matches).values())).toBeLessThanOrEqual(k);
    expect(figures.withK).toBeGreaterThan(0.9 * population.length);
  });

  it('never pairs anyone with themselves, nor the same pair twice', () => {
    const { matches } = computeMatches(population, 3);
    expect(matches.every((m) => m.a < m.b)).toBe(true);
    expect(new Set(matches.map((m) => pairOf(m.a, m.b))).size).toBe(matches.length);
  });

  it('never pairs two people of the same company', () => {
    const { matches } = computeMatches(population, 3);
    const norm = (c?: string) => c?.trim().toLowerCase() || undefined;
    const same = matches.filter((m) => norm(byId.get(m.a)!.company) && norm(byId.get(m.a)!.company) === norm(byId.get(m.b)!.company));
    expect(same).toEqual([]);
    expect(population.filter((p) => p.company === 'Company 0').length).toBeGreaterThan(10);
  });

  it('only pairs the people it is given (the opted-in ones)', () => {
    const optedIn = population.filter((_, i) => i % 3 !== 0);
    const ids = new Set(optedIn.map((p) => p.userId));
    const { matches, figures } = computeMatches(optedIn, 3);
    expect(matches.every((m) => ids.has(m.a) && ids.has(m.b))).toBe(true);
    expect(figures.attendees).toBe(optedIn.length);
  });

  it('never repeats an earlier introduction', () => {
    const before = computeMatches(population, 3);
    const pastPairs = before.matches.map((m) => [m.a, m.b] as [string, string]);
    const after = computeMatches(population, 3, { ...generateHistory(population, 3), pastPairs });
    const past = new Set(pastPairs.map(([a, b]) => pairOf(a, b)));
    expect(after.matches.filter((m) => past.has(pairOf(m.a, m.b)))).toEqual([]);
    expect(after.figures.matched).toBe(after.figures.coverable);
  });

  it('gives everyone with a possible partner at least one match', () => {
    const { matches, figures } = computeMatches(population, 3);
    expect(figures.coverable).toBe(population.length);
    expect(figures.matched).toBe(figures.coverable);
    expect(degrees(matches).size).toBe(figures.matched);
  });

  it('gives one match to someone whose only partner is wanted by stronger pairs', () => {
    // k = 1: ann–bob and bob–cat are both possible; bob–cat scores higher, but ann has nobody
    // else, and cat can go to dan instead.
    const people: MatchProfile[] = [
      person('ann', { interests: ['chess'] }),
      person('bob', { interests: ['chess', 'go', 'shogi'] }),
      person('cat', { interests: ['go', 'shogi', 'xiangqi'] }),
      person('dan', { interests: ['xiangqi'] }),
    ];
    const { matches } = computeMatches(people, 1);
    expect(matches.map((m) => pairOf(m.a, m.b)).sort()).toEqual(['ann|bob', 'cat|dan']);
  });

  it('leaves out people nobody can be matched with, and says so in the figures', () => {
    const people = [person('ann', { interests: ['chess'] }), person('bob', { interests: ['chess'] }), person('eve', { interests: ['knitting'] })];
    const { matches, figures } = computeMatches(people, 3);
    expect(matches.map((m) => [m.a, m.b])).toEqual([['ann', 'bob']]);
    expect(figures).toMatchObject({ attendees: 3, matched: 2, coverable: 2, withK: 0, candidatePairs: 1 });
  });

  it('carries the reasons of each match and its score', () => {
    const { matches, figures } = computeMatches(population.slice(0, 100), 3);
    expect(matches.length).toBeGreaterThan(100);
    for (const m of matches) {
      expect(m.score).toBeGreaterThan(0);
      expect(m.reasons.length).toBeGreaterThan(0);
    }
    expect(figures.totalScore).toBeCloseTo(matches.reduce((s, m) => s + m.score, 0), 6);
  });

  it('gives each match the score and reasons scorePair gives the pair', () => {
    const people = population.slice(0, 120);
    const { matches } = computeMatches(people, 3);
    const ctx = buildScoringContext(people.slice().sort((a, b) => (a.userId < b.userId ? -1 : 1)));
    const byUser = new Map(people.map((p) => [p.userId, p]));
    for (const m of matches.slice(0, 30)) expect(scorePair(byUser.get(m.a)!, byUser.get(m.b)!, ctx)).toEqual({ score: m.score, reasons: m.reasons });
  });

  it('handles the edge cases: nobody, one person, k = 0, repeated userIds', () => {
    expect(computeMatches([], 3).matches).toEqual([]);
    expect(computeMatches([person('ann')], 3).figures).toMatchObject({ attendees: 1, matched: 0 });
    expect(computeMatches(population.slice(0, 20), 0).matches).toEqual([]);
    const twice = computeMatches([person('ann', { interests: ['x'] }), person('ann', { interests: ['x'] }), person('bob', { interests: ['x'] })], 3);
    expect(twice.matches.map((m) => [m.a, m.b])).toEqual([['ann', 'bob']]);
    expect(twice.figures.attendees).toBe(2);
  });

  it('scores far fewer pairs than all of them for a big event', () => {
    const big = generatePopulation(3000, 11);
    const { figures } = computeMatches(big, 3);
    expect(figures.candidatePairs).toBeLessThan(0.1 * ((big.length * (big.length - 1)) / 2));
    expect(figures.withK).toBeGreaterThan(0.97 * big.length);
  });
});
