/**
 * Builds one Lambda handler for a bounded context: middy middlewares around a dispatch
 * on API Gateway's routeKey. Input is validated against the catalog's zod schemas and
 * access is checked (access.ts) before the route's implementation runs.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpCors from '@middy/http-cors';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { routeKey, type RouteSpec } from '../routes/spec.js';
import { config } from '../config.js';
import { badRequest, notFound, payloadTooLarge, unauthorized, type FieldError } from '../errors.js';
import { logger } from './logger.js';
import { problemDetails } from './problem.js';
import { authorize, type AccessStore, type Access_, type Caller } from './access.js';
import { isIdToken } from './tokens.js';
import type { RsvpsRepo } from '../data/store.js';
import type { DeferredLimits, RateLimiting } from './rate-limit.js';

export type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

export interface RequestCtx {
  /** The body exactly as received, for routes marked rawBody. */
  rawBody?: string;
  /** Request headers, lower-cased. */
  headers: Record<string, string | undefined>;
  params: Record<string, string>;
  query: any;
  body: any;
  caller: Caller | null;
  access: Access_;
  now: Date;
  requestId: string;
  /** Routes with `readAhead`: the rate limits the implementation counts in its own write. */
  rate?: DeferredLimits;
}

/** What an implementation returns: a JSON body (200) or a full response. */
export type Reply = { status?: number; body?: unknown; headers?: Record<string, string>; text?: string };
export type Implementation = (ctx: RequestCtx) => Promise<Reply>;

export const json = (body: unknown, status = 200): Reply => ({ status, body });

/** Checks a success answer against the route's published schema, throwing a 500 problem on drift. */
export type ResponseCheck = (spec: RouteSpec, result: APIGatewayProxyStructuredResultV2) => void;
let responseCheck: ResponseCheck | undefined;

/**
 * Installs the local-mode response check (http/response-check.ts checkResponse) for every
 * handler in this process; undefined removes it. Only scripts/local/stack.ts (with
 * RESPONSE_VALIDATION=1) and tests call this, never a Lambda, so the deployed bundles leave the
 * check and the response schemas out. Read per request, so handlers built before it are covered.
 */
export function useResponseCheck(check: ResponseCheck | undefined): void {
  responseCheck = check;
}

/** Turns zod issues into the contract's `errors[]`, one entry per offending field. */
export function fieldErrors(error: z.core.$ZodError, prefix?: string): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...base, key].join('.'), message: 'is not a known field' });
    } else {
      out.push({ path: base.join('.') || (prefix ?? 'body'), message: issue.message });
    }
  }
  return out;
}

function parse(schema: z.ZodMiniType | undefined, input: unknown, where: string, prefix?: string) {
  if (!schema) return input;
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw badRequest(`The ${where} is not valid.`, fieldErrors(result.error, prefix));
  return result.data;
}

function bodyBytes(event: Event, spec: RouteSpec): Buffer {
  const raw = event.body ?? '';
  // API Gateway hands over non-text bodies base64-encoded.
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const limit = spec.maxBodyBytes ?? config.maxBodyBytes;
  if (bytes.length > limit) throw payloadTooLarge(limit);
  return bytes;
}

function readBody(bytes: Buffer, event: Event, spec: RouteSpec): unknown {
  if (!spec.body) return undefined;
  if (bytes.length === 0) throw badRequest('A JSON body is required.', [{ path: 'body', message: 'is required' }]);
  const type = event.headers?.['content-type'] ?? '';
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw badRequest('The body must be JSON.', [{ path: 'body', message: 'Content-Type must be application/json' }]);
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw badRequest('The body is not valid JSON.', [{ path: 'body', message: 'is not valid JSON' }]);
  }
}

function callerOf(event: Event): Caller | null {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims?.sub || typeof claims.sub !== 'string') return null;
  // The authorizer checks signature, issuer, audience and expiry, but not token_use.
  if (!isIdToken(claims)) return null;
  return { userId: claims.sub, email: String(claims.email ?? ''), name: claims.name ? String(claims.name) : undefined };
}

export interface HandlerDeps {
  /**
   * The access checks' reads; absent for functions whose routes name no association or event
   * (meta, profiles, email, webhooks). The RSVP read-ahead is required when any route reads
   * ahead (the events function).
   */
  store?: AccessStore & Partial<Pick<RsvpsRepo, 'rsvpReadAhead'>>;
  /**
   * Required when any of the function's routes has a rateLimit: http/rate-limit.ts rateLimiting
   * over the counters (deps.ts limiter). Passed in, so functions without limits leave it out.
   */
  limiter?: RateLimiting;
  /**
   * Verifies the optional bearer token of 'viewer' routes (http/tokens.ts optionalCaller);
   * required when the function has one. Passed in rather than imported, so functions without
   * such routes leave the JWT library out of their bundle.
   */
  optionalCaller?: (authorization: string | undefined) => Promise<Caller | null>;
  now?: () => Date;
}

/**
 * One handler for a function's routes: its own catalog (routes/<fn>.ts), not the whole one, so
 * its bundle leaves the other routes' schemas out. Fails at load time if an implementation is
 * missing, so a route can never deploy without code behind it.
 */
