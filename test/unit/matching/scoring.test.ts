import { buildScoringContext, defaultWeights, learnMultipliers, rarity, scorePair } from '../../../functions/core/domain/matching/index.js';
import { person } from './fixtures.js';

describe('defaultWeights', () => {
  it('is the one documented configuration (docs/matching.md, "Weights")', () => {
    expect(defaultWeights).toEqual({
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
    expect(Object.isFrozen(defaultWeights)).toBe(true);
  });
});

describe('scorePair', () => {
  // A population where "batteries" is niche (2 of 100) and "ai" popular (60 of 100).
  const crowd = Array.from({ length: 96 }, (_, i) => person(`c${i}`, { interests: i < 58 ? ['ai'] : ['other'] }));
  const ana = person('ana', { interests: ['Batteries', 'AI'], seeks: ['mentoring'], company: 'Volta' });
  const ben = person('ben', { interests: ['batteries ', 'ai'], offers: ['mentoring'], company: 'Ohm' });
  const cat = person('cat', { interests: ['ai'], company: 'volta ' });
  const dan = person('dan', { offers: ['mentoring'] });
  const population = [...crowd, ana, ben, cat, dan];
  const ctx = buildScoringContext(population);

  it('is reciprocal: the same score both ways', () => {
    expect(scorePair(ana, ben, ctx)!.score).toBe(scorePair(ben, ana, ctx)!.score);
  });

  it('excludes the same person, the same company (ignoring case and spaces) and past pairs', () => {
    expect(scorePair(ana, ana, ctx)).toBeNull();
    expect(scorePair(ana, cat, ctx)).toBeNull();
    const withHistory = buildScoringContext(population, { pastPairs: [['ben', 'ana']] });
    expect(scorePair(ana, ben, withHistory)).toBeNull();
    expect(scorePair(ana, dan, withHistory)).not.toBeNull();
  });

  it('weights a shared niche interest above a shared popular one', () => {
    const niche = buildScoringContext(population);
    const nicheOnly = scorePair(person('x', { interests: ['batteries'] }), person('y', { interests: ['batteries'] }), niche)!;
    const popularOnly = scorePair(person('x', { interests: ['ai'] }), person('y', { interests: ['ai'] }), niche)!;
    expect(nicheOnly.score).toBeGreaterThan(2 * popularOnly.score);
    expect(rarity(2, 100, 0.02)).toBe(1);
    expect(rarity(60, 100, 0.02)).toBeLessThan(0.5);
  });

  it('ranks an offer meeting a need above a shared interest, even a niche one', () => {
    const offer = scorePair(person('x', { seeks: ['mentoring'] }), person('y', { offers: ['mentoring'] }), ctx)!;
    const niche = scorePair(person('x', { interests: ['batteries'] }), person('y', { interests: ['batteries'] }), ctx)!;
    const skillAndIndustry = scorePair(person('x', { skills: ['rust'], industry: 'energy' }), person('y', { skills: ['rust'], industry: 'energy' }), ctx)!;
    expect(offer.score).toBeGreaterThan(niche.score);
    expect(offer.score).toBeGreaterThan(skillAndIndustry.score);
  });

  it('scores a match good for only one side low: the harmonic mean of the two gains', () => {
    // Both ways: each gains 2 (what they receive) + 1 (what they give).
    const mutual = scorePair(person('x', { seeks: ['advice'], offers: ['job'] }), person('y', { offers: ['advice'], seeks: ['job'] }), ctx)!;
    // One way, twice: the receiver gains 4, the giver 2.
    const oneWay = scorePair(person('x', { seeks: ['advice', 'job'] }), person('y', { offers: ['advice', 'job'] }), ctx)!;
    expect(mutual.score).toBeCloseTo(3);
    expect(oneWay.score).toBeCloseTo((2 * 4 * 2) / (4 + 2));
    expect(mutual.score).toBeGreaterThan(oneWay.score);
    // Nothing in common: 0, not excluded.
    expect(scorePair(person('x', { interests: ['a'] }), person('y', { interests: ['b'] }), ctx)).toEqual({ score: 0, reasons: [] });
  });

  it('gives its reasons as data, strongest first, with who gives and who receives', () => {
    const { reasons } = scorePair(ana, ben, ctx)!;
    expect(reasons.map((r) => [r.kind, r.tag])).toEqual([
      ['offer_meets_seek', 'mentoring'],
      ['shared_interest', 'batteries'],
      ['shared_interest', 'ai'],
    ]);
    expect(reasons[0]).toMatchObject({ giver: 'ben', receiver: 'ana', weight: 2 });
    expect(reasons[1]!.weight).toBeGreaterThan(reasons[2]!.weight);
  });

  it('counts one side working in what the other is interested in, for the interested side', () => {
    const r = scorePair(person('x', { industry: 'Climate Tech' }), person('y', { interests: ['climate tech'] }), ctx)!;
    expect(r.reasons).toEqual([{ kind: 'industry', tag: 'climate tech', giver: 'x', receiver: 'y', weight: 0.25 }]);
    expect(r.score).toBeGreaterThan(0);
    const same = scorePair(person('x', { industry: 'energy' }), person('y', { industry: 'energy' }), ctx)!;
    expect(same.reasons).toEqual([expect.objectContaining({ kind: 'industry', tag: 'energy' })]);
    expect(same.reasons[0]!.giver).toBeUndefined();
  });

  it('reads at most maxTagsPerKind tags of a kind, so a long list does not buy matches', () => {
    const many = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const r = scorePair(person('x', { interests: many }), person('y', { interests: many }), ctx)!;
    expect(r.reasons).toHaveLength(defaultWeights.maxTagsPerKind);
  });
});

describe('learnMultipliers', () => {
  it('is 1 for every kind without feedback', () => {
    expect(learnMultipliers(undefined)).toEqual({ offer_meets_seek: 1, shared_interest: 1, shared_skill: 1, industry: 1 });
  });

  it('moves a kind towards its outcomes, shrunk by the prior and bounded', () => {
    const good = Array.from({ length: 10 }, () => ({ a: 'x', b: 'y', rating: 5, reasons: ['offer_meets_seek' as const] }));
    const bad = Array.from({ length: 1000 }, () => ({ a: 'x', b: 'y', rating: 1, reasons: ['shared_skill' as const] }));
    const m = learnMultipliers([...good, ...bad, { a: 'x', b: 'y', met: false, reasons: ['industry'] }]);
    // 10 ratings of 5 with a prior of 10: 1 + 0.5 × 10/20.
    expect(m.offer_meets_seek).toBeCloseTo(1.25);
    expect(m.shared_skill).toBeCloseTo(defaultWeights.feedbackMin + 0.0045, 2);
    expect(m.shared_skill).toBeGreaterThanOrEqual(defaultWeights.feedbackMin);
    expect(m.industry).toBeLessThan(1);
    expect(m.shared_interest).toBe(1);
  });

  it('feeds the next scoring: a kind rated well weighs more', () => {
    const population = [person('x', { seeks: ['advice'] }), person('y', { offers: ['advice'] })];
    const plain = scorePair(population[0]!, population[1]!, buildScoringContext(population))!;
    const feedback = Array.from({ length: 30 }, () => ({ a: 'p', b: 'q', rating: 5, reasons: ['offer_meets_seek' as const] }));
    const tuned = scorePair(population[0]!, population[1]!, buildScoringContext(population, { pastPairs: [], feedback }))!;
    expect(tuned.score).toBeGreaterThan(plain.score);
  });
});
