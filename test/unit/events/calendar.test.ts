/**
 * The iCalendar file of an event, read back as RFC 5545 says a calendar must read it:
 * CRLF lines of at most 75 octets (longer ones folded), every content line
 * `name *(";" param) ":" value`, a balanced BEGIN/END structure, a UID that stays the
 * same across versions while SEQUENCE follows the version, UTC times, and TEXT values
 * with commas, semicolons, backslashes and newlines escaped.
 */
import { eventIcs } from '../../../functions/core/domain/calendar.js';
import type { Event } from '../../../functions/core/domain/events.js';
import { makeEvent } from '../../support/event-factories.js';

type Line = { name: string; params: Record<string, string>; value: string; malformed?: string };

/**
 * RFC 5545 §3.1: unfolds, then parses each content line. A line that is not a content
 * line is kept with `malformed` saying why, so one bad property does not hide the rest.
 */
function parseIcs(text: string): Line[] {
  if (!text.endsWith('\r\n')) throw new Error('the file must end with CRLF');
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const raw = unfolded.slice(0, -2).split('\r\n');
  return raw.map((line) => {
    if (/[\r\n]/.test(line)) throw new Error(`bare CR or LF in ${JSON.stringify(line)}`);
    const name = /^[A-Za-z0-9-]+/.exec(line)?.[0];
    if (!name) throw new Error(`no property name in ${JSON.stringify(line)}`);
    let rest = line.slice(name.length);
    const params: Record<string, string> = {};
    // param = param-name "=" param-value *("," param-value); param-value = paramtext / quoted-string
    for (;;) {
      const m = /^;([A-Za-z0-9-]+)=((?:"[^"\x00-\x08\x0A-\x1F\x7F]*"|[^";:,\x00-\x08\x0A-\x1F\x7F]*)(?:,(?:"[^"\x00-\x08\x0A-\x1F\x7F]*"|[^";:,\x00-\x08\x0A-\x1F\x7F]*))*)/.exec(rest);
      if (!m) break;
      params[m[1]!.toUpperCase()] = m[2]!;
      rest = rest.slice(m[0].length);
    }
    if (!rest.startsWith(':')) return { name: name.toUpperCase(), params, value: '', malformed: `content line without ":" value: ${line}` };
    return { name: name.toUpperCase(), params, value: rest.slice(1) };
  });
}

/** RFC 5545 §3.3.11: the TEXT value as written before escaping. */
const unescapeText = (v: string) => v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

const props = (lines: Line[], name: string) => lines.filter((l) => l.name === name);
const one = (lines: Line[], name: string) => {
  const found = props(lines, name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0]!;
};

const opts = { organizerName: 'Engineers of Lyon', url: 'https://app.example.test/events/evt1' };
const ics = (overrides: Partial<Event> = {}) => eventIcs(makeEvent(overrides), opts);

