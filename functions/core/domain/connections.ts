/**
 * Connections, as plain rules: what an ask, an accept, a decline and a removal do to a
 * pair, given `now`. No AWS calls here; the service (services/connections.ts) reads, asks
 * these rules, and writes with the conditions of data/connections.ts.
 */
import type { Member } from './types.js';
import { inGoodStanding, roleAtLeast } from './roles.js';

export const ASK_TTL_DAYS = 30;
const DAY_MS = 86_400_000;
/** Tags a person may give one connection (each is one index item, written in one transaction). */
export const MAX_TAGS = 10;

export type ConnectionState = 'pending' | 'accepted' | 'declined';

/** A name as search and sorting see it: lower case, accents dropped, so "ines" finds Inès and Émile sorts among the e's. */
export const foldName = (name: string) => name.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();
/** The sort key of a side in every network index: the other person's folded name, then their id. */
export const nameKeyOf = (name: string, otherId: string) => `${foldName(name)}#${otherId}`;

/** Who may be asked to connect in an association (and, on a page, may be shown Connect): in good standing, or staff; never a cancelled membership. */
export const mayConnect = (m: Pick<Member, 'status' | 'role'> | undefined): boolean => !!m && m.status !== 'cancelled' && (inGoodStanding(m.status) || roleAtLeast(m.role, 'organizer'));

/** The shared record of a pair. */
export interface Connection {
  connectionId: string;
  /** The pair, lower id first. */
  a: string;
  b: string;
  state: ConnectionState;
  askedBy: string;
  askedTo: string;
  associationId: string;
  metEventId?: string;
  /** The asker's note, shown to the person asked. */
  askNote?: string;
  askedAt: string;
  connectedAt?: string;
  declinedAt?: string;
  /** Epoch seconds: a pending (or declined) pair is gone after this; DynamoDB's TTL deletes it later. */
  expiresAt?: number;
  version: number;
}

/** One person's own side: what they see and keep about the other. */
export interface ConnectionSide {
  connectionId: string;
  userId: string;
  otherId: string;
  state: 'pending' | 'accepted';
  /** For a pending ask: did I ask, or was I asked. */
  direction: 'outgoing' | 'incoming';
  associationId: string;
  metEventId?: string;
  askNote?: string;
  /** My private note and tags. */
  note?: string;
  tags: string[];
  askedAt: string;
  connectedAt?: string;
  expiresAt?: number;
  /** The other person's name when the side was written (their current card is read at list time). */
  otherName: string;
  /** That name lower-cased, then their id: the sort key of my network lists. */
  nameKey: string;
  version: number;
}

export const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** A pair record still in force at `now`: accepted, or pending/declined and not yet expired. */
export function isLive(c: Connection | undefined, now: Date): c is Connection {
  if (!c) return false;
  if (c.state === 'accepted') return true;
  return (c.expiresAt ?? 0) > epochSeconds(now);
}

/** A pending ask the person asked may still answer at `now`. */
export const isOpenAskTo = (c: Connection | undefined, userId: string, now: Date): boolean => !!c && c.state === 'pending' && c.askedTo === userId && isLive(c, now);

/** Is `userId` one of the pair? */
export const isParty = (c: Pick<Connection, 'a' | 'b'>, userId: string) => c.a === userId || c.b === userId;

export const otherOf = (c: Pick<Connection, 'a' | 'b'>, userId: string) => (c.a === userId ? c.b : c.a);

/** A new ask from `from` to `to`, expiring after ASK_TTL_DAYS. */
export function newAsk(input: { connectionId: string; from: string; to: string; associationId: string; metEventId?: string; note?: string }, now: Date): Connection {
  const [a, b] = input.from < input.to ? [input.from, input.to] : [input.to, input.from];
  return {
    connectionId: input.connectionId,
    a,
    b,
    state: 'pending',
    askedBy: input.from,
    askedTo: input.to,
    associationId: input.associationId,
    ...(input.metEventId ? { metEventId: input.metEventId } : {}),
    ...(input.note ? { askNote: input.note } : {}),
    askedAt: now.toISOString(),
    expiresAt: epochSeconds(new Date(now.getTime() + ASK_TTL_DAYS * DAY_MS)),
    version: 1,
  };
}

/** Both sides of a pair in `state`, each named and sorted by the other person. */
export function sidesOf(c: Connection, names: Record<string, string>, state: 'pending' | 'accepted', kept: Partial<Record<string, Pick<ConnectionSide, 'note' | 'tags'>>> = {}): [ConnectionSide, ConnectionSide] {
  const side = (userId: string): ConnectionSide => {
    const otherId = otherOf(c, userId);
    return {
      connectionId: c.connectionId,
      userId,
      otherId,
      state,
      direction: c.askedBy === userId ? 'outgoing' : 'incoming',
      associationId: c.associationId,
      ...(c.metEventId ? { metEventId: c.metEventId } : {}),
      ...(c.askNote ? { askNote: c.askNote } : {}),
      ...(kept[userId]?.note ? { note: kept[userId]!.note } : {}),
      tags: kept[userId]?.tags ?? [],
      askedAt: c.askedAt,
      ...(c.connectedAt ? { connectedAt: c.connectedAt } : {}),
      ...(state === 'pending' && c.expiresAt ? { expiresAt: c.expiresAt } : {}),
      otherName: names[otherId] ?? '',
      nameKey: nameKeyOf(names[otherId] ?? '', otherId),
      version: 1,
    };
  };
  return [side(c.askedBy), side(c.askedTo)];
}

/** The pair once the person asked accepts. */
export function accepted(c: Connection, now: Date): Connection {
  const { expiresAt: _gone, ...rest } = c;
  return { ...rest, state: 'accepted', connectedAt: now.toISOString(), version: c.version + 1 };
}

/** The pair once the person asked declines: it stays until the ask would have expired, so a new ask waits as long. */
export function declined(c: Connection, now: Date): Connection {
  return { ...c, state: 'declined', declinedAt: now.toISOString(), version: c.version + 1 };
}

/**
 * How a person shown on a page (directory, my matches) stands with the viewer, from their
 * pair record: what the page offers. A declined ask still reads "asked" to its asker (nobody
 * learns who declined); an expired one is gone.
 */
export type PersonConnection =
  | { state: 'self' }
  | { state: 'none' }
  | { state: 'connected'; connectionId: string }
  | { state: 'asked'; connectionId: string }
  | { state: 'incoming'; connectionId: string }
  | { state: 'declined'; connectionId: string };

export function personConnection(me: string, otherId: string, c: Connection | undefined, now: Date): PersonConnection {
  if (otherId === me) return { state: 'self' };
  if (!isLive(c, now) || !isParty(c, me) || !isParty(c, otherId)) return { state: 'none' };
  const { connectionId } = c;
  if (c.state === 'accepted') return { state: 'connected', connectionId };
  if (c.askedBy === me) return { state: 'asked', connectionId };
  return c.state === 'pending' ? { state: 'incoming', connectionId } : { state: 'declined', connectionId };
}

/** What connections see of a person, by their own choice; by default the company but not the email. */
export type ConnectionsSee = { email: boolean; company: boolean; network?: boolean };
export const defaultConnectionsSee: ConnectionsSee = { email: false, company: true, network: false };

/** Normalised tags: trimmed, lower-case, no duplicates, in the order given. */
export const normaliseTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
