/**
 * The route catalog: every HTTP route, which Lambda serves it, who may call it and the
 * schemas of its input. The CDK stack makes API Gateway routes from it, the local runner
 * dispatches with it, the router validates with it and /openapi.json is built from it.
 */
import type * as z from 'zod/mini';
import * as s from './schemas.js';
import * as cs from './connection-schemas.js';
import * as st from './stats-schemas.js';
import * as o from './responses.js';

/** Lambda functions, one per bounded context. */
export const functionNames = ['associations', 'members', 'profiles', 'meta', 'dues', 'webhooks', 'events', 'email', 'matching', 'connections'] as const;
export type FunctionName = (typeof functionNames)[number];

/**
 * Who may call a route. Every association-scoped rule is checked in one place
 * (http/access.ts) from this value, never inside a handler.
 */
export type Access =
  | 'public' // anyone, no token
  | 'signedIn' // any valid token
  | 'member' // a member of the association in good standing, or any staff role
  | 'organizer'
  | 'admin'
  | 'owner'
  | 'selfOrAdmin' // the member named in the path, or an admin
  | 'enrolled' // the caller has a membership of the association, in any status but cancelled
  | 'viewer' // anyone who may see the event (public: anyone; members-only: members in good standing, staff); a token is optional
  | 'attendee' // signed in and allowed to RSVP: public events, or members in good standing
  | 'matched'; // signed in, going to the event (for a matchId: one of the two people matched)

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  fn: FunctionName;
  access: Access;
  summary: string;
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** Status of a success; 200 unless said. */
  status?: number;
  /**
   * Schema of the success body (responses.ts): /openapi.json publishes it and, in local
   * mode, the router checks every answer against it. A string schema for non-JSON bodies.
   */
  response?: z.ZodMiniType;
  /**
   * Statuses the route's own logic can answer (409, 422, ...), besides those the router
   * gives from the spec itself (400, 401/403 by access, 404 for addressed things, 410 for
   * signed links, 413, 429, 503); listed in /openapi.json.
   */
  errors?: readonly number[];
  /** Body of a 202: the route may start a background job instead (a long export); Location names its status. */
  accepted?: z.ZodMiniType;
  /** Success media type when not JSON. */
  produces?: string;
  /** Other media types the same success may have (chosen by a query, e.g. ?format=csv). */
  alsoProduces?: readonly string[];
  /** The body is handed over unparsed (a signed webhook must be verified byte for byte). */
  rawBody?: boolean;
  /** A larger body limit than MAX_BODY_BYTES, for payloads we do not control. */
  maxBodyBytes?: number;
  /** Request limits, checked by the router after access and validation, before the implementation. */
  rateLimit?: readonly RateLimit[];
  /**
   * 'rsvp': the router reads the event with the caller's RSVP, profile and rate-limit counters
   * in one request (the membership only for events that need it), and the implementation
   * counts the rate limits in its own transaction (http/rate-limit.ts deferredLimits).
   */
  readAhead?: 'rsvp';
}

/**
 * A fixed-window limit: at most `limit` requests per `windowSeconds` for one subject. Routes
 * naming the same bucket share one counter (PUT and DELETE of an RSVP). The subject is the
 * caller ('user'), the caller on this event ('userAndEvent'), the source address ('ip') or
 * the match in the path ('match'). Over the limit: 429 with Retry-After.
 */
export interface RateLimit {
  bucket: string;
  per: 'user' | 'userAndEvent' | 'ip' | 'match';
  limit: number;
  windowSeconds: number;
}

/** The limits, listed in docs/deploy.md. Generous for people, tight for scripts. */
export const rateLimits = {
  // Going/not going/cancel toggles: each may send a confirmation mail and move the waitlist.
  rsvp: { bucket: 'rsvp', per: 'userAndEvent', limit: 10, windowSeconds: 60 },
  // Runs the whole matching engine on the event's attendees.
  matchPreview: { bucket: 'match-preview', per: 'user', limit: 10, windowSeconds: 60 },
  // Reads whole lists (attendees, members, ledger); one counter for all three.
  exports: { bucket: 'export', per: 'user', limit: 10, windowSeconds: 600 },
  // The token-free pages from links in mail; an office behind one address still fits.
  linkPages: { bucket: 'link-pages', per: 'ip', limit: 120, windowSeconds: 60 },
  // Asking for an introduction mails the other person once both ask; a few retries are plenty.
  introduceAsk: { bucket: 'introduce', per: 'match', limit: 10, windowSeconds: 3600 },
  // Asks to connect: each lands in someone's pending list; a day's worth for a busy networker, not a script.
  connectionAsk: { bucket: 'connection-ask', per: 'user', limit: 100, windowSeconds: 86_400 },
} as const satisfies Record<string, RateLimit>;
const rl = rateLimits;

