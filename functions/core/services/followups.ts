/**
 * The follow-up after an event (docs/connections.md): pairs who were introduced and both
 * said they met, or who both asked "introduce us", get one mail each the day after, offering
 * to connect with a signed one-click link. A connection exists once both clicked; a click
 * alone tells nobody anything, so nobody learns who declined or did not click.
 *
 * The matching service notes a pair when it qualifies (noteFollowUp); the daily job sends
 * the offers due that day (sendFollowUps), each exactly once.
 */
import type { ConnectionsRepo, EventsRepo, MatchesRepo, ProfilesRepo, RsvpsRepo, AssociationsRepo, StoredMatch } from '../data/store.js';
import type { FollowUp } from '../data/connections.js';
import type { Event } from '../domain/events.js';
import * as keys from '../data/keys.js';
import { linkSigner } from '../http/links.js';
import { newMail } from './mail-item.js';
import { followUpMail } from '../domain/connection-mails.js';
import { isLive, sidesOf, type Connection } from '../domain/connections.js';
import { logger } from '../http/logger.js';
import { badRequest } from '../errors.js';
import type { MemberReads } from '../data/members.js';

export type FollowUpStore = ConnectionsRepo & EventsRepo & MatchesRepo & ProfilesRepo & RsvpsRepo & AssociationsRepo & MemberReads;

const DAY_MS = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

/** Why a match qualifies for a follow-up, if it does: both said they met, or both asked to be introduced. */
export function qualifies(m: Pick<StoredMatch, 'feedback' | 'introSentAt' | 'introRequestedBy'>): 'met' | 'introduced' | undefined {
  if (m.feedback?.a?.met && m.feedback?.b?.met) return 'met';
  if (m.introSentAt || (m.introRequestedBy?.length ?? 0) >= 2) return 'introduced';
  return undefined;
}

/** The UTC day an offer goes out: the day after the event ends, or today if the pair qualified later. */
export function dueDayOf(event: Pick<Event, 'endsAt'>, now: Date): string {
  const after = day(new Date(Date.parse(event.endsAt) + DAY_MS));
  const today = day(now);
  return after > today ? after : today;
}

/** Called by the matching service after feedback or an introduction: notes the pair once it qualifies. */
export async function noteFollowUp(store: Pick<ConnectionsRepo, 'noteFollowUp'>, event: Event, m: StoredMatch, now: Date): Promise<void> {
  const why = qualifies(m);
  if (!why) return;
  await store.noteFollowUp({ eventId: event.eventId, connectionId: keys.connectionId(m.a, m.b), associationId: m.associationId, matchId: m.matchId, a: m.a, b: m.b, dueDay: dueDayOf(event, now), why, clickedBy: [] });
}

export interface FollowUpDeps {
  store: FollowUpStore;
  apiUrl: string;
}

/**
 * The daily job's part: offers due today (and the two days before, in case a run was
 * missed), each sent once. Pairs already connected get nothing.
 */
export async function sendFollowUps(deps: FollowUpDeps, now: Date, lookbackDays = 2): Promise<{ sent: number; skipped: number }> {
  const { store } = deps;
  const link = await linkSigner();
  let sent = 0;
  let skipped = 0;
  for (let d = lookbackDays; d >= 0; d--) {
    const due = day(new Date(now.getTime() - d * DAY_MS));
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await store.followUpsDueOn(due, { limit: 100, startKey });
      for (const f of page.items) {
        try {
          (await sendOne(deps, link, f, now)) ? sent++ : skipped++;
        } catch (err) {
          skipped++;
          logger.error('follow-up failed', { eventId: f.eventId, errorName: (err as Error).name });
        }
      }
      startKey = page.lastKey;
    } while (startKey);
  }
  return { sent, skipped };
}

