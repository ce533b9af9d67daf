/** The web pages' pure parts: zone offsets and times, safe redirects, PKCE, cookies, and escaping in rendered HTML. */
import { googleCalendarUrl, isoInZone, offsetAt, priceText, whenText } from '../../../functions/web/format.js';
import { cookie, parseCookies, pkceChallenge, safeNext } from '../../../functions/web/session.js';
import { eventJsonLd, eventPage, safeJson } from '../../../functions/web/render.js';
import { makeEvent, makeRsvp } from '../../support/event-factories.js';
import { makeAssociation } from '../../support/factories.js';

describe('times in the event zone', () => {
  it('writes ISO 8601 with the zone offset, winter and summer, east and west, and half hours', () => {
    expect(isoInZone('2030-01-15T17:30:00Z', 'Europe/Paris')).toBe('2030-01-15T18:30:00+01:00');
    expect(isoInZone('2030-07-15T17:30:00Z', 'Europe/Paris')).toBe('2030-07-15T19:30:00+02:00');
    expect(isoInZone('2030-07-01T16:00:00Z', 'America/New_York')).toBe('2030-07-01T12:00:00-04:00');
    expect(isoInZone('2030-01-01T00:00:00Z', 'Asia/Kolkata')).toBe('2030-01-01T05:30:00+05:30');
    expect(offsetAt('2030-01-01T00:00:00Z', 'UTC')).toBe('+00:00');
  });

  it('crosses midnight into another day in the zone', () => {
    expect(isoInZone('2030-01-15T23:30:00Z', 'Europe/Paris')).toBe('2030-01-16T00:30:00+01:00');
    expect(whenText({ startsAt: '2030-01-15T22:00:00Z', endsAt: '2030-01-16T01:00:00Z', timezone: 'Europe/Paris' })).toBe('Tuesday, 15 January 2030, 23:00 – Wednesday, 16 January 2030, 02:00 (CET, Europe/Paris)');
  });

  it('builds the Google Calendar link in UTC with the zone named', () => {
    const url = new URL(googleCalendarUrl({ title: 'A & B', description: 'x', startsAt: '2030-01-15T17:30:00.000Z', endsAt: '2030-01-15T19:00:00.000Z', venue: 'Here', timezone: 'Europe/Paris' }, 'https://app.test/e/1'));
    expect(url.searchParams.get('dates')).toBe('20300115T173000Z/20300115T190000Z');
    expect(url.searchParams.get('text')).toBe('A & B');
    expect(url.searchParams.get('ctz')).toBe('Europe/Paris');
  });

  it('prices plans in the association currency', () => {
    expect(priceText(0, 'eur', 'year')).toBe('Free');
    expect(priceText(12000, 'eur', 'year')).toBe('€120.00 / year');
    expect(priceText(1500, 'usd', 'month')).toBe('US$15.00 / month');
  });
});

