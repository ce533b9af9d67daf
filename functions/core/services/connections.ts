/**
 * Connections: asking a member of the same association, accepting, declining, removing,
 * my own note and tags, my network list and its vCard/CSV export. Rules: domain/connections.ts;
 * conditional writes: data/connections.ts; the model: docs/connections.md.
 */
import { afterConflict, CONFLICT_ROUNDS } from './contention.js';
import { ConditionFailed, type ConnectionsRepo, type EventsRepo, type MembersRepo, type ProfilesRepo, type RsvpsRepo } from '../data/store.js';
import type { Caller } from '../http/access.js';
import type { Association, Member, Profile } from '../domain/types.js';
import { conflict, forbidden, notFound, unprocessable } from '../errors.js';
import { listedInDirectory } from '../domain/preferences.js';
import * as keys from '../data/keys.js';
import type { NetworkFilter } from '../data/connections.js';
import { accepted, declined, defaultConnectionsSee, mayConnect, isLive, isOpenAskTo, isParty, newAsk, normaliseTags, otherOf, personConnection, sidesOf, type Connection, type ConnectionSide, type PersonConnection } from '../domain/connections.js';
import { vcards } from '../domain/vcard.js';
import { toCsv } from '../domain/csv.js';
import type { MemberReads } from '../data/members.js';

/** The repositories this service uses (functions/core/data/). */
export type ConnectionsStore = ConnectionsRepo & MemberReads & ProfilesRepo & EventsRepo & RsvpsRepo;

/** What a person sees of one connection: the other person's current card and their own note and tags. */
export interface ConnectionView {
  connectionId: string;
  userId: string;
  name: string;
  headline?: string;
  company?: string;
  jobTitle?: string;
  /** Only when that person shares their email with connections (and the connection is accepted). */
  email?: string;
  state: 'pending' | 'accepted';
  direction?: 'outgoing' | 'incoming';
  associationId: string;
  metEventId?: string;
  askNote?: string;
  note?: string;
  tags: string[];
  askedAt: string;
  connectedAt?: string;
  expiresAt?: string;
}

/**
 * After a pair write failed: decides whether to read the pair again and try once more. A
 * conflict (StoreBusy; the pair's writes are sent once, data/connections.ts) means another
 * request is changing this pair now: wait (afterConflict), then read what it wrote. A failed
 * condition means the pair changed since it was read: read it again, a few times. Anything
 * else, or too many rounds, goes to the caller (a conflict as 503).
 */
async function readAgain(err: unknown, attempt: number, conditionAttempts: number): Promise<void> {
  if (err instanceof ConditionFailed && attempt < conditionAttempts) return;
  await afterConflict(err, attempt);
}

async function namesOf(store: ConnectionsStore, ids: string[], fallback: Record<string, string | undefined>): Promise<Record<string, string>> {
  const profiles = await store.batchGetProfiles(ids);
  return Object.fromEntries(ids.map((id) => [id, profiles.get(id)?.name ?? fallback[id] ?? 'Member']));
}

/** Where we met must be an event of this association both of us RSVPed going to (or attended). */
async function checkMetAt(store: ConnectionsStore, association: Association, eventId: string, a: string, b: string): Promise<void> {
  const bad = () => unprocessable('Where you met must be an event of this association you both went to.', [{ path: 'eventId', message: 'is not an event you both attended' }]);
  const event = await store.getEvent(eventId);
  if (!event || event.associationId !== association.associationId) throw bad();
  const [ra, rb] = await Promise.all([store.getRsvp(eventId, a), store.getRsvp(eventId, b)]);
  const went = (r: typeof ra) => !!r && (r.status === 'going' || !!r.checkedInAt);
  if (!went(ra) || !went(rb)) throw bad();
}

