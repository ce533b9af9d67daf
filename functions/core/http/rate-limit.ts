/**
 * Enforces the route catalog's rate limits: the router calls this once per request, after
 * access and validation and before the implementation, so a refused request changes nothing.
 * The router does not import it: a handler whose function has rate-limited routes hands it in
 * (rateLimiting, as HandlerDeps.limiter), so the other functions' bundles leave it out.
 */
import type { RateLimit, RouteSpec } from '../routes/spec.js';
import type { RateLimits } from '../data/rate-limits.js';
import { rateWindow, type RateWindow } from '../data/rate-window.js';
import { tooManyRequests } from '../errors.js';
import { logger } from './logger.js';
import { isThrottling } from './problem.js';

export interface RateSubject {
  userId?: string;
  sourceIp?: string;
  params: Record<string, string>;
}

function subjectOf(limit: RateLimit, who: RateSubject): string {
  switch (limit.per) {
    case 'user':
      return who.userId!;
    case 'userAndEvent':
      return `${who.userId}#${who.params.eventId}`;
    case 'match':
      return `${who.params.eventId}#${who.params.matchId}`;
    case 'ip':
      // API Gateway always sets it; an absent one shares a single counter rather than escaping limits.
      return who.sourceIp || 'unknown';
  }
}

/** Throws at load time when a limit names a subject the route cannot have. */
export function checkLimits(spec: RouteSpec): void {
  for (const limit of spec.rateLimit ?? []) {
    const signedIn = spec.access !== 'public' && spec.access !== 'viewer';
    if ((limit.per === 'user' || limit.per === 'userAndEvent') && !signedIn) throw new Error(`${spec.method} ${spec.path}: a per-user limit needs a signed-in route`);
    if ((limit.per === 'userAndEvent' || limit.per === 'match') && !spec.path.includes('{eventId}')) throw new Error(`${spec.method} ${spec.path}: a per-event limit needs {eventId}`);
    if (limit.per === 'match' && !spec.path.includes('{matchId}')) throw new Error(`${spec.method} ${spec.path}: a per-match limit needs {matchId}`);
  }
}

/**
 * Counts the request against each of the route's limits; 429 with Retry-After on the first
 * that is full. When DynamoDB throttles the counter, the request goes on (fail open): the
 * limits guard against abuse, not against overload (API Gateway's stage throttling does that),
 * and refusing every limited route while the table is busy would turn a short throttle into an
 * outage of RSVPs and unsubscribes. The implementation's own writes still meet the throttle
 * and answer 503 if it persists. Any other error is a bug and propagates.
 */
export async function enforceRateLimits(limits: readonly RateLimit[], who: RateSubject, limiter: RateLimits, now: Date): Promise<void> {
  for (const limit of limits) {
    let decision;
    try {
      decision = await limiter.take(limit.bucket, subjectOf(limit, who), limit.limit, limit.windowSeconds, now);
    } catch (err) {
      if (!isThrottling(err)) throw err;
      logger.warn('rate limit not checked: counter throttled', { bucket: limit.bucket, errorName: (err as Error).name });
      continue;
    }
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
  }
}

/**
 * The limits of a route whose implementation counts the request in its own transaction
 * (catalog: `rateLimitInWrite`), saving the counter's separate write. The router refuses at
 * once when the counts read ahead are full; the implementation either puts `windows` in its
 * one transaction (and sets `counted`) or calls `charge()` before writing anything else. A
 * request that ends without either (an answer that changed nothing, an error) is charged by
 * the router afterwards, so every request counts as it did before.
 */
export interface DeferredLimits {
  windows: RateWindow[];
  counted: boolean;
  charge(): Promise<void>;
  /** The 429 for a transaction that failed on one of `windows`. */
  refused(): Error;
}

export function deferredLimits(limits: readonly RateLimit[], who: RateSubject, limiter: RateLimits, now: Date): DeferredLimits {
  const windows = limits.map((l) => rateWindow(l.bucket, subjectOf(l, who), l.limit, l.windowSeconds, now));
  const d: DeferredLimits = {
    windows,
    counted: false,
    async charge() {
      if (d.counted) return;
      d.counted = true;
      await enforceRateLimits(limits, who, limiter, now);
    },
    refused: () => {
      d.counted = true; // a refused request is not counted, and must not be charged again
      return tooManyRequests(Math.max(...windows.map((w) => w.retryAfterSeconds)));
    },
  };
  return d;
}

/** The router's rate limiting, bound to the counters' store (router.ts HandlerDeps.limiter). */
export interface RateLimiting {
  /** Throws at load time when a limit names a subject the route cannot have. */
  check(spec: RouteSpec): void;
  enforce(limits: readonly RateLimit[], who: RateSubject, now: Date): Promise<void>;
  deferred(limits: readonly RateLimit[], who: RateSubject, now: Date): DeferredLimits;
}

export const rateLimiting = (limiter: RateLimits): RateLimiting => ({
  check: checkLimits,
  enforce: (limits, who, now) => enforceRateLimits(limits, who, limiter, now),
  deferred: (limits, who, now) => deferredLimits(limits, who, limiter, now),
});