describe('sign-in helpers', () => {
  it('only ever returns to a path on this site', () => {
    for (const bad of ['//evil.test', '/\\evil.test', 'https://evil.test', 'evil', '', null, undefined, '/x\r\nSet-Cookie: a=b']) expect(safeNext(bad)).toBe('/');
    expect(safeNext('/e/123?x=1')).toBe('/e/123?x=1');
  });

  it('computes the RFC 7636 S256 challenge', () => {
    // The example of RFC 7636, appendix B.
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('writes HttpOnly SameSite cookies, Secure on https, and reads them back', () => {
    expect(cookie('session', 'a b', { maxAge: 60, secure: true })).toBe('session=a%20b; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure');
    expect(parseCookies('x=1; session=a%20b; bad=%E0%A4%A', ['y=2'])).toEqual({ y: '2', x: '1', session: 'a b' });
  });
});

describe('rendering', () => {
  const association = makeAssociation({ name: 'Club <&>', slug: 'club', currency: 'eur' });
  const base = { association, pageUrl: 'https://app.test/e/ev1', user: null, canSee: true, isStaff: false, now: new Date('2029-01-01T00:00:00Z') };

  it('JSON for a script element cannot close it', () => {
    expect(safeJson({ a: '</script><script>x()</script>' })).not.toContain('<');
    expect(JSON.parse(safeJson({ a: '</script>&' }))).toEqual({ a: '</script>&' });
  });

  it('escapes organizer text everywhere it appears', () => {
    const event = makeEvent({ title: '"><img src=x onerror=alert(1)>', description: '<script>alert(1)</script>', venue: "O'Hare & co" });
    const html = eventPage({ ...base, event });
    expect(html).not.toMatch(/<img src=x|<script>alert/);
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('O&#39;Hare &amp; co');
  });

  it('schema.org availability follows seats and the waitlist', () => {
    const before = { ...base, now: new Date('2026-01-01T00:00:00Z') };
    const open = makeEvent({ capacity: 20, goingCount: 2, waitlistCount: 0, waitlist: true });
    expect(eventJsonLd({ ...before, event: open }, 'https://app.test/a/club').offers.availability).toBe('https://schema.org/InStock');
    const full = makeEvent({ capacity: 2, goingCount: 2, waitlistCount: 3, waitlist: true });
    expect(eventJsonLd({ ...before, event: full }, 'https://app.test/a/club').offers.availability).toBe('https://schema.org/SoldOut');
    expect(eventJsonLd({ ...base, event: open }, 'https://app.test/a/club').offers.availability).toBe('https://schema.org/SoldOut');
    const cancelled = makeEvent({ status: 'cancelled' });
    expect(eventJsonLd({ ...base, event: cancelled }, 'https://app.test/a/club').eventStatus).toBe('https://schema.org/EventCancelled');
    const mixed = makeEvent({ venue: 'Hall', onlineUrl: 'https://meet.test/x' });
    expect(eventJsonLd({ ...base, event: mixed }, 'https://app.test/a/club').eventAttendanceMode).toBe('https://schema.org/MixedEventAttendanceMode');
  });

  it('hides the online link until the visitor has a spot', () => {
    const event = makeEvent({ onlineUrl: 'https://meet.test/secret-room' });
    expect(eventPage({ ...base, event, user: { name: 'A', email: 'a@x.test' } })).not.toContain('secret-room');
    const going = makeRsvp({ eventId: event.eventId, status: 'going' });
    expect(eventPage({ ...base, event, user: { name: 'A', email: 'a@x.test' }, rsvp: going })).toContain('https://meet.test/secret-room');
  });

  it('after the event: no spots left, no check-in code, no waitlist place, but whether you came', () => {
    const user = { name: 'A', email: 'a@x.test' };
    const event = makeEvent({ capacity: 30, goingCount: 12, attendedCount: 9, waitlistCount: 2, waitlist: true });
    const came = eventPage({ ...base, event, user, rsvp: makeRsvp({ eventId: event.eventId, status: 'going', checkedInAt: '2026-03-10T18:05:00.000Z' }) });
    expect(came).toContain('This event is over · 9 came');
    expect(came).toContain('You came.');
    expect(came).not.toMatch(/spots left|check-in code|Cancel my RSVP/);
    const noShow = eventPage({ ...base, event, user, rsvp: makeRsvp({ eventId: event.eventId, status: 'going' }) });
    expect(noShow).toContain('You had a spot.');
    expect(noShow).not.toContain('ABCD2345');
    const waited = eventPage({ ...base, event, user, rsvp: makeRsvp({ eventId: event.eventId, status: 'waitlisted' }), waitlistPosition: 2 });
    expect(waited).toContain('You were on the waitlist.');
    expect(waited).not.toMatch(/number 2 on the waitlist|Leave the waitlist/);
    // Before it ends, the attendee still has the code to show at the door.
    const upcoming = eventPage({ ...base, now: new Date('2026-03-10T17:00:00Z'), event, user, rsvp: makeRsvp({ eventId: event.eventId, status: 'going' }) });
    expect(upcoming).toContain('ABCD2345');
    expect(upcoming).toContain('Cancel my RSVP');
    const cancelled = eventPage({ ...base, now: new Date('2026-03-01T00:00:00Z'), event: { ...event, status: 'cancelled' }, user, rsvp: makeRsvp({ eventId: event.eventId, status: 'going' }) });
    expect(cancelled).toContain('You had a spot.');
    expect(cancelled).not.toContain('ABCD2345');
  });

  it('a members-only event shows outsiders the title and date and nothing else', () => {
    const event = makeEvent({ visibility: 'members', title: 'Board', description: 'Private agenda', venue: 'Secret hall' });
    const html = eventPage({ ...base, event, canSee: false });
    expect(html).toContain('Board');
    expect(html).not.toMatch(/Private agenda|Secret hall|ld\+json/);
  });
});