describe('the calendar file of an event', () => {
  it('uses CRLF line endings only', () => {
    const text = ics();
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('is one VCALENDAR with VERSION 2.0 and a PRODID holding one VEVENT, BEGIN and END balanced', () => {
    const lines = parseIcs(ics());
    expect(lines[0]).toMatchObject({ name: 'BEGIN', value: 'VCALENDAR' });
    expect(lines[lines.length - 1]).toMatchObject({ name: 'END', value: 'VCALENDAR' });
    const stack: string[] = [];
    for (const l of lines) {
      if (l.name === 'BEGIN') stack.push(l.value);
      if (l.name === 'END') expect(stack.pop()).toBe(l.value);
    }
    expect(stack).toEqual([]);
    expect(props(lines, 'BEGIN').map((l) => l.value)).toEqual(['VCALENDAR', 'VEVENT']);
    expect(one(lines, 'VERSION').value).toBe('2.0');
    expect(one(lines, 'PRODID').value).not.toBe('');
  });

  it('has only well-formed content lines (name, parameters, ":" value)', () => {
    expect(parseIcs(ics()).filter((l) => l.malformed).map((l) => l.malformed)).toEqual([]);
  });

  it('names the organizer with a calendar address, as ORGANIZER requires', () => {
    // ORGANIZER's value is a CAL-ADDRESS (RFC 5545 §3.8.4.3): "ORGANIZER;CN=Name:mailto:...".
    const organizers = parseIcs(ics()).filter((l) => l.name === 'ORGANIZER');
    // Either no ORGANIZER at all, or one with a mailto: value.
    expect(organizers.every((l) => !l.malformed && /^mailto:\S+@\S+$/i.test(l.value))).toBe(true);
  });

  it('keeps the UID across versions and puts the version in SEQUENCE', () => {
    const v1 = parseIcs(ics({ version: 1 }));
    const v2 = parseIcs(ics({ version: 2, startsAt: '2026-03-11T18:00:00.000Z', endsAt: '2026-03-11T21:00:00.000Z', title: 'Moved meetup' }));
    expect(one(v1, 'UID').value).toBe(one(v2, 'UID').value);
    expect(one(v1, 'UID').value).toContain('evt1');
    expect(one(v1, 'SEQUENCE').value).toBe('1');
    expect(one(v2, 'SEQUENCE').value).toBe('2');
    // Another event has another UID.
    expect(one(parseIcs(ics({ eventId: 'evt2' })), 'UID').value).not.toBe(one(v1, 'UID').value);
  });

  it('writes DTSTART and DTEND in UTC with the Z suffix, whatever the event time zone', () => {
    const lines = parseIcs(ics({ startsAt: '2026-03-10T18:30:00.000Z', endsAt: '2026-03-10T21:05:00.000Z', timezone: 'America/New_York' }));
    expect(one(lines, 'DTSTART')).toMatchObject({ params: {}, value: '20260310T183000Z' });
    expect(one(lines, 'DTEND')).toMatchObject({ params: {}, value: '20260310T210500Z' });
    expect(one(lines, 'DTSTAMP').value).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('crosses the UTC day boundary correctly', () => {
    const lines = parseIcs(ics({ startsAt: '2026-12-31T23:30:00.000Z', endsAt: '2027-01-01T01:00:00.000Z' }));
    expect(one(lines, 'DTSTART').value).toBe('20261231T233000Z');
    expect(one(lines, 'DTEND').value).toBe('20270101T010000Z');
  });

  it('says STATUS:CANCELLED for a cancelled event and CONFIRMED otherwise', () => {
    expect(one(parseIcs(ics({ status: 'cancelled', cancelledAt: '2026-03-01T00:00:00.000Z' })), 'STATUS').value).toBe('CANCELLED');
    expect(one(parseIcs(ics()), 'STATUS').value).toBe('CONFIRMED');
  });

  it('escapes commas, semicolons, backslashes and newlines in the title, description and place', () => {
    const title = 'Dinner, drinks; talks \\ more';
    const description = 'Line one\nLine two, with a comma; and a semicolon.\r\nLine three';
    const venue = 'Salle 1, Lyon; France';
    const lines = parseIcs(ics({ title, description, venue }));
    const summary = one(lines, 'SUMMARY').value;
    expect(summary).toBe('Dinner\\, drinks\\; talks \\\\ more');
    expect(unescapeText(summary)).toBe(title);
    const desc = one(lines, 'DESCRIPTION').value;
    expect(desc).not.toMatch(/(^|[^\\])[,;]/);
    expect(unescapeText(desc)).toBe('Line one\nLine two, with a comma; and a semicolon.\nLine three');
    expect(unescapeText(one(lines, 'LOCATION').value)).toBe(venue);
  });

  it('folds long ASCII lines so none is longer than 75 octets, and unfolds to the original text', () => {
    const description = `${'A long description. '.repeat(40)}End.`;
    const text = ics({ description });
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(text).toMatch(/\r\n[ \t]/);
    expect(unescapeText(one(parseIcs(text), 'DESCRIPTION').value)).toBe(description);
  });

  it('folds by octets, not characters: no line over 75 octets with accented or non-Latin text', () => {
    const title = 'Soirée réseau : ingénieures et ingénieurs de la métropole lyonnaise — été 2026';
    const description = `Présentation des lauréats, échanges et dégustation. ${'Événement ouvert à tous les adhérents à jour de cotisation. '.repeat(4)}日本語の説明もあります。`;
    const text = ics({ title, description, venue: 'Hôtel de Ville, Lyon' });
    const tooLong = text.split('\r\n').filter((line) => Buffer.byteLength(line, 'utf8') > 75);
    expect(tooLong).toEqual([]);
    // Folding never splits a character: the unfolded text is the original.
    const lines = parseIcs(text);
    expect(unescapeText(one(lines, 'SUMMARY').value)).toBe(title);
    expect(unescapeText(one(lines, 'DESCRIPTION').value)).toBe(description);
  });

  it('uses the online URL as the place when there is no venue', () => {
    const lines = parseIcs(ics({ venue: undefined, onlineUrl: 'https://meet.example.test/abc' }));
    expect(one(lines, 'LOCATION').value).toBe('https://meet.example.test/abc');
  });
});