export const routes: readonly RouteSpec[] = [
  // Associations and plans
  { method: 'POST', path: '/associations', fn: 'associations', access: 'signedIn', summary: 'Create an association; the caller becomes its owner', body: s.AssociationCreate, status: 201, response: o.AssociationSettings, errors: [409] },
  { method: 'GET', path: '/associations/{associationId}', fn: 'associations', access: 'public', summary: 'Public summary of an association', params: s.AssociationParams, response: o.Association },
  { method: 'PATCH', path: '/associations/{associationId}', fn: 'associations', access: 'admin', summary: 'Update association settings', params: s.AssociationParams, body: s.AssociationPatch, response: o.AssociationSettings },
  { method: 'GET', path: '/me/associations', fn: 'associations', access: 'signedIn', summary: "The caller's memberships with association summaries", query: s.PageQuery, response: o.AssociationPage },
  { method: 'POST', path: '/associations/{associationId}/plans', fn: 'associations', access: 'admin', summary: 'Create a membership plan', params: s.AssociationParams, body: s.PlanCreate, status: 201, response: o.Plan },
  { method: 'GET', path: '/associations/{associationId}/plans', fn: 'associations', access: 'public', summary: 'Active membership plans', params: s.AssociationParams, response: o.PlanPage },
  { method: 'PATCH', path: '/associations/{associationId}/plans/{planId}', fn: 'associations', access: 'admin', summary: 'Update a plan, or archive it (existing members keep it)', params: s.PlanParams, body: s.PlanPatch, response: o.Plan },
  // Members
  { method: 'POST', path: '/associations/{associationId}/members', fn: 'members', access: 'signedIn', summary: 'Join on a plan: free plans are active at once, paid plans pending payment', params: s.AssociationParams, body: s.MemberJoin, status: 201, response: o.Joined, errors: [409, 422] },
  { method: 'GET', path: '/associations/{associationId}/members', fn: 'members', access: 'organizer', summary: 'List members; filter by status, planId, or q (name/email prefix)', params: s.AssociationParams, query: s.MembersQuery, response: o.MemberPage },
  { method: 'GET', path: '/associations/{associationId}/members/export', fn: 'members', access: 'admin', summary: 'CSV of members (or {url} of a file); ?format=csv|url; past one page, 202 and a status URL; recorded in the export log', params: s.AssociationParams, query: s.ListExportQuery, produces: 'text/csv', rateLimit: [rl.exports], response: o.Text, accepted: o.ExportAccepted },
  { method: 'GET', path: '/associations/{associationId}/exports', fn: 'members', access: 'admin', summary: 'Export log: who exported which personal data, when, how many rows; newest first', params: s.AssociationParams, query: s.PageQuery, response: o.ExportRecordPage },
  { method: 'GET', path: '/associations/{associationId}/exports/{exportId}', fn: 'members', access: 'organizer', summary: 'Status of an export too long for one response: state, and the file link when ready (the asker or an admin)', params: s.ExportParams, query: s.NoQuery, response: o.ExportStatus },
  { method: 'GET', path: '/associations/{associationId}/directory', fn: 'members', access: 'member', summary: 'Members who opted into the directory, without emails', params: s.AssociationParams, query: s.PageQuery, response: o.DirectoryPage },
  // 'enrolled', not 'member': withdrawing consent (matching, the directory) must not depend on dues being paid up.
  { method: 'PUT', path: '/associations/{associationId}/members/me/preferences', fn: 'members', access: 'enrolled', summary: "The caller's matching opt-in and directory visibility for this association (unset: the profile's flags)", params: s.AssociationParams, body: s.MemberPreferencesPut, response: o.EffectivePreferences, errors: [409] },
  { method: 'GET', path: '/associations/{associationId}/members/{userId}', fn: 'members', access: 'selfOrAdmin', summary: 'One member', params: s.MemberParams, response: o.MemberDetail },
  { method: 'PATCH', path: '/associations/{associationId}/members/{userId}', fn: 'members', access: 'admin', summary: 'Change a role, or record an offline payment', params: s.MemberParams, body: s.MemberPatch, response: o.Member, errors: [409, 422] },
  { method: 'DELETE', path: '/associations/{associationId}/members/{userId}', fn: 'members', access: 'selfOrAdmin', summary: 'Leave, or remove a member; history is kept', params: s.MemberParams, errors: [409] },
  // Dues (Stripe)
  { method: 'POST', path: '/associations/{associationId}/stripe/connect', fn: 'dues', access: 'owner', summary: "Stripe onboarding link for the association's own account", params: s.AssociationParams, response: o.Link },
  { method: 'POST', path: '/associations/{associationId}/members/me/checkout', fn: 'dues', access: 'enrolled', summary: "Stripe Checkout for the caller's plan", params: s.AssociationParams, response: o.Link, errors: [409, 422] },
  { method: 'POST', path: '/associations/{associationId}/members/me/billing-portal', fn: 'dues', access: 'enrolled', summary: 'Stripe customer portal to manage the card and auto-renewal', params: s.AssociationParams, response: o.Link, errors: [422] },
  { method: 'GET', path: '/associations/{associationId}/payments', fn: 'dues', access: 'admin', summary: 'Ledger of payments, failures and refunds, newest first', params: s.AssociationParams, query: s.PaymentsQuery, response: o.PaymentPage },
  { method: 'GET', path: '/associations/{associationId}/payments/export', fn: 'dues', access: 'admin', summary: 'CSV of the ledger (or {url} of a file); ?format=csv|url; past one page, 202 and a status URL; recorded in the export log', params: s.AssociationParams, query: s.ListExportQuery, produces: 'text/csv', rateLimit: [rl.exports], response: o.Text, accepted: o.ExportAccepted },
  { method: 'POST', path: '/webhooks/stripe', fn: 'webhooks', access: 'public', summary: 'Signed Stripe events; 2xx once durably recorded', rawBody: true, maxBodyBytes: 1_048_576, response: o.WebhookReceipt },
  // Events and RSVPs
  { method: 'POST', path: '/associations/{associationId}/events', fn: 'events', access: 'organizer', summary: 'Create an event', params: s.AssociationParams, body: s.EventCreate, status: 201, response: o.Event, errors: [422] },
  { method: 'GET', path: '/associations/{associationId}/events', fn: 'events', access: 'viewer', summary: 'Events, upcoming first (public ones to anyone, all to members); ?from=, ?past=true', params: s.AssociationParams, query: s.EventsQuery, response: o.EventPage },
  { method: 'GET', path: '/events/{eventId}', fn: 'events', access: 'viewer', summary: 'One event with goingCount, waitlistCount, spotsLeft', params: s.EventParams, response: o.Event },
  { method: 'PATCH', path: '/events/{eventId}', fn: 'events', access: 'organizer', summary: 'Update an event; capacity may grow (promotes the waitlist) but not below goingCount', params: s.EventParams, body: s.EventPatch, response: o.Event, errors: [409, 422] },
  { method: 'POST', path: '/events/{eventId}/cancel', fn: 'events', access: 'organizer', summary: 'Cancel the event; attendees are emailed', params: s.EventParams, response: o.Event, errors: [409] },
  { method: 'PUT', path: '/events/{eventId}/rsvp', fn: 'events', access: 'attendee', summary: 'RSVP going or not going', params: s.EventParams, body: s.RsvpPut, rateLimit: [rl.rsvp], readAhead: 'rsvp', response: o.RsvpResult, errors: [409, 422] },
  { method: 'DELETE', path: '/events/{eventId}/rsvp', fn: 'events', access: 'signedIn', summary: "Cancel the caller's RSVP; the first waitlisted is promoted", params: s.EventParams, rateLimit: [rl.rsvp], response: o.RsvpResult },
  { method: 'GET', path: '/events/{eventId}/attendees', fn: 'events', access: 'organizer', summary: 'Attendees; ?status=', params: s.EventParams, query: s.AttendeesQuery, response: o.AttendeePage },
  { method: 'GET', path: '/events/{eventId}/attendees/export', fn: 'events', access: 'organizer', summary: 'CSV of attendees (or {url} of a file); ?format=csv|url&preset=full|door|waitlist&status=going|waitlisted|all; past one page, 202 and a status URL', params: s.EventParams, query: s.ExportQuery, produces: 'text/csv', rateLimit: [rl.exports], response: o.Text, accepted: o.ExportAccepted },
  { method: 'POST', path: '/events/{eventId}/check-in', fn: 'events', access: 'organizer', summary: 'Mark an attendee present by userId or check-in code', params: s.EventParams, body: s.CheckIn, response: o.CheckInResult, errors: [409] },
  { method: 'GET', path: '/events/{eventId}/calendar.ics', fn: 'events', access: 'viewer', summary: 'iCalendar file of the event', params: s.EventParams, produces: 'text/calendar', response: o.Text },
  { method: 'GET', path: '/events/{eventId}/waitlist/leave', fn: 'events', access: 'public', summary: 'Leave the waitlist from the link in the mail (signed token)', params: s.EventParams, query: s.TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages], response: o.Text },
  { method: 'POST', path: '/events/{eventId}/waitlist/leave', fn: 'events', access: 'public', summary: 'Leave the waitlist (signed token)', params: s.EventParams, query: s.TokenQuery, rateLimit: [rl.linkPages], response: o.RsvpResult },
  // Matching
  { method: 'POST', path: '/events/{eventId}/matches/preview', fn: 'matching', access: 'organizer', summary: 'Compute matches now; store nothing; return matches and quality figures', params: s.EventParams, rateLimit: [rl.matchPreview], response: o.MatchPreview, errors: [409] },
  { method: 'POST', path: '/events/{eventId}/matches/send', fn: 'matching', access: 'organizer', summary: 'Compute, store and email the matches now (otherwise at matchmaking.sendAt)', params: s.EventParams, response: o.MatchSendResult, errors: [409] },
  { method: 'GET', path: '/events/{eventId}/matches', fn: 'matching', access: 'organizer', summary: 'Stored matches with acceptance, intro and met rates', params: s.EventParams, query: s.PageQuery, response: o.EventMatches },
  { method: 'GET', path: '/events/{eventId}/matches/me', fn: 'matching', access: 'matched', summary: "The caller's matches with the reasons", params: s.EventParams, response: o.MyMatches },
  { method: 'POST', path: '/events/{eventId}/matches/{matchId}/feedback', fn: 'matching', access: 'matched', summary: 'Rate a match: rating 1-5 and whether you met', params: s.MatchParams, body: s.MatchFeedback, response: o.MatchFeedbackResult },
  { method: 'GET', path: '/events/{eventId}/matches/{matchId}/introduce', fn: 'matching', access: 'public', summary: '"Introduce us" page from the match mail (signed token); its button posts', params: s.MatchParams, query: s.TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages], response: o.Text },
  { method: 'POST', path: '/events/{eventId}/matches/{matchId}/introduce', fn: 'matching', access: 'public', summary: 'Ask for an introduction (signed token); when both sides have asked, one mail goes to both', params: s.MatchParams, query: s.TokenQuery, rateLimit: [rl.linkPages, rl.introduceAsk], response: o.IntroduceResult, errors: [422] },
  // Email
  { method: 'GET', path: '/email/unsubscribe', fn: 'email', access: 'public', summary: 'Unsubscribe page for one kind of email (signed token)', query: s.TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages], response: o.Text },
  { method: 'POST', path: '/email/unsubscribe', fn: 'email', access: 'public', summary: 'One-click unsubscribe (RFC 8058)', query: s.TokenQuery, rawBody: true, rateLimit: [rl.linkPages], response: o.Unsubscribed },
  // Profile and vocabulary
  { method: 'GET', path: '/me/profile', fn: 'profiles', access: 'signedIn', summary: "The caller's profile", response: o.ProfileView },
  { method: 'PUT', path: '/me/profile', fn: 'profiles', access: 'signedIn', summary: "Replace the caller's profile", body: s.ProfilePut, response: o.ProfileView, errors: [409] },
  // The caller's own data. In the members function: erasure ends memberships, which may stop Stripe billing. Rate-limited (see the rate-limit work).
  { method: 'GET', path: '/me/export', fn: 'members', access: 'signedIn', summary: 'Everything held about the caller, as a JSON download', query: s.NoQuery, response: o.MyData },
  { method: 'DELETE', path: '/me', fn: 'members', access: 'signedIn', summary: 'Erase the caller; what associations must keep for their books stays, pseudonymised', query: s.NoQuery, status: 204, errors: [409] },
  { method: 'GET', path: '/vocabulary', fn: 'meta', access: 'public', summary: 'Values allowed in offers and seeks', response: o.Vocabulary },
  { method: 'GET', path: '/openapi.json', fn: 'meta', access: 'public', summary: 'This description', response: o.OpenApiDocument },
  // Connections (docs/connections.md): asks within an association; the rest is the caller's own network, checked by the service (404 if not theirs).
  { method: 'POST', path: '/associations/{associationId}/connections', fn: 'connections', access: 'member', summary: 'Ask a member of the same association to connect; userId, note?, eventId? (where you met)', params: s.AssociationParams, body: cs.ConnectionAsk, response: cs.ConnectionAskResult, status: 201, rateLimit: [rl.connectionAsk], errors: [409, 422] },
  { method: 'GET', path: '/me/connections', fn: 'connections', access: 'signedIn', summary: "The caller's network (or pending asks), alphabetical; ?q= name prefix, one of ?tag=, ?associationId=, ?eventId=; ?state=pending", query: cs.NetworkQuery, response: cs.ConnectionPage },
  { method: 'GET', path: '/me/connections/export', fn: 'connections', access: 'signedIn', summary: "The caller's accepted connections as vCard 4.0 (?format=vcf) or CSV", query: cs.NetworkExportQuery, produces: 'text/vcard', alsoProduces: ['text/csv'], rateLimit: [rl.exports], response: o.Text },
  { method: 'POST', path: '/me/connections/{connectionId}/accept', fn: 'connections', access: 'signedIn', summary: 'Accept an ask (the person asked)', params: cs.ConnectionParams, response: cs.ConnectionView, errors: [403, 409] },
  { method: 'POST', path: '/me/connections/{connectionId}/decline', fn: 'connections', access: 'signedIn', summary: 'Decline an ask (the person asked); the asker is not told', params: cs.ConnectionParams, response: cs.ConnectionDeclined, errors: [403, 409] },
  { method: 'PATCH', path: '/me/connections/{connectionId}', fn: 'connections', access: 'signedIn', summary: 'My own note and tags on a connection', params: cs.ConnectionParams, body: cs.ConnectionPatch, response: cs.ConnectionView, errors: [409] },
  { method: 'GET', path: '/events/{eventId}/connect', fn: 'connections', access: 'public', summary: '"Connect" page from the follow-up mail after an event (signed token); its button posts. To a browser (Accept: text/html) an expired (410) or broken (400) link is a page too', params: s.EventParams, query: s.TokenQuery, produces: 'text/html', rateLimit: [rl.linkPages], response: o.Text },
  { method: 'POST', path: '/events/{eventId}/connect', fn: 'connections', access: 'public', summary: 'Accept the follow-up offer to connect (signed token); connected once both have. A browser (Accept: text/html) gets the answer, or an expired (410) or broken (400) link, as a page', params: s.EventParams, query: s.TokenQuery, rateLimit: [rl.linkPages], response: cs.ConnectClick },
  { method: 'DELETE', path: '/me/connections/{connectionId}', fn: 'connections', access: 'signedIn', summary: 'Remove a connection or withdraw an ask (either side)', params: cs.ConnectionParams, status: 204 },
  // Dashboard statistics, from precomputed counters (services/stats.ts; docs/data-model.md)
  { method: 'GET', path: '/associations/{associationId}/stats', fn: 'associations', access: 'admin', summary: 'Members by status per day, dues per month, renewals due in the next 30 days; ?from=&to= (UTC days, at most 366)', params: s.AssociationParams, query: st.AssociationStatsQuery, response: st.AssociationStats },
  { method: 'GET', path: '/events/{eventId}/stats', fn: 'events', access: 'organizer', summary: 'RSVPs over time against capacity, check-ins per 15 minutes, match ratings', params: s.EventParams, query: st.EventStatsQuery, response: st.EventStats },
];

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;
