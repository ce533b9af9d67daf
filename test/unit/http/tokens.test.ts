/**
 * Bearer tokens are checked as Cognito ID tokens: RS256 only (pinned, so neither an HS256
 * token keyed with the public key nor an unsigned one passes), token_use 'id', the pool's
 * issuer and the web client as audience. The same token_use rule holds for claims handed
 * over by API Gateway's JWT authorizer, which cannot check token_use itself.
 */
import '../../support/events-env.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { optionalCaller } from '../../../functions/core/http/tokens.js';
import { HttpProblem } from '../../../functions/core/errors.js';
import { handler as profiles } from '../../../functions/profiles/handler.js';
import { apiEvent, invoke } from '../../support/lambda.js';

const ddb = mockClient(DynamoDBDocumentClient);
const AUDIENCE = 'assoc-web-client';
type Key = Awaited<ReturnType<typeof generateKeyPair>>;
let server: Server;
let issuer: string;
let pair: Key;
let publicPem: string;

beforeAll(async () => {
  pair = await generateKeyPair('RS256', { extractable: true });
  publicPem = await exportSPKI(pair.publicKey);
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.JWT_ISSUER = issuer;
  process.env.JWT_AUDIENCE = AUDIENCE;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'user-1', email: 'one@example.test', name: 'One', token_use: 'id', ...extra });

function idToken(extra: Record<string, unknown> = {}) {
  return new SignJWT(claims(extra))
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(pair.privateKey);
}

async function refused(authorization: string) {
  const err = await optionalCaller(authorization).then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(HttpProblem);
  expect(err.statusCode).toBe(401);
}

describe('optional sign-in on viewer routes', () => {
  it('a Cognito-shaped RS256 ID token makes the caller known', async () => {
    expect(await optionalCaller(`Bearer ${await idToken()}`)).toEqual({ userId: 'user-1', email: 'one@example.test', name: 'One' });
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(publicPem));
    await refused(`Bearer ${forged}`);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), iss: issuer, aud: AUDIENCE, iat: now, exp: now + 600 })}.`;
    await refused(`Bearer ${unsigned}`);
  });

  it('refuses an access token and a token without token_use', async () => {
    await refused(`Bearer ${await idToken({ token_use: 'access' })}`);
    await refused(`Bearer ${await idToken({ token_use: undefined })}`);
  });

  it('refuses another issuer or audience', async () => {
    const other = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://evil.example').setAudience(AUDIENCE).setExpirationTime('10m').sign(pair.privateKey);
    await refused(`Bearer ${other}`);
    const aud = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('other-client').setExpirationTime('10m').sign(pair.privateKey);
    await refused(`Bearer ${aud}`);
  });
});

describe('claims from the JWT authorizer', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
  });

  it('an access token (token_use access), or claims without token_use, are 401 on a signed-in route', async () => {
    for (const token_use of ['access', undefined]) {
      const event = apiEvent('GET /me/profile', { claims: { sub: 'user-1', email: 'one@example.test' } });
      event.requestContext.authorizer.jwt.claims = { sub: 'user-1', client_id: AUDIENCE, ...(token_use ? { token_use } : {}) };
      const res = await invoke(profiles, event);
      expect(res.statusCode).toBe(401);
      expect(res.headers['Content-Type']).toBe('application/problem+json');
    }
  });

  it('an ID token passes', async () => {
    const res = await invoke(profiles, apiEvent('GET /me/profile', { claims: { sub: 'user-1', email: 'one@example.test' } }));
    expect(res.statusCode).not.toBe(401);
  });
});
