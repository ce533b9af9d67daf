/**
 * Lambda for the web app's server-rendered pages (behind CloudFront in AWS, behind the
 * local gateway locally). Pages read through the same services and the same access
 * rules (http/access.ts, with the catalog's access values) as the API; never over HTTP.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documentClient } from '../core/clients.js';
import { config, required } from '../core/config.js';
import { eventScheduler, eventsDeps, privacyData, store } from '../core/deps.js';
import { duesDeps } from '../core/deps-dues.js';
import { createWebReads } from '../core/data/web.js';
import { routes, routeKey, type Access } from '../core/api.js';
import { authorize, type Caller } from '../core/http/access.js';
import { optionalCaller } from '../core/http/tokens.js';
import { fieldErrors } from '../core/http/router.js';
import { HttpProblem, badRequest, forbidden, notFound } from '../core/errors.js';
import { logger } from '../core/http/logger.js';
import { canSee } from '../core/domain/events.js';
import { roleAtLeast } from '../core/domain/roles.js';
import * as s from '../core/schemas.js';
// Named imports, so the bundle keeps only what the pages call (no mail sending, no scheduling).
import { calendarFile, listEvents, rsvp as takeRsvp, withdraw } from '../core/services/events.js';
import { join as joinPlan, remove as leaveAssociation } from '../core/services/members.js';
import { getProfile, putProfile } from '../core/services/profiles.js';
import { exportMe, eraseMe } from '../core/services/privacy.js';
import { myAssociations } from '../core/services/associations.js';
import { intentLabels, intents } from '../core/domain/vocabulary.js';
// Static and named, so the bundle keeps checkout and drops the receipt mail of the same module.
import { billingPortal, checkout, type DuesDeps } from '../core/services/dues.js';
import { activePlans, publicAssociation } from '../core/services/associations.js';
import { associationPage, eventPage, homePage, problemPage, type PageUser } from './render.js';
import { accountPage, deleteAccountPage, type AccountMembership, type AccountPageData, type AccountRsvp } from './account.js';
import { manageEventPages } from './manage-event-routes.js';
import { accountRoutes, matchesOf, receiptsOf } from './account-routes.js';
import type { MatchFormError } from './account-matches.js';
import { createAccountReads } from '../core/data/web-account.js';
import { payAction } from '../core/domain/renewal.js';
import { manageAssociationRoutes } from './manage-association.js';
import { CONNECT_NOTICES, networkRoutes } from './network.js';
import { directoryRoutes } from './directory.js';
import { peopleFor } from './event-people.js';
import { OAUTH_COOKIE, SESSION_COOKIE, authorizeUrl, cookie, exchangeCode, newAuthRequest, parseCookies, safeNext, type AuthSettings } from './session.js';

// No export files: the pages ask for CSV only, and a long list goes to the job, which writes the file.
const deps = { ...eventsDeps(), scheduler: eventScheduler(), jobs: true };
const web = createWebReads(documentClient, required('TABLE_NAME'));
const accountReads = createAccountReads(documentClient, required('TABLE_NAME'));
const auth: AuthSettings = { authUrl: required('AUTH_URL').replace(/\/$/, ''), clientId: required('AUTH_CLIENT_ID'), appUrl: config.appUrl };
const secure = config.appUrl.startsWith('https:');
const SESSION_MAX_AGE = 12 * 3600;

/** The catalog's access rule of the API route a page action stands for: one rule, two doors. */
const accessOf = (method: string, path: string): Access => {
  const r = routes.find((x) => routeKey(x) === `${method} ${path}`);
  if (!r) throw new Error(`no route ${method} ${path}`);
  return r.access;
};

type Result = APIGatewayProxyStructuredResultV2 & { cookies?: string[] };

interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  headers: Record<string, string | undefined>;
  cookies: Record<string, string>;
  caller: Caller | null;
  now: Date;
}

/**
 * Stripe's pages a form post is redirected to (Checkout, the billing portal): Chromium
 * applies form-action to the redirect too. Locally, the stand-in's origin.
 */
