/**
 * Line folding shared by vCard (RFC 6350 3.2) and iCalendar (RFC 5545 3.1): content lines of
 * at most 75 octets, never splitting a UTF-8 character, continuation lines starting with a space.
 */
/** Folds a content line into lines of at most 75 octets, continuation lines starting with a space. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    // The first line holds 75 octets; a continuation line's leading space counts towards its 75.
    const max = out.length === 0 ? 75 : 74;
    if (bytes + size > max) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}
