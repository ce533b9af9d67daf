/**
 * The authorization matrix: every route of the catalog × every kind of caller, over HTTP
 * against the real handlers. Expected statuses are written out by hand; a second check
 * derives allow/deny from each route's `access` rule, so the table and the catalog must
 * agree, and a route added to the catalog without a row here fails the suite.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { routes, routeKey, type Access } from '../../functions/core/api.js';
import { call, signIn, type Res } from '../support/http.js';
import { buildAssociation, createAssociation, expectProblem, expectStatus, uniqueSlug, type AssociationFixture, type User } from '../support/fixtures.js';
import { addHours, createEvent, eventBody, futureTime, header, rsvp, subjectStarts, urlAfter, waitForMail } from '../support/events.js';

const roles = ['anonymous', 'nonMember', 'member', 'organizer', 'admin', 'owner', 'foreignAdmin'] as const;
type Caller = (typeof roles)[number];
type Target = 'self' | 'other';

/** Who the catalog's `access` value lets through (before any business rule). */
function allowedByAccess(access: Access, role: Caller, target?: Target): boolean {
  // 'viewer' takes an optional token: nobody is refused, members-only events are hidden (404) from outsiders.
  if (role === 'anonymous') return access === 'public' || access === 'viewer';
  switch (access) {
    case 'public':
    case 'signedIn':
      return true;
    case 'member':
      return ['member', 'organizer', 'admin', 'owner'].includes(role);
    case 'enrolled':
      // Any membership that is not cancelled; every role here is an active member.
      return ['member', 'organizer', 'admin', 'owner'].includes(role);
    case 'organizer':
      return ['organizer', 'admin', 'owner'].includes(role);
    case 'admin':
      return ['admin', 'owner'].includes(role);
    case 'owner':
      return role === 'owner';
    case 'selfOrAdmin':
      return target === 'self' || ['admin', 'owner'].includes(role);
    case 'viewer':
      return true;
    case 'attendee':
    case 'matched':
      // The matrix's event rows use a members-only event: members in good standing and staff.
      // ('matched' lets in whoever may see the event; which match is theirs is the service's
      // rule, a 404 for anyone else's, not a denial.)
      return ['member', 'organizer', 'admin', 'owner'].includes(role);
    default: {
      // A new access rule must be taught to this test before the matrix can pass.
      const unknown: never = access;
      throw new Error(`unknown access rule ${String(unknown)}`);
    }
  }
}

interface World {
  /** Shared association for routes that do not change membership state. */
  shared: AssociationFixture;
  nonMember: User;
  foreignAdmin: User;
}

interface Req {
  method: string;
  path: string;
  body?: unknown;
  /** A body sent byte for byte (signed webhooks), with its own headers. */
  raw?: string;
  headers?: Record<string, string>;
}

/**
 * The webhook secret of the local Stripe stand-in (scripts/local/stack.ts); the integration
 * stack always runs the stand-in (global-setup drops any STRIPE_* of the shell).
 */
const LOCAL_WEBHOOK_SECRET = 'whsec_local_standin';

