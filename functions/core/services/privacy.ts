/**
 * A person's own data: the export of everything held about them (GET /me/export) and
 * their erasure (DELETE /me). docs/privacy.md says what is erased, what is kept and why.
 *
 * The erasure is a sequence of idempotent steps, each conditional where it can race, in an
 * order that keeps a half-done erasure finishable: mail stops first, then RSVPs (cancelled
 * through the events service so the waitlist moves up), matches, memberships, ledger and
 * audit links, and the profile last. Running it again finishes whatever a crash left.
 */
import type { Store } from '../data/store.js';
import type { PrivacyData, ExportRecord } from '../data/privacy.js';
import type { Caller } from '../http/access.js';
import type { Member } from '../domain/types.js';
import { HttpProblem, conflict } from '../errors.js';
import { withdraw, type EventsDeps } from './events.js';
import { afterConflict } from './contention.js';
import { remove as removeMember } from './members.js';
import { eraseConnections, sidesOfPerson } from './connections.js';
import type { ConnectionsStore } from './connections.js';
import type { AssociationsRepo, EventsRepo, ExportsRepo, MembersRepo, PlansRepo, ProfilesRepo, UnitsRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type PrivacyStore = AssociationsRepo & EventsRepo & ExportsRepo & MembersRepo & PlansRepo & ProfilesRepo & UnitsRepo & ConnectionsStore;

export interface PrivacyDeps {
  store: PrivacyStore;
  data: PrivacyData;
  events: EventsDeps;
  /** Cancels a member's Stripe subscription in the association's account. */
  stopBilling?: (account: string, subscriptionId: string) => Promise<void>;
}

const live = (m: Member) => m.status !== 'cancelled';
const distinct = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x).map((x) => x.toLowerCase()))];

/** Everything held about the caller, every piece read by key. */
export async function exportMe(deps: Pick<PrivacyDeps, 'store' | 'data'>, caller: Caller, now: Date) {
  const { store, data } = deps;
  const userId = caller.userId;
  const [profile, memberships, payments, rsvps, refs, audit] = await Promise.all([
    store.getProfile(userId),
    data.membershipsOfUser(userId),
    data.paymentsOfUser(userId),
    data.rsvpsOfUser(userId),
    data.matchRefsOfUser(userId),
    data.auditOfUser(userId),
  ]);
  const connections = await sidesOfPerson(store, userId);
  const matches = (await data.matches(refs)).filter((m) => m.a === userId || m.b === userId);
  // Exports that may have included them: member and ledger lists since they joined, attendee lists since they answered.
  const lists = [
    ...memberships.flatMap((m) => [{ a: m.associationId, list: 'members', since: m.joinedAt }, { a: m.associationId, list: 'payments', since: m.joinedAt }]),
    ...rsvps.map((r) => ({ a: r.associationId, list: `EVENT#${r.eventId}`, since: r.rsvpAt })),
  ];
  const exports = new Map<string, ExportRecord>();
  for (const l of lists) for (const e of await data.exportsOfListSince(l.a, l.list, l.since)) exports.set(e.exportId, e);
  const emails = distinct([caller.email, ...memberships.map((m) => m.email), ...rsvps.map((r) => r.email)]);
  const suppressions = (await Promise.all(emails.map(async (email) => (await data.suppressionsOf(email)).map((s) => ({ email, ...s }))))).flat();
  return {
    generatedAt: now.toISOString(),
    userId,
    email: caller.email,
    profile: profile ?? null,
    memberships,
    payments,
    rsvps,
    matches: matches.map((m) => {
      const side = m.a === userId ? 'a' : 'b';
      return {
        matchId: m.matchId,
        eventId: m.eventId,
        associationId: m.associationId,
        score: m.score,
        reasons: m.reasons,
        introRequested: m.introRequestedBy.includes(userId),
        introduced: !!m.introSentAt,
        feedback: m.feedback?.[side] ?? null,
        createdAt: m.createdAt,
      };
    }),
    // My side of each connection: who, where we met, my own note and tags (their card is theirs).
    connections: connections.map((c) => ({ connectionId: c.connectionId, userId: c.otherId, state: c.state, direction: c.direction, associationId: c.associationId, metEventId: c.metEventId, askNote: c.askNote, note: c.note, tags: c.tags, askedAt: c.askedAt, connectedAt: c.connectedAt })),
    exports: [...exports.values()].sort((x, y) => x.exportId.localeCompare(y.exportId)),
    suppressions,
    audit,
  };
}

