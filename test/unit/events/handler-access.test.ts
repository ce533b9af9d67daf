/**
 * Who may see and RSVP to what, through the real events function with DynamoDB mocked:
 * members-only events do not exist for outsiders (404), only members in good standing
 * (and staff) may RSVP to them (403 otherwise), and on routes where signing in is
 * optional a bearer token is verified against the issuer's keys: a bad one is refused
 * (401), a good one makes the caller known. The issuer's JWKS is served by a local HTTP
 * server with a key made for the test.
 */
// Settings first: the events function builds its dependencies when it loads.
import '../../support/events-env.js';
import 'aws-sdk-client-mock-jest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { mockClient } from 'aws-sdk-client-mock';
import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { handler as events } from '../../../functions/events/handler.js';
import { apiEvent, invoke, type Claims, type Reply } from '../../support/lambda.js';
import { FakeTable } from '../../support/fake-table.js';
import { makeAssociation, makeMember } from '../../support/factories.js';
import { associationEntity, eventItem, makeEvent, memberEntity } from '../../support/event-factories.js';
import type { MemberStatus, Role } from '../../../functions/core/domain/roles.js';

const ddb = mockClient(DynamoDBDocumentClient);
mockClient(SESv2Client);

const AUDIENCE = 'assoc-web-client';
const future = { startsAt: '2099-03-10T18:00:00.000Z', endsAt: '2099-03-10T21:00:00.000Z' };
const membersOnly = makeEvent({ eventId: 'evtMembers', title: 'Members dinner', visibility: 'members', ...future });
const publicEvent = makeEvent({ eventId: 'evtPublic', title: 'Open meetup', visibility: 'public', ...future });

const people = {
  active: { sub: 'user-active', email: 'active@example.test', name: 'Ann Active' },
  pastDue: { sub: 'user-pastdue', email: 'pastdue@example.test', name: 'Pat Pastdue' },
  lapsed: { sub: 'user-lapsed', email: 'lapsed@example.test', name: 'Lou Lapsed' },
  left: { sub: 'user-left', email: 'left@example.test', name: 'Lee Left' },
  lapsedOrganizer: { sub: 'user-org', email: 'org@example.test', name: 'Olga Organizer' },
  stranger: { sub: 'user-stranger', email: 'stranger@example.test', name: 'Sam Stranger' },
} satisfies Record<string, Claims>;
const membership = (c: Claims, status: MemberStatus, role: Role = 'member') => memberEntity(makeMember({ userId: c.sub, email: c.email, name: c.name!, status, role }));

let table: FakeTable;
beforeEach(() => {
  ddb.reset();
  table = new FakeTable([
    associationEntity(makeAssociation({ associationId: 'assocA' })),
    eventItem(membersOnly),
    eventItem(publicEvent),
    membership(people.active, 'active'),
    membership(people.pastDue, 'past_due'),
    membership(people.lapsed, 'lapsed'),
    membership(people.left, 'cancelled'),
    membership(people.lapsedOrganizer, 'lapsed', 'organizer'),
  ]).attach(ddb);
});

// ------------------------------------------------------------------ the issuer

let server: Server;
let issuer: string;
let jwksRequests = 0;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: PrivateKey;
let otherKey: PrivateKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
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

/** A token as the user pool would issue it; `opts` break one property of it. */
function token(c: Claims, opts: { key?: PrivateKey; issuer?: string; audience?: string; expiresAt?: number; kid?: string } = {}) {
  return new SignJWT({ email: c.email, name: c.name, token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'test-key-1' })
    .setSubject(c.sub)
    .setIssuer(opts.issuer ?? issuer)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
    .sign(opts.key ?? signingKey);
}

// ------------------------------------------------------------------ requests

/** GET on a 'viewer' route: no authorizer in front, so any token comes only as a header. */
const view = (eventId: string, authorization?: string) =>
  invoke(events, apiEvent('GET /events/{eventId}', { pathParameters: { eventId }, headers: authorization ? { authorization } : {} }));
const listEvents = (authorization?: string) =>
  invoke(events, apiEvent('GET /associations/{associationId}/events', { pathParameters: { associationId: 'assocA' }, headers: authorization ? { authorization } : {} }));
/** PUT rsvp sits behind API Gateway's JWT authorizer: the caller arrives as claims. */
const putRsvp = (eventId: string, claims: Claims | null) =>
  invoke(events, apiEvent('PUT /events/{eventId}/rsvp', { pathParameters: { eventId }, claims, body: { status: 'going' } }));

