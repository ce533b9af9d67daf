/**
 * A match's reasons as sentences, from one side's point of view: "Sam offers mentoring in
 * product design, which you are looking for", "You both are interested in batteries", or
 * in the third person for the mail to both. A need one meets for the other always comes
 * first: it is why they were matched. Intents read as the vocabulary's phrases and tags as
 * the people spell them, never as codes.
 */
import { intentPhrase } from '../vocabulary.js';
import { normalizeTag } from './scoring.js';
import type { Match, MatchProfile, MatchReason } from './types.js';

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

const phrase = intentPhrase;

/** A reason as stored with a match (the kind is a plain string there). */
type StoredReason = Omit<MatchReason, 'kind'> & { kind: string };

/** "Dana Li and Sam Okafor": mutual connections, as their names. */
function knownNames(reasons: readonly StoredReason[]): string | undefined {
  const names = reasons.filter((r) => r.kind === 'mutual_connection' && r.name?.trim()).map((r) => r.name!.trim());
  return names.length ? listOf(names) : undefined;
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
  const known = knownNames(match.reasons);
  if (known) out.push(`You both know ${known}`);
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

/**
 * The reasons in the third person, for the one mail addressed to both people: "Dana offers
 * mentoring, which Sam is looking for", "you both are interested in batteries" (these follow
 * a colon, so only names are capitalised).
 */
export function introSentences(match: { reasons: readonly StoredReason[] }, a: MatchProfile, b: MatchProfile): string[] {
  const byId = (id: string | undefined) => (id === a.userId ? a : b);
  const first = (id: string | undefined) => (byId(id).name ?? '').trim().split(/\s+/)[0] || 'one of you';
  const by = (kind: MatchReason['kind']) => match.reasons.filter((r) => r.kind === kind);
  const out: string[] = [];
  // One sentence per direction: "Dana offers mentoring and advice, which Sam is looking for".
  for (const giver of [a.userId, b.userId]) {
    const given = by('offer_meets_seek').filter((r) => r.giver === giver);
    if (!given.length) continue;
    const receiver = given[0]!.receiver;
    out.push(`${first(giver)} offers ${listOf(given.map((r) => phrase(r.tag)))}, which ${first(receiver)} is looking for`);
  }
  const known = knownNames(match.reasons);
  if (known) out.push(`you both know ${known}`);
  for (const r of by('industry')) {
    if (!r.giver) out.push(`you both work in ${spelling(r.tag, a.industry, b.industry)}`);
    else out.push(`${first(r.giver)} works in ${spelling(r.tag, byId(r.giver).industry, byId(r.receiver).interests)}, which ${first(r.receiver)} is interested in`);
  }
  const interests = by('shared_interest').map((r) => spelling(r.tag, a.interests, b.interests));
  if (interests.length) out.push(`you both are interested in ${listOf(interests)}`);
  const skills = by('shared_skill').map((r) => spelling(r.tag, a.skills, b.skills));
  if (skills.length) out.push(`you both have experience in ${listOf(skills)}`);
  return out;
}
