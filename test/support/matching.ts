/**
 * Helpers for the matchmaking integration tests, all through the public HTTP API: people
 * with profiles, events with matchmaking on, the matching routes, the "People to meet"
 * mail read back from the local SES, and the invariants every set of matches must hold.
 */
import { call, signIn, type Res } from './http.js';
import { expectStatus, join, type User } from './fixtures.js';
import { createEvent, header, pool, rsvp, type EventView, type SentMail } from './events.js';

export interface ProfileInput {
  name: string;
  headline?: string;
  company?: string;
  jobTitle?: string;
  industry?: string;
  skills?: string[];
  interests?: string[];
  offers?: string[];
  seeks?: string[];
  matchOptIn?: boolean;
  directoryVisible?: boolean;
}

export type Person = User & { profile: ProfileInput };

export async function putProfile(user: User, profile: ProfileInput) {
  return expectStatus(await call('PUT', '/me/profile', { token: user.token, body: profile }), 200, `profile of ${profile.name}`).body;
}

/** The values `offers` and `seeks` may take, as the API serves them. */
export async function vocabulary(): Promise<string[]> {
  const res = expectStatus(await call('GET', '/vocabulary'), 200, 'vocabulary');
  return (res.body.intents as { value: string }[]).map((i) => i.value);
}

/**
 * Signs in one person per profile (emails all contain `label`), puts the profile and, with
 * an association, joins it on `planId` so members-only events are open to them.
 */
export async function people(label: string, profiles: ProfileInput[], membership?: { associationId: string; planId: string }): Promise<Person[]> {
  return pool(profiles, 8, async (profile) => {
    const user = await signIn(label, profile.name);
    if (membership) await join(user, membership.associationId, membership.planId);
    await putProfile(user, profile);
    return { ...user, profile };
  });
}

/** Everyone RSVPs going; fails unless each is seated. */
export async function allGoing(who: readonly User[], eventId: string) {
  await pool(who, 8, async (u) => {
    const res = expectStatus(await rsvp(u, eventId), 200, 'RSVP');
    if (res.body.status !== 'going') throw new Error(`RSVP: expected going, got ${res.text}`);
  });
}

/** An event with matchmaking on (k = 2 unless said). */
export function matchmakingEvent(organizer: User, associationId: string, overrides: Record<string, unknown> = {}, matchmaking: Record<string, unknown> = {}): Promise<EventView> {
  return createEvent(organizer, associationId, { matchmaking: { enabled: true, matchesPerAttendee: 2, ...matchmaking }, ...overrides });
}

export const preview = (token: string | undefined, eventId: string) => call('POST', `/events/${eventId}/matches/preview`, { token });
export const sendMatches = (token: string | undefined, eventId: string) => call('POST', `/events/${eventId}/matches/send`, { token });
export const myMatches = (token: string | undefined, eventId: string) => call('GET', `/events/${eventId}/matches/me`, { token });
export const feedback = (token: string | undefined, eventId: string, matchId: string, body: unknown) => call('POST', `/events/${eventId}/matches/${matchId}/feedback`, { token, body });

export interface StoredMatchView {
  matchId: string;
  a: string;
  b: string;
  score: number;
  reasons: { kind: string; tag: string; giver?: string; receiver?: string; weight: number }[];
  introRequestedBy: string[];
  introSentAt: string | null;
  feedback: Partial<Record<'a' | 'b', { rating: number; met: boolean; at: string }>>;
}

export interface OrganizerView {
  run: { status: string; startedBy?: string; figures?: Record<string, number> } | null;
  stats: { matches: number; acceptanceRate: number | null; introRate: number | null; feedbackCount: number; metRate: number | null; averageRating: number | null };
  items: StoredMatchView[];
}

