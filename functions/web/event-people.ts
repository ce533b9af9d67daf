/**
 * "People who were there" on a past event's page (/e/{eventId}), for someone checked in at it:
 * the other checked-in attendees who are listed in the association's directory, each with the
 * directory's connect control (Connect, Request sent, Accept/Decline, Connected), 50 a page by
 * cursor. Only for a member who may read the directory (the catalog's rule for
 * GET /associations/{id}/directory): anyone else sees no section. The forms answer back here.
 */
import { escapeHtml as h } from '../core/http/html.js';
import { authorize, type Caller } from '../core/http/access.js';
import { decodeCursor, encodeCursor } from '../core/http/cursor.js';
import { HttpProblem } from '../core/errors.js';
import type { Access } from '../core/api.js';
import { store } from '../core/deps.js';
import { attendeesToMeet, type AttendeeToMeet } from '../core/services/connections.js';
import type { Event, Rsvp } from '../core/domain/events.js';
import { CONNECT_NOTICES, connectControl } from './network.js';

export const PEOPLE_PAGE = 50;

export interface PeopleSectionData {
  eventId: string;
  associationId: string;
  items: AttendeeToMeet[];
  /** This page's cursor (absent on the first), and the next page's. */
  cursor?: string;
  nextCursor: string | null;
  notice?: string;
}

/** The section, as a string; every value escaped. */
export function peopleSection(d: PeopleSectionData): string {
  const base = `/e/${encodeURIComponent(d.eventId)}`;
  const here = `${base}${d.cursor ? `?${new URLSearchParams({ people: d.cursor })}` : ''}#people`;
  const card = (p: AttendeeToMeet) => {
    const role = [p.jobTitle, p.company].filter(Boolean).join(', ');
    return `<li class="card person"><h3 class="card-name">${h(p.name)}</h3>${role ? `<p>${h(role)}</p>` : ''}${p.headline ? `<p><em>${h(p.headline)}</em></p>` : ''}${connectControl({ associationId: d.associationId, userId: p.userId, name: p.name, eventId: d.eventId, connection: p.connection, next: here })}</li>`;
  };
  const nav = [d.cursor ? `<a href="${h(`${base}#people`)}">First page</a>` : '', d.nextCursor ? `<a href="${h(`${base}?${new URLSearchParams({ people: d.nextCursor })}#people`)}">More people</a>` : ''].filter(Boolean).join(' · ');
  return `<section id="people" aria-labelledby="people-title" class="directory"><h2 id="people-title">People who were there</h2>
${d.notice ? `<p class="notice" role="status">${h(d.notice)}</p>` : ''}
<p class="hint">Others who checked in and are listed in the members directory. Connect to add them to <a href="/account/network">your network</a>; they accept or decline.</p>
${d.items.length ? `<ul class="plain people">${d.items.map(card).join('')}</ul>` : '<p>Nobody else who was there is listed in the directory.</p>'}
${nav ? `<nav aria-label="More people who were there"><p>${nav}</p></nav>` : ''}</section>`;
}

/**
 * The section for this visitor, or undefined: only once the event is over, for someone
 * checked in at it who may read the association's directory.
 */
export async function peopleFor(req: { caller: Caller | null; query: URLSearchParams; now: Date }, event: Event, rsvp: Rsvp | undefined, accessOf: (method: string, path: string) => Access): Promise<string | undefined> {
  const caller = req.caller;
  if (!caller || !rsvp?.checkedInAt || Date.parse(event.endsAt) > req.now.getTime()) return undefined;
  try {
    await authorize(accessOf('GET', '/associations/{associationId}/directory'), { associationId: event.associationId }, caller, store);
  } catch (err) {
    if (err instanceof HttpProblem && (err.statusCode === 403 || err.statusCode === 404)) return undefined;
    throw err;
  }
  const scope = `checkedin:${event.eventId}`;
  const cursor = req.query.get('people') ?? undefined;
  const page = await attendeesToMeet(store, event, caller.userId, { limit: PEOPLE_PAGE, startKey: decodeCursor(cursor, scope) }, req.now);
  return peopleSection({ eventId: event.eventId, associationId: event.associationId, items: page.items, cursor, nextCursor: encodeCursor(page.lastKey, scope), notice: CONNECT_NOTICES[req.query.get('done') ?? ''] });
}
