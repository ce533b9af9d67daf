/**
 * A seeded synthetic population of attendees with the skew of real events: a few popular
 * interests and a long tail of niche ones (Zipf), communities around industries, companies
 * of very different sizes (a few send many people), few mentors and investors and many
 * people seeking them, senior people offering and junior people seeking.
 */
import type { MatchHistory, MatchProfile } from '../../functions/core/domain/matching/index.js';

/** sfc32: a small, fast, seeded PRNG with good statistical quality; floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 + seed;
  let c = 0xb7e15162 ^ (seed * 31);
  let d = 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** Draws indices 0..n-1 with probability ∝ 1/(i+1)^s. */
export function zipf(n: number, s: number): (r: number) => number {
  const cum = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cum[i] = total += 1 / Math.pow(i + 1, s);
  return (r: number) => {
    const x = r * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

const industries = [
  'software', 'finance', 'healthcare', 'climate tech', 'education', 'retail', 'manufacturing', 'media', 'consulting',
  'energy', 'biotech', 'real estate', 'logistics', 'public sector', 'nonprofit', 'legal', 'agriculture', 'telecom',
  'hospitality', 'automotive', 'aerospace', 'insurance', 'gaming', 'fashion',
];
const topics = [
  'ai', 'sustainability', 'leadership', 'product design', 'data science', 'fintech', 'batteries', 'solar', 'hydrogen',
  'carbon markets', 'web3', 'cybersecurity', 'cloud', 'open source', 'ux research', 'growth marketing', 'fundraising',
  'diversity', 'remote work', 'supply chain', 'circular economy', 'robotics', 'iot', 'genomics', 'medtech',
  'mental health', 'edtech', 'urban mobility', 'ev charging', 'wind power', 'nuclear', 'water', 'food tech',
  'regenerative farming', 'proptech', 'insurtech', 'payments', 'crypto regulation', 'esg reporting', 'impact investing',
  'public policy', 'civic tech', 'journalism', 'podcasting', 'creator economy', 'game design', 'music tech', 'ar vr',
  'quantum computing', 'space', 'drones', '3d printing', 'materials science', 'ocean', 'biodiversity', 'climate adaptation',
  'negotiation', 'public speaking', 'coaching', 'startups',
];
const qualifiers = ['', 'ethics', 'policy', 'startups', 'research', 'in africa', 'in asia', 'for smes', 'hardware', 'tooling', 'community', 'careers'];
const skillNames = [
  'python', 'javascript', 'typescript', 'sql', 'excel', 'product management', 'product design', 'ux design', 'sales',
  'marketing', 'seo', 'copywriting', 'finance', 'accounting', 'fundraising', 'legal', 'hr', 'recruiting', 'operations',
  'project management', 'data analysis', 'machine learning', 'devops', 'kubernetes', 'aws', 'figma', 'public speaking',
  'negotiation', 'strategy', 'research', 'writing', 'video', 'photography', 'community building', 'partnerships',
  'procurement', 'supply chain', 'lean', 'six sigma', 'electrical engineering', 'mechanical engineering', 'chemistry',
  'biology', 'statistics', 'grant writing', 'policy analysis', 'coaching', 'facilitation', 'rust', 'go',
];
const firstNames: [string, 'she' | 'he' | 'they'][] = [
  ['Sam', 'they'], ['Alex', 'they'], ['Maria', 'she'], ['Fatima', 'she'], ['Aiko', 'she'], ['Chloé', 'she'], ['Priya', 'she'],
  ['Ana', 'she'], ['Lena', 'she'], ['Grace', 'she'], ['Zoe', 'she'], ['Nadia', 'she'], ['John', 'he'], ['Ahmed', 'he'],
  ['Kenji', 'he'], ['Luca', 'he'], ['Omar', 'he'], ['Pedro', 'he'], ['Tom', 'he'], ['Ravi', 'he'], ['Jonas', 'he'],
  ['Kwame', 'he'], ['Noah', 'he'], ['Robin', 'they'],
];
const lastNames = ['Garcia', 'Smith', 'Okafor', 'Tanaka', 'Müller', 'Rossi', 'Dubois', 'Khan', 'Silva', 'Nguyen', 'Cohen', 'Larsen', 'Mensah', 'Kowalski', 'Haddad', 'Ivanova'];

/** Probability that a person offers / seeks each intent (junior, senior), from few givers to many seekers. */
const intentRates: Record<string, { offer: [number, number]; seek: [number, number] }> = {
  mentoring: { offer: [0.0, 0.18], seek: [0.4, 0.05] },
  job: { offer: [0.0, 0.1], seek: [0.18, 0.04] },
  hiring: { offer: [0.02, 0.12], seek: [0.05, 0.03] },
  investment: { offer: [0.0, 0.05], seek: [0.06, 0.1] },
  advice: { offer: [0.08, 0.3], seek: [0.3, 0.1] },
  customers: { offer: [0.05, 0.1], seek: [0.1, 0.2] },
  partnership: { offer: [0.05, 0.12], seek: [0.05, 0.12] },
  cofounder: { offer: [0.03, 0.02], seek: [0.05, 0.03] },
  speaking: { offer: [0.02, 0.06], seek: [0.08, 0.08] },
  volunteering: { offer: [0.04, 0.03], seek: [0.03, 0.04] },
  feedback: { offer: [0.1, 0.15], seek: [0.15, 0.15] },
  suppliers: { offer: [0.04, 0.06], seek: [0.04, 0.06] },
};

export interface PopulationOptions {
  /** Share of senior people, who offer mentoring, jobs and investment (0.25). */
  seniorShare: number;
}

/**
 * The needs-first bench: one senior in ten, so that few offer what many seek (about 2 % offer
 * mentoring and 36 % seek it; 1 % offer a job and 17 % seek one).
 */
export const skewed: PopulationOptions = Object.freeze({ seniorShare: 0.1 });

/** `n` attendees; the same seed gives the same people. */
export function generatePopulation(n: number, seed = 1, options: PopulationOptions = { seniorShare: 0.25 }): MatchProfile[] {
  const rnd = prng(seed);
  // Interests: every topic, and topic × qualifier, ranked by a seeded shuffle, then Zipf.
  const interestVocab = shuffle(
    topics.flatMap((t) => qualifiers.map((q) => (q ? `${t} ${q}` : t))),
    prng(seed + 101),
  );
  // Plain topics first: the popular ones are the broad ones.
  interestVocab.sort((a, b) => Number(a.includes(' ') && !topics.includes(a)) - Number(b.includes(' ') && !topics.includes(b)));
  const drawInterest = zipf(interestVocab.length, 1.0);
  const drawSkill = zipf(skillNames.length, 0.9);
  const drawIndustry = zipf(industries.length, 0.8);
  // Each industry's community favours its own slice of interests.
  const community = industries.map((_, i) => shuffle(interestVocab.slice(), prng(seed * 7 + i)).slice(0, 30));
  const drawCommunity = zipf(30, 0.7);

  // Companies: a few big delegations, a long tail of one- or two-person companies.
  const nCompanies = Math.max(3, Math.round(n / 5));
  const drawCompany = zipf(nCompanies, 1.1);
  const companyIndustry = Array.from({ length: nCompanies }, () => drawIndustry(rnd()));

  const profiles: MatchProfile[] = [];
  for (let i = 0; i < n; i++) {
    const [first, pronoun] = firstNames[Math.floor(rnd() * firstNames.length)]!;
    const last = lastNames[Math.floor(rnd() * lastNames.length)]!;
    const hasCompany = rnd() < 0.88;
    const c = hasCompany ? drawCompany(rnd()) : -1;
    const ind = c >= 0 && rnd() < 0.9 ? companyIndustry[c]! : drawIndustry(rnd());
    const senior = rnd() < options.seniorShare;
    const interests = new Set<string>();
    const nInterests = 2 + Math.floor(rnd() * 6);
    while (interests.size < nInterests) {
      interests.add(rnd() < 0.5 ? community[ind]![drawCommunity(rnd())]! : interestVocab[drawInterest(rnd())]!);
    }
    const skills = new Set<string>();
    const nSkills = 1 + Math.floor(rnd() * 5);
    while (skills.size < nSkills) skills.add(skillNames[drawSkill(rnd())]!);
    const offers: string[] = [];
    const seeks: string[] = [];
    for (const [intent, r] of Object.entries(intentRates)) {
      if (rnd() < r.offer[senior ? 1 : 0]) offers.push(intent);
      if (rnd() < r.seek[senior ? 1 : 0]) seeks.push(intent);
    }
    profiles.push({
      userId: `u${String(i).padStart(6, '0')}`,
      name: `${first} ${last}`,
      company: c >= 0 ? `Company ${c}` : undefined,
      jobTitle: senior ? 'Director' : 'Associate',
      industry: rnd() < 0.95 ? industries[ind] : undefined,
      skills: [...skills],
      interests: [...interests],
      offers,
      seeks,
      pronoun: rnd() < 0.8 ? pronoun : undefined,
    });
  }
  return profiles;
}

/**
 * A history: earlier introductions between some of these people (each person in up to
 * `perPerson` random past pairs), with feedback on part of them.
 */
export function generateHistory(profiles: MatchProfile[], seed = 2, perPerson = 2): MatchHistory {
  const rnd = prng(seed);
  const n = profiles.length;
  const pastPairs: [string, string][] = [];
  const feedback: NonNullable<MatchHistory['feedback']> = [];
  const kinds = ['offer_meets_seek', 'shared_interest', 'shared_skill', 'industry'] as const;
  for (let i = 0; i < n * perPerson / 2; i++) {
    const a = profiles[Math.floor(rnd() * n)]!.userId;
    const b = profiles[Math.floor(rnd() * n)]!.userId;
    if (a === b) continue;
    pastPairs.push([a, b]);
    if (rnd() < 0.3) {
      const kind = kinds[Math.floor(rnd() * kinds.length)]!;
      // Offer-meets-seek introductions are rated better in this synthetic history.
      const rating = kind === 'offer_meets_seek' ? 3 + Math.floor(rnd() * 3) : 1 + Math.floor(rnd() * 5);
      feedback.push({ a, b, rating, met: rnd() < 0.7, reasons: [kind] });
    }
  }
  return { pastPairs, feedback };
}
