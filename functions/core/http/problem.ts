/**
 * The one error-to-response mapping: RFC 9457 problem details for every failure.
 * Known problems keep their status and message; AWS throttling becomes 503 with
 * Retry-After; anything else is logged and answered as a bare 500 without internals.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpProblem, StoreBusy } from '../errors.js';
import { isConflictOnly } from '../data/conflict-retry.js';
import { logger } from './logger.js';

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // middy's, just before the function's time runs out: the work did not finish, a retry may.
  'TimeoutError',
]);

/** AWS said it is overloaded or briefly unavailable (not a bug in the request). */
export const isThrottling = (err: unknown) => err instanceof Error && THROTTLING.has(err.name);

export const PROBLEM_JSON = 'application/problem+json';

export function problemResponse(err: unknown): APIGatewayProxyStructuredResultV2 {
  let problem: HttpProblem;
  if (err instanceof HttpProblem) {
    problem = err;
  } else if (err instanceof StoreBusy || isConflictOnly(err) || (err instanceof Error && THROTTLING.has(err.name))) {
    // A conflict still there after the client's retries is contention, not a bug: 503, retry later.
    logger.warn('dependency throttled or unavailable', { errorName: err.name });
    problem = new HttpProblem(503, 'Service Unavailable', 'The service is busy; retry shortly.', undefined, {
      headers: { 'Retry-After': '1' },
    });
  } else {
    logger.error('unhandled error', err as Error);
    problem = new HttpProblem(500, 'Internal Server Error', 'Something went wrong on our side.');
  }
  const body: Record<string, unknown> = {
    type: `https://errors.assoc.dev/${problem.statusCode}`,
    title: problem.title,
    status: problem.statusCode,
    detail: problem.message,
  };
  if (problem.errors?.length) body.errors = problem.errors;
  return {
    statusCode: problem.statusCode,
    headers: { 'Content-Type': PROBLEM_JSON, ...problem.headers },
    body: JSON.stringify(body),
  };
}

export const problemDetails = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    request.response = problemResponse(request.error);
  },
});
