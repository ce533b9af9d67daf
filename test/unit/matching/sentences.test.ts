import { buildScoringContext, introSentences, reasonSentences, scorePair, type Match, type MatchProfile } from '../../../functions/core/domain/matching/index.js';
import { intentPhrase, intentPhrases, intents } from '../../../functions/core/domain/vocabulary.js';
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

describe('reason wording in the mail and the app', () => {
  // Codes that are no word of any phrase: "cofounder", "customers", "suppliers".
  const codes = intents.filter((i) => !Object.values(intentPhrases).some((p) => new RegExp(`\\b${i}\\b`).test(p)));

  it('never shows an intent code: every intent reads as its phrase, both ways and in the intro mail', () => {
    expect(codes).toEqual(['cofounder', 'customers', 'suppliers']);
    for (const intent of intents) {
      const giver = person('giv', { name: 'Dana Li', offers: [intent] });
      const seeker = person('see', { name: 'Sam Okafor', seeks: [intent] });
      const m = matchOf(giver, seeker);
      const lines = [...reasonSentences(m, seeker, giver), ...reasonSentences(m, giver, seeker), ...introSentences(m, giver, seeker)];
      expect(lines).toEqual([
        `Dana offers ${intentPhrases[intent]}, which you are looking for`,
        `You offer ${intentPhrases[intent]}, which Sam is looking for`,
        `Dana offers ${intentPhrases[intent]}, which Sam is looking for`,
      ]);
      for (const code of codes) for (const line of lines) expect(line).not.toMatch(new RegExp(`\\b${code}\\b`));
    }
    // An intent from older data outside the vocabulary reads as words, not as a code.
    expect(intentPhrase('co_founder')).toBe('co founder');
  });

  it('names the complementary need first, even when shared interests weigh more', () => {
    const dana = person('dana', { name: 'Dana Li', offers: ['mentoring'], interests: ['opera', 'tango', 'bonsai', 'runes'], skills: ['Go'] });
    const you = person('you', { name: 'Ana Silva', seeks: ['mentoring'], interests: ['Opera', 'Tango', 'Bonsai', 'Runes'], skills: ['go'] });
    const m = matchOf(dana, you);
    // Four shared interests (4) weigh more than the need met (2) for both sides together.
    expect(m.reasons.filter((r) => r.kind === 'shared_interest').reduce((t, r) => t + r.weight, 0)).toBeGreaterThan(m.reasons.find((r) => r.kind === 'offer_meets_seek')!.weight);
    expect(reasonSentences(m, you, dana)[0]).toBe('Dana offers mentoring, which you are looking for');
    expect(introSentences(m, dana, you)).toEqual(['Dana offers mentoring, which Ana is looking for', 'you both are interested in bonsai, opera, runes and tango', 'you both have experience in Go']);
  });

  it('spells tags in the intro mail the way the people wrote them, not normalised', () => {
    const a = person('a', { name: 'Wen Ho', industry: 'Climate Tech', interests: ['Carbon Markets'] });
    const b = person('b', { name: 'Fan Yu', industry: 'climate tech', interests: ['carbon  markets'] });
    expect(introSentences(matchOf(a, b), a, b)).toEqual(['you both work in Climate Tech', 'you both are interested in Carbon Markets']);
  });

  it('says "You both know Dana Li" after the needs and before the shared tags', () => {
    const sam = person('sam', { name: 'Sam Okafor', offers: ['advice'], interests: ['solar'] });
    const you = person('you', { name: 'Ana Silva', seeks: ['advice'], interests: ['solar'] });
    const base = matchOf(sam, you);
    const m = { ...base, reasons: [...base.reasons, { kind: 'mutual_connection' as const, tag: 'dana', name: 'Dana Li', weight: 0 }, { kind: 'mutual_connection' as const, tag: 'kim', name: 'Kim Lee', weight: 0 }] };
    expect(reasonSentences(m, you, sam)).toEqual(['Sam offers advice, which you are looking for', 'You both know Dana Li and Kim Lee', 'You both are interested in solar']);
    expect(introSentences(m, sam, you)).toEqual(['Sam offers advice, which Ana is looking for', 'you both know Dana Li and Kim Lee', 'you both are interested in solar']);
  });
});
