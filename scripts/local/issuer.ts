/**
 * The local stand-in for Cognito: signs RS256 ID tokens (token_use 'id') with the claim shape the HTTP API JWT
 * authorizer passes on (sub, email, name), and verifies them for the local gateway.
 * It also serves Cognito's OAuth 2 authorization-code flow with PKCE (authorize and token
 * endpoints), with a page that asks for an email and a name instead of a password, so the
 * web app signs in one way here and in AWS. The same email always gets the same sub, as a
 * Cognito user keeps theirs. With a key file the signing key survives a restart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { escapeHtml as h } from '../../functions/core/http/html.js';

export const LOCAL_AUDIENCE = 'local-app-client';

export function subFor(email: string): string {
  const h = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  // UUID-shaped, like a Cognito sub.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

async function loadOrMakeKeys(keyFile?: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  if (keyFile && existsSync(keyFile)) {
    const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
    const { d: _d, ...pub } = jwk;
    return { privateKey: (await importJWK(jwk, 'RS256')) as CryptoKey, publicKey: (await importJWK(pub, 'RS256')) as CryptoKey };
  }
  // RS256, as Cognito signs: the functions accept no other algorithm.
  const keys = await generateKeyPair('RS256', { extractable: true });
  if (keyFile) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, JSON.stringify(await exportJWK(keys.privateKey)), { mode: 0o600 });
  }
  return keys;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

interface PendingCode {
  email: string;
  name: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  expires: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * @param issuerUrl the `iss` of the tokens (locally `<api>/dev`)
 * @param opts.keyFile keep the signing key here (npm start --persist), so sessions survive a restart
 * @param opts.redirectOrigin the only origin a sign-in may return to (the web app's)
 */
export async function createIssuer(issuerUrl: string, opts: { keyFile?: string; redirectOrigin?: string } = {}) {
  const { privateKey, publicKey } = await loadOrMakeKeys(opts.keyFile);
  const { d: _d, ...publicJwk } = await exportJWK(publicKey);
  const jwk = { ...publicJwk, kid: 'local', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, PendingCode>();

  /** An ID token; `tokenUse` 'access' or 'none' (no claim) only to test that those are refused. */
  const sign = async (email: string, name?: string, tokenUse: 'id' | 'access' | 'none' = 'id'): Promise<string> =>
    new SignJWT({ email, ...(name ? { name } : {}), ...(tokenUse === 'none' ? {} : { token_use: tokenUse }), email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: 'local' })
      .setSubject(subFor(email))
      .setIssuer(issuerUrl)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('12h')
      .sign(privateKey);

  const page = (status: number, q: URLSearchParams, error?: { field: 'email' | 'name'; message: string }): Reply => {
    const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'response_type']
      .map((k) => `<input type="hidden" name="${k}" value="${h(q.get(k) ?? '')}">`)
      .join('');
    const err = (f: string) => (error?.field === f ? `<p class="err" id="${f}-error">${h(error.message)}</p>` : '');
    const described = (f: string) => (error?.field === f ? ` aria-describedby="${f}-error" aria-invalid="true"` : '');
    return {
      status,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' " + (opts.redirectOrigin ?? "'self'"), 'X-Content-Type-Options': 'nosniff' },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}label{display:block;font-weight:600;margin-top:1rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.6rem;border:2px solid #57606a;border-radius:6px}input:focus,button:focus{outline:3px solid #0a5cd5;outline-offset:2px}button{font:inherit;margin-top:1.25rem;padding:.7rem 1.2rem;background:#0a5cd5;color:#fff;border:0;border-radius:6px;cursor:pointer}.err{color:#a40e26;margin:.25rem 0 0}.hint{color:#57606a}</style></head>
<body><main><h1>Sign in</h1><p class="hint">Local sign-in: no password, the email is your account.</p>
<form method="post" action="${h(`${issuerUrl}/oauth2/authorize`)}">${hidden}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required value="${h(q.get('email') ?? '')}"${described('email')}>${err('email')}
<label for="name">Name</label><input id="name" name="name" autocomplete="name" required value="${h(q.get('name') ?? '')}"${described('name')}>${err('name')}
<button type="submit">Sign in</button></form></main></body></html>`,
    };
  };

  /** Refuses a request whose client or return address is not ours (an open redirect otherwise). */
  const clientProblem = (q: URLSearchParams): Reply | null => {
    const redirect = q.get('redirect_uri') ?? '';
    let ok = q.get('client_id') === LOCAL_AUDIENCE && q.get('response_type') === 'code' && q.get('code_challenge_method') === 'S256' && /^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '');
    try {
      if (opts.redirectOrigin && new URL(redirect).origin !== opts.redirectOrigin) ok = false;
    } catch {
      ok = false;
    }
    return ok ? null : { status: 400, body: { error: 'invalid_request', error_description: 'client_id, redirect_uri, response_type=code and an S256 code_challenge are required' } };
  };

  return {
    /** Served at <issuer>/.well-known/jwks.json, as Cognito does, for functions that check tokens themselves. */
    jwks: { keys: [jwk] },
    sign,
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
    /** GET <issuer>/oauth2/authorize: the sign-in page. */
    authorizePage(url: URL): Reply {
      return clientProblem(url.searchParams) ?? page(200, url.searchParams);
    },
    /** POST <issuer>/oauth2/authorize: the page's form; answers with a redirect carrying a one-time code. */
    submit(body: Buffer): Reply {
      const q = new URLSearchParams(body.toString('utf8'));
      const bad = clientProblem(q);
      if (bad) return bad;
      const email = (q.get('email') ?? '').trim().toLowerCase();
      const name = (q.get('name') ?? '').trim();
      if (!EMAIL.test(email)) return page(400, q, { field: 'email', message: 'Enter an email address like name@example.com.' });
      if (!name || name.length > 120) return page(400, q, { field: 'name', message: 'Enter your name (at most 120 characters).' });
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { email, name, clientId: q.get('client_id')!, redirectUri: q.get('redirect_uri')!, challenge: q.get('code_challenge')!, expires: Date.now() + 5 * 60_000 });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      return { status: 302, body: '', headers: { Location: back.toString(), 'Cache-Control': 'no-store' } };
    },
    /** POST <issuer>/oauth2/token: code + PKCE verifier → tokens, as Cognito's token endpoint answers. */
    async token(body: Buffer): Promise<Reply> {
      const q = new URLSearchParams(body.toString('utf8'));
      const fail = (error: string, description: string): Reply => ({ status: 400, body: { error, error_description: description }, headers: { 'Cache-Control': 'no-store' } });
      if (q.get('grant_type') !== 'authorization_code') return fail('unsupported_grant_type', 'grant_type must be authorization_code');
      const code = q.get('code') ?? '';
      const pending = codes.get(code);
      // One use only, whatever happens next.
      codes.delete(code);
      if (!pending || pending.expires < Date.now()) return fail('invalid_grant', 'the code is unknown, used or expired');
      if (q.get('client_id') !== pending.clientId || q.get('redirect_uri') !== pending.redirectUri) return fail('invalid_grant', 'client_id or redirect_uri differ from the authorize request');
      const verifier = q.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return fail('invalid_grant', 'the code_verifier does not match the code_challenge');
      const idToken = await sign(pending.email, pending.name);
      return { status: 200, body: { id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: 43_200 }, headers: { 'Cache-Control': 'no-store' } };
    },
  };
}
