/**
 * vCard 4.0 (RFC 6350) for the network export: text values escaped (section 3.4), lines
 * folded at 75 octets without splitting a UTF-8 character (section 3.2), CRLF line ends.
 */
export interface VCardPerson {
  uid: string;
  name: string;
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

/** One vCard; the structured N value puts the whole name in the family part (we do not guess how to split names). */
export function vcard(p: VCardPerson): string {
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', `UID;VALUE=text:${escapeText(p.uid)}`, `FN:${escapeText(p.name)}`, `N:${escapeText(p.name)};;;;`];
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