/** Erases the caller (see the module comment); refuses, changing nothing, if they are the last owner somewhere. */
export async function eraseMe(deps: PrivacyDeps, caller: Caller, now: Date): Promise<void> {
  const { store, data } = deps;
  const userId = caller.userId;
  const at = now.toISOString();
  const memberships = await data.membershipsOfUser(userId);
  const associations = await store.batchGetAssociations([...new Set(memberships.map((m) => m.associationId))]);
  for (const m of memberships) {
    if (live(m) && m.role === 'owner' && (associations.get(m.associationId)?.ownerCount ?? 0) <= 1) {
      throw conflict(`You are the last owner of ${associations.get(m.associationId)?.name ?? 'an association'}; make someone else owner first.`);
    }
  }
  const rsvps = await data.rsvpsOfUser(userId);

  // 1. No more mail to them, including mail already queued (the sender checks suppressions).
  for (const email of distinct([caller.email, ...memberships.map((m) => m.email), ...rsvps.map((r) => r.email)])) await data.suppressForErasure(email, at);

  // 2. RSVPs: an upcoming seat or waitlist place is cancelled properly (the waitlist moves up); then the personal fields go.
  for (const r of rsvps) {
    if (r.status === 'going' || r.status === 'waitlisted') {
      const event = await store.getEvent(r.eventId);
      if (event && event.status === 'scheduled' && Date.parse(event.startsAt) > now.getTime()) {
        await withdraw(deps.events, r.eventId, { userId, email: r.email }, now);
      }
    }
    await data.eraseRsvp(r, at);
  }

  // 3. Matches: gone for both sides (reasons are about them), pointers last.
  const refs = await data.matchRefsOfUser(userId);
  for (const m of await data.matches(refs)) {
    await data.deleteMatch(m);
    await data.deleteMatchRef(m.a === userId ? m.b : m.a, m);
  }
  for (const ref of refs) await data.deleteMatchRef(userId, ref);

  // 3b. Connections: out of everyone's network, both sides and their tags, by key.
  await eraseConnections(store, userId);

  // 4. Memberships: ended (billing stopped, owner count kept), then pseudonymised and unlinked from the person.
  for (const m of memberships) {
    if (live(m)) await endMembership(deps, m, caller, now);
    await pseudonymise(deps, m, at);
  }

  // 5. The books keep ledger entries (amounts, dates, an opaque id); they are no longer filed under the person.
  for (const p of await data.paymentsOfUser(userId)) await data.unlinkPayment(p);
  for (const e of await data.auditOfUser(userId)) await data.unlinkAudit(e);

  // 6. The profile last: a retry still finds everything above by the person's key.
  await data.deleteProfile(userId);
}

/**
 * Leaves the association as the member would, tolerating a concurrent leave or change.
 * Erasures of one person at once (a double-clicked button, a retrying client) meet on the
 * membership: its write is sent once, and after a conflict this reads it again (afterConflict),
 * where the winner's leave shows as done (404).
 */
async function endMembership(deps: PrivacyDeps, m: Member, caller: Caller, now: Date) {
  for (let attempt = 0; ; attempt++) {
    const association = await deps.store.getAssociation(m.associationId);
    if (!association) return;
    try {
      await removeMember(deps.store, association, undefined, caller, m.userId, now, deps.stopBilling, { once: true });
      return;
    } catch (err) {
      if (err instanceof HttpProblem && err.statusCode === 404) return; // already ended
      if (err instanceof HttpProblem && err.statusCode === 409 && attempt < 3) continue; // changed meanwhile: read again
      await afterConflict(err, attempt);
    }
  }
}

/** Pseudonymises a membership once; after a conflict (sent once, data/privacy.ts) reads it again: erased by the other erasure means done. */
async function pseudonymise(deps: PrivacyDeps, m: Member, at: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.data.pseudonymiseMember(m, at);
    } catch (err) {
      await afterConflict(err, attempt);
    }
    if ((await deps.store.getMember(m.associationId, m.userId))?.erasedAt) return;
  }
}
