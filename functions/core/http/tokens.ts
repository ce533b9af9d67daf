/**
 * Bearer tokens on routes where signing in is optional (public events: members see more).
 * API Gateway's JWT authorizer cannot be optional, so such routes have none and the
 * function checks a token itself, the same way: issuer, audience, expiry, the pool's keys.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { unauthorized } from '../errors.js';
import type { Caller } from './access.js';

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

/**
 * The API takes Cognito ID tokens only: they carry the email and name the API uses, and an
 * access token of the same pool (API Gateway's authorizer accepts it too, by client_id) must not
 * stand in for one.
 */
export const isIdToken = (claims: Record<string, unknown>) => claims.token_use === 'id';

export async function optionalCaller(authorization: string | undefined): Promise<Caller | null> {
  if (!authorization) return null;
  const token = /^Bearer (.+)$/i.exec(authorization)?.[1];
  const issuer = process.env.JWT_ISSUER;
  const audience = process.env.JWT_AUDIENCE;
  if (!token || !issuer || !audience) throw unauthorized('The bearer token is not valid.');
  jwks ??= createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
  try {
    // RS256 pinned: Cognito signs only with it, and a token naming another algorithm (HS256
    // keyed with the public key, none) must never reach key selection.
    const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'] });
    if (typeof payload.sub !== 'string') throw new Error('no sub');
    if (!isIdToken(payload)) throw new Error('not an ID token');
    return { userId: payload.sub, email: String(payload.email ?? ''), name: payload.name ? String(payload.name) : undefined };
  } catch {
    // A token that does not verify is refused, not silently treated as anonymous.
    throw unauthorized('The bearer token is not valid.');
  }
}
