/**
 * The one error mapping: a request that ran out of time (middy's TimeoutError, raised just
 * before Lambda's own limit) is a 503 to retry, never a 500.
 */
import { problemResponse } from '../../../functions/core/http/problem.js';
import { StoreBusy } from '../../../functions/core/errors.js';

const timeout = () => Object.assign(new Error('[AbortError]: The operation was aborted.'), { name: 'TimeoutError' });

describe('problemResponse', () => {
  it('answers a request that ran out of time with 503 and Retry-After', () => {
    const res = problemResponse(timeout());

    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/problem+json', 'Retry-After': '1' });
    expect(JSON.parse(String(res.body))).toMatchObject({ status: 503, title: 'Service Unavailable' });
  });

  it('answers a transaction cancelled by a concurrent request with 503', () => {
    expect(problemResponse(new StoreBusy(['TransactionConflict'])).statusCode).toBe(503);
  });

  it('still answers an unknown error with a bare 500', () => {
    const res = problemResponse(new Error('boom'));

    expect(res.statusCode).toBe(500);
    expect(String(res.body)).not.toContain('boom');
  });
});