/** POST /associations/{id}/connections: ask a member of the same association. A mutual ask accepts the other's. */
export async function ask(store: ConnectionsStore, association: Association, membership: Member | undefined, caller: Caller, input: { userId: string; note?: string; eventId?: string }, now: Date): Promise<{ connectionId: string; state: string }> {
  const me = caller.userId;
  if (input.userId === me) throw unprocessable('You cannot connect with yourself.', [{ path: 'userId', message: 'is you' }]);
  const other = await store.getMember(association.associationId, input.userId);
  if (!mayConnect(other)) throw unprocessable('That person is not a member of this association.', [{ path: 'userId', message: 'is not a member of this association' }]);
  if (input.eventId) await checkMetAt(store, association, input.eventId, me, input.userId);
  const connectionId = keys.connectionId(me, input.userId);
  const c = newAsk({ connectionId, from: me, to: input.userId, associationId: association.associationId, metEventId: input.eventId, note: input.note }, now);
  const names = await namesOf(store, [me, input.userId], { [me]: membership?.name ?? caller.name, [input.userId]: other!.name });
  // Written first (one transaction when nobody is in the way); the pair is read only when that fails.
  let existing: Connection | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      await store.putAsk(c, sidesOf(c, names, 'pending'));
      return { connectionId, state: 'pending' };
    } catch (err) {
      await readAgain(err, attempt, CONFLICT_ROUNDS);
    }
    existing = await store.getConnection(connectionId);
    // Still nothing in force (the other writer failed, or the pair expired): ask again.
    if (isLive(existing, now)) break;
  }
  if (isOpenAskTo(existing, me, now)) {
    // They asked me first: my ask is my answer.
    await acceptConnection(store, caller, connectionId, now);
    return { connectionId, state: 'accepted' };
  }
  if (existing?.state === 'accepted') throw conflict('You are already connected.', [{ path: 'userId', message: 'is already a connection' }]);
  // I declined their ask: I know that already, so saying it tells nobody anything new.
  if (existing?.state === 'declined' && existing.askedTo === me) {
    const until = existing.expiresAt ? ` You can ask them from ${new Date(existing.expiresAt * 1000).toISOString().slice(0, 10)}.` : '';
    throw conflict(`You declined this person's ask.${until}`, [{ path: 'userId', message: 'declined their ask' }]);
  }
  // Pending from me, or declined: the asker is not told which.
  throw conflict('You have already asked this person; the ask is open for 30 days.', [{ path: 'userId', message: 'already has an open ask' }]);
}

/**
 * How each of `people` stands with `me` (the Connect control a page shows them): one BatchGet
 * of our pair records by key, whatever the size of my network.
 */
export async function connectionStates(store: Pick<ConnectionsRepo, 'pairsWith'>, me: string, people: string[], now: Date): Promise<Map<string, PersonConnection>> {
  const pairs = await store.pairsWith(me, people);
  return new Map(people.map((p) => [p, personConnection(me, p, pairs.get(p), now)]));
}

export interface AttendeeToMeet {
  userId: string;
  name: string;
  headline: string | null;
  company: string | null;
  jobTitle: string | null;
  connection: PersonConnection;
}

/**
 * The other checked-in attendees of a past event, for someone who was checked in there too:
 * only those listed in the association's directory (the same rule, listedInDirectory), each
 * with where they stand with me. One Query page of the event's checked-in index (gsi2, by
 * key, cursor pages), one BatchGet of their memberships, one of their profiles, one of our
 * pair records. A page can show fewer than `limit` (the unlisted are left out); `lastKey` goes on.
 */
export async function attendeesToMeet(
  store: Pick<RsvpsRepo, 'checkedInOfEvent'> & Pick<MembersRepo, 'batchGetMembers'> & Pick<ProfilesRepo, 'batchGetProfiles'> & Pick<ConnectionsRepo, 'pairsWith'>,
  event: { eventId: string; associationId: string },
  me: string,
  page: { limit: number; startKey?: Record<string, unknown> },
  now: Date,
): Promise<{ items: AttendeeToMeet[]; lastKey?: Record<string, unknown> }> {
  const came = await store.checkedInOfEvent(event.eventId, page);
  const others = came.items.map((r) => r.userId).filter((id) => id !== me);
  const members = await store.batchGetMembers(event.associationId, others);
  const listed = others.filter((id) => {
    const m = members.get(id);
    return !!m && listedInDirectory(m);
  });
  const [profiles, states] = await Promise.all([store.batchGetProfiles(listed), connectionStates(store, me, listed, now)]);
  const items = listed.map((id) => {
    const p = profiles.get(id);
    return { userId: id, name: p?.name ?? members.get(id)!.name, headline: p?.headline ?? null, company: p?.company ?? null, jobTitle: p?.jobTitle ?? null, connection: states.get(id)! };
  });
  return { items, lastKey: came.lastKey };
}

/** A pair the caller is part of and that is still in force, or 404 (as for a pair that does not exist). */
async function mine(store: ConnectionsStore, me: string, connectionId: string, now: Date): Promise<Connection> {
  const c = await store.getConnection(connectionId);
  if (!c || !isParty(c, me) || !isLive(c, now)) throw notFound('No such connection.');
  return c;
}

