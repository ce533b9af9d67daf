import { decodeCursor, encodeCursor } from '../../../functions/core/http/cursor.js';
import { HttpProblem } from '../../../functions/core/errors.js';

const key = { pk: 'ASSOC#a1', sk: 'MEMBER#u42' };
const scope = 'members:a1::';

/** Runs `fn`, expecting the contract's 400 for a bad cursor; returns the problem. */
function rejected(fn: () => unknown): HttpProblem {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(HttpProblem);
  const problem = caught as HttpProblem;
  expect(problem.statusCode).toBe(400);
  expect(problem.errors).toEqual([{ path: 'cursor', message: expect.any(String) }]);
  return problem;
}

describe('cursors', () => {
  it('round-trips the key for the same list', () => {
    const cursor = encodeCursor(key, scope)!;
    expect(decodeCursor(cursor, scope)).toEqual(key);
  });

  it('is opaque and URL-safe', () => {
    const cursor = encodeCursor(key, scope)!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('MEMBER#');
  });

  it('is null when there is no next page, and absent input means the first page', () => {
    expect(encodeCursor(undefined, scope)).toBeNull();
    expect(decodeCursor(undefined, scope)).toBeUndefined();
  });

  it('rejects a payload changed under its signature', () => {
    const [, mac] = encodeCursor(key, scope)!.split('.');
    const forged = Buffer.from(JSON.stringify({ k: { pk: 'ASSOC#other', sk: 'MEMBER#u1' }, s: scope })).toString('base64url');
    rejected(() => decodeCursor(`${forged}.${mac}`, scope));
  });

  it('rejects a changed signature', () => {
    const [payload, mac] = encodeCursor(key, scope)!.split('.') as [string, string];
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    rejected(() => decodeCursor(`${payload}.${flipped}`, scope));
    rejected(() => decodeCursor(`${payload}.${mac.slice(0, -1)}`, scope));
  });

  it('rejects a cursor issued for another list', () => {
    const cursor = encodeCursor(key, 'members:a1::')!;
    rejected(() => decodeCursor(cursor, 'members:a2::'));
    rejected(() => decodeCursor(cursor, 'directory:a1'));
  });

  it.each(['', 'garbage', '.', 'abc.', '.abc', '%%%.%%%', 'eyJ9.bm9wZQ'])('rejects garbage %j', (garbage) => {
    rejected(() => decodeCursor(garbage, scope));
  });

  it('says what is wrong without echoing the cursor', () => {
    const problem = rejected(() => decodeCursor('not-a-cursor', scope));
    expect(problem.message).toBe('The cursor is not valid for this list.');
    expect(JSON.stringify(problem.errors)).not.toContain('not-a-cursor');
  });
});
