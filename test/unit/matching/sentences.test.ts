import { buildScoringContext, reasonSentences, scorePair, type Match, type MatchProfile } from '../../../functions/core/domain/matching/index.js';
import { person } from './fixtures.js';

function matchOf(a: MatchProfile, b: MatchProfile): Match {
  const ctx = buildScoringContext([a, b]);
  const { score, reasons } = scorePair(a, b, ctx)!;
  return { a: a.userId, b: b.userId, score, reasons };
}

describe('reasonSentences', () => {
  const sam = person('sam', { name: 'Sam Okafor', offers: ['mentoring'], skills: ['Product Design'], interests: ['Batteries', 'solar'], industry: 'Climate Tech' });
  const you = person('you', { name: 'Ana Silva', seeks: ['mentoring'], offers: ['advice'], interests: ['batteries', 'Solar', 'product design'], industry: 'climate tech' });

  it('says what the other offers that the viewer seeks, with a topic the viewer cares about', () => {
    expect(reasonSentences(matchOf(sam, you), you, sam)[0]).toBe('Sam offers mentoring in Product Design, which you are looking for');
  });

  it('uses the pronoun the other gave, with the verb agreeing', () => {
    const she = { ...sam, pronoun: 'she' as const };
    const they = { ...sam, pronoun: 'they' as const };
    expect(reasonSentences(matchOf(she, you), you, she)[0]).toBe('She offers mentoring in Product Design, which you are looking for');
    expect(reasonSentences(matchOf(they, you), you, they)[0]).toBe('They offer mentoring in Product Design, which you are looking for');
  });

  it('says what the viewer offers that the other seeks, from the viewer side', () => {
    const other = person('kim', { name: 'Kim Lee', seeks: ['advice', 'job'], pronoun: 'he' });
    const viewer = person('you', { offers: ['advice', 'job'] });
    expect(reasonSentences(matchOf(other, viewer), viewer, other)).toEqual(['You offer advice and a job, which he is looking for']);
    const noPronoun = { ...other, pronoun: undefined };
    expect(reasonSentences(matchOf(noPronoun, viewer), viewer, noPronoun)).toEqual(['You offer advice and a job, which Kim is looking for']);
  });

  it('lists shared interests, shared skills and the industry in the viewer spelling', () => {
    const lines = reasonSentences(matchOf(sam, you), you, sam);
    expect(lines).toEqual([
      'Sam offers mentoring in Product Design, which you are looking for',
      'You both work in climate tech',
      'You both are interested in batteries and Solar',
    ]);
    const a = person('a', { skills: ['Rust', 'SQL', 'Go'] });
    const b = person('b', { skills: ['rust', 'sql', 'go'] });
    expect(reasonSentences(matchOf(a, b), a, b)).toEqual(['You both have experience in Go, Rust and SQL']);
  });

  it('words industry affinity both ways', () => {
    const worker = person('wen', { name: 'Wen', industry: 'Fintech', pronoun: 'she' });
    const fan = person('fan', { name: 'Fan', interests: ['fintech'] });
    const m = matchOf(worker, fan);
    expect(reasonSentences(m, fan, worker)).toEqual(['She works in Fintech, which you are interested in']);
    expect(reasonSentences(m, worker, fan)).toEqual(['You work in Fintech, which Fan is interested in']);
  });

  it('falls back to "Your match" without a name', () => {
    const anon = person('zed', { name: '  ', offers: ['investment'] });
    const viewer = person('you', { seeks: ['investment'] });
    expect(reasonSentences(matchOf(anon, viewer), viewer, anon)).toEqual(['Your match offers investment, which you are looking for']);
  });
});