const stripePages = process.env.STRIPE_API_HOST
  ? `${process.env.STRIPE_API_PROTOCOL ?? 'https'}://${process.env.STRIPE_API_HOST}${process.env.STRIPE_API_PORT ? `:${process.env.STRIPE_API_PORT}` : ''}`
  : 'https://checkout.stripe.com https://billing.stripe.com';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  `form-action 'self' ${new URL(auth.authUrl).origin} ${stripePages}`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const htmlResult = (status: number, html: string, cookies?: string[]): Result => ({
  statusCode: status,
  headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'strict-origin-when-cross-origin', 'Cache-Control': 'private, no-store' },
  body: html,
  ...(cookies?.length ? { cookies } : {}),
});

const redirect = (location: string, cookies?: string[], status = 303): Result => ({ statusCode: status, headers: { Location: location, 'Cache-Control': 'no-store' }, body: '', ...(cookies?.length ? { cookies } : {}) });

const userOf = (c: Caller | null): PageUser | null => (c ? { name: c.name ?? '', email: c.email } : null);

/** A form post must come from this site; SameSite=Lax cookies are the first guard, this the second. */
function assertSameOrigin(req: Pick<Req, 'headers'>) {
  const origin = req.headers.origin;
  if (origin && origin !== new URL(config.appUrl).origin) throw forbidden('This form was sent from another site.');
  if (req.headers['sec-fetch-site'] && !['same-origin', 'none'].includes(req.headers['sec-fetch-site']!)) throw forbidden('This form was sent from another site.');
}

const signInRedirect = (next: string) => redirect(`/sign-in?next=${encodeURIComponent(next)}`);

// ------------------------------------------------------------------ event page

async function renderEvent(req: Req, eventId: string, extra: { status?: number; error?: { detail: string; errors?: { path: string; message: string }[] }; notice?: string; noticeFor?: string } = {}): Promise<Result> {
  // Members-only events exist for everyone (title and date); 'viewer' decides who sees the rest.
  const pub = await authorize('public', { eventId }, req.caller, store);
  const event = pub.event!;
  const membership = req.caller ? await store.getMember(pub.association!.associationId, req.caller.userId) : undefined;
  const live = membership && membership.status !== 'cancelled' ? membership : undefined;
  let visible = true;
  try {
    await authorize(accessOf('GET', '/events/{eventId}'), { eventId }, req.caller, store);
  } catch (err) {
    if (!(err instanceof HttpProblem && err.statusCode === 404)) throw err;
    visible = false;
  }
  const rsvp = req.caller && visible ? await store.getRsvp(eventId, req.caller.userId) : undefined;
  const waitlistPosition = rsvp?.status === 'waitlisted' && rsvp.waitKey ? await store.waitlistPosition(eventId, rsvp.waitKey) : undefined;
  const people = visible ? await peopleFor(req, event, rsvp, accessOf) : undefined;
  // The notice after a post says what happened; a stale or hand-made ?rsvp= that no longer holds says nothing.
  if (extra.noticeFor && extra.noticeFor !== (rsvp?.status ?? 'not_going')) delete extra.notice;
  const { noticeFor: _n, ...shown } = extra;
  const html = eventPage({
    event,
    association: pub.association!,
    pageUrl: `${config.appUrl}/e/${encodeURIComponent(eventId)}`,
    user: userOf(req.caller),
    canSee: visible && canSee(event, live),
    isStaff: !!live && roleAtLeast(live.role, 'organizer'),
    rsvp,
    waitlistPosition,
    now: req.now,
    people,
    ...shown,
  });
  return htmlResult(extra.status ?? 200, html);
}

const NOTICES: Record<string, string> = {
  going: 'Saved. A confirmation is on its way to your inbox.',
  waitlisted: 'Saved. The event is full, so you are on the waitlist.',
  not_going: 'Your RSVP is cancelled.',
};

