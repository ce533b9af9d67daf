/**
 * The local stand-in for Cognito: signs RS256 ID tokens (token_use 'id') with the claim shape the HTTP API JWT
 * authorizer passes on (sub, email, name), and verifies them for the local gateway.
 * The same email always gets the same sub, as a Cognito user keeps theirs.
 */
import { createHash } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';

export const LOCAL_AUDIENCE = 'local-app-client';

export function subFor(email: string): string {
  const h = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  // UUID-shaped, like a Cognito sub.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export async function createIssuer(issuerUrl: string) {
  // RS256, as Cognito signs: the functions accept no other algorithm.
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'local', alg: 'RS256', use: 'sig' };
  return {
    /** Served at <issuer>/.well-known/jwks.json, as Cognito does, for functions that check tokens themselves. */
    jwks: { keys: [jwk] },
    /** An ID token; `tokenUse` 'access' or 'none' (no claim) only to test that those are refused. */
    async sign(email: string, name?: string, tokenUse: 'id' | 'access' | 'none' = 'id'): Promise<string> {
      return new SignJWT({ email, ...(name ? { name } : {}), ...(tokenUse === 'none' ? {} : { token_use: tokenUse }), email_verified: true })
        .setProtectedHeader({ alg: 'RS256', kid: 'local' })
        .setSubject(subFor(email))
        .setIssuer(issuerUrl)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('12h')
        .sign(privateKey);
    },
    /** The authorizer's check: signature, issuer, audience, expiry. Null when any fails. */
    async verify(token: string): Promise<JWTPayload | null> {
      try {
        // API Gateway's JWT authorizer takes RSA signatures only; token_use is the function's check.
        const { payload } = await jwtVerify(token, publicKey, { issuer: issuerUrl, audience: LOCAL_AUDIENCE, algorithms: ['RS256'] });
        return payload;
      } catch {
        return null;
      }
    },
  };
}
