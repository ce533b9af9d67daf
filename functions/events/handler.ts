/** Lambda for events: publishing, RSVPs and the waitlist, attendees, exports, check-in, calendar. */
import { httpHandler, json } from '../core/http/router.js';
import { rateLimiting } from '../core/http/rate-limit.js';
import { eventsRoutes } from '../core/routes/events.js';
import { paging } from '../core/http/paging.js';
import { eventScheduler, eventsDeps, exportFiles, store, limiter } from '../core/deps.js';
import * as svc from '../core/services/events.js';
import { attendeeExportQuery, exportAttendees, listAttendees } from '../core/services/attendees.js';
import { exportReply } from '../core/http/export-reply.js';
import { eventView } from '../core/domain/events.js';
import { readLink } from '../core/http/links.js';
import { badRequest } from '../core/errors.js';
import { wantsHtml } from '../core/http/html.js';
import { htmlPage } from '../core/http/link-page.js';
import { eventStats } from '../core/services/stats.js';
import { optionalCaller } from '../core/http/tokens.js';

const deps = { ...eventsDeps(), scheduler: eventScheduler(), files: exportFiles() };
// A long list is written as a job item; the table's stream starts the export job with it.
const jobs = true;

async function leave({ access, params, query, now }: Parameters<Parameters<typeof httpHandler>[1][string]>[0]) {
  const link = await readLink('leave-waitlist', query.token, now);
  if (link.eventId !== params.eventId) throw badRequest('This link is for another event.', [{ path: 'token', message: 'is for another event' }]);
  return svc.leaveWaitlist(deps, params.eventId!, link.userId!, now);
}

export const handler = httpHandler(
  eventsRoutes,
  {
    'POST /associations/{associationId}/events': async ({ access, caller, body, now }) =>
      json(await svc.createEvent(deps, access.association!, caller!, body, now), 201),
    'GET /associations/{associationId}/events': async ({ access, query, now }) => {
      const p = paging(query, `events:${access.association!.associationId}:${query.from ?? ''}:${query.past ?? ''}:${access.membership ? 'm' : 'p'}`);
      const { items, lastKey } = await svc.listEvents(store, access.association!, access.membership, query, p.limit, p.startKey, now);
      return json(p.page(items, lastKey));
    },
    'GET /events/{eventId}': async ({ access }) => json(eventView(access.event!)),
    'PATCH /events/{eventId}': async ({ access, caller, body, now }) => json(await svc.patchEvent(deps, access.association!, access.event!, caller!, body, now)),
    'POST /events/{eventId}/cancel': async ({ access, caller, now }) => json(await svc.cancelEvent(deps, access.event!, caller!, now)),
    'PUT /events/{eventId}/rsvp': async ({ access, params, caller, body, now, rate }) =>
      json(await svc.rsvp(deps, params.eventId!, caller!, access.membership, body, now, { readAhead: access.readAhead, rate })),
    'DELETE /events/{eventId}/rsvp': async ({ access, params, caller, now }) => json(await svc.withdraw(deps, params.eventId!, caller!, now)),
    'GET /events/{eventId}/attendees': async ({ access, query }) => {
      const p = paging(query, `attendees:${access.event!.eventId}:${query.status ?? ''}`);
      const { items, lastKey } = await listAttendees(store, access.event!, query.status, p.limit, p.startKey);
      return json(p.page(items, lastKey));
    },
    'GET /events/{eventId}/attendees/export': async ({ access, caller, query, now }) => {
      const q = attendeeExportQuery(query);
      const out = await exportAttendees({ ...deps, jobs }, access.event!, access.association!.name, caller!, q, now);
      return exportReply(out, `${access.event!.eventId}-${q.status}.csv`);
    },
    'POST /events/{eventId}/check-in': async ({ access, caller, body, now }) => json(await svc.checkIn(store, access.event!, caller!, body, now)),
    'GET /events/{eventId}/calendar.ics': async ({ access }) => ({
      text: await svc.calendarFile(deps, access.event!, access.association!),
      headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': `attachment; filename="${access.event!.eventId}.ics"` },
    }),
    // GET only asks (mail scanners open links); the button's POST leaves.
    'GET /events/{eventId}/waitlist/leave': async ({ access, query, params, now }) => {
      const link = await readLink('leave-waitlist', query.token, now);
      if (link.eventId !== params.eventId) throw badRequest('This link is for another event.', [{ path: 'token', message: 'is for another event' }]);
      return htmlPage('Leave the waitlist', [`Leave the waitlist for ${access.event!.title}?`], { label: 'Leave the waitlist', action: `?token=${encodeURIComponent(query.token)}` });
    },
    'POST /events/{eventId}/waitlist/leave': async (ctx) => {
      const r = await leave(ctx);
      if (!wantsHtml(ctx.headers)) return json(r);
      const title = ctx.access.event!.title;
      return htmlPage(
        r.status === 'going' ? 'You are registered' : 'You left the waitlist',
        [r.status === 'going' ? `You already have a spot at ${title}; to cancel, use the event page.` : `You are no longer on the waitlist for ${title}.`],
      );
    },
    'GET /events/{eventId}/stats': async ({ access }) => json(await eventStats(store, access.event!)),
  },
  { store, limiter: rateLimiting(limiter), optionalCaller },
);