/** Form fields `answers.<id>` become the API's answers: lists for multiple-choice questions. */
function answersFrom(form: URLSearchParams, questions: { id: string; type: string }[]) {
  const answers: Record<string, string | string[]> = {};
  for (const q of questions) {
    const values = form.getAll(`answers.${q.id}`).filter((v) => v.trim() !== '');
    if (!values.length) continue;
    answers[q.id] = q.type === 'multiple' ? values : values[0]!;
  }
  return answers;
}

async function postRsvp(req: Req, eventId: string): Promise<Result> {
  if (!req.caller) return signInRedirect(`/e/${eventId}`);
  assertSameOrigin(req);
  const status = req.form.get('status');
  try {
    let outcome: string;
    if (status === 'not_going') {
      const a = await authorize(accessOf('DELETE', '/events/{eventId}/rsvp'), { eventId }, req.caller, store);
      outcome = (await withdraw(deps, eventId, req.caller, req.now)).status;
    } else {
      const a = await authorize(accessOf('PUT', '/events/{eventId}/rsvp'), { eventId }, req.caller, store);
      const guests = req.form.get('guests');
      const input = { status: 'going', answers: answersFrom(req.form, a.event!.questions), ...(guests !== null ? { guests: /^\d+$/.test(guests) ? Number(guests) : guests } : {}) };
      const parsed = s.RsvpPut.safeParse(input);
      if (!parsed.success) throw badRequest('The RSVP is not valid.', fieldErrors(parsed.error));
      outcome = (await takeRsvp(deps, eventId, req.caller, a.membership, parsed.data, req.now)).status;
    }
    // Post, redirect, get: a reload never sends the form twice.
    return redirect(`/e/${encodeURIComponent(eventId)}?rsvp=${outcome}`);
  } catch (err) {
    if (err instanceof HttpProblem && err.statusCode < 500 && err.statusCode !== 404) {
      return renderEvent(req, eventId, { status: err.statusCode, error: { detail: err.message, errors: err.errors } });
    }
    throw err;
  }
}

async function eventCalendar(req: Req, eventId: string): Promise<Result> {
  const a = await authorize(accessOf('GET', '/events/{eventId}/calendar.ics'), { eventId }, req.caller, store);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': `attachment; filename="${eventId}.ics"`, 'Cache-Control': 'private, max-age=300' },
    body: await calendarFile(deps, a.event!, a.association!),
  };
}

// ------------------------------------------------------------------ association page

async function associationBySlug(req: Req, slug: string) {
  const associationId = await web.associationIdBySlug(slug);
  if (!associationId) throw notFound('No association has this address.');
  return authorize(accessOf('GET', '/associations/{associationId}'), { associationId }, req.caller, store);
}

async function renderAssociation(req: Req, slug: string, extra: { status?: number; error?: { detail: string; errors?: { path: string; message: string }[] }; notice?: string } = {}): Promise<Result> {
  const { association } = await associationBySlug(req, slug);
  const a = association!;
  const [plans, upcoming, membership] = await Promise.all([
    activePlans(store, a),
    // Outsiders' view: public events only, whoever is looking (members see the rest in their account).
    listEvents(store, a, undefined, {}, 10, undefined, req.now),
    req.caller ? store.getMember(a.associationId, req.caller.userId) : Promise.resolve(undefined),
  ]);
  const html = associationPage({
    association: a,
    plans,
    events: upcoming.items,
    pageUrl: `${config.appUrl}/a/${encodeURIComponent(a.slug)}`,
    user: userOf(req.caller),
    membershipStatus: membership?.status,
    isAdmin: !!membership && roleAtLeast(membership.role, 'admin'),
    acceptsCardPayments: publicAssociation(a).acceptsCardPayments,
    ...extra,
  });
  return htmlResult(extra.status ?? 200, html);
}

let dues: Promise<DuesDeps> | undefined;
// Stripe is loaded only when someone pays, joins, leaves or erases, so pages render without it.
// deps-dues.ts says why only the SDK module is imported dynamically.
const loadDues = () => (dues ??= import('../core/payments/stripe.js').then((sdk) => duesDeps(store, sdk)));

