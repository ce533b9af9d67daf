/**
 * The organizer's event page and its forms: the same services and the same access rule
 * (the catalog's entry of each API route a form stands for) as the API. The page's own
 * GET uses the rule of GET /events/{eventId}/attendees: one rule, two doors.
 */
import type { PageHelpers, PageReq, PageRoute, Result } from './page-kit.js';
import { routes, routeKey } from '../core/api.js';
import { enforceRateLimits } from '../core/http/rate-limit.js';
import { authorize } from '../core/http/access.js';
import { fieldErrors } from '../core/http/router.js';
import { decodeCursor, encodeCursor } from '../core/http/cursor.js';
import { HttpProblem, badRequest, unprocessable } from '../core/errors.js';
import { limiter, store } from '../core/deps.js';
import type { SchedulingDeps } from '../core/services/events.js';
import * as s from '../core/schemas.js';
import { cancelEvent, checkIn, createEvent, patchEvent } from '../core/services/events.js';
import { exportAttendees, listAttendees } from '../core/services/attendees.js';
import { eventMatches, preview, send } from '../core/services/matching.js';
import { eventPhase } from '../core/domain/events.js';
import { cancelEventPage, manageEventPage, type AttendeeFilter, type ManageEventData, type MatchFeedbackData } from './manage-event.js';
import { blankValues, eventFormPage, inputFromValues, patchFromValues, valuesFromEvent, valuesFromForm, withCrossFieldErrors, type EventFormValues } from './event-form.js';
import { withEventCharts } from './charts.js';

type Req = PageReq;

export interface ManageHelpers extends PageHelpers {
  deps: SchedulingDeps & { jobs?: boolean };
}

type Route = PageRoute;

const PAGE_SIZE = 50;
const FILTERS: AttendeeFilter[] = ['going', 'waitlisted', 'all'];
/** The three presets the page offers, as the export service's query (see ExportQuery). */
const PRESETS: Record<string, { preset: 'full' | 'minimal'; status: 'going' | 'waitlisted' | 'all'; name: string }> = {
  full: { preset: 'full', status: 'all', name: 'full' },
  door: { preset: 'minimal', status: 'going', name: 'door-list' },
  waitlist: { preset: 'full', status: 'waitlisted', name: 'waitlist' },
};
const NOTICES: Record<string, string> = {
  cancelled: 'The event is cancelled. Everyone going or waitlisted is being emailed.',
  created: 'The event is created. Share its public page to let people RSVP.',
  saved: 'Your changes are saved. If the time or place changed, everyone going or waitlisted is being emailed.',
  unchanged: 'Nothing changed, so nothing was saved.',
  export: 'The list is long, so the file is being prepared: a link to it will be mailed to you in a few minutes.',
};
const FEEDBACK_PAGE_SIZE = 20;

/** A refusal the organizer can act on is answered on the page; anything else is the page-level handler's. */
const isFormProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.statusCode < 500 && err.statusCode !== 401 && err.statusCode !== 403;