/** A Stripe-signed event of a type the platform does not act on: accepted and ignored. */
function signedStripeEvent(): Req {
  const payload = JSON.stringify({ id: `evt_matrix_${randomUUID().replace(/-/g, '')}`, object: 'event', type: 'matrix.ping', created: Math.floor(Date.now() / 1000), data: { object: {} } });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', LOCAL_WEBHOOK_SECRET).update(`${t}.${payload}`).digest('hex');
  return { method: 'POST', path: '/webhooks/stripe', raw: payload, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` } };
}

interface Row {
  /** Builds the request; `fx` is the shared fixture, or a fresh one when `fresh`. */
  request: (fx: AssociationFixture, target: User, caller: User | undefined) => Req;
  /** Use a new association per call: for routes whose success changes the roles or members others rely on. */
  fresh?: boolean;
  /** Fresh callers too (with `fresh`): for routes that change the caller themselves (erasure). The foreign admin is the sole owner of their own association. */
  freshCallers?: boolean;
  /** Expected status per caller; selfOrAdmin routes give one table per target. */
  expect: Record<Caller, number> | Record<Target, Record<Caller, number>>;
}

const same = (status: number): Record<Caller, number> => Object.fromEntries(roles.map((r) => [r, status])) as Record<Caller, number>;
const signedIn = (status: number): Record<Caller, number> => ({ ...same(status), anonymous: 401 });
const staff = (ok: number, min: 'member' | 'organizer' | 'admin'): Record<Caller, number> => ({
  anonymous: 401,
  nonMember: 403,
  member: min === 'member' ? ok : 403,
  organizer: min === 'member' || min === 'organizer' ? ok : 403,
  admin: ok,
  owner: ok,
  foreignAdmin: 403,
});

const A = (fx: AssociationFixture) => `/associations/${fx.associationId}`;

/**
 * Events of the shared association, made in beforeAll. Event routes take the event's
 * association from the event: the foreign admin calls them with this association's ids.
 */
interface MatrixEvents {
  /** Members-only: outsiders must neither see nor join it. */
  members: string;
  /** Public, with every signed-in caller holding an RSVP to cancel. */
  withdraw: string;
  /** One event per caller to cancel, keyed by userId ('anonymous' for no token). */
  toCancel: Map<string, string>;
  /** A leave-the-waitlist link and a one-click unsubscribe link, from real mails (path + query). */
  leaveLink: string;
  unsubscribeLink: string;
  /** Members-only, matchmaking on, matches sent: the plain member is matched with the other member. */
  matching: string;
  /** The match of the member and the other member, and the member's "Introduce us" link (path + query). */
  matchId: string;
  introduceLink: string;
  /** One event per caller to send matches for (a second send is 409), keyed like toCancel. */
  toSend: Map<string, string>;
}
let events: MatrixEvents;
const E = (eventId: string) => `/events/${eventId}`;
const hidden = (ok: number): Record<Caller, number> => ({ anonymous: 404, nonMember: 404, member: ok, organizer: ok, admin: ok, owner: ok, foreignAdmin: 404 });

const matrix: Record<string, Row> = {
  'POST /associations': {
    request: () => ({ method: 'POST', path: '/associations', body: { name: 'Matrix', slug: uniqueSlug('matrix'), currency: 'usd', timezone: 'UTC' } }),
    expect: { anonymous: 401, nonMember: 201, member: 201, organizer: 201, admin: 201, owner: 201, foreignAdmin: 201 },
  },
  'GET /associations/{associationId}': {
    request: (fx) => ({ method: 'GET', path: A(fx) }),
    expect: { anonymous: 200, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  'PATCH /associations/{associationId}': {
    request: (fx) => ({ method: 'PATCH', path: A(fx), body: { description: 'Updated by the matrix' } }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  'GET /me/associations': {
    request: () => ({ method: 'GET', path: '/me/associations' }),
    expect: { anonymous: 401, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  'POST /associations/{associationId}/plans': {
    fresh: true,
    request: (fx) => ({ method: 'POST', path: `${A(fx)}/plans`, body: { name: 'Matrix plan', amount: 1000, interval: 'month' } }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 201, owner: 201, foreignAdmin: 403 },
  },
  'GET /associations/{associationId}/plans': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/plans` }),
    expect: { anonymous: 200, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  'PATCH /associations/{associationId}/plans/{planId}': {
    request: (fx) => ({ method: 'PATCH', path: `${A(fx)}/plans/${fx.paidPlanId}`, body: { description: 'Patched by the matrix' } }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  // Joining is open to anyone signed in; people already in the association get 409 (a state clash, not a refusal).
  'POST /associations/{associationId}/members': {
    fresh: true,
    request: (fx) => ({ method: 'POST', path: `${A(fx)}/members`, body: { planId: fx.freePlanId } }),
    expect: { anonymous: 401, nonMember: 201, member: 409, organizer: 409, admin: 409, owner: 409, foreignAdmin: 201 },
  },
  'GET /associations/{associationId}/members': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/members` }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 200, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  'GET /associations/{associationId}/members/export': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/members/export` }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  'GET /associations/{associationId}/directory': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/directory` }),
    expect: { anonymous: 401, nonMember: 403, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  // Enrolled (any live membership): everyone here sets their own choice for this association.
  'PUT /associations/{associationId}/members/me/preferences': {
    request: (fx) => ({ method: 'PUT', path: `${A(fx)}/members/me/preferences`, body: { directoryVisible: true } }),
    expect: { anonymous: 401, nonMember: 403, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  // Self: allowed for anyone signed in; people with no membership here get 404 (nothing to show).
  'GET /associations/{associationId}/members/{userId}': {
    request: (fx, target) => ({ method: 'GET', path: `${A(fx)}/members/${target.userId}` }),
    expect: {
      self: { anonymous: 401, nonMember: 404, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 404 },
      other: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
    },
  },
  'PATCH /associations/{associationId}/members/{userId}': {
    fresh: true,
    request: (fx, target) => ({ method: 'PATCH', path: `${A(fx)}/members/${target.userId}`, body: { role: 'organizer' } }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  // Fresh fixtures have a second owner, so the owner leaving is not blocked by the last-owner rule.
  'DELETE /associations/{associationId}/members/{userId}': {
    fresh: true,
    request: (fx, target) => ({ method: 'DELETE', path: `${A(fx)}/members/${target.userId}` }),
    expect: {
      self: { anonymous: 401, nonMember: 404, member: 204, organizer: 204, admin: 204, owner: 204, foreignAdmin: 404 },
      other: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 204, owner: 204, foreignAdmin: 403 },
    },
  },
  // Dues. The shared association is not connected to Stripe and everyone in it is on the
  // free plan (the owner on none): enrolled callers get past access and are told there is
  // nothing to pay (422), which is distinct from the 403 of people who are not enrolled.
  'POST /associations/{associationId}/stripe/connect': {
    request: (fx) => ({ method: 'POST', path: `${A(fx)}/stripe/connect` }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 403, owner: 200, foreignAdmin: 403 },
  },
  'POST /associations/{associationId}/members/me/checkout': {
    request: (fx) => ({ method: 'POST', path: `${A(fx)}/members/me/checkout` }),
    expect: { anonymous: 401, nonMember: 403, member: 422, organizer: 422, admin: 422, owner: 422, foreignAdmin: 403 },
  },
  'POST /associations/{associationId}/members/me/billing-portal': {
    request: (fx) => ({ method: 'POST', path: `${A(fx)}/members/me/billing-portal` }),
    expect: { anonymous: 401, nonMember: 403, member: 422, organizer: 422, admin: 422, owner: 422, foreignAdmin: 403 },
  },
  'GET /associations/{associationId}/payments': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/payments` }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  'GET /associations/{associationId}/payments/export': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/payments/export` }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  // Public: Stripe has no token; the signature is the credential, whoever else calls.
  'POST /webhooks/stripe': {
    request: () => signedStripeEvent(),
    expect: { anonymous: 200, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  // Events. Event-scoped rows address the members-only event unless said otherwise;
  // events-access.test.ts runs the viewer and attendee routes against a public event.
  'POST /associations/{associationId}/events': {
    request: (fx) => ({ method: 'POST', path: `${A(fx)}/events`, body: eventBody({ title: 'Matrix event' }) }),
    expect: staff(201, 'organizer'),
  },
  'GET /associations/{associationId}/events': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/events` }),
    expect: same(200),
  },
  'GET /events/{eventId}': {
    request: () => ({ method: 'GET', path: E(events.members) }),
    expect: hidden(200),
  },
  'PATCH /events/{eventId}': {
    request: () => ({ method: 'PATCH', path: E(events.members), body: { description: 'Patched by the matrix' } }),
    expect: staff(200, 'organizer'),
  },
  'POST /events/{eventId}/cancel': {
    request: (_fx, _target, caller) => ({ method: 'POST', path: `${E(events.toCancel.get(caller?.userId ?? 'anonymous')!)}/cancel` }),
    expect: staff(200, 'organizer'),
  },
  'PUT /events/{eventId}/rsvp': {
    request: () => ({ method: 'PUT', path: `${E(events.members)}/rsvp`, body: { status: 'going' } }),
    expect: staff(200, 'member'),
  },
  // Anyone signed in may cancel their own RSVP; here every caller has one (a public event).
  'DELETE /events/{eventId}/rsvp': {
    request: () => ({ method: 'DELETE', path: `${E(events.withdraw)}/rsvp` }),
    expect: signedIn(200),
  },
  'GET /events/{eventId}/attendees': {
    request: () => ({ method: 'GET', path: `${E(events.members)}/attendees` }),
    expect: staff(200, 'organizer'),
  },
  'GET /events/{eventId}/attendees/export': {
    request: () => ({ method: 'GET', path: `${E(events.members)}/attendees/export` }),
    expect: staff(200, 'organizer'),
  },
  'POST /events/{eventId}/check-in': {
    request: (fx) => ({ method: 'POST', path: `${E(events.members)}/check-in`, body: { userId: fx.member.userId } }),
    expect: staff(200, 'organizer'),
  },
  'GET /events/{eventId}/calendar.ics': {
    request: () => ({ method: 'GET', path: `${E(events.members)}/calendar.ics` }),
    expect: hidden(200),
  },
  // Public: the signed link is the credential, whoever holds it.
  'GET /events/{eventId}/waitlist/leave': {
    request: () => ({ method: 'GET', path: events.leaveLink }),
    expect: same(200),
  },
  'POST /events/{eventId}/waitlist/leave': {
    request: () => ({ method: 'POST', path: events.leaveLink }),
    expect: same(200),
  },
  // Matching. Staff run it; 'matched' routes let in whoever may see the (members-only) event,
  // and the service answers 404 for a match that is not the caller's.
  'POST /events/{eventId}/matches/preview': {
    request: () => ({ method: 'POST', path: `${E(events.matching)}/matches/preview` }),
    expect: staff(200, 'organizer'),
  },
  'POST /events/{eventId}/matches/send': {
    request: (_fx, _target, caller) => ({ method: 'POST', path: `${E(events.toSend.get(caller?.userId ?? 'anonymous')!)}/matches/send` }),
    expect: staff(200, 'organizer'),
  },
  'GET /events/{eventId}/matches': {
    request: () => ({ method: 'GET', path: `${E(events.matching)}/matches` }),
    expect: staff(200, 'organizer'),
  },
  'GET /events/{eventId}/matches/me': {
    request: () => ({ method: 'GET', path: `${E(events.matching)}/matches/me` }),
    expect: staff(200, 'member'),
  },
  'POST /events/{eventId}/matches/{matchId}/feedback': {
    request: () => ({ method: 'POST', path: `${E(events.matching)}/matches/${events.matchId}/feedback`, body: { rating: 4, met: true } }),
    expect: { anonymous: 401, nonMember: 403, member: 200, organizer: 404, admin: 404, owner: 404, foreignAdmin: 403 },
  },
  // Public: the signed link is the credential (without one, or with a bad one: 400, in matching-flow.test.ts).
  'GET /events/{eventId}/matches/{matchId}/introduce': {
    request: () => ({ method: 'GET', path: events.introduceLink }),
    expect: same(200),
  },
  'POST /events/{eventId}/matches/{matchId}/introduce': {
    request: () => ({ method: 'POST', path: events.introduceLink }),
    expect: same(200),
  },
  'GET /email/unsubscribe': {
    request: () => ({ method: 'GET', path: events.unsubscribeLink }),
    expect: same(200),
  },
  'POST /email/unsubscribe': {
    request: () => ({ method: 'POST', path: events.unsubscribeLink, raw: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    expect: same(200),
  },
  'GET /me/export': {
    request: () => ({ method: 'GET', path: '/me/export' }),
    expect: signedIn(200),
  },
  // Erasure: anyone signed in may erase themselves; the sole owner of an association must hand it over first (409, a state clash).
  'DELETE /me': {
    fresh: true,
    freshCallers: true,
    request: () => ({ method: 'DELETE', path: '/me' }),
    expect: { anonymous: 401, nonMember: 204, member: 204, organizer: 204, admin: 204, owner: 204, foreignAdmin: 409 },
  },
  'GET /associations/{associationId}/exports': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/exports` }),
    expect: staff(200, 'admin'),
  },
  // Staff may ask about an export; whose it is (the asker's, or any for an admin) is the
  // service's rule, so an unknown one is a 404 for them (test/integration/events-export.test.ts has the rest).
  'GET /associations/{associationId}/exports/{exportId}': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/exports/01JNOSUCHEXPORT00000000000` }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 404, admin: 404, owner: 404, foreignAdmin: 403 },
  },
  'GET /me/profile': {
    request: () => ({ method: 'GET', path: '/me/profile' }),
    expect: { anonymous: 401, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  'PUT /me/profile': {
    request: (_fx, _target, caller) => ({ method: 'PUT', path: '/me/profile', body: { name: `Matrix ${caller?.email.split('@')[0] ?? 'anon'}`, offers: ['advice'] } }),
    expect: { anonymous: 401, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  'GET /vocabulary': {
    request: () => ({ method: 'GET', path: '/vocabulary' }),
    expect: { anonymous: 200, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  'GET /openapi.json': {
    request: () => ({ method: 'GET', path: '/openapi.json' }),
    expect: { anonymous: 200, nonMember: 200, member: 200, organizer: 200, admin: 200, owner: 200, foreignAdmin: 200 },
  },
  // Connections: asks within an association (fresh: each success adds a pair); the network routes are the caller's own, so someone else's or an unknown pair is 404 for everyone.
  'POST /associations/{associationId}/connections': {
    fresh: true,
    request: (fx) => ({ method: 'POST', path: `${A(fx)}/connections`, body: { userId: fx.other.userId, note: 'Matrix' } }),
    expect: staff(201, 'member'),
  },
  'GET /me/connections': {
    request: () => ({ method: 'GET', path: '/me/connections' }),
    expect: signedIn(200),
  },
  'GET /me/connections/export': {
    request: () => ({ method: 'GET', path: '/me/connections/export?format=vcf' }),
    expect: signedIn(200),
  },
  'POST /me/connections/{connectionId}/accept': {
    request: () => ({ method: 'POST', path: '/me/connections/nobodyA.nobodyB/accept' }),
    expect: signedIn(404),
  },
  'POST /me/connections/{connectionId}/decline': {
    request: () => ({ method: 'POST', path: '/me/connections/nobodyA.nobodyB/decline' }),
    expect: signedIn(404),
  },
  'PATCH /me/connections/{connectionId}': {
    request: () => ({ method: 'PATCH', path: '/me/connections/nobodyA.nobodyB', body: { note: 'Matrix' } }),
    expect: signedIn(404),
  },
  'DELETE /me/connections/{connectionId}': {
    request: () => ({ method: 'DELETE', path: '/me/connections/nobodyA.nobodyB' }),
    expect: signedIn(404),
  },
  // Public: the signed follow-up link is the credential; a forged one is a 400 naming the token (connections-follow-up.test.ts has the real link).
  'GET /events/{eventId}/connect': {
    request: () => ({ method: 'GET', path: `${E(events.members)}/connect?token=forged` }),
    expect: same(400),
  },
  'POST /events/{eventId}/connect': {
    request: () => ({ method: 'POST', path: `${E(events.members)}/connect?token=forged` }),
    expect: same(400),
  },
  // Dashboard statistics
  'GET /associations/{associationId}/stats': {
    request: (fx) => ({ method: 'GET', path: `${A(fx)}/stats` }),
    expect: { anonymous: 401, nonMember: 403, member: 403, organizer: 403, admin: 200, owner: 200, foreignAdmin: 403 },
  },
  'GET /events/{eventId}/stats': {
    request: () => ({ method: 'GET', path: `${E(events.members)}/stats` }),
    expect: staff(200, 'organizer'),
  },
};

const isPerTarget = (e: Row['expect']): e is Record<Target, Record<Caller, number>> => 'self' in e;

interface Case {
  key: string;
  access: Access;
  role: Caller;
  target?: Target;
  status: number;
  row: Row;
}

const cases: Case[] = routes.flatMap((r) => {
  const key = routeKey(r);
  const row = matrix[key];
  if (!row) return [];
  const targets: (Target | undefined)[] = r.access === 'selfOrAdmin' ? ['self', 'other'] : [undefined];
  return targets.flatMap((target) =>
    roles.map((role) => {
      const table = isPerTarget(row.expect) ? row.expect[target ?? 'other'] : row.expect;
      return { key, access: r.access, role, target, status: table[role], row };
    }),
  );
});

let world: World;

beforeAll(async () => {
  const [shared, nonMember, foreignAdmin] = await Promise.all([buildAssociation(), signIn('nonmember'), signIn('foreign')]);
  // The foreign admin owns another association: rights there must not leak into this one.
  await createAssociation(foreignAdmin);
  world = { shared, nonMember, foreignAdmin };
  events = await matrixEvents(world);
}, 60_000);

/** Path and query of a link from a mail, to call through the test client. */
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

async function matrixEvents({ shared: fx, nonMember, foreignAdmin }: World): Promise<MatrixEvents> {
  const everyone = [nonMember, foreignAdmin, fx.member, fx.organizer, fx.admin, fx.owner];
  const [members, withdraw, waitlisted] = await Promise.all([
    createEvent(fx.organizer, fx.associationId, { visibility: 'members', title: 'Matrix members-only' }),
    createEvent(fx.organizer, fx.associationId, { title: 'Matrix withdraw' }),
    createEvent(fx.organizer, fx.associationId, { title: 'Matrix waitlist', capacity: 1 }),
  ]);
  expectStatus(await rsvp(fx.member, members.eventId), 200, 'member RSVP');
  for (const u of everyone) expectStatus(await rsvp(u, withdraw.eventId), 200, 'RSVP to withdraw');
  const toCancel = new Map<string, string>();
  for (const key of ['anonymous', ...everyone.map((u) => u.userId)]) {
    toCancel.set(key, (await createEvent(fx.organizer, fx.associationId, { title: 'Matrix cancel' })).eventId);
  }
  // A real leave link: the other plain member waits behind the owner.
  expectStatus(await rsvp(fx.owner, waitlisted.eventId), 200, 'seat');
  expectStatus(await rsvp(fx.other, waitlisted.eventId), 200, 'wait');
  const [waitMail] = await waitForMail(fx.other.email, { filter: subjectStarts("You're on the waitlist: Matrix waitlist") });
  // A real one-click link: the reminder of an event far ahead, fired now.
  const day = 400 + Math.floor(Math.random() * 100);
  const reminded = await createEvent(fx.organizer, fx.associationId, { title: 'Matrix reminder', startsAt: futureTime(day, 11), endsAt: addHours(futureTime(day, 11), 1) });
  expectStatus(await rsvp(fx.other, reminded.eventId), 200, 'RSVP to the reminded event');
  expectStatus(await call('POST', '/dev/schedules/run', { body: { time: addHours(reminded.startsAt, -23) } }), 200, 'run schedules');
  const [reminder] = await waitForMail(fx.other.email, { filter: subjectStarts('Tomorrow: Matrix reminder') });
  const unsubscribe = /^<(.+)>$/.exec(header(reminder!, 'List-Unsubscribe') ?? '')?.[1];
  if (!unsubscribe) throw new Error('the reminder has no List-Unsubscribe link');
  return { members: members.eventId, withdraw: withdraw.eventId, toCancel, leaveLink: pathOf(urlAfter(waitMail!, 'Leave the waitlist: ')), unsubscribeLink: pathOf(unsubscribe), ...(await matchingEvents(fx, everyone)) };
}

/** A members-only event where the two plain members, opted in and complementary, are matched; one event per caller to send. */
async function matchingEvents(fx: AssociationFixture, everyone: User[]) {
  const title = `Matrix matchmaking ${uniqueSlug('mm')}`;
  const profiles = [
    [fx.member, { name: 'Matrix Member', company: 'Member Co', offers: ['mentoring'], seeks: ['investment'], interests: ['climate'], matchOptIn: true }],
    [fx.other, { name: 'Matrix Other', company: 'Other Co', offers: ['investment'], seeks: ['mentoring'], interests: ['climate'], matchOptIn: true }],
  ] as const;
  for (const [u, body] of profiles) expectStatus(await call('PUT', '/me/profile', { token: u.token, body }), 200, 'matching profile');
  const matching = await createEvent(fx.organizer, fx.associationId, { visibility: 'members', title, matchmaking: { enabled: true, matchesPerAttendee: 1 } });
  for (const u of [fx.member, fx.other]) expectStatus(await rsvp(u, matching.eventId), 200, 'RSVP to the matching event');
  const sent = expectStatus(await call('POST', `${E(matching.eventId)}/matches/send`, { token: fx.organizer.token }), 200, 'send matches');
  if (sent.body.matches !== 1) throw new Error(`expected the two members to be matched: ${sent.text}`);
  const [mail] = await waitForMail(fx.member.email, { filter: subjectStarts(`People to meet at ${title}`) });
  const link = pathOf(urlAfter(mail!, 'Introduce us: '));
  const matchId = /^\/events\/[^/]+\/matches\/([^/]+)\/introduce\?token=/.exec(link)?.[1];
  if (!matchId) throw new Error(`unexpected "Introduce us" link ${link}`);
  const toSend = new Map<string, string>();
  for (const key of ['anonymous', ...everyone.map((u) => u.userId)]) {
    toSend.set(key, (await createEvent(fx.organizer, fx.associationId, { visibility: 'members', title: 'Matrix send', matchmaking: { enabled: true, matchesPerAttendee: 2 } })).eventId);
  }
  return { matching: matching.eventId, matchId, introduceLink: link, toSend };
}

/** A new non-member and a new foreign admin, for rows whose success changes the caller. */
async function freshOutsiders(): Promise<Pick<World, 'nonMember' | 'foreignAdmin'>> {
  const [nonMember, foreignAdmin] = await Promise.all([signIn('nonmember'), signIn('foreign')]);
  await createAssociation(foreignAdmin);
  return { nonMember, foreignAdmin };
}

describe('the matrix covers the catalog', () => {
  it('has exactly one row per route, and each row a status for every caller', () => {
    const catalog = routes.map(routeKey).sort();
    expect(Object.keys(matrix).sort()).toEqual(catalog);
    expect(Object.keys(matrix)).toHaveLength(routes.length);
    for (const r of routes) {
      const row = matrix[routeKey(r)]!;
      expect({ route: routeKey(r), perTarget: isPerTarget(row.expect) }).toEqual({ route: routeKey(r), perTarget: r.access === 'selfOrAdmin' });
      const tables = isPerTarget(row.expect) ? [row.expect.self, row.expect.other] : [row.expect];
      for (const t of tables) expect(Object.keys(t).sort()).toEqual([...roles].sort());
    }
    const selfOrAdmin = routes.filter((r) => r.access === 'selfOrAdmin').length;
    expect(cases).toHaveLength((routes.length + selfOrAdmin) * roles.length);
  });

  it('agrees with the access rules: 401/403 exactly where the catalog denies', () => {
    const disagreements = cases
      .filter((c) => {
        const denied = c.status === 401 || c.status === 403;
        return denied === allowedByAccess(c.access, c.role, c.target);
      })
      .map((c) => `${c.key} ${c.role}${c.target ? ` (${c.target})` : ''}: ${c.status}`);
    expect(disagreements).toEqual([]);
    // Denials are 401 for anonymous callers, 403 for signed-in ones.
    for (const c of cases) {
      if (c.status === 401) expect(`${c.key} ${c.role}`).toBe(`${c.key} anonymous`);
      if (c.status === 403) expect(c.role).not.toBe('anonymous');
    }
  });
});

describe('every route × every caller', () => {
  it.each(cases.map((c) => [`${c.key} as ${c.role}${c.target ? ` on ${c.target}` : ''} → ${c.status}`, c] as const))('%s', async (_name, c) => {
    const fx = c.row.fresh ? await buildAssociation({ coOwner: true }) : world.shared;
    const outsiders = c.row.freshCallers ? await freshOutsiders() : world;
    const users: Record<Exclude<Caller, 'anonymous'>, User> = {
      nonMember: outsiders.nonMember,
      member: fx.member,
      organizer: fx.organizer,
      admin: fx.admin,
      owner: fx.owner,
      foreignAdmin: outsiders.foreignAdmin,
    };
    const caller = c.role === 'anonymous' ? undefined : users[c.role];
    // "self" for an anonymous caller: the plain member's id, the caller has no token anyway.
    const target = c.target === 'self' && caller ? caller : c.target === 'self' ? fx.member : fx.other;
    const req = c.row.request(fx, target, caller);
    const res: Res = await call(req.method, req.path, { token: caller?.token, body: req.body, raw: req.raw, headers: req.headers });

    expect({ route: c.key, role: c.role, status: res.status }).toEqual({ route: c.key, role: c.role, status: c.status });
    if (res.status >= 400) expectProblem(res, c.status);
    if (res.status === 204) expect(res.text).toBe('');
  });
});