async function postJoin(req: Req, slug: string): Promise<Result> {
  if (!req.caller) return signInRedirect(`/a/${slug}`);
  assertSameOrigin(req);
  const { association } = await associationBySlug(req, slug);
  try {
    const a = await authorize(accessOf('POST', '/associations/{associationId}/members'), { associationId: association!.associationId }, req.caller, store);
    const parsed = s.MemberJoin.safeParse({ planId: req.form.get('planId') ?? '' });
    if (!parsed.success) throw badRequest('Choose a plan.', fieldErrors(parsed.error));
    const d = await loadDues();
    const m = (await joinPlan(store, a.association!, req.caller, parsed.data.planId, req.now, (member) => checkout(d, a.association!, member, req.now))) as { status: string; checkoutUrl?: string | null };
    if (m.checkoutUrl) return redirect(m.checkoutUrl);
    return redirect(`/a/${encodeURIComponent(slug)}?joined=${m.status}`);
  } catch (err) {
    if (err instanceof HttpProblem && err.statusCode < 500 && err.statusCode !== 404) {
      return renderAssociation(req, slug, { status: err.statusCode, error: { detail: err.message, errors: err.errors } });
    }
    throw err;
  }
}

// ------------------------------------------------------------------ account page

const vocabulary = intents.map((value) => ({ value, label: intentLabels[value] }));
const ACCOUNT_NOTICES: Record<string, string> = {
  profile: 'Your profile is saved.',
  consent: 'Your choices are saved.',
  left: 'You have left the association.',
  paid: 'Thank you. Your payment is confirmed in a moment; the receipt is on its way to your inbox.',
  introduced: 'You both asked: we sent one email to both of you.',
  'intro-asked': 'Noted. When the other person asks too, we send one email to both of you.',
  feedback: 'Your feedback is saved. Thank you.',
};
type AccountError = NonNullable<AccountPageData['error']>;

async function renderAccount(req: Req, extra: { status?: number; error?: AccountError; typed?: Record<string, string | string[]>; notice?: string; matchesNotice?: string; matchError?: MatchFormError } = {}): Promise<Result> {
  const caller = req.caller!;
  const [profile, mine, rsvpItems, matches] = await Promise.all([
    getProfile(store, caller),
    myAssociations(store, caller, 50),
    // From a day back: an event that started today is still "upcoming" until it ends (checked below).
    web.upcomingRsvpsOfUser(caller.userId, new Date(req.now.getTime() - 86_400_000).toISOString(), 50),
    matchesOf({ reads: accountReads, accessOf }, caller, req.now),
  ]);
  const memberships: AccountMembership[] = await Promise.all(
    mine.items.map(async (m) => {
      const [assoc, member, plans, receipts] = await Promise.all([
        store.getAssociation(m.association.associationId),
        store.getMember(m.association.associationId, caller.userId),
        store.plansOfAssociation(m.association.associationId),
        receiptsOf(m.association.associationId, caller.userId),
      ]);
      const plan = plans.find((p) => p.planId === m.planId);
      return {
        associationId: m.association.associationId,
        associationName: m.association.name,
        slug: m.association.slug,
        planName: plan?.name ?? '',
        status: m.status,
        role: m.role,
        currentPeriodEnd: m.currentPeriodEnd,
        timezone: m.association.timezone,
        canPay: !!plan && plan.amount > 0 && m.association.acceptsCardPayments,
        hasBilling: !!assoc?.stripeAccountId && !!member?.stripeCustomerId && m.status !== 'pending',
        payAction: member ? payAction(member, plan, m.association.acceptsCardPayments, req.now) : null,
        payments: receipts.rows,
        morePayments: receipts.more,
      };
    }),
  );
  const rsvps = (
    await Promise.all(
      rsvpItems
        .filter((r) => r.status === 'going' || r.status === 'waitlisted')
        .map(async (r): Promise<AccountRsvp | undefined> => {
          const event = await store.getEvent(r.eventId);
          if (!event || event.status === 'cancelled' || new Date(event.endsAt) <= req.now) return undefined;
          const waitlistPosition = r.status === 'waitlisted' && r.waitKey ? await store.waitlistPosition(r.eventId, r.waitKey) : undefined;
          return { event, status: r.status as 'going' | 'waitlisted', guests: r.guests ?? 0, waitlistPosition };
        }),
    )
  ).filter((x): x is AccountRsvp => !!x);
  const html = accountPage({ url: `${config.appUrl}/account`, user: userOf(caller)!, profile, vocabulary, memberships, rsvps, matches, ...extra });
  return htmlResult(extra.status ?? 200, html);
}