/** The organizer's view of an event's matches, every page of items gathered. */
export async function storedMatches(token: string, eventId: string, limit = 200): Promise<OrganizerView> {
  let cursor: string | null = null;
  let first: Res | undefined;
  const items: StoredMatchView[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const res: Res = expectStatus(await call('GET', `/events/${eventId}/matches?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token }), 200, 'stored matches');
    first ??= res;
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return { run: first.body.run, stats: first.body.stats, items };
  }
  throw new Error('the list of matches never ended');
}

/** The unordered pair, as a key. */
export const pairOf = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
/** The match id the API gives a pair: both user ids, sorted, joined by a dot. */
export const matchIdOf = (a: string, b: string) => (a < b ? `${a}.${b}` : `${b}.${a}`);

const sameCompany = (x?: string, y?: string) => !!x && !!y && x.normalize('NFKC').trim().toLowerCase() === y.normalize('NFKC').trim().toLowerCase();

/**
 * What must hold of any set of matches: only the given (opted-in, going) people, nobody
 * matched with themselves, no pair twice, nobody over k, no two people of one company.
 * Returns the violations, so a failure lists them all.
 */
export function violations(matches: readonly { a: string; b: string }[], eligible: ReadonlyMap<string, Person>, k: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const degree = new Map<string, number>();
  const who = (id: string) => eligible.get(id)?.profile.name ?? id;
  for (const { a, b } of matches) {
    if (a === b) out.push(`self pair ${who(a)}`);
    for (const id of [a, b]) if (!eligible.has(id)) out.push(`${id} is matched but not an opted-in attendee`);
    const key = pairOf(a, b);
    if (seen.has(key)) out.push(`duplicate pair ${who(a)} / ${who(b)}`);
    seen.add(key);
    if (sameCompany(eligible.get(a)?.profile.company, eligible.get(b)?.profile.company)) out.push(`same company: ${who(a)} / ${who(b)}`);
    for (const id of [a, b]) degree.set(id, (degree.get(id) ?? 0) + 1);
  }
  for (const [id, d] of degree) if (d > k) out.push(`${who(id)} has ${d} matches (k = ${k})`);
  return out;
}

/** userId → the userIds they are matched with. */
export function partnersOf(matches: readonly { a: string; b: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { a, b } of matches) {
    out.set(a, [...(out.get(a) ?? []), b]);
    out.set(b, [...(out.get(b) ?? []), a]);
  }
  return out;
}

// ---------------------------------------------------------------- the "People to meet" mail

export const matchMailSubject = (title: string) => `People to meet at ${title}`;

export interface MatchCard {
  name: string;
  /** What follows the name: "jobTitle, company (headline)". */
  detail: string;
  reasons: string[];
  introduceUrl: string;
}

/** The people of a match mail, read from its text part. */
export function cardsOf(m: SentMail): MatchCard[] {
  const cards: MatchCard[] = [];
  for (const line of (m.body.text ?? '').split('\n')) {
    const head = /^\d+\. (.+)$/.exec(line);
    if (head) {
      const [name, ...rest] = head[1]!.split(' — ');
      cards.push({ name: name!, detail: rest.join(' — '), reasons: [], introduceUrl: '' });
      continue;
    }
    const card = cards[cards.length - 1];
    if (!card) continue;
    const reason = /^ {3}• (.+)$/.exec(line);
    if (reason) card.reasons.push(reason[1]!);
    const link = /^ {3}Introduce us: (\S+)$/.exec(line);
    if (link) card.introduceUrl = link[1]!;
  }
  return cards;
}

/** The one-click unsubscribe URL of a mail, from its List-Unsubscribe header. */
export function listUnsubscribeUrl(m: SentMail): string {
  const url = /^<(https?:\/\/[^>]+)>$/.exec(header(m, 'List-Unsubscribe') ?? '')?.[1];
  if (!url) throw new Error(`no List-Unsubscribe URL in ${JSON.stringify(m.headers)}`);
  return url;
}

/** Path and query of an absolute link, to call through the test client. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** eventId, matchId and token of an "Introduce us" link. */
export function introduceLink(url: string): { eventId: string; matchId: string; token: string } {
  const u = new URL(url);
  const m = /^\/events\/([^/]+)\/matches\/([^/]+)\/introduce$/.exec(u.pathname);
  const token = u.searchParams.get('token');
  if (!m || !token) throw new Error(`not an "Introduce us" link: ${url}`);
  return { eventId: m[1]!, matchId: m[2]!, token };
}