export function manageEventPages(x: ManageHelpers): Route[] {
  const path = (id: string) => `/manage/events/${encodeURIComponent(id)}`;
  const organizer = (method: string, apiPath: string, req: Req, eventId: string) => authorize(x.accessOf(method, apiPath), { eventId }, req.caller, store);
  /** The API route's own rate limits, on the same counters: the page is not a way around them. */
  const limited = (method: string, apiPath: string, req: Req, eventId: string) => {
    const spec = routes.find((r) => routeKey(r) === `${method} ${apiPath}`)!;
    return spec.rateLimit?.length ? enforceRateLimits(spec.rateLimit, { userId: req.caller?.userId, params: { eventId } }, limiter, req.now) : Promise.resolve();
  };

  async function render(req: Req, eventId: string, extra: Partial<ManageEventData> & { status?: number } = {}): Promise<Result> {
    const a = await organizer('GET', '/events/{eventId}/attendees', req, eventId);
    const event = a.event!;
    const filter = (FILTERS as string[]).includes(req.query.get('status') ?? '') ? (req.query.get('status') as AttendeeFilter) : 'going';
    // The same cursor scope as the API's list, so a cursor of one filter is refused by another.
    const scope = `attendees:${event.eventId}:${filter === 'all' ? '' : filter}`;
    const startKey = decodeCursor(req.query.get('cursor') ?? undefined, scope);
    const list = await listAttendees(store, event, filter === 'all' ? undefined : filter, PAGE_SIZE, startKey);
    let notice = extra.notice;
    const checked = req.query.get('checkedIn');
    if (!notice && checked) {
      const r = await store.getRsvp(event.eventId, checked);
      if (r?.checkedInAt) notice = req.query.get('already') ? `${r.name} was already checked in.` : `${r.name} is checked in.`;
    }
    if (!notice) notice = NOTICES[req.query.get('done') ?? ''];
    const feedback = event.matchmaking?.enabled ? await matchFeedback(event, req) : undefined;
    const { status, ...rest } = extra;
    const html = manageEventPage({
      url: `${x.appUrl}${path(eventId)}`,
      user: x.userOf(req.caller)!,
      event,
      phase: eventPhase(event, req.now),
      attendees: list.items,
      filter,
      nextCursor: encodeCursor(list.lastKey, scope),
      feedback,
      ...rest,
      notice,
    });
    return x.htmlResult(status ?? 200, await withEventCharts(html, { store, caller: req.caller, eventId }));
  }

  /**
   * The stored matches with their feedback, as GET /events/{eventId}/matches gives them (the
   * event's own match items, read by key prefix), and the two people's names by key.
   */
  async function matchFeedback(event: ManageEventData['event'], req: Req): Promise<MatchFeedbackData | undefined> {
    const scope = `matches:${event.eventId}`;
    const startKey = decodeCursor(req.query.get('matchesCursor') ?? undefined, scope);
    const m = await eventMatches(store, event, FEEDBACK_PAGE_SIZE, startKey);
    if (!m.run) return undefined;
    const ids = [...new Set(m.items.flatMap((x) => [x.a, x.b]))];
    const names = new Map((await Promise.all(ids.map((id) => store.getRsvp(event.eventId, id)))).filter((r) => !!r).map((r) => [r!.userId, r!.name]));
    return {
      stats: m.stats,
      rows: m.items.map((x) => ({ matchId: x.matchId, a: names.get(x.a) ?? 'Someone', b: names.get(x.b) ?? 'Someone', feedbackA: x.feedback.a ?? null, feedbackB: x.feedback.b ?? null, introduced: !!x.introSentAt })),
      nextCursor: encodeCursor(m.lastKey, scope),
    };
  }

  async function postCheckIn(req: Req, eventId: string): Promise<Result> {
    if (!req.caller) return x.signInRedirect(path(eventId));
    x.assertSameOrigin(req);
    const a = await organizer('POST', '/events/{eventId}/check-in', req, eventId);
    const userId = req.form.get('userId');
    // People type codes in lower case and with spaces; the mail shows them upper case.
    const code = (req.form.get('code') ?? '').replace(/\s+/g, '').toUpperCase();
    try {
      const parsed = s.CheckIn.safeParse(userId ? { userId } : { code });
      if (!parsed.success) throw badRequest(code ? 'This is not a check-in code; nobody was checked in.' : 'Enter the check-in code; nobody was checked in.', code ? fieldErrors(parsed.error) : [{ path: 'code', message: 'must not be empty' }]);
      const r = await checkIn(store, a.event!, req.caller, parsed.data, req.now);
      return x.redirect(`${path(eventId)}?checkedIn=${encodeURIComponent(r.userId)}${r.alreadyCheckedIn ? '&already=1' : ''}#check-in`);
    } catch (err) {
      if (isFormProblem(err)) {
        const errors = err.errors?.length ? err.errors : [{ path: userId ? 'userId' : 'code', message: err.message.replace(/\.$/, '').replace(/^No attendee has this code/, 'matches no attendee') }];
        return render(req, eventId, { status: err.statusCode, error: { section: 'check-in', detail: err.message, errors }, typedCode: code });
      }
      throw err;
    }
  }

  async function download(req: Req, eventId: string): Promise<Result> {
    if (!req.caller) return x.signInRedirect(path(eventId));
    const a = await organizer('GET', '/events/{eventId}/attendees/export', req, eventId);
    const p = PRESETS[req.query.get('preset') ?? ''];
    if (!p) throw badRequest('There is no such export.', [{ path: 'preset', message: 'must be full, door or waitlist' }]);
    await limited('GET', '/events/{eventId}/attendees/export', req, eventId);
    const out = await exportAttendees(x.deps, a.event!, a.association!.name, req.caller, { format: 'csv', preset: p.preset, status: p.status }, req.now);
    if (out.kind === 'url') return x.redirect(out.url);
    // A long list is made by the background job; the link comes by mail.
    if (out.kind === 'job') return x.redirect(`${path(eventId)}?done=export`);
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${eventId}-${p.name}.csv"`, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' },
      body: out.csv,
    };
  }

  async function confirmCancel(req: Req, eventId: string, error?: { detail: string }): Promise<Result> {
    const a = await organizer('POST', '/events/{eventId}/cancel', req, eventId);
    if (a.event!.status === 'cancelled') return x.redirect(path(eventId));
    return x.htmlResult(error ? 400 : 200, cancelEventPage({ url: `${x.appUrl}${path(eventId)}/cancel`, user: x.userOf(req.caller)!, event: a.event!, error }));
  }

  async function postCancel(req: Req, eventId: string): Promise<Result> {
    if (!req.caller) return x.signInRedirect(path(eventId));
    x.assertSameOrigin(req);
    const a = await organizer('POST', '/events/{eventId}/cancel', req, eventId);
    if (req.form.get('confirm') !== 'cancel') return confirmCancel(req, eventId, { detail: 'Confirm with the button below to cancel the event.' });
    try {
      await cancelEvent(x.deps, a.event!, req.caller, req.now);
    } catch (err) {
      if (isFormProblem(err)) return render(req, eventId, { status: err.statusCode, error: { section: 'cancel', detail: err.message } });
      throw err;
    }
    return x.redirect(`${path(eventId)}?done=cancelled`);
  }

  async function postMatches(req: Req, eventId: string, action: string): Promise<Result> {
    if (!req.caller) return x.signInRedirect(path(eventId));
    x.assertSameOrigin(req);
    try {
      if (action === 'preview') {
        const a = await organizer('POST', '/events/{eventId}/matches/preview', req, eventId);
        await limited('POST', '/events/{eventId}/matches/preview', req, eventId);
        const p = await preview(store, a.event!);
        return render(req, eventId, { preview: { figures: p.figures, matches: p.matches.length, k: a.event!.matchmaking?.matchesPerAttendee ?? 3 } });
      }
      const a = await organizer('POST', '/events/{eventId}/matches/send', req, eventId);
      const r = await send(x.deps, a.association!, a.event!, req.caller.userId, req.now);
      return render(req, eventId, { notice: `Matches sent: ${r.matches} matches, ${r.mailsQueued} emails on their way.` });
    } catch (err) {
      if (isFormProblem(err)) return render(req, eventId, { status: err.statusCode, error: { section: 'matching', detail: err.message } });
      throw err;
    }
  }

  // ---------------------------------------------------------------- new event and edit

  /** The form's refusals: the schema's or the service's, each field named, what was typed kept. */
  const formErrors = (err: HttpProblem) => ({ detail: err.message, errors: err.errors ?? [] });

  async function newEventForm(req: Req, associationId: string, typed?: EventFormValues, error?: { status: number; detail: string; errors: { path: string; message: string }[] }, rows?: number[]): Promise<Result> {
    const here = `/manage/associations/${encodeURIComponent(associationId)}/events/new`;
    if (!req.caller) return x.signInRedirect(here);
    const a = await authorize(x.accessOf('POST', '/associations/{associationId}/events'), { associationId }, req.caller, store);
    const html = eventFormPage({
      url: `${x.appUrl}${here}`,
      user: x.userOf(req.caller)!,
      mode: 'new',
      action: here,
      back: `/manage/associations/${encodeURIComponent(associationId)}#events`,
      associationName: a.association!.name,
      values: typed ?? blankValues(a.association!.timezone),
      error,
      rows,
    });
    return x.htmlResult(error?.status ?? 200, html);
  }

  async function postNewEvent(req: Req, associationId: string): Promise<Result> {
    if (!req.caller) return x.signInRedirect(`/manage/associations/${encodeURIComponent(associationId)}/events/new`);
    x.assertSameOrigin(req);
    const a = await authorize(x.accessOf('POST', '/associations/{associationId}/events'), { associationId }, req.caller, store);
    const typed = valuesFromForm(req.form);
    const { input, rows } = inputFromValues(typed);
    try {
      // The API's own schema: the form cannot make an event the API would refuse.
      const parsed = s.EventCreate.safeParse(input);
      if (!parsed.success) throw badRequest('The event is not valid; nothing was saved.', withCrossFieldErrors(fieldErrors(parsed.error), input));
      const e = await createEvent(x.deps, a.association!, req.caller, parsed.data, req.now);
      return x.redirect(`${path(e.eventId)}?done=created`);
    } catch (err) {
      if (isFormProblem(err)) return newEventForm(req, associationId, typed, { status: err.statusCode, ...formErrors(err) }, rows);
      throw err;
    }
  }

  async function editForm(req: Req, eventId: string, typed?: EventFormValues, error?: { status: number; detail: string; errors: { path: string; message: string }[] }, rows?: number[]): Promise<Result> {
    if (!req.caller) return x.signInRedirect(`${path(eventId)}/edit`);
    const a = await organizer('PATCH', '/events/{eventId}', req, eventId);
    // A cancelled event cannot change (the service says so); its page says it instead.
    if (a.event!.status === 'cancelled') return x.redirect(path(eventId));
    const html = eventFormPage({
      url: `${x.appUrl}${path(eventId)}/edit`,
      user: x.userOf(req.caller)!,
      mode: 'edit',
      action: `${path(eventId)}/edit`,
      back: path(eventId),
      associationName: a.association!.name,
      values: typed ?? valuesFromEvent(a.event!),
      event: a.event!,
      error,
      rows,
    });
    return x.htmlResult(error?.status ?? 200, html);
  }

  async function postEdit(req: Req, eventId: string): Promise<Result> {
    if (!req.caller) return x.signInRedirect(`${path(eventId)}/edit`);
    x.assertSameOrigin(req);
    const a = await organizer('PATCH', '/events/{eventId}', req, eventId);
    const typed = valuesFromForm(req.form);
    const { patch, rows, refusals } = patchFromValues(a.event!, typed);
    try {
      if (refusals.length) throw unprocessable('Some fields cannot be changed this way; nothing was saved.', refusals);
      if (Object.keys(patch).length === 0) return x.redirect(`${path(eventId)}?done=unchanged`);
      const parsed = s.EventPatch.safeParse(patch);
      if (!parsed.success) throw badRequest('The changes are not valid; nothing was saved.', withCrossFieldErrors(fieldErrors(parsed.error), inputFromValues(typed).input));
      await patchEvent(x.deps, a.association!, a.event!, req.caller, parsed.data, req.now);
      return x.redirect(`${path(eventId)}?done=saved`);
    } catch (err) {
      if (isFormProblem(err)) return editForm(req, eventId, typed, { status: err.statusCode, ...formErrors(err) }, rows);
      throw err;
    }
  }

  return [
    { method: 'GET', pattern: /^\/manage\/associations\/([^/]+)\/events\/new$/, run: (req, id) => newEventForm(req, id!) },
    { method: 'POST', pattern: /^\/manage\/associations\/([^/]+)\/events\/new$/, run: (req, id) => postNewEvent(req, id!) },
    { method: 'GET', pattern: /^\/manage\/events\/([^/]+)\/edit$/, run: (req, id) => editForm(req, id!) },
    { method: 'POST', pattern: /^\/manage\/events\/([^/]+)\/edit$/, run: (req, id) => postEdit(req, id!) },
    { method: 'GET', pattern: /^\/manage\/events\/([^/]+)$/, run: (req, id) => (req.caller ? render(req, id!) : Promise.resolve(x.signInRedirect(path(id!)))) },
    { method: 'POST', pattern: /^\/manage\/events\/([^/]+)\/check-in$/, run: (req, id) => postCheckIn(req, id!) },
    { method: 'GET', pattern: /^\/manage\/events\/([^/]+)\/export$/, run: (req, id) => download(req, id!) },
    { method: 'GET', pattern: /^\/manage\/events\/([^/]+)\/cancel$/, run: (req, id) => (req.caller ? confirmCancel(req, id!) : Promise.resolve(x.signInRedirect(`${path(id!)}/cancel`))) },
    { method: 'POST', pattern: /^\/manage\/events\/([^/]+)\/cancel$/, run: (req, id) => postCancel(req, id!) },
    { method: 'POST', pattern: /^\/manage\/events\/([^/]+)\/matches\/(preview|send)$/, run: (req, id, action) => postMatches(req, id!, action!) },
  ];
}