/** POST /me/connections/{id}/accept: only the person asked, while the ask is open. */
export async function acceptConnection(store: ConnectionsStore, caller: Caller, connectionId: string, now: Date): Promise<ConnectionView> {
  const me = caller.userId;
  for (let attempt = 0; ; attempt++) {
    const c = await mine(store, me, connectionId, now);
    if (c.state === 'accepted') throw conflict('You are already connected.');
    // The decliner's view of a declined pair is gone; the asker's stays pending.
    if (c.state === 'declined') throw c.askedTo === me ? notFound('No such connection.') : forbidden('Only the person asked can accept.');
    if (c.askedTo !== me) throw forbidden('Only the person asked can accept.');
    const next = accepted(c, now);
    // Current names where there is a profile; otherwise the names the ask was written with.
    const pending = await Promise.all([store.getConnectionSide(c.a, connectionId), store.getConnectionSide(c.b, connectionId)]);
    const names = await namesOf(store, [c.a, c.b], Object.fromEntries(pending.filter((p) => !!p).map((p) => [p!.otherId, p!.otherName])));
    const sides = sidesOf(next, names, 'accepted');
    try {
      await store.acceptAsk(next, sides, now.toISOString());
      return (await views(store, sides.filter((s) => s.userId === me)))[0]!;
    } catch (err) {
      // Removed, withdrawn or accepted meanwhile, or being changed now: read again and answer from what is there.
      await readAgain(err, attempt, 3);
    }
  }
}

/** POST /me/connections/{id}/decline: only the person asked. The asker is not told. */
export async function declineConnection(store: ConnectionsStore, caller: Caller, connectionId: string, now: Date): Promise<{ connectionId: string; state: 'declined' }> {
  const me = caller.userId;
  for (let attempt = 0; ; attempt++) {
    const c = await mine(store, me, connectionId, now);
    if (c.state === 'accepted') throw conflict('You are already connected; remove the connection instead.');
    if (c.state === 'declined' || c.askedTo !== me) throw c.askedTo === me ? notFound('No such connection.') : forbidden('Only the person asked can decline.');
    try {
      await store.declineAsk(declined(c, now), now.toISOString());
      return { connectionId, state: 'declined' };
    } catch (err) {
      await readAgain(err, attempt, 3);
    }
  }
}

/** DELETE /me/connections/{id}: either side, any state (withdrawing an ask too). */
export async function removeConnection(store: ConnectionsStore, caller: Caller, connectionId: string): Promise<void> {
  const me = caller.userId;
  for (let attempt = 0; ; attempt++) {
    const c = await store.getConnection(connectionId);
    // An expired ask can still be withdrawn (its items wait for TTL); a pair I am not part of is unknown.
    if (!c || !isParty(c, me)) throw notFound('No such connection.');
    const [sa, sb] = await Promise.all([store.getConnectionSide(c.a, connectionId), store.getConnectionSide(c.b, connectionId)]);
    try {
      await store.removeConnection(c, [{ userId: c.a, side: sa }, { userId: c.b, side: sb }]);
      return;
    } catch (err) {
      await readAgain(err, attempt, 5);
    }
  }
}

/** PATCH /me/connections/{id}: my own note and tags, on an accepted connection. */
export async function patchConnection(store: ConnectionsStore, caller: Caller, connectionId: string, input: { note?: string | null; tags?: string[] }): Promise<ConnectionView> {
  const me = caller.userId;
  for (let attempt = 0; ; attempt++) {
    const side = await store.getConnectionSide(me, connectionId);
    if (!side) throw notFound('No such connection.');
    if (side.state !== 'accepted') throw conflict('Notes and tags are for accepted connections.', [{ path: 'connectionId', message: 'is still pending' }]);
    const { note: _old, ...rest } = side;
    const note = input.note === undefined ? side.note : input.note ?? undefined;
    const after: ConnectionSide = { ...rest, ...(note ? { note } : {}), tags: input.tags ? normaliseTags(input.tags) : side.tags ?? [], version: side.version + 1 };
    try {
      await store.updateSide(side, after);
      return (await views(store, [after]))[0]!;
    } catch (err) {
      if (!(err instanceof ConditionFailed)) {
        await readAgain(err, attempt, 0);
        continue;
      }
      if (!(await store.getConnection(connectionId))) throw notFound('No such connection.');
      if (attempt >= 3) throw conflict('The connection changed meanwhile; send the change again.');
    }
  }
}

/** The other person's current card, shown as they allow connections to see it. */
function card(profile: Profile | undefined, side: ConnectionSide, email: string | undefined) {
  const see = { ...defaultConnectionsSee, ...profile?.connectionsSee };
  return {
    name: profile?.name ?? side.otherName,
    ...(profile?.headline ? { headline: profile.headline } : {}),
    ...(see.company && profile?.company ? { company: profile.company } : {}),
    ...(profile?.jobTitle ? { jobTitle: profile.jobTitle } : {}),
    // Emails only between accepted connections, and only of people who share theirs.
    ...(see.email && email && side.state === 'accepted' ? { email } : {}),
  };
}

