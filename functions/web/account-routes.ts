/**
 * The account page's receipts and matches: their reads (all by key under the caller's own
 * partition) and their forms. Each form uses the access rule of the API route it stands
 * for, through the catalog and http/access.ts, and the same service.
 */
import type { PageHelpers, PageReq, PageRoute, Result } from './page-kit.js';
import { routes, routeKey } from '../core/api.js';
import { enforceRateLimits } from '../core/http/rate-limit.js';
import { authorize, type Caller } from '../core/http/access.js';
import { HttpProblem, notFound } from '../core/errors.js';
import { limiter, store } from '../core/deps.js';
import type { AccountReads } from '../core/data/web-account.js';
import type { EventsDeps } from '../core/services/events.js';
import { feedback, introduce, myMatches } from '../core/services/matching.js';
import { connectionStates } from '../core/services/connections.js';
import { mayConnect } from '../core/domain/connections.js';
import { feedbackInput, type AccountMatchEvent, type MatchFormError } from './account-matches.js';
import { receiptPage, type ReceiptRow } from './account-receipts.js';

type Req = PageReq;

export interface AccountHelpers extends PageHelpers {
  deps: EventsDeps;
  reads: AccountReads;
  /** The account page again, with a refused form's problem and what was typed. */
  renderAccount: (req: Req, extra: { status: number; matchError: MatchFormError }) => Promise<Result>;
}

type Route = PageRoute;

/** Payments shown per membership; older ones are in the data download. */
export const RECEIPTS_SHOWN = 10;
/** Match pointers read per page view: a few events' worth (k matches per event). */
const MATCH_REFS = 60;

/** The member's own ledger entries in one association, newest first (gsi1, by payer). */
export async function receiptsOf(associationId: string, userId: string): Promise<{ rows: ReceiptRow[]; more: boolean }> {
  const page = await store.paymentsOf(associationId, { limit: RECEIPTS_SHOWN }, userId);
  return { rows: page.items, more: !!page.lastKey };
}

/**
 * The caller's matches, per event, newest event first: their match pointers say which
 * events, then each event's matches are the matching service's (GET /events/{id}/matches/me),
 * under that route's access rule. An event the caller may no longer see is left out. Each
 * person carries where they stand with the caller (Connect, Request sent, ...).
 */
export async function matchesOf(h: Pick<AccountHelpers, 'reads' | 'accessOf'>, caller: Caller, now: Date): Promise<AccountMatchEvent[]> {
  const refs = await h.reads.matchRefsOfUser(caller.userId, MATCH_REFS);
  const eventIds = [...new Set(refs.map((r) => r.eventId))];
  const access = h.accessOf('GET', '/events/{eventId}/matches/me');
  const out = await Promise.all(
    eventIds.map(async (eventId): Promise<AccountMatchEvent | undefined> => {
      let event;
      try {
        event = (await authorize(access, { eventId }, caller, store)).event!;
      } catch (err) {
        if (err instanceof HttpProblem && (err.statusCode === 403 || err.statusCode === 404)) return undefined;
        throw err;
      }
      if (event.status === 'cancelled') return undefined;
      const { items } = await myMatches(store, event, caller.userId);
      return { event, ended: Date.parse(event.endsAt) <= now.getTime(), items };
    }),
  );
  const shown = out.filter((x): x is AccountMatchEvent => !!x && x.items.length > 0).sort((a, b) => (a.event.startsAt < b.event.startsAt ? 1 : -1));
  // Where I stand with everyone shown, in one BatchGet of our pair records.
  const [connections, askable] = await Promise.all([
    connectionStates(store, caller.userId, shown.flatMap((x) => x.items.map((m) => m.person.userId)), now),
    // Who may be asked from here: a match may be a guest of a public event, or a member not (or no longer) in good standing; one BatchGet per event.
    Promise.all(
      shown.map(async (x) => {
        const ids = x.items.map((m) => m.person.userId);
        const members = await store.batchGetMembers(x.event.associationId, [caller.userId, ...ids]);
        return new Set(mayConnect(members.get(caller.userId)) ? ids.filter((id) => mayConnect(members.get(id))) : []);
      }),
    ),
  ]);
  return shown.map((x, i) => ({ ...x, connections, askable: askable[i] }));
}

