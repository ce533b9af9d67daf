/**
 * Bearer tokens over HTTP: only RS256 ID tokens of the issuer pass, on routes behind the
 * JWT authorizer (the local gateway plays it) and on 'viewer' routes that check a token
 * themselves. Forged algorithms and other kinds of token are 401.
 */
import { importJWK, exportSPKI, SignJWT, decodeJwt, type JWK } from 'jose';
import { call } from '../support/http.js';
import { buildAssociation, type AssociationFixture } from '../support/fixtures.js';
import { createEvent, uniqueLabel } from '../support/events.js';

let fx: AssociationFixture;
let eventId: string;
let publicPem: string;
beforeAll(async () => {
  fx = await buildAssociation();
  eventId = (await createEvent(fx.organizer, fx.associationId, { title: 'Token checks', visibility: 'public' })).eventId;
  const jwks = (await call('GET', '/dev/.well-known/jwks.json')).body as { keys: JWK[] };
  expect(jwks.keys[0]!.alg).toBe('RS256');
  publicPem = await exportSPKI((await importJWK(jwks.keys[0]!, 'RS256')) as Parameters<typeof exportSPKI>[0]);
});

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const tokenFor = async (tokenUse?: 'id' | 'access' | 'none') =>
  (await call('POST', '/dev/token', { body: { email: `${uniqueLabel('tok')}@example.test`, ...(tokenUse ? { tokenUse } : {}) } })).body.token as string;

/** Claims as a genuine token of this issuer would carry them. */
async function genuineClaims() {
  const c = decodeJwt(await tokenFor());
  expect(c.token_use).toBe('id');
  return c;
}

const routesToTry = () => [
  (t: string) => call('GET', '/me/profile', { token: t }),
  (t: string) => call('GET', `/events/${eventId}`, { token: t }),
];

async function expectRefused(token: string) {
  for (const send of routesToTry()) {
    const res = await send(token);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  }
}

describe('bearer tokens', () => {
  it('a genuine ID token passes on both kinds of route', async () => {
    const t = await tokenFor();
    for (const send of routesToTry()) expect((await send(t)).status).toBe(200);
  });

  it('HS256 signed with the public key as the secret is 401', async () => {
    const c = await genuineClaims();
    const forged = await new SignJWT(c).setProtectedHeader({ alg: 'HS256', kid: 'local' }).sign(new TextEncoder().encode(publicPem));
    await expectRefused(forged);
  });

  it('alg none is 401', async () => {
    const c = await genuineClaims();
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(c)}.`);
  });

  it('an access token, and a token without token_use, are 401', async () => {
    await expectRefused(await tokenFor('access'));
    await expectRefused(await tokenFor('none'));
  });
});
