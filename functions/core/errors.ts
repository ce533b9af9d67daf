/**
 * Domain and HTTP errors. One middleware (http/problem.ts) turns them into RFC 9457
 * problem details; anything not listed here becomes a bare 500 without internals.
 */
export type FieldError = { path: string; message: string };

export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly title: string,
    message: string,
    readonly errors?: FieldError[],
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = 'HttpProblem';
    this.headers = options?.headers;
  }
  readonly headers?: Record<string, string>;
}

export const badRequest = (detail: string, errors?: FieldError[]) => new HttpProblem(400, 'Bad Request', detail, errors);
export const unauthorized = (detail = 'A valid bearer token is required.') => new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail = 'You are not allowed to do this.') => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail = 'Not found.') => new HttpProblem(404, 'Not Found', detail);
export const conflict = (detail: string, errors?: FieldError[]) => new HttpProblem(409, 'Conflict', detail, errors);
export const payloadTooLarge = (limit: number) =>
  new HttpProblem(413, 'Payload Too Large', `The request body is larger than ${limit} bytes.`);
export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(422, 'Unprocessable Content', detail, errors);
export const unavailable = (detail = 'The service is busy; retry shortly.', cause?: unknown) =>
  new HttpProblem(503, 'Service Unavailable', detail, undefined, { cause, headers: { 'Retry-After': '1' } });
export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpProblem(429, 'Too Many Requests', `Too many requests; retry in ${retryAfterSeconds} seconds.`, undefined, {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

// ------------------------------------------------------------------ store outcomes
// Raised by the data layer (functions/core/data/); services decide what each means.

/** A write lost a race or broke an invariant; `reasons` has one code per transaction item. */
export class ConditionFailed extends Error {
  /** The item as it stood when the condition failed, where the write asked for it (ReturnValuesOnConditionCheckFailure). */
  readonly current?: Record<string, unknown>;
  constructor(
    readonly reasons: (string | undefined)[] = [],
    options?: { cause?: unknown; current?: Record<string, unknown> },
  ) {
    super('A condition on the write did not hold', options);
    this.name = 'ConditionFailed';
    this.current = options?.current;
  }
}

/** A write that counts the request on a rate-limit window failed on that window: it is full. */
export class RateWindowFull extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The rate-limit window is full', options);
    this.name = 'RateWindowFull';
  }
}

/** The Stripe event (or the payment it records) has already taken effect. */
export class AlreadyApplied extends Error {
  constructor(options?: { cause?: unknown }) {
    super('This change was already applied', options);
    this.name = 'AlreadyApplied';
  }
}

/** The membership changed since it was read; read again and retry. */
export class StaleMember extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The membership changed since it was read', options);
    this.name = 'StaleMember';
  }
}

/**
 * A transaction was cancelled by something other than our conditions: a conflicting
 * concurrent request, throttling. Worth a retry; after retries the caller answers 503.
 */
export class StoreBusy extends Error {
  constructor(
    readonly reasons: (string | undefined)[] = [],
    options?: { cause?: unknown },
  ) {
    super('The write was cancelled by a concurrent request', options);
    this.name = 'StoreBusy';
  }
}
