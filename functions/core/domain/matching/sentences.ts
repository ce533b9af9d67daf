/**
 * A match's reasons as sentences, from one side's point of view: "Sam offers mentoring in
 * product design, which you are looking for", "You both are interested in batteries".
 */
import { normalizeTag } from './scoring.js';
import type { Match, MatchProfile, MatchReason } from './types.js';

/** How an intent reads after "offers" (the vocabulary of ../vocabulary.ts; others as given). */
const intentPhrases: Record<string, string> = {
  mentoring: 'mentoring',
  hiring: 'help with hiring',
  job: 'a job',
  investment: 'investment',
  cofounder: 'a co-founder partnership',
  customers: 'business as a customer',
  partnership: 'business partnerships',
  advice: 'advice',
  speaking: 'speaking opportunities',
  volunteering: 'volunteering',
  feedback: 'feedback on products and ideas',
  suppliers: 'supplies and services',
};

/** Intents that read well with a topic: "mentoring in product design". */
const topical = new Set(['mentoring', 'advice', 'feedback']);

/** "a", "a and b", "a, b and c". */
export function listOf(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** How the other person is named: their pronoun if they gave one, else their first name. */
function subjectOf(p: MatchProfile): { name: string; inClause: string; plural: boolean } {
  if (p.pronoun === 'she') return { name: 'She', inClause: 'she', plural: false };
  if (p.pronoun === 'he') return { name: 'He', inClause: 'he', plural: false };
  if (p.pronoun === 'they') return { name: 'They', inClause: 'they', plural: true };
  const first = (p.name ?? '').trim().split(/\s+/)[0];
  return first ? { name: first, inClause: first, plural: false } : { name: 'Your match', inClause: 'your match', plural: false };
}

/** The way a profile spells a tag (reasons carry it normalized). */
function spelling(tag: string, ...lists: (readonly string[] | string | undefined)[]): string {
  for (const list of lists) {
    for (const t of typeof list === 'string' ? [list] : (list ?? [])) {
      if (typeof t === 'string' && normalizeTag(t) === tag) return t.trim();
    }
  }
  return tag;
}

function phrase(intent: string): string {
  return intentPhrases[intent] ?? intent;
}

/**
 * One sentence per group of reasons, as the viewer reads them: what the other offers them,
 * what they offer the other, the industry, shared interests, shared skills.
 */
export function reasonSentences(match: Match, viewer: MatchProfile, other: MatchProfile): string[] {
  const them = subjectOf(other);
  const verb = (singular: string, plural: string) => (them.plural ? plural : singular);
  const by = (kind: MatchReason['kind']) => match.reasons.filter((r) => r.kind === kind);
  const out: string[] = [];

  const received = by('offer_meets_seek').filter((r) => r.receiver === viewer.userId);
  if (received.length) {
    const intents = received.map((r) => r.tag);
    // "mentoring in product design": a skill of theirs that the viewer is interested in.
    const topic = intents.length === 1 && topical.has(intents[0]!) ? topicOf(other.skills, viewer.interests) : undefined;
    const what = listOf(intents.map(phrase)) + (topic ? ` in ${topic}` : '');
    out.push(`${them.name} ${verb('offers', 'offer')} ${what}, which you are looking for`);
  }
  const given = by('offer_meets_seek').filter((r) => r.giver === viewer.userId);
  if (given.length) {
    out.push(`You offer ${listOf(given.map((r) => phrase(r.tag)))}, which ${them.inClause} ${verb('is', 'are')} looking for`);
  }
  for (const r of by('industry')) {
    if (!r.giver) out.push(`You both work in ${spelling(r.tag, viewer.industry, other.industry)}`);
    else if (r.giver === other.userId) out.push(`${them.name} ${verb('works', 'work')} in ${spelling(r.tag, other.industry, viewer.interests)}, which you are interested in`);
    else out.push(`You work in ${spelling(r.tag, viewer.industry, other.interests)}, which ${them.inClause} ${verb('is', 'are')} interested in`);
  }
  const interests = by('shared_interest').map((r) => spelling(r.tag, viewer.interests, other.interests));
  if (interests.length) out.push(`You both are interested in ${listOf(interests)}`);
  const skills = by('shared_skill').map((r) => spelling(r.tag, viewer.skills, other.skills));
  if (skills.length) out.push(`You both have experience in ${listOf(skills)}`);
  return out.map(capitalize);
}

function topicOf(giverSkills: readonly string[], receiverInterests: readonly string[]): string | undefined {
  const wanted = new Set(receiverInterests.map(normalizeTag));
  for (const s of giverSkills) if (typeof s === 'string' && wanted.has(normalizeTag(s))) return s.trim();
  return undefined;
}
