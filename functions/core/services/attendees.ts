/** Attendee lists and exports of an event, with waitlist positions and live membership. */
import type { Store } from '../data/store.js';
import type { Event, Rsvp } from '../domain/events.js';
import type { Member } from '../domain/types.js';
import type { Column } from '../domain/csv.js';
import { allPages, exportRows, onePage, PAGE_ROWS, type ExportDeps, type ExportPlan } from './exports.js';
import { attendeeView } from './events.js';
import type { ExportsRepo, MembersRepo, PlansRepo, RsvpsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type AttendeesStore = ExportsRepo & MembersRepo & PlansRepo & RsvpsRepo;

/** userId → 1-based waitlist position, from the waitlist's own order. */
async function waitlistPositions(store: AttendeesStore, eventId: string): Promise<Map<string, number>> {
  const positions = new Map<string, number>();
  const head = await store.waitlistHead(eventId, 1_000_000);
  head.forEach((w, i) => positions.set(w.userId, i + 1));
  return positions;
}

export async function listAttendees(store: AttendeesStore, event: Event, status: string | undefined, limit: number, startKey?: Record<string, unknown>) {
  const page = await store.rsvpsOfEvent(event.eventId, status, { limit, startKey });
  const positions = page.items.some((r) => r.status === 'waitlisted') ? await waitlistPositions(store, event.eventId) : new Map<string, number>();
  return { items: page.items.map((r) => attendeeView(r, positions.get(r.userId))), lastKey: page.lastKey };
}

type Row = { r: Rsvp; position?: number; member?: Member; planName?: string };

function columns(event: Event, preset: 'full' | 'minimal'): Column<Row>[] {
  if (preset === 'minimal') {
    // A venue's door list: no emails, no answers.
    return [
      { header: 'name', value: (x) => x.r.name },
      { header: 'company', value: (x) => x.r.company },
      { header: 'guests', value: (x) => x.r.guests },
    ];
  }
  const answer = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('; ') : v);
  return [
    { header: 'name', value: (x) => x.r.name },
    { header: 'email', value: (x) => x.r.email },
    { header: 'company', value: (x) => x.r.company },
    { header: 'jobTitle', value: (x) => x.r.jobTitle },
    { header: 'status', value: (x) => x.r.status },
    { header: 'waitlistPosition', value: (x) => x.position },
    { header: 'rsvpAt', value: (x) => x.r.rsvpAt },
    { header: 'guests', value: (x) => x.r.guests },
    { header: 'checkedIn', value: (x) => (x.r.checkedInAt ? 'yes' : 'no') },
    { header: 'checkedInAt', value: (x) => x.r.checkedInAt },
    { header: 'membershipStatus', value: (x) => x.member?.status ?? 'non-member' },
    { header: 'membershipPlan', value: (x) => x.planName },
    ...event.questions.map((q) => ({ header: q.label, value: (x: Row) => answer(x.r.answers?.[q.id]) })),
  ];
}

export type AttendeeExportQuery = { preset: 'full' | 'minimal'; status: 'going' | 'waitlisted' | 'all' };

/** The API's presets (docs/events.md) as columns and statuses. */
export function attendeeExportQuery(q: { format: 'csv' | 'url'; preset: 'full' | 'door' | 'waitlist' | 'minimal'; status?: 'going' | 'waitlisted' | 'all' }): AttendeeExportQuery & { format: 'csv' | 'url' } {
  if (q.preset === 'waitlist') return { format: q.format, preset: 'full', status: 'waitlisted' };
  return { format: q.format, preset: q.preset === 'full' ? 'full' : 'minimal', status: q.status ?? 'going' };
}

/**
 * How an event's attendees are read for an export (by the request, or by the job for a long
 * list). Pages stream through, except the waitlist, which exports in its own order and so is
 * gathered and sorted first. Membership is read live, once for the whole association, then
 * joined in memory: memory grows with the association's members, not with the attendees.
 */
export function attendeesExportPlan(store: AttendeesStore, event: Event, associationName: string, q: AttendeeExportQuery): ExportPlan<Row> {
  const statuses = q.status === 'all' ? ['going', 'waitlisted'] : [q.status];
  const read = (status: string | undefined) => (startKey?: Record<string, unknown>) => store.rsvpsOfEvent(event.eventId, status, { limit: PAGE_ROWS, startKey });
  async function* pages(): AsyncIterable<Row[]> {
    // The list's first page, the membership, the plans and the waitlist are read at once: none
    // needs another, and a job's start is these round trips one after the other otherwise.
    const firstPage = read(statuses[0])();
    firstPage.catch(() => undefined); // awaited below; a failure of the other reads first must not leave it unhandled
    const readMembers = async () => {
      const members = new Map<string, Member>();
      if (q.preset === 'full') {
        for await (const page of allPages((startKey) => store.membersOfAssociation(event.associationId, {}, { limit: PAGE_ROWS, startKey }))) {
          for (const m of page) members.set(m.userId, m);
        }
      }
      return members;
    };
    const [members, plans, positions] = await Promise.all([
      readMembers(),
      store.plansOfAssociation(event.associationId).then((ps) => new Map(ps.map((p) => [p.planId, p.name]))),
      q.status !== 'going' ? waitlistPositions(store, event.eventId) : new Map<string, number>(),
    ]);
    const toRow = (r: Rsvp): Row => {
      const member = members.get(r.userId);
      return { r, position: positions.get(r.userId), member, planName: member ? plans.get(member.planId) : undefined };
    };
    for (const [i, status] of statuses.entries()) {
      const list = allPages(read(status), i === 0 ? firstPage : undefined);
      if (status === 'waitlisted') {
        const waiting: Row[] = [];
        for await (const page of list) waiting.push(...page.map(toRow));
        yield waiting.sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity));
        continue;
      }
      for await (const page of list) yield page.map(toRow);
    }
  }
  return {
    what: q.status === 'waitlisted' ? 'waitlist' : 'attendees',
    subjectId: event.eventId,
    associationName,
    listName: `${q.status === 'waitlisted' ? 'waitlist' : 'attendees'} of ${event.title}`,
    fileName: `${event.eventId}-${q.status}-${q.preset}.csv`,
    columns: columns(event, q.preset),
    // One Query of the event's RSVPs (any status) covers the list: it fits one page.
    fitsOnePage: () => onePage(read(q.status === 'all' ? undefined : q.status)),
    pages,
  };
}

export async function exportAttendees(
  deps: ExportDeps<AttendeesStore>,
  event: Event,
  associationName: string,
  actor: { userId: string; email: string },
  q: AttendeeExportQuery & { format: 'csv' | 'url' },
  now: Date,
) {
  const query = { preset: q.preset, status: q.status };
  return exportRows<Row>({
    ...deps,
    associationId: event.associationId,
    spec: { list: 'attendees', eventId: event.eventId, ...query },
    plan: attendeesExportPlan(deps.store, event, associationName, query),
    actor,
    format: q.format,
    now,
  });
}
