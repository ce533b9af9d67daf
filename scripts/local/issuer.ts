/**
 * The local stand-in for Cognito: signs ID tokens with the claim shape the HTTP API JWT
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
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'local', alg: 'ES256', use: 'sig' };
  return {
    /** Served at <issuer>/.well-known/jwks.json, as Cognito does, for functions that check tokens themselves. */
    jwks: { keys: [jwk] },
    async sign(email: string, name?: string): Promise<string> {
      return new SignJWT({ email, ...(name ? { name } : {}), token_use: 'id', email_verified: true })
        .setProtectedHeader({ alg: 'ES256', kid: 'local' })
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
        const { payload } = await jwtVerify(token, publicKey, { issuer: issuerUrl, audience: LOCAL_AUDIENCE });
        return payload;
      } catch {
        return null;
      }
    },
  };
}