export function accountRoutes(h: AccountHelpers): Route[] {
  /** The API route's own rate limits, on the same counters (the per-address ones are the API gateway's). */
  const limited = (method: string, apiPath: string, req: Req, params: Record<string, string>) => {
    const spec = routes.find((r) => routeKey(r) === `${method} ${apiPath}`)!;
    const limits = (spec.rateLimit ?? []).filter((l) => l.per !== 'ip');
    return limits.length ? enforceRateLimits(limits, { userId: req.caller?.userId, params }, limiter, req.now) : Promise.resolve();
  };

  /** A printable receipt, for the payer only: the read is under their own key, so any other id is not found. */
  async function receipt(req: Req, paymentId: string): Promise<Result> {
    const next = `/account/receipts/${encodeURIComponent(paymentId)}?${req.query.toString()}`;
    if (!req.caller) return h.signInRedirect(next);
    await authorize(h.accessOf('GET', '/me/export'), {}, req.caller, store);
    const associationId = req.query.get('association') ?? '';
    const p = associationId ? await h.reads.paymentOfPayer(req.caller.userId, associationId, paymentId) : undefined;
    if (!p || !(p.type === undefined || p.type === 'payment' || p.type === 'refund')) throw notFound('You have no receipt with this number.');
    const [association, member] = await Promise.all([store.getAssociation(associationId), store.getMember(associationId, req.caller.userId)]);
    if (!association) throw notFound('You have no receipt with this number.');
    const plan = member?.planId ? await store.getPlan(associationId, member.planId) : undefined;
    return h.htmlResult(
      200,
      receiptPage({ url: `${h.appUrl}${next}`, user: h.userOf(req.caller)!, payment: p, association, planName: plan?.name ?? '', memberName: member?.name ?? req.caller.name ?? '' }),
    );
  }

  /** "Introduce us" signed in: the session speaks for the person as the mail's signed link does. */
  async function postIntroduce(req: Req, eventId: string, matchId: string): Promise<Result> {
    if (!req.caller) return h.signInRedirect('/account#matches');
    h.assertSameOrigin(req);
    const a = await authorize(h.accessOf('GET', '/events/{eventId}/matches/me'), { eventId }, req.caller, store);
    try {
      await limited('POST', '/events/{eventId}/matches/{matchId}/introduce', req, { eventId, matchId });
      const r = await introduce(h.deps, a.association!, a.event!, matchId, req.caller.userId, req.now);
      return h.redirect(`/account?saved=${r.introduced ? 'introduced' : 'intro-asked'}#matches`);
    } catch (err) {
      // Refusals the person can read (no longer registered, too many asks) are answered on the page.
      if (err instanceof HttpProblem && err.statusCode < 500 && err.statusCode !== 404 && err.statusCode !== 403) {
        return h.renderAccount(req, { status: err.statusCode, matchError: { eventId, matchId, detail: err.message, errors: [], typed: {} } });
      }
      throw err;
    }
  }

  async function postFeedback(req: Req, eventId: string, matchId: string): Promise<Result> {
    if (!req.caller) return h.signInRedirect('/account#matches');
    h.assertSameOrigin(req);
    const a = await authorize(h.accessOf('POST', '/events/{eventId}/matches/{matchId}/feedback'), { eventId }, req.caller, store);
    const input = feedbackInput(req.form);
    if (!input.ok) {
      const typed = { rating: req.form.get('rating') ?? undefined, met: req.form.get('met') ?? undefined };
      return h.renderAccount(req, { status: 400, matchError: { eventId, matchId, detail: 'The feedback is not complete; nothing was saved.', errors: input.errors, typed } });
    }
    await feedback(store, a.event!, matchId, req.caller.userId, input.value, req.now);
    return h.redirect('/account?saved=feedback#matches');
  }

  return [
    { method: 'GET', pattern: /^\/account\/receipts\/([^/]+)$/, run: (req, id) => receipt(req, id!) },
    { method: 'POST', pattern: /^\/account\/matches\/([^/]+)\/([^/]+)\/introduce$/, run: (req, e, m) => postIntroduce(req, e!, m!) },
    { method: 'POST', pattern: /^\/account\/matches\/([^/]+)\/([^/]+)\/feedback$/, run: (req, e, m) => postFeedback(req, e!, m!) },
  ];
}
