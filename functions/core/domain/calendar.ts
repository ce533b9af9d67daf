/**
 * iCalendar (RFC 5545) for an event, through the `ics` package: UTC times, the event's
 * stable UID (so updates replace the entry in calendars), and the status when cancelled.
 */
import { createEvent, type DateArray } from 'ics';
import type { Event } from './events.js';

const utcArray = (iso: string): DateArray => {
  const d = new Date(iso);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
};

export function eventIcs(e: Event, opts: { url?: string; organizerName: string; method?: 'PUBLISH' | 'REQUEST' | 'CANCEL' }): string {
  const { error, value } = createEvent({
    uid: `${e.eventId}@assoc-platform`,
    sequence: e.version,
    start: utcArray(e.startsAt),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: utcArray(e.endsAt),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: e.title,
    description: e.description.slice(0, 5000),
    location: e.venue ?? e.onlineUrl,
    url: opts.url,
    status: e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    organizer: { name: opts.organizerName },
    method: opts.method ?? 'PUBLISH',
    productId: 'assoc-platform/ics',
  });
  if (error || !value) throw new Error(`calendar file could not be built: ${error?.message ?? 'unknown'}`);
  return value;
}