function expectProblem(res: Reply, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['Content-Type']).toBe('application/problem+json');
  expect(res.body).toMatchObject({ status });
}

describe('seeing a members-only event', () => {
  it('is 404 for an anonymous visitor, as if it did not exist', async () => {
    const res = await view(membersOnly.eventId);
    expectProblem(res, 404);
    expect(res.body.detail).toBe('No such event.');
  });

  it('is 404 for a signed-in stranger and for members who lapsed or left', async () => {
    for (const c of [people.stranger, people.lapsed, people.left]) expectProblem(await view(membersOnly.eventId, `Bearer ${await token(c)}`), 404);
  });

  it('is 200 for members in good standing and for staff, recognised from their bearer token', async () => {
    for (const c of [people.active, people.pastDue, people.lapsedOrganizer]) {
      const res = await view(membersOnly.eventId, `Bearer ${await token(c)}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatchObject({ eventId: 'evtMembers', title: 'Members dinner', visibility: 'members' });
    }
    // The keys were fetched from the issuer, once, and kept.
    expect(jwksRequests).toBe(1);
  });

  it('is 200 for anyone when the event is public', async () => {
    expect((await view(publicEvent.eventId)).statusCode).toBe(200);
    expect((await view(publicEvent.eventId, `Bearer ${await token(people.stranger)}`)).statusCode).toBe(200);
  });

  it('lists members-only events to members only', async () => {
    const anonymous = await listEvents();
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.body.items.map((e: { eventId: string }) => e.eventId)).toEqual(['evtPublic']);
    const member = await listEvents(`Bearer ${await token(people.active)}`);
    expect(member.body.items.map((e: { eventId: string }) => e.eventId).sort()).toEqual(['evtMembers', 'evtPublic']);
  });
});

describe('an invalid bearer token on a route where signing in is optional', () => {
  const bad: [string, () => Promise<string>][] = [
    ['not a JWT', async () => 'Bearer not.a.jwt'],
    ['not a Bearer token', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['signed with another key', async () => `Bearer ${await token(people.active, { key: otherKey })}`],
    ['from another issuer', async () => `Bearer ${await token(people.active, { issuer: 'https://evil.example.test' })}`],
    ['for another audience', async () => `Bearer ${await token(people.active, { audience: 'someone-else' })}`],
    ['expired', async () => `Bearer ${await token(people.active, { expiresAt: Math.floor(Date.now() / 1000) - 3600 })}`],
  ];

  it.each(bad)('is refused with 401 when it is %s, even on a public event', async (_label, header) => {
    const authorization = await header();
    for (const eventId of [membersOnly.eventId, publicEvent.eventId]) {
      const res = await view(eventId, authorization);
      expectProblem(res, 401);
      expect(res.body.detail).toBe('The bearer token is not valid.');
    }
  });
});

describe('RSVP to a members-only event', () => {
  it('is 403 for a lapsed member, and nothing is written', async () => {
    const res = await putRsvp(membersOnly.eventId, people.lapsed);
    expectProblem(res, 403);
    expect(res.body.detail).toBe('This event is for members in good standing only.');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('is 403 for a stranger and for a member who left', async () => {
    expectProblem(await putRsvp(membersOnly.eventId, people.stranger), 403);
    expectProblem(await putRsvp(membersOnly.eventId, people.left), 403);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('is 401 when not signed in', async () => {
    expectProblem(await putRsvp(membersOnly.eventId, null), 401);
  });

  it('takes a seat for a member in good standing', async () => {
    const res = await putRsvp(membersOnly.eventId, people.active);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ status: 'going', guests: 0 });
    expect(table.get('EVENT#evtMembers', 'RSVP#user-active')).toMatchObject({ status: 'going', email: 'active@example.test' });
  });

  it('lets a lapsed member RSVP to a public event', async () => {
    expect((await putRsvp(publicEvent.eventId, people.lapsed)).statusCode).toBe(200);
  });

  it('answers 503 with Retry-After when DynamoDB throttles the read of the event with the RSVP', async () => {
    ddb.on(BatchGetCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const res = await putRsvp(membersOnly.eventId, people.active);
    expectProblem(res, 503);
    expect(res.headers['Retry-After']).toBe('1');
    expect(ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems![process.env.TABLE_NAME!]!.Keys).toContainEqual({ pk: 'EVENT#evtMembers', sk: 'RSVP#user-active' });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
