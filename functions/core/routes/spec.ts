/**
 * The route catalog's vocabulary: the functions, who may call a route, a route's spec and the
 * rate limits. No schema is imported here, so a function's own catalog (routes/<fn>.ts) and the
 * router bundle only the schemas of that function's routes; api.ts composes the catalogs.
 */
import type * as z from 'zod/mini';

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
  /** Status of a success; 200 unless said (204 for routes without a body). What a success carries is in responses/routes.ts. */
  status?: number;
  /**
   * Statuses the route's own logic can answer (409, 422, ...), besides those the router
   * gives from the spec itself (400, 401/403 by access, 404 for addressed things, 410 for
   * signed links, 413, 429, 503); listed in /openapi.json.
   */
  errors?: readonly number[];
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
export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;
