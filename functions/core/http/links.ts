/**
 * Signed links in emails (unsubscribe, leave the waitlist): the payload says what the
 * link may do and for whom, an HMAC makes it unforgeable. No sign-in needed to use one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { required } from '../config.js';
import { badRequest } from '../errors.js';

// Read on first use: only functions that put links in mail or read them need the key.
let secret: string | undefined;
const sign = (purpose: string, payload: string) =>
  createHmac('sha256', (secret ??= required('CURSOR_SECRET'))).update(`link:${purpose}:${payload}`).digest('base64url');

export function signLink(purpose: string, data: Record<string, string>): string {
  const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
  return `${payload}.${sign(purpose, payload)}`;
}

export function readLink(purpose: string, token: string): Record<string, string> {
  const invalid = () => badRequest('This link is not valid.', [{ path: 'token', message: 'is not a link we sent' }]);
  const parts = token.split('.');
  if (parts.length !== 2) throw invalid();
  const [payload, mac] = parts as [string, string];
  const expected = Buffer.from(sign(purpose, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
}