async function sendOne(deps: FollowUpDeps, link: Awaited<ReturnType<typeof linkSigner>>, f: FollowUp, now: Date): Promise<boolean> {
  const { store } = deps;
  if (f.sentAt) return false;
  const [event, association, existing] = await Promise.all([store.getEvent(f.eventId), store.getAssociation(f.associationId), store.getConnection(f.connectionId)]);
  if (!event || !association) return false;
  if (existing?.state === 'accepted') {
    await store.sendFollowUp(f, [], now.toISOString()); // nothing to offer; marked so no run looks again
    return false;
  }
  const [ra, rb] = await Promise.all([store.getRsvp(f.eventId, f.a), store.getRsvp(f.eventId, f.b)]);
  if (!ra?.email || !rb?.email) return false;
  const profiles = await store.batchGetProfiles([f.a, f.b]);
  const nameOf = (id: string, fallback?: string) => profiles.get(id)?.name ?? fallback ?? 'a fellow member';
  const names = { [f.a]: nameOf(f.a, ra.name), [f.b]: nameOf(f.b, rb.name) };
  const mailFor = (me: string, email: string, other: string) =>
    newMail(
      {
        mailId: `followup.${f.eventId}.${f.connectionId}.${me}`,
        to: email,
        fromName: association.name,
        kind: 'connection_follow_up',
        associationId: association.associationId,
        mail: followUpMail({
          associationName: association.name,
          title: event.title,
          name: names[me]!,
          otherName: names[other]!,
          why: f.why,
          connectUrl: `${deps.apiUrl}/events/${f.eventId}/connect?token=${link.sign('connect', { eventId: f.eventId, connectionId: f.connectionId, userId: me }, now)}`,
        }),
      },
      now,
    );
  return store.sendFollowUp(f, [mailFor(f.a, ra.email, f.b), mailFor(f.b, rb.email, f.a)], now.toISOString());
}

/**
 * A click on "connect" in the follow-up mail (the signed link's POST). Once both have
 * clicked the pair is connected. The answer says the same to a first clicker whatever the
 * other did, so it reveals nothing about them.
 */
export async function clickConnect(store: FollowUpStore, token: { eventId: string; connectionId: string; userId: string }, now: Date): Promise<{ connected: boolean }> {
  const f = await store.clickFollowUp(token.eventId, token.connectionId, token.userId);
  if (!f || (f.a !== token.userId && f.b !== token.userId)) throw badRequest('This link is not valid.', [{ path: 'token', message: 'is not a link we sent' }]);
  if (!f.clickedBy.includes(f.a) || !f.clickedBy.includes(f.b)) return { connected: false };
  const existing = await store.getConnection(f.connectionId);
  if (existing?.state === 'accepted' && isLive(existing, now)) return { connected: true };
  const at = now.toISOString();
  const c: Connection = {
    connectionId: f.connectionId,
    a: f.a,
    b: f.b,
    state: 'accepted',
    askedBy: f.a,
    askedTo: f.b,
    associationId: f.associationId,
    metEventId: f.eventId,
    askedAt: at,
    connectedAt: at,
    version: (existing?.version ?? 0) + 1,
  };
  const names = await namesOf(store, f.associationId, [f.a, f.b]);
  try {
    await store.putConnected(c, sidesOf(c, names, 'accepted'));
  } catch (err) {
    // Connected meanwhile (the other click, or an accepted ask): the outcome is the same.
    if ((err as Error).name !== 'ConditionFailed') throw err;
  }
  return { connected: true };
}

/** Names as the pair's network items carry them: the profile's, else the membership's. */
async function namesOf(store: Pick<FollowUpStore, 'batchGetProfiles' | 'batchGetMembers'>, associationId: string, ids: string[]): Promise<Record<string, string>> {
  const profiles = await store.batchGetProfiles(ids);
  const missing = ids.filter((id) => !profiles.get(id)?.name);
  const members = missing.length ? await store.batchGetMembers(associationId, missing) : new Map();
  return Object.fromEntries(ids.map((id) => [id, profiles.get(id)?.name ?? members.get(id)?.name ?? 'Member']));
}

/**
 * What the connect page tells the person a link is for: who the other one is and why they are
 * offered this. It reads only; it says nothing of whether the other has clicked.
 */
export async function connectOffer(
  store: Pick<FollowUpStore, 'getFollowUp' | 'batchGetProfiles' | 'batchGetMembers'>,
  token: { eventId: string; connectionId: string; userId: string },
): Promise<{ otherName: string; why: FollowUp['why'] }> {
  const f = await store.getFollowUp(token.eventId, token.connectionId);
  // As clickFollowUp's condition: only an offer that was mailed, to one of its pair.
  if (!f?.sentAt || (f.a !== token.userId && f.b !== token.userId)) throw badRequest('This link is not valid.', [{ path: 'token', message: 'is not a link we sent' }]);
  const other = f.a === token.userId ? f.b : f.a;
  const names = await namesOf(store, f.associationId, [other]);
  return { otherName: names[other]!, why: f.why };
}
