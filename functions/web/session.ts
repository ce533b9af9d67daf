/**
 * The web app's sign-in: OAuth 2 authorization code with PKCE against Cognito's hosted
 * login in AWS, the local issuer locally (same endpoints, same claims). The ID token is
 * kept in an HttpOnly, SameSite=Lax cookie, so a reload keeps the visitor signed in and
 * scripts never see it; the PKCE verifier waits in a short-lived cookie of its own.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'session';
export const OAUTH_COOKIE = 'oauth';

export function parseCookies(header: string | undefined, list: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of [...list, ...(header ?? '').split(';')]) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const name = part.slice(0, i).trim();
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        // A cookie we did not write; ignore it.
      }
    }
  }
  return out;
}

export function cookie(name: string, value: string, opts: { maxAge: number; path?: string; secure: boolean }): string {
  return `${name}=${encodeURIComponent(value)}; Path=${opts.path ?? '/'}; Max-Age=${Math.max(0, Math.floor(opts.maxAge))}; HttpOnly; SameSite=Lax${opts.secure ? '; Secure' : ''}`;
}

/** Only a path on this site: never another origin ("//evil", "/\\evil", "https://..."). */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\r\n]/.test(next)) return '/';
  return next;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** A fresh state and PKCE pair (RFC 7636, S256). */
export function newAuthRequest(): { state: string; verifier: string; challenge: string } {
  const verifier = b64url(randomBytes(32));
  return { state: b64url(randomBytes(16)), verifier, challenge: pkceChallenge(verifier) };
}

export const pkceChallenge = (verifier: string) => b64url(createHash('sha256').update(verifier).digest());

export interface AuthSettings {
  /** Base of the authorize and token endpoints: Cognito's `https://<domain>/oauth2`, locally `<api>/dev/oauth2`. */
  authUrl: string;
  clientId: string;
  appUrl: string;
}

export function authorizeUrl(s: AuthSettings, req: { state: string; challenge: string }): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: s.clientId,
    redirect_uri: `${s.appUrl}/auth/callback`,
    scope: 'openid email profile',
    state: req.state,
    code_challenge: req.challenge,
    code_challenge_method: 'S256',
  });
  return `${s.authUrl}/authorize?${q}`;
}

/** Trades the code for tokens at the token endpoint; null when the issuer refuses. */
export async function exchangeCode(s: AuthSettings, code: string, verifier: string, fetcher: typeof fetch = fetch): Promise<string | null> {
  const res = await fetcher(`${s.authUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: s.clientId, code, redirect_uri: `${s.appUrl}/auth/callback`, code_verifier: verifier }),
  });
  if (!res.ok) return null;
  const body = (await res.json()) as { id_token?: string };
  return body.id_token ?? null;
}
