/**
 * Opaque, tamper-evident list cursors: the DynamoDB key to resume from, signed with an
 * HMAC and bound to the list it came from, so a client cannot steer a query elsewhere.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretFromEnv } from '../secrets.js';
import { badRequest } from '../errors.js';

// At cold start: CURSOR_SECRET_ARN in AWS (never the key itself in the configuration), CURSOR_SECRET locally.
const secret = await secretFromEnv('CURSOR_SECRET', 'CURSOR_SECRET_ARN');
const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function encodeCursor(key: Record<string, unknown> | undefined, scope: string): string | null {
  if (!key) return null;
  const payload = Buffer.from(JSON.stringify({ k: key, s: scope })).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function decodeCursor(cursor: string | undefined, scope: string): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => badRequest('The cursor is not valid for this list.', [{ path: 'cursor', message: 'is not a cursor this list issued' }]);
  const parts = cursor.split('.');
  if (parts.length !== 2) throw invalid();
  const [payload, mac] = parts as [string, string];
  if (!payload || !mac) throw invalid();
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  try {
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (decoded.s !== scope) throw invalid();
    return decoded.k;
  } catch {
    throw invalid();
  }
}
