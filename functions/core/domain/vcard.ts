/**
 * vCard 4.0 (RFC 6350) for the network export: text values escaped (section 3.4), lines
 * folded at 75 octets without splitting a UTF-8 character (section 3.2), CRLF line ends.
 */
export interface VCardPerson {
  uid: string;
  /** The full name as the person writes it (FN). */
  name: string;
  /** Separate name parts, where a source has them; then N uses them as they are. */
  givenName?: string;
  familyName?: string;
  email?: string;
  company?: string;
  jobTitle?: string;
  headline?: string;
  note?: string;
  categories?: string[];
}

/** Escapes a TEXT value: backslash, comma, semicolon and newlines (RFC 6350 3.4). */
export const escapeText = (v: string) => v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r\n|\r|\n/g, '\\n');

export { foldLine } from './content-lines.js';
import { foldLine } from './content-lines.js';

/** A capitalised word of letters (any cased script), inner hyphens or apostrophes allowed: Jean-Luc, O'Brien, Åberg. */
const PLAIN_WORD = /^\p{Lu}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*$/u;
/** Generational suffixes, which are not family names (RFC 6350 puts them in the fifth part). */
const SUFFIX = /^(?:jr|sr|ii|iii|iv)$/i;

/**
 * N's family and given parts (RFC 6350 6.2.2). Profiles hold one name field, and name order is
 * not universal, so we split only where the guess is safe: two or more capitalised plain words
 * ("Ada Lovelace", "Mary Ann Evans"), family = the last word, given = the rest. Anything else
 * (one word, a lowercase particle as in "Ludwig van Beethoven", "King Jr.", initials, digits,
 * scripts without capitals) keeps the whole name in the family part, as before, so nothing
 * is reordered wrongly; FN always carries the name as written.
 */
export function nameParts(p: Pick<VCardPerson, 'name' | 'givenName' | 'familyName'>): { family: string; given: string } {
  if (p.givenName || p.familyName) return { family: p.familyName ?? '', given: p.givenName ?? '' };
  const words = p.name.trim().split(/\s+/);
  if (words.length >= 2 && words.every((w) => PLAIN_WORD.test(w)) && !SUFFIX.test(words[words.length - 1]!)) {
    return { family: words[words.length - 1]!, given: words.slice(0, -1).join(' ') };
  }
  return { family: p.name, given: '' };
}

/** One vCard: FN is the name as written, N its parts (nameParts), each escaped. */
export function vcard(p: VCardPerson): string {
  const n = nameParts(p);
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', `UID;VALUE=text:${escapeText(p.uid)}`, `FN:${escapeText(p.name)}`, `N:${escapeText(n.family)};${escapeText(n.given)};;;`];
  if (p.email) lines.push(`EMAIL;TYPE=work:${escapeText(p.email)}`);
  if (p.company) lines.push(`ORG:${escapeText(p.company)}`);
  if (p.jobTitle) lines.push(`TITLE:${escapeText(p.jobTitle)}`);
  const note = [p.headline, p.note].filter(Boolean).join('\n');
  if (note) lines.push(`NOTE:${escapeText(note)}`);
  if (p.categories?.length) lines.push(`CATEGORIES:${p.categories.map(escapeText).join(',')}`);
  lines.push('END:VCARD');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

export const vcards = (people: VCardPerson[]) => people.map(vcard).join('');
