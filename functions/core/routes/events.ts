/** The events function's routes: events, RSVPs, the waitlist, attendees, check-in, calendar files and the event dashboard. api.ts composes every function's. */
import { rateLimits as rl, type RouteSpec } from './spec.js';
import { AssociationParams, EventParams, TokenQuery } from '../schemas/common.js';
import { AttendeesQuery, CheckIn, EventCreate, EventPatch, EventsQuery, ExportQuery, RsvpPut } from '../schemas/events.js';
import { EventStatsQuery } from '../stats-schemas.js';

export const eventsRoutes: readonly RouteSpec[] = [
  { method: 'POST', path: '/associations/{associationId}/events', fn: 'events', access: 'organizer', summary: 'Create an event', params: AssociationParams, body: EventCreate, status: 201, errors: [422] },
  { method: 'GET', path: '/associations/{associationId}/events', fn: 'events', access: 'viewer', summary: 'Events, upcoming first (public ones to anyone, all to members); ?from=, ?past=true', params: AssociationParams, query: EventsQuery },
  { method: 'GET', path: '/events/{eventId}', fn: 'events', access: 'viewer', summary: 'One event with goingCount, waitlistCount, spotsLeft', params: EventParams },
  { method: 'PATCH', path: '/events/{eventId}', fn: 'events', access: 'organizer', summary: 'Update an event; capacity may grow (promotes the waitlist) but not below goingCount', params: EventParams, body: EventPatch, errors: [409, 422] },
  { method: 'POST', path: '/events/{eventId}/cancel', fn: 'events', access: 'organizer', summary: 'Cancel the event; attendees are emailed', params: EventParams, errors: [409] },
  { method: 'PUT', path: '/events/{eventId}/rsvp', fn: 'events', access: 'attendee', summary: 'RSVP going or not going', params: EventParams, body: RsvpPut, rateLimit: [rl.rsvp], readAhead: 'rsvp', errors: [409, 422] },
  { method: 'DELETE', path: '/events/{eventId}/rsvp', fn: 'events', access: 'signedIn', summary: "Cancel the caller's RSVP; the first waitlisted is promoted", params: EventParams, rateLimit: [rl.rsvp] },
  { method: 'GET', path: '/events/{eventId}/attendees', fn: 'events', access: 'organizer', summary: 'Attendees; ?status=', params: EventParams, query: AttendeesQuery },
  { method: 'GET', path: '/events/{eventId}/attendees/export', fn: 'events', access: 'organizer', summary: 'CSV of attendees (or {url} of a file); ?format=csv|url&preset=full|door|waitlist&status=going|waitlisted|all; past one page, 202 and a status URL', params: EventParams, query: ExportQuery, produces: 'text/csv', rateLimit: [rl.exports] },
  { method: 'POST', path: '/events/{eventId}/check-in', fn: 'events', access: 'organizer', summary: 'Mark an attendee present by userId or check-in code', params: EventParams, body: CheckIn, errors: [409] },
  { method: 'GET', path: '/events/{eventId}/calendar.ics', fn: 'events', access: 'viewer', summary: 'iCalendar file of the event', params: EventParams, produces: 'text/calendar' },
  { method: 'GET', path: '/events/{eventId}/waitlist/leave', fn: 'events', access: 'public', summary: 'Leave the waitlist from the link in the mail (signed token)', params: EventParams, query: TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages] },
  { method: 'POST', path: '/events/{eventId}/waitlist/leave', fn: 'events', access: 'public', summary: 'Leave the waitlist (signed token)', params: EventParams, query: TokenQuery, rateLimit: [rl.linkPages] },
  { method: 'GET', path: '/events/{eventId}/stats', fn: 'events', access: 'organizer', summary: 'RSVPs over time against capacity, check-ins per 15 minutes, match ratings', params: EventParams, query: EventStatsQuery },
];