/** Cards read by key at read time: profiles, and the membership (its email) where the person shares it. */
async function views(store: ConnectionsStore, sides: ConnectionSide[]): Promise<ConnectionView[]> {
  const profiles = await store.batchGetProfiles([...new Set(sides.map((s) => s.otherId))]);
  const wantEmail = sides.filter((s) => s.state === 'accepted' && profiles.get(s.otherId)?.connectionsSee?.email);
  const emails = new Map<string, string>();
  const byAssociation = new Map<string, string[]>();
  for (const s of wantEmail) byAssociation.set(s.associationId, [...(byAssociation.get(s.associationId) ?? []), s.otherId]);
  for (const [associationId, ids] of byAssociation) {
    for (const [id, m] of await store.batchGetMembers(associationId, [...new Set(ids)])) if (m.email) emails.set(`${associationId}#${id}`, m.email);
  }
  return sides.map((s) => ({
    connectionId: s.connectionId,
    userId: s.otherId,
    ...card(profiles.get(s.otherId), s, emails.get(`${s.associationId}#${s.otherId}`)),
    state: s.state,
    ...(s.state === 'pending' ? { direction: s.direction } : {}),
    associationId: s.associationId,
    ...(s.metEventId ? { metEventId: s.metEventId } : {}),
    ...(s.askNote ? { askNote: s.askNote } : {}),
    ...(s.note ? { note: s.note } : {}),
    tags: s.tags ?? [],
    askedAt: s.askedAt,
    ...(s.connectedAt ? { connectedAt: s.connectedAt } : {}),
    ...(s.expiresAt ? { expiresAt: new Date(s.expiresAt * 1000).toISOString() } : {}),
  }));
}

export type NetworkQuery = { q?: string; tag?: string; associationId?: string; eventId?: string; state?: 'pending' | 'accepted' };

/** GET /me/connections: one page of my network (or my pending asks), alphabetical. */
export async function listNetwork(store: ConnectionsStore, caller: Caller, query: NetworkQuery, limit: number, startKey: Record<string, unknown> | undefined, now: Date) {
  const filter: NetworkFilter = { q: query.q, tag: query.tag, associationId: query.associationId, eventId: query.eventId, pending: query.state === 'pending' };
  const page = await store.networkPage(caller.userId, filter, { limit, startKey }, now.toISOString());
  return { items: await views(store, page.items), lastKey: page.lastKey };
}

/** Every accepted connection of mine, page after page (the export). */
async function wholeNetwork(store: ConnectionsStore, caller: Caller, now: Date): Promise<ConnectionView[]> {
  const out: ConnectionView[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.networkPage(caller.userId, {}, { limit: 200, startKey }, now.toISOString());
    out.push(...(await views(store, page.items)));
    startKey = page.lastKey;
  } while (startKey);
  return out;
}

/** GET /me/connections/export: a vCard 4.0 file or a CSV of my accepted connections. */
export async function exportNetwork(store: ConnectionsStore, caller: Caller, format: 'vcf' | 'csv', now: Date): Promise<{ body: string; contentType: string; filename: string }> {
  const people = await wholeNetwork(store, caller, now);
  if (format === 'vcf') {
    const body = vcards(people.map((p) => ({ uid: p.userId, name: p.name, email: p.email, company: p.company, jobTitle: p.jobTitle, headline: p.headline, note: p.note, categories: p.tags })));
    return { body, contentType: 'text/vcard; charset=utf-8', filename: 'my-network.vcf' };
  }
  const body = toCsv<ConnectionView>(
    [
      { header: 'Name', value: (p) => p.name },
      { header: 'Email', value: (p) => p.email },
      { header: 'Company', value: (p) => p.company },
      { header: 'Job title', value: (p) => p.jobTitle },
      { header: 'Headline', value: (p) => p.headline },
      { header: 'Connected at', value: (p) => p.connectedAt },
      { header: 'Met at event', value: (p) => p.metEventId },
      { header: 'Tags', value: (p) => p.tags.join(', ') },
      { header: 'Note', value: (p) => p.note },
    ],
    people,
  );
  return { body, contentType: 'text/csv; charset=utf-8', filename: 'my-network.csv' };
}


/** Every side of a person, accepted or pending, page after page (their export). */
export async function sidesOfPerson(store: Pick<ConnectionsRepo, 'connectionSidesOf'>, userId: string): Promise<ConnectionSide[]> {
  const out: ConnectionSide[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.connectionSidesOf(userId, { limit: 200, startKey });
    out.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return out;
}

/**
 * Erasure: takes the person out of everyone's network. Reads their own sides by key, a page
 * at a time from the start (each pass deletes what it read), and removes each pair with both
 * sides and tags. Idempotent: a second run finds nothing.
 */
export async function eraseConnections(store: ConnectionsStore, userId: string): Promise<number> {
  let removed = 0;
  for (;;) {
    const page = await store.connectionSidesOf(userId, { limit: 100 });
    if (!page.items.length) return removed;
    for (const side of page.items) {
      const c = await store.getConnection(side.connectionId);
      if (c) await removeConnection(store, { userId, email: '' }, side.connectionId);
      else await store.deleteSide(side); // the pair expired and TTL took it first
      removed++;
    }
  }
}