/** A refusal the person can act on is answered on the page; anything else is the page-level handler's. */
const isFormProblem = (err: unknown): err is HttpProblem => err instanceof HttpProblem && err.statusCode < 500 && err.statusCode !== 401;

const list = (v: string | null) => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const optional = (v: string | null) => (v && v.trim() !== '' ? v : undefined);

/** The profile as the API's PUT takes it, from the stored one (consent flags and all). */
const profileInput = (p: Awaited<ReturnType<typeof getProfile>>) => ({
  name: p.name,
  ...(p.headline ? { headline: p.headline } : {}),
  ...(p.company ? { company: p.company } : {}),
  ...(p.jobTitle ? { jobTitle: p.jobTitle } : {}),
  ...(p.industry ? { industry: p.industry } : {}),
  skills: p.skills,
  interests: p.interests,
  offers: p.offers,
  seeks: p.seeks,
  matchOptIn: p.matchOptIn,
  directoryVisible: p.directoryVisible,
});

async function postProfile(req: Req): Promise<Result> {
  if (!req.caller) return signInRedirect('/account');
  assertSameOrigin(req);
  await authorize(accessOf('PUT', '/me/profile'), {}, req.caller, store);
  const f = req.form;
  const typed = { name: f.get('name') ?? '', headline: f.get('headline') ?? '', company: f.get('company') ?? '', jobTitle: f.get('jobTitle') ?? '', industry: f.get('industry') ?? '', skills: f.get('skills') ?? '', interests: f.get('interests') ?? '', offers: f.getAll('offers'), seeks: f.getAll('seeks') };
  try {
    const current = await getProfile(store, req.caller);
    // The consent flags have their own form; this one keeps them as they are.
    const parsed = s.ProfilePut.safeParse({
      name: typed.name,
      headline: optional(typed.headline),
      company: optional(typed.company),
      jobTitle: optional(typed.jobTitle),
      industry: optional(typed.industry),
      skills: list(typed.skills),
      interests: list(typed.interests),
      offers: typed.offers,
      seeks: typed.seeks,
      matchOptIn: current.matchOptIn,
      directoryVisible: current.directoryVisible,
    });
    if (!parsed.success) throw badRequest('The profile is not valid; nothing was saved.', fieldErrors(parsed.error));
    await putProfile(store, req.caller, parsed.data, req.now, privacyData);
    return redirect('/account?saved=profile#profile');
  } catch (err) {
    if (isFormProblem(err)) return renderAccount(req, { status: err.statusCode, error: { section: 'profile', detail: err.message, errors: err.errors }, typed });
    throw err;
  }
}

async function postConsent(req: Req): Promise<Result> {
  if (!req.caller) return signInRedirect('/account');
  assertSameOrigin(req);
  await authorize(accessOf('PUT', '/me/profile'), {}, req.caller, store);
  try {
    const current = await getProfile(store, req.caller);
    // An unticked checkbox sends nothing: absent means no.
    const parsed = s.ProfilePut.safeParse({ ...profileInput(current), matchOptIn: req.form.get('matchOptIn') === 'yes', directoryVisible: req.form.get('directoryVisible') === 'yes' });
    if (!parsed.success) throw badRequest('Your profile needs fixing before these choices can be saved.', fieldErrors(parsed.error));
    await putProfile(store, req.caller, parsed.data, req.now, privacyData);
    return redirect('/account?saved=consent#consent');
  } catch (err) {
    if (isFormProblem(err)) return renderAccount(req, { status: err.statusCode, error: { section: 'consent', detail: err.message, errors: err.errors } });
    throw err;
  }
}

