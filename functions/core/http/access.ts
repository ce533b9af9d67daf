/**
 * Authorization, in one place: each route's `access` rule from the catalog is enforced
 * here before any handler runs. Handlers receive the association and the caller's
 * membership already loaded and checked.
 */
import type { Access } from '../routes/spec.js';
import { forbidden, notFound, unauthorized } from '../errors.js';
import { inGoodStanding, roleAtLeast, type Role } from '../domain/roles.js';
import type { Association, Member } from '../domain/types.js';
import { canSee, type Event } from '../domain/events.js';
import type { AssociationsRepo, EventsRepo, MembersRepo } from '../data/store.js';
import type { RsvpReadAhead } from '../data/rsvps.js';

export type Caller = { userId: string; email: string; name?: string };

/**
 * The reads an access check makes: the event, its association, the caller's membership. The
 * event read only where a route names an event (the router checks at load), so a function
 * without event routes leaves the events repository out of its bundle.
 */
export type AccessStore = Pick<AssociationsRepo, 'getAssociation'> & Partial<Pick<EventsRepo, 'getEvent'>> & Pick<MembersRepo, 'getMember'>;
export type Access_ = { association?: Association; membership?: Member; event?: Event; readAhead?: RsvpReadAhead };

/** An event's rules that depend on who is asking: members-only visibility, members first on the waitlist. */
const needsMembership = (e: Event) => e.visibility !== 'public' || e.membersFirst;

const staffRole: Partial<Record<Access, Role>> = { organizer: 'organizer', admin: 'admin', owner: 'owner' };

/** A membership that still grants a role; people who left keep none. */
const liveMembership = (m: Member | undefined) => (m && m.status !== 'cancelled' ? m : undefined);

export async function authorize(
  access: Access,
  params: Record<string, string>,
  caller: Caller | null,
  store: AccessStore | undefined,
  readAhead?: RsvpReadAhead,
): Promise<Access_> {
  if (access !== 'public' && access !== 'viewer' && !caller) throw unauthorized();
  if (!params.associationId && !params.eventId) return {};
  if (!store) throw new Error('association-scoped route in a function without a store');
  // Event routes belong to the event's association: its roles decide.
  let event: Event | undefined;
  if (params.eventId) {
    if (readAhead) event = readAhead.event;
    else if (store.getEvent) event = await store.getEvent(params.eventId);
    else throw new Error('event-scoped route in a function whose store cannot read events');
    if (!event) throw notFound('No such event.');
  }
  if (readAhead) {
    // Read ahead with the event (an RSVP): the association is not needed (an event's association
    // exists while the event does), the membership only where the event's rules ask for it.
    const membership = caller && needsMembership(event!) ? liveMembership(await store.getMember(event!.associationId, caller.userId)) : undefined;
    return decide(access, params, caller, { membership, event, readAhead });
  }
  const associationId = event?.associationId ?? params.associationId!;
  const association = await store.getAssociation(associationId);
  if (!association) throw notFound('No such association.');
  if (access === 'public') return { association, event };

  const membership = caller ? liveMembership(await store.getMember(associationId, caller.userId)) : undefined;
  return decide(access, params, caller, { association, membership, event });
}

/** The route's access rule over what was loaded. */
function decide(access: Access, params: Record<string, string>, caller: Caller | null, loaded: Access_): Access_ {
  const { membership, event } = loaded;
  if (access === 'public') return loaded;
  if (access === 'signedIn') return loaded;
  if (access === 'viewer') {
    // Members-only events are not shown to outsiders, as if they did not exist.
    if (event && !canSee(event, membership)) throw notFound('No such event.');
    return loaded;
  }
  if (!caller) throw unauthorized();
  const role = membership?.role;
  const allowed = (() => {
    switch (access) {
      case 'attendee':
      case 'matched':
        // Which match is the caller's is the matching service's rule (matchOfCaller).
        return !!event && canSee(event, membership);
      case 'member':
        return !!membership && (roleAtLeast(membership.role, 'organizer') || inGoodStanding(membership.status));
      case 'enrolled':
        return !!membership;
      case 'selfOrAdmin':
        return params.userId === caller.userId || (!!role && roleAtLeast(role, 'admin'));
      default:
        return !!role && roleAtLeast(role, staffRole[access]!);
    }
  })();
  if (!allowed) {
    throw forbidden(access === 'attendee' ? 'This event is for members in good standing only.' : undefined);
  }
  return loaded;
}