export function httpHandler(mine: readonly RouteSpec[], impls: Record<string, Implementation>, deps: HandlerDeps) {
  const fn = mine[0]?.fn;
  if (!fn || mine.some((r) => r.fn !== fn)) throw new Error(`A handler serves the routes of one function: ${[...new Set(mine.map((r) => r.fn))].join(', ') || 'none given'}`);
  const table = new Map(mine.map((r) => [routeKey(r), r]));
  for (const r of mine) if (!impls[routeKey(r)]) throw new Error(`No implementation for ${routeKey(r)}`);
  if (mine.some((r) => r.rateLimit?.length) && !deps.limiter) throw new Error(`Function ${fn} has rate-limited routes but no limiter`);
  if (mine.some((r) => r.access === 'viewer') && !deps.optionalCaller) throw new Error(`Function ${fn} has 'viewer' routes but no optionalCaller`);
  if (mine.some((r) => /\{(associationId|eventId)\}/.test(r.path)) && !deps.store) throw new Error(`Function ${fn} has association or event routes but no store`);
  if (mine.some((r) => r.readAhead) && !deps.store?.rsvpReadAhead) throw new Error(`Function ${fn} has read-ahead routes but no rsvpReadAhead in its store`);
  if (mine.some((r) => r.path.includes('{eventId}')) && !deps.store?.getEvent) throw new Error(`Function ${fn} has event routes but no getEvent in its store`);
  // Only routes with limits have anything to check, and those have a limiter (above).
  for (const r of mine) if (r.rateLimit?.length) deps.limiter!.check(r);

  // Order matters and is pinned by a test: onError runs in reverse, so the problem mapper
  // answers first, then CORS adds its headers to error responses, then the request is logged.
  const core = async (event: Event, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const spec = table.get(event.routeKey);
    if (!spec) throw notFound('No such route.');
    const caller = callerOf(event) ?? (spec.access === 'viewer' ? await deps.optionalCaller!(event.headers?.authorization) : null);
    // API Gateway's JWT authorizer already refuses these in AWS; this keeps local mode and tests honest.
    if (spec.access !== 'public' && spec.access !== 'viewer' && !caller) throw unauthorized();
    // Path and query first: they say which thing is addressed, then who may touch it.
    const params = parse(spec.params, event.pathParameters ?? {}, 'path') as Record<string, string>;
    const query = parse(spec.query, event.queryStringParameters ?? {}, 'query string');
    const bytes = bodyBytes(event, spec);
    const parsedJson = spec.rawBody ? undefined : readBody(bytes, event, spec);
    const now = deps.now ? deps.now() : new Date();
    const who = { userId: caller?.userId, sourceIp: event.requestContext?.http?.sourceIp, params };
    // An RSVP: the event, the caller's RSVP, profile and rate counters in one read.
    const rate = spec.readAhead && caller && params.eventId && spec.rateLimit?.length ? deps.limiter!.deferred(spec.rateLimit, who, now) : undefined;
    const readAhead = spec.readAhead && caller && params.eventId ? await deps.store!.rsvpReadAhead!(params.eventId, caller.userId, rate?.windows.map((w) => w.key) ?? [], false) : undefined;
    const access = await authorize(spec.access, params, caller, deps.store, readAhead);
    const body = parse(spec.body, parsedJson, 'body');
    if (rate) {
      if (readAhead!.rateCounts.some((n, i) => n >= rate.windows[i]!.limit)) throw rate.refused();
    } else if (spec.rateLimit?.length) {
      await deps.limiter!.enforce(spec.rateLimit, who, now);
    }
    let reply: Reply;
    try {
      reply = await impls[event.routeKey]!({
        rawBody: spec.rawBody ? bytes.toString('utf8') : undefined,
        headers: event.headers ?? {},
        params,
        query,
        body,
        caller,
        access,
        now,
        requestId: context.awsRequestId,
        rate,
      });
    } catch (err) {
      // A request that failed before its write still counts, as with the limits checked up front.
      if (rate && !rate.counted) await rate.charge();
      throw err;
    }
    // An answer that wrote nothing (a repeated request) counts too: refused if the window filled meanwhile.
    if (rate && !rate.counted) await rate.charge();
    const result = toResult(reply, spec);
    responseCheck?.(spec, result);
    return result;
  };

  return middy<Event, APIGatewayProxyStructuredResultV2>(core)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(requestLog())
    .use(httpHeaderNormalizer())
    .use(httpCors({ origins: config.corsOrigins, exposeHeaders: 'Retry-After,Location', maxAge: 600 }))
    .use(problemDetails());
}

function toResult(reply: Reply, spec: RouteSpec): APIGatewayProxyStructuredResultV2 {
  if (reply.text !== undefined) {
    return { statusCode: reply.status ?? 200, headers: reply.headers, body: reply.text };
  }
  if (reply.body === undefined) return { statusCode: reply.status ?? 204, headers: reply.headers, body: '' };
  return {
    statusCode: reply.status ?? spec.status ?? 200,
    headers: { 'Content-Type': 'application/json', ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}

/** One line per request: route and status, never bodies or personal data. */
function requestLog(): middy.MiddlewareObj<Event, APIGatewayProxyStructuredResultV2> {
  const log = async (request: middy.Request<Event, APIGatewayProxyStructuredResultV2>) => {
    logger.info('request', { routeKey: request.event.routeKey, status: request.response?.statusCode });
  };
  return { after: log, onError: log };
}