/** Pay or renew, the billing portal, or leave: the same services and access rules as the API's routes. */
async function postMembership(req: Req, associationId: string, action: string): Promise<Result> {
  if (!req.caller) return signInRedirect('/account');
  assertSameOrigin(req);
  const caller = req.caller;
  try {
    if (action === 'pay') {
      const a = await authorize(accessOf('POST', '/associations/{associationId}/members/me/checkout'), { associationId }, caller, store);
      return redirect((await checkout(await loadDues(), a.association!, a.membership!, req.now)).url);
    }
    if (action === 'billing') {
      const a = await authorize(accessOf('POST', '/associations/{associationId}/members/me/billing-portal'), { associationId }, caller, store);
      return redirect((await billingPortal(await loadDues(), a.association!, a.membership!)).url);
    }
    if (action === 'leave') {
      const a = await authorize(accessOf('DELETE', '/associations/{associationId}/members/{userId}'), { associationId, userId: caller.userId }, caller, store);
      const d = await loadDues();
      await leaveAssociation(store, a.association!, a.membership, caller, caller.userId, req.now, (account, sub) => d.payments.cancelSubscription(account, sub, `leave:${associationId}:${caller.userId}:${sub}`));
      return redirect('/account?saved=left#memberships');
    }
    throw notFound('There is no such action.');
  } catch (err) {
    if (isFormProblem(err) && err.statusCode !== 404) return renderAccount(req, { status: err.statusCode, error: { section: 'memberships', detail: err.message, errors: err.errors } });
    throw err;
  }
}

