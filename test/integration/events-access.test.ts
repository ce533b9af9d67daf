/**
 * The event routes whose access depends on the event's visibility ('viewer', 'attendee'),
 * against a PUBLIC event, for every kind of caller. The authz matrix runs the same routes
 * against a members-only event.
 */
import { call, signIn, type Res } from '../support/http.js';
import { buildAssociation, createAssociation, expectProblem, type AssociationFixture, type User } from '../support/fixtures.js';
import { createEvent, getEvent } from '../support/events.js';

const roles = ['anonymous', 'nonMember', 'member', 'organizer', 'admin', 'owner', 'foreignAdmin'] as const;
type Caller = (typeof roles)[number];

let fx: AssociationFixture;
let users: Record<Exclude<Caller, 'anonymous'>, User>;
let publicEvent: string;
let membersEvent: string;

beforeAll(async () => {
  const [shared, nonMember, foreignAdmin] = await Promise.all([buildAssociation(), signIn('nonmember'), signIn('foreign')]);
  await createAssociation(foreignAdmin);
  fx = shared;
  users = { nonMember, member: fx.member, organizer: fx.organizer, admin: fx.admin, owner: fx.owner, foreignAdmin };
  publicEvent = (await createEvent(fx.organizer, fx.associationId, { title: 'Open to all', capacity: 50 })).eventId;
  membersEvent = (await createEvent(fx.organizer, fx.associationId, { title: 'Members only', visibility: 'members' })).eventId;
});

const as = (role: Caller) => (role === 'anonymous' ? undefined : users[role].token);

describe('a public event, for every caller', () => {
  it.each(roles)('GET /events/{eventId} as %s → 200', async (role) => {
    const res = await call('GET', `/events/${publicEvent}`, { token: as(role) });
    expect({ role, status: res.status }).toEqual({ role, status: 200 });
    expect(res.body).toMatchObject({ eventId: publicEvent, visibility: 'public' });
  });

  it.each(roles)('GET /events/{eventId}/calendar.ics as %s → 200', async (role) => {
    const res = await call('GET', `/events/${publicEvent}/calendar.ics`, { token: as(role) });
    expect({ role, status: res.status }).toEqual({ role, status: 200 });
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
  });

  it.each(roles)('PUT /events/{eventId}/rsvp as %s → 401 anonymous, else 200', async (role) => {
    const res: Res = await call('PUT', `/events/${publicEvent}/rsvp`, { token: as(role), body: { status: 'going' } });
    const want = role === 'anonymous' ? 401 : 200;
    expect({ role, status: res.status }).toEqual({ role, status: want });
    if (want === 401) expectProblem(res, 401);
    else expect(res.body.status).toBe('going');
  });

  it('every signed-in caller holds exactly one seat', async () => {
    expect(await getEvent(publicEvent)).toMatchObject({ goingCount: 6 });
  });
});

describe('listing an association’s events', () => {
  it.each(roles)('as %s: public events always, members-only ones only to members and staff', async (role) => {
    const res = await call('GET', `/associations/${fx.associationId}/events`, { token: as(role) });
    expect(res.status).toBe(200);
    const ids = res.body.items.map((e: { eventId: string }) => e.eventId);
    expect(ids).toContain(publicEvent);
    const insider = ['member', 'organizer', 'admin', 'owner'].includes(role);
    expect({ role, seesMembersOnly: ids.includes(membersEvent) }).toEqual({ role, seesMembersOnly: insider });
  });
});

describe('tokens on routes where signing in is optional', () => {
  it('a token that does not verify is refused (401), not treated as anonymous', async () => {
    expectProblem(await call('GET', `/events/${publicEvent}`, { token: 'not.a.jwt' }), 401);
    expectProblem(await call('GET', `/associations/${fx.associationId}/events`, { token: `${fx.member.token.slice(0, -4)}AAAA` }), 401);
  });

  it('an unknown event is 404 to everyone', async () => {
    for (const role of roles) expectProblem(await call('GET', '/events/01HZZZZZZZZZZZZZZZZZZZZZZZ', { token: as(role) }), 404);
  });
});
