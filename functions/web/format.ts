/**
 * Dates, times and links for event pages, free of I/O: an instant shown in a time zone,
 * ISO 8601 with that zone's offset (for schema.org), and the Google Calendar template link.
 */
import type { Event } from '../core/domain/events.js';

/** The zone's UTC offset at an instant, as "+01:00" (Z is written "+00:00"). */
export function offsetAt(iso: string, timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(iso)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(part);
  return m ? `${m[1]}${m[2]}:${m[3] ?? '00'}` : '+00:00';
}

/** The instant as local wall time in the zone, with the offset: 2026-12-09T18:00:00+01:00. */
export function isoInZone(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offsetAt(iso, timeZone)}`;
}

/** "Wednesday 9 December 2026" in the zone. */
export const dayIn = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));

/** "10 March 2026" in the zone. */
export const dateIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));

/** "18:00" in the zone. */
export const timeIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** "CET" or "GMT+1": the zone's short name at that instant. */
export const zoneName = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(iso)).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;

/** The event's date and time range as people read it, in the event's zone. */
export function whenText(e: Pick<Event, 'startsAt' | 'endsAt' | 'timezone'>): string {
  const sameDay = dayIn(e.startsAt, e.timezone) === dayIn(e.endsAt, e.timezone);
  const start = `${dayIn(e.startsAt, e.timezone)}, ${timeIn(e.startsAt, e.timezone)}`;
  const end = sameDay ? timeIn(e.endsAt, e.timezone) : `${dayIn(e.endsAt, e.timezone)}, ${timeIn(e.endsAt, e.timezone)}`;
  return `${start} – ${end} (${zoneName(e.startsAt, e.timezone)}, ${e.timezone.replace(/_/g, ' ')})`;
}

const compactUtc = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** Google Calendar's "add event" template link. */
export function googleCalendarUrl(e: Pick<Event, 'title' | 'description' | 'startsAt' | 'endsAt' | 'venue' | 'timezone'>, pageUrl: string): string {
  const q = new URLSearchParams({
    action: 'TEMPLATE',
    text: e.title,
    dates: `${compactUtc(e.startsAt)}/${compactUtc(e.endsAt)}`,
    details: `${e.description.slice(0, 1000)}\n\n${pageUrl}`,
    ctz: e.timezone,
    ...(e.venue ? { location: e.venue } : {}),
  });
  return `https://calendar.google.com/calendar/render?${q}`;
}

/** "€120.00 / year", "Free". */
export function priceText(amount: number, currency: string, interval: 'year' | 'month' | 'once'): string {
  if (amount === 0) return 'Free';
  const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
  return interval === 'once' ? `${money} once` : `${money} / ${interval}`;
}