async function accountExport(req: Req): Promise<Result> {
  if (!req.caller) return signInRedirect('/account');
  await authorize(accessOf('GET', '/me/export'), {}, req.caller, store);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="my-data-${req.now.toISOString().slice(0, 10)}.json"`, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' },
    body: JSON.stringify(await exportMe({ store, data: privacyData }, req.caller, req.now), null, 2),
  };
}

async function postDelete(req: Req): Promise<Result> {
  if (!req.caller) return signInRedirect('/account');
  assertSameOrigin(req);
  const caller = req.caller;
  await authorize(accessOf('DELETE', '/me'), {}, caller, store);
  const layout = { url: `${config.appUrl}/account/delete`, user: userOf(caller)! };
  if (req.form.get('confirm') !== 'delete') return htmlResult(400, deleteAccountPage({ ...layout, error: { detail: 'Confirm with the button below to delete your account.' } }));
  try {
    const d = await loadDues();
    await eraseMe({ store, data: privacyData, events: deps, stopBilling: (account, sub) => d.payments.cancelSubscription(account, sub, `erase:${caller.userId}:${sub}`) }, caller, req.now);
  } catch (err) {
    if (isFormProblem(err)) return htmlResult(err.statusCode, deleteAccountPage({ ...layout, error: { detail: err.message } }));
    throw err;
  }
  // Erased, then signed out: the session cookie goes with the account.
  return redirect('/?deleted=1', [cookie(SESSION_COOKIE, '', { maxAge: 0, secure })]);
}

// ------------------------------------------------------------------ sign-in

function signIn(req: Req): Result {
  const next = safeNext(req.query.get('next'));
  const r = newAuthRequest();
  const pending = Buffer.from(JSON.stringify({ state: r.state, verifier: r.verifier, next })).toString('base64url');
  return redirect(authorizeUrl(auth, r), [cookie(OAUTH_COOKIE, pending, { maxAge: 600, path: '/auth', secure })], 302);
}

async function callback(req: Req): Promise<Result> {
  const bad = (detail: string) => htmlResult(400, problemPage(400, 'Sign-in did not work', detail, { url: `${config.appUrl}/sign-in`, user: null, here: '/' }), [cookie(OAUTH_COOKIE, '', { maxAge: 0, path: '/auth', secure })]);
  let pending: { state?: string; verifier?: string; next?: string };
  try {
    pending = JSON.parse(Buffer.from(req.cookies[OAUTH_COOKIE] ?? '', 'base64url').toString('utf8') || '{}');
  } catch {
    pending = {};
  }
  const code = req.query.get('code');
  if (!pending.state || !pending.verifier || req.query.get('state') !== pending.state) return bad('This sign-in link is stale or was not started here. Please sign in again.');
  if (!code) return bad(req.query.get('error_description') ?? 'The sign-in was cancelled.');
  const idToken = await exchangeCode(auth, code, pending.verifier);
  const caller = idToken ? await optionalCaller(`Bearer ${idToken}`).catch(() => null) : null;
  if (!idToken || !caller) return bad('The sign-in could not be completed. Please sign in again.');
  // The cookie lives as long as the token (verified just above), never longer.
  const exp = Number(JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')).exp);
  const maxAge = Number.isFinite(exp) ? Math.min(SESSION_MAX_AGE, exp - Math.floor(req.now.getTime() / 1000)) : SESSION_MAX_AGE;
  return redirect(safeNext(pending.next), [cookie(SESSION_COOKIE, idToken, { maxAge, secure }), cookie(OAUTH_COOKIE, '', { maxAge: 0, path: '/auth', secure })]);
}

/** The home page; signed in, the caller's memberships as GET /me/associations reads them (one page). */
async function renderHome(req: Req): Promise<Result> {
  const notice = req.query.get('deleted') ? 'Your account is deleted. Thank you for having been with us.' : undefined;
  const layout = { url: config.appUrl, user: userOf(req.caller), here: '/' };
  if (!req.caller) return htmlResult(200, homePage(layout, notice));
  await authorize(accessOf('GET', '/me/associations'), {}, req.caller, store);
  const mine = await myAssociations(store, req.caller, HOME_MEMBERSHIPS);
  const memberships = mine.items
    .filter((m) => m.status !== 'cancelled')
    .map((m) => ({ associationId: m.association.associationId, slug: m.association.slug, name: m.association.name, role: m.role, status: m.status }));
  return htmlResult(200, homePage(layout, notice, memberships));
}
const HOME_MEMBERSHIPS = 50;

// ------------------------------------------------------------------ dispatch

type PageRoute = { method: 'GET' | 'POST'; pattern: RegExp; run: (req: Req, ...params: string[]) => Promise<Result> | Result };

const pages: PageRoute[] = [
  { method: 'GET', pattern: /^\/$/, run: renderHome },
  {
    method: 'GET',
    pattern: /^\/e\/([^/]+)$/,
    run: (req, id) => renderEvent(req, id!, { notice: NOTICES[req.query.get('rsvp') ?? ''], noticeFor: req.query.get('rsvp') ?? undefined }),
  },
  { method: 'POST', pattern: /^\/e\/([^/]+)\/rsvp$/, run: (req, id) => postRsvp(req, id!) },
  { method: 'GET', pattern: /^\/e\/([^/]+)\/calendar\.ics$/, run: (req, id) => eventCalendar(req, id!) },
  {
    method: 'GET',
    pattern: /^\/a\/([^/]+)$/,
    run: (req, slug) => renderAssociation(req, slug!, { notice: req.query.get('joined') ? `Welcome! Your membership is ${req.query.get('joined')}.` : undefined }),
  },
  { method: 'POST', pattern: /^\/a\/([^/]+)\/join$/, run: (req, slug) => postJoin(req, slug!) },
  {
    method: 'GET',
    pattern: /^\/account$/,
    run: (req) => (req.caller ? renderAccount(req, { notice: ACCOUNT_NOTICES[req.query.get('saved') ?? ''], matchesNotice: CONNECT_NOTICES[req.query.get('done') ?? ''] }) : signInRedirect('/account')),
  },
  { method: 'POST', pattern: /^\/account\/profile$/, run: postProfile },
  { method: 'POST', pattern: /^\/account\/consent$/, run: postConsent },
  { method: 'POST', pattern: /^\/account\/memberships\/([^/]+)\/(pay|billing|leave)$/, run: (req, id, action) => postMembership(req, id!, action!) },
  { method: 'GET', pattern: /^\/account\/export$/, run: accountExport },
  {
    method: 'GET',
    pattern: /^\/account\/delete$/,
    run: (req) => (req.caller ? htmlResult(200, deleteAccountPage({ url: `${config.appUrl}/account/delete`, user: userOf(req.caller)! })) : signInRedirect('/account/delete')),
  },
  { method: 'POST', pattern: /^\/account\/delete$/, run: postDelete },
  ...accountRoutes({ deps, reads: accountReads, appUrl: config.appUrl, accessOf, htmlResult, redirect: (l) => redirect(l), signInRedirect, assertSameOrigin, userOf, renderAccount: (r, x) => renderAccount(r as Req, x) }),
  ...manageEventPages({ deps, appUrl: config.appUrl, accessOf, htmlResult, redirect, signInRedirect, assertSameOrigin, userOf }),
  ...networkRoutes({ appUrl: config.appUrl, accessOf, htmlResult, redirect, signInRedirect, assertSameOrigin, userOf }),
  ...directoryRoutes({ appUrl: config.appUrl, accessOf, htmlResult, signInRedirect, userOf, associationIdBySlug: (slug) => web.associationIdBySlug(slug) }),
  { method: 'GET', pattern: /^\/sign-in$/, run: signIn },
  { method: 'GET', pattern: /^\/auth\/callback$/, run: callback },
  { method: 'POST', pattern: /^\/sign-out$/, run: (req) => (assertSameOrigin(req), redirect('/', [cookie(SESSION_COOKIE, '', { maxAge: 0, secure })])) },
  ...manageAssociationRoutes({ store, privacyData, jobs: deps.jobs, apiUrl: deps.apiUrl, appUrl: config.appUrl, accessOf, htmlResult, redirect: (l) => redirect(l), signInRedirect, assertSameOrigin: (r) => assertSameOrigin(r as Req), userOf, loadDues }),
];

function formOf(event: APIGatewayProxyEventV2): URLSearchParams {
  if (!event.body) return new URLSearchParams();
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return new URLSearchParams(text.length > 65_536 ? '' : text);
}

export async function handler(event: APIGatewayProxyEventV2): Promise<Result> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const cookies = parseCookies(headers.cookie, event.cookies);
  const layout = { url: `${config.appUrl}${path}`, user: null, here: path };
  try {
    // A stale or forged session is dropped, not an error: the visitor is simply signed out.
    const token = cookies[SESSION_COOKIE];
    const caller = token ? await optionalCaller(`Bearer ${token}`).catch(() => null) : null;
    const req: Req = { method, path, query: new URLSearchParams(event.rawQueryString ?? ''), form: method === 'POST' ? formOf(event) : new URLSearchParams(), headers, cookies, caller, now: new Date() };
    for (const p of pages) {
      const m = p.method === method ? p.pattern.exec(path) : null;
      if (!m) continue;
      let params: string[];
      try {
        params = m.slice(1).map(decodeURIComponent);
      } catch {
        throw badRequest('The address is not valid.');
      }
      const result = await p.run(req, ...params);
      if (token && !caller) (result.cookies ??= []).push(cookie(SESSION_COOKIE, '', { maxAge: 0, secure }));
      return result;
    }
    return htmlResult(404, problemPage(404, 'Page not found', 'There is no page at this address.', layout));
  } catch (err) {
    if (err instanceof HttpProblem && err.statusCode < 500) {
      const title = err.statusCode === 404 ? 'Page not found' : err.statusCode === 403 ? 'Not allowed' : 'Something is not right';
      return htmlResult(err.statusCode, problemPage(err.statusCode, title, err.message, layout));
    }
    logger.error('web page failed', { path, errorName: (err as Error).name });
    return htmlResult(500, problemPage(500, 'Something went wrong', 'Something went wrong on our side. Please try again.', layout));
  }
}
