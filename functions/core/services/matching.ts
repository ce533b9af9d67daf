/**
 * Pre-event introductions: computes matches among going attendees who opted in (the
 * engine in domain/matching is pure), stores them and mails each attendee once through
 * the outbox. A run marker makes sending happen once per event, whoever triggers it.
 */
import { computeMatches, introSentences, reasonSentences, type MatchConnections, type MatchProfile, type Match } from '../domain/matching/index.js';
import type { Store, StoredMatch } from '../data/store.js';
import { matchRefItem } from '../data/privacy.js';
import type { Association, OutboxMail, Profile } from '../domain/types.js';
import type { Event, Rsvp } from '../domain/events.js';
import { conflict, notFound, unprocessable, HttpProblem } from '../errors.js';
import { introMail, matchesMail } from '../domain/emails.js';
import { newMail } from './mail-item.js';
import { linkSigner } from '../http/links.js';
import { allPages } from './exports.js';
import { effectivePreferences } from '../domain/preferences.js';
import type { EventsDeps } from './events.js';
import { noteFollowUp } from './followups.js';
import type { AssociationsRepo, EventsRepo, MatchesRepo, OutboxRepo, ProfilesRepo, RsvpsRepo } from '../data/store.js';
import { storeConnections } from './matching-connections.js';
import type { MemberReads } from '../data/members.js';

/** The repositories this service uses (functions/core/data/). */
export type MatchingStore = AssociationsRepo & EventsRepo & MatchesRepo & MemberReads & OutboxRepo & ProfilesRepo & RsvpsRepo & Pick<Store, 'batchPut' | 'noteFollowUp' | 'networkPage'>;

/** What sending matches and introductions needs: the store's matching part and where links point. */
export type MatchingDeps = Pick<EventsDeps, 'appUrl' | 'apiUrl'> & { store: MatchingStore };

export const matchIdOf = (a: string, b: string) => (a < b ? `${a}.${b}` : `${b}.${a}`);

/** Going attendees who opted in, with the profile fields matching may use. */
async function candidates(store: MatchingStore, event: Event): Promise<{ profiles: MatchProfile[]; rsvps: Map<string, Rsvp>; full: Map<string, Profile> }> {
  const rsvps = new Map<string, Rsvp>();
  for await (const page of allPages((startKey) => store.rsvpsOfEvent(event.eventId, 'going', { limit: 500, startKey }))) {
    for (const r of page) rsvps.set(r.userId, r);
  }
  const [full, memberships] = await Promise.all([store.batchGetProfiles([...rsvps.keys()]), store.batchGetMembers(event.associationId, [...rsvps.keys()])]);
  const profiles: MatchProfile[] = [];
  for (const [userId, r] of rsvps) {
    const p = full.get(userId);
    // Only people opted in for this association (their own choice here, else their profile's) are matched.
    if (!p || !effectivePreferences(memberships.get(userId)?.preferences, p).matchOptIn) continue;
    profiles.push({ userId, name: p.name || r.name, headline: p.headline, company: p.company, jobTitle: p.jobTitle, industry: p.industry, skills: p.skills, interests: p.interests, offers: p.offers, seeks: p.seeks });
  }
  return { profiles, rsvps, full };
}

async function history(store: MatchingStore, associationId: string, eventId: string) {
  const pairs = await store.pairsOfAssociation(associationId);
  const earlier = pairs.filter((p) => p.eventId !== eventId);
  return {
    pastPairs: earlier.map((p) => [p.a, p.b] as [string, string]),
    feedback: earlier.filter((p) => p.rating !== undefined || p.met !== undefined).map((p) => ({ a: p.a, b: p.b, rating: p.rating, met: p.met, reasons: (p.reasons ?? []) as never[] })),
  };
}

/**
 * The attendees' existing network, for matching: their connected pairs (also to people not
 * attending), who lets their connections be seen, and the names of those who may be named.
 * By default the connections store (services/matching-connections.ts).
 */
export interface ConnectionsSource {
  connectionsOf(userIds: string[]): Promise<MatchConnections>;
}

export const noConnections: ConnectionsSource = { connectionsOf: async () => ({ pairs: [] }) };

export async function compute(store: MatchingStore, event: Event, connections: ConnectionsSource = storeConnections(store)) {
  if (event.status === 'cancelled') throw conflict('This event was cancelled.');
  const k = event.matchmaking?.matchesPerAttendee ?? 3;
  const { profiles, rsvps, full } = await candidates(store, event);
  const [past, network] = await Promise.all([history(store, event.associationId, event.eventId), connections.connectionsOf(profiles.map((p) => p.userId))]);
  const result = computeMatches(profiles, k, { ...past, connections: network });
  return { k, profiles, rsvps, full, result };
}

/** Preview: compute now, store nothing. */
export async function preview(store: MatchingStore, event: Event) {
  const { profiles, result } = await compute(store, event);
  const byId = new Map(profiles.map((p) => [p.userId, p]));
  return {
    figures: result.figures,
    matches: result.matches.map((m) => {
      const shown = forOrganizers(m);
      return {
        a: { userId: m.a, name: byId.get(m.a)!.name },
        b: { userId: m.b, name: byId.get(m.b)!.name },
        score: round(m.score),
        reasons: shown.reasons,
        sentences: reasonSentences(shown, byId.get(m.a)!, byId.get(m.b)!),
      };
    }),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * A match as organizers see it: without mutual connections. Only the two people agreed to
 * learn who they both know (each from the other); the organizer did not, so the name stays
 * between them (it is stored with the match for their own views and mail).
 */
export const forOrganizers = <M extends { reasons: { kind: string }[] }>(m: M): M => ({ ...m, reasons: m.reasons.filter((r) => r.kind !== 'mutual_connection') });

/**
 * Computes, stores and mails the matches once. A second call (a retry, the schedule after
 * a manual send) finds the run marker and sends nothing.
 */
export async function send(deps: MatchingDeps, association: Association, event: Event, actorId: string, now: Date) {
  const existing = await deps.store.getMatchRun(event.eventId);
  if (existing && existing.status === 'sent') throw conflict('Matches for this event were already sent.');
  if (!existing) {
    const started = await deps.store.startMatchRun(event.eventId, { runId: `${event.eventId}.${now.toISOString()}`, startedBy: actorId, at: now.toISOString() });
    if (!started) throw conflict('Matches for this event are being sent already.');
  }
  // A run left half-done by a crash is finished by the next call: every write below is idempotent.
  const { profiles, result } = await compute(deps.store, event);
  const at = now.toISOString();
  const stored: StoredMatch[] = result.matches.map((m) => ({
    matchId: matchIdOf(m.a, m.b),
    eventId: event.eventId,
    associationId: event.associationId,
    a: m.a < m.b ? m.a : m.b,
    b: m.a < m.b ? m.b : m.a,
    score: round(m.score),
    reasons: m.reasons,
    introRequestedBy: [],
    feedback: {},
    createdAt: at,
  }));
  await deps.store.batchPut([
    ...stored.map((m) => deps.store.matchItem(m)),
    ...stored.map((m) => deps.store.pairItem(event.associationId, m.a, m.b, event.eventId, at)),
    // Each person's pointer to the match: their export and erasure find it by their key.
    ...stored.flatMap((m) => [matchRefItem(m.a, m), matchRefItem(m.b, m)]),
  ]);
  const byId = new Map(profiles.map((p) => [p.userId, p]));
  const perPerson = new Map<string, Match[]>();
  for (const m of result.matches) {
    perPerson.set(m.a, [...(perPerson.get(m.a) ?? []), m]);
    perPerson.set(m.b, [...(perPerson.get(m.b) ?? []), m]);
  }
  const rsvps = new Map<string, Rsvp>();
  for await (const page of allPages((startKey) => deps.store.rsvpsOfEvent(event.eventId, 'going', { limit: 500, startKey }))) for (const r of page) rsvps.set(r.userId, r);
  const link = await linkSigner();
  let queued = 0;
  for (const [userId, ms] of perPerson) {
    const me = byId.get(userId)!;
    const r = rsvps.get(userId);
    if (!r) continue;
    const people = ms.map((m) => {
      const other = byId.get(m.a === userId ? m.b : m.a)!;
      const matchId = matchIdOf(m.a, m.b);
      return {
        name: other.name,
        headline: other.headline,
        company: other.company,
        jobTitle: other.jobTitle,
        reasons: reasonSentences(m, me, other),
        introduceUrl: `${deps.apiUrl}/events/${event.eventId}/matches/${matchId}/introduce?token=${link.sign('introduce', { eventId: event.eventId, matchId, userId }, now)}`,
      };
    });
    const unsubscribeUrl = `${deps.apiUrl}/email/unsubscribe?token=${link.sign('unsubscribe', { email: r.email, kind: 'match_intro' })}`;
    const mail = newMail(
      {
        mailId: `matches.${event.eventId}.${userId}`,
        to: r.email,
        fromName: association.name,
        kind: 'match_intro',
        associationId: association.associationId,
        mail: matchesMail({
          associationName: association.name,
          attendeeName: me.name,
          title: event.title,
          startsAt: event.startsAt,
          endsAt: event.endsAt,
          timezone: event.timezone,
          where: event.venue ?? event.onlineUrl ?? '',
          eventUrl: `${deps.appUrl}/e/${event.eventId}`,
          people,
          unsubscribeUrl,
          accountUrl: `${deps.appUrl}/account#matches`,
        }),
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      },
      now,
    );
    if (await deps.store.enqueueMailOnce(mail)) queued++;
  }
  await deps.store.finishMatchRun(event.eventId, { matches: stored.length, mailsQueued: queued, attendees: result.figures.attendees }, at);
  return { figures: result.figures, matches: stored.length, mailsQueued: queued };
}

/** The match, if the caller is one of its two people; otherwise it does not exist for them. */
export async function matchOfCaller(store: MatchingStore, eventId: string, matchId: string, userId: string): Promise<StoredMatch> {
  const m = await store.getMatch(eventId, matchId);
  if (!m || (m.a !== userId && m.b !== userId)) throw notFound('No such match.');
  return m;
}

export async function myMatches(store: MatchingStore, event: Event, userId: string) {
  const stored = await store.matchesOfAttendee(event.eventId, userId);
  if (!stored.length) return { items: [] };
  const partners = stored.map((m) => (m.a === userId ? m.b : m.a));
  const [profiles, memberships] = await Promise.all([store.batchGetProfiles([userId, ...partners]), store.batchGetMembers(event.associationId, partners)]);
  // A partner who has since opted out of matching here is no longer shown to anyone.
  const items = stored.filter((m) => {
    const otherId = m.a === userId ? m.b : m.a;
    return effectivePreferences(memberships.get(otherId)?.preferences, profiles.get(otherId)).matchOptIn;
  });
  const me = toMatchProfile(userId, profiles.get(userId));
  return {
    items: items.map((m) => {
      const otherId = m.a === userId ? m.b : m.a;
      const other = toMatchProfile(otherId, profiles.get(otherId));
      return {
        matchId: m.matchId,
        person: { userId: otherId, name: other.name, headline: other.headline ?? null, company: other.company ?? null, jobTitle: other.jobTitle ?? null },
        score: m.score,
        reasons: m.reasons,
        sentences: reasonSentences(m as Match, me, other),
        introRequested: m.introRequestedBy.includes(userId),
        introduced: !!m.introSentAt,
        feedback: m.feedback[m.a === userId ? 'a' : 'b'] ?? null,
      };
    }),
  };
}

const toMatchProfile = (userId: string, p: Profile | undefined): MatchProfile => ({
  userId,
  name: p?.name ?? 'Someone',
  headline: p?.headline,
  company: p?.company,
  jobTitle: p?.jobTitle,
  industry: p?.industry,
  skills: p?.skills ?? [],
  interests: p?.interests ?? [],
  offers: p?.offers ?? [],
  seeks: p?.seeks ?? [],
});

/** Organizers' view: the matches and how useful they were, in aggregate. */
export async function eventMatches(store: MatchingStore, event: Event, limit: number, startKey?: Record<string, unknown>) {
  const page = await store.matchesOfEvent(event.eventId, { limit, startKey });
  const all: StoredMatch[] = [];
  for await (const p of allPages((sk) => store.matchesOfEvent(event.eventId, { limit: 500, startKey: sk }))) all.push(...p);
  const feedback = all.flatMap((m) => Object.values(m.feedback ?? {}));
  const rate = (n: number, d: number) => (d ? round(n / d) : null);
  return {
    run: (await store.getMatchRun(event.eventId)) ?? null,
    stats: {
      matches: all.length,
      acceptanceRate: rate(all.filter((m) => m.introRequestedBy.length > 0).length, all.length),
      introRate: rate(all.filter((m) => m.introSentAt).length, all.length),
      feedbackCount: feedback.length,
      metRate: rate(feedback.filter((f) => f.met).length, feedback.length),
      averageRating: feedback.length ? round(feedback.reduce((s, f) => s + f.rating, 0) / feedback.length) : null,
    },
    items: page.items.map((m) => ({ matchId: m.matchId, a: m.a, b: m.b, score: m.score, reasons: forOrganizers(m).reasons, introRequestedBy: m.introRequestedBy, introSentAt: m.introSentAt ?? null, feedback: m.feedback })),
    lastKey: page.lastKey,
  };
}

export async function feedback(store: MatchingStore, event: Event, matchId: string, userId: string, fb: { rating: number; met: boolean }, now: Date) {
  const m = await matchOfCaller(store, event.eventId, matchId, userId);
  await store.saveFeedback(m, m.a === userId ? 'a' : 'b', fb, now.toISOString());
  // Both said they met: offer them to connect the day after the event (services/followups.ts).
  if (fb.met) {
    const after = await store.getMatch(event.eventId, matchId);
    if (after) await noteFollowUp(store, event, after, now);
  }
  return { matchId, ...fb };
}

/**
 * "Introduce us": records the ask; when both sides have asked, one mail addressed to both
 * is queued, exactly once (a conditional write decides who queues it).
 */
export async function introduce(deps: MatchingDeps, association: Association, event: Event, matchId: string, userId: string, now: Date) {
  const found = await matchOfCaller(deps.store, event.eventId, matchId, userId);
  const [ga, gb] = await Promise.all([deps.store.getRsvp(event.eventId, found.a), deps.store.getRsvp(event.eventId, found.b)]);
  if (ga?.status !== 'going' || gb?.status !== 'going') throw unprocessable('One of you is no longer registered for this event.');
  const m = await deps.store.requestIntro(event.eventId, matchId, userId);
  if (m.introRequestedBy.length < 2 || m.introSentAt) return { introduced: !!m.introSentAt, waitingForOtherSide: m.introRequestedBy.length < 2 };
  const [ra, rb] = await Promise.all([deps.store.getRsvp(event.eventId, m.a), deps.store.getRsvp(event.eventId, m.b)]);
  const profiles = await deps.store.batchGetProfiles([m.a, m.b]);
  if (!ra || !rb) throw unprocessable('One of you is no longer registered for this event.');
  const pa = toMatchProfile(m.a, profiles.get(m.a));
  const pb = toMatchProfile(m.b, profiles.get(m.b));
  const content = introMail({ associationName: association.name, title: event.title, a: { name: pa.name, email: ra.email }, b: { name: pb.name, email: rb.email }, reasons: introSentences(m, pa, pb) });
  const mail: OutboxMail = {
    ...newMail({ mailId: `intro.${event.eventId}.${matchId}`, to: ra.email, fromName: association.name, kind: 'match_introduction', associationId: association.associationId, mail: content }, now),
    // Both people are on the To line, so a reply-all reaches the other.
    to: `${ra.email},${rb.email}`,
  };
  const queued = await deps.store.queueIntro(event.eventId, matchId, mail, now.toISOString());
  // Both asked to be introduced: offer them to connect after the event (services/followups.ts).
  await noteFollowUp(deps.store, event, m, now);
  return { introduced: true, queued };
}

/** The scheduled send at matchmaking.sendAt. Stale (the event moved) or already sent: nothing. */
export async function sendScheduledMatches(deps: MatchingDeps, eventId: string, startsAt: string, now: Date): Promise<string> {
  const event = await deps.store.getEvent(eventId, true);
  if (!event || event.status !== 'scheduled' || event.startsAt !== startsAt || !event.matchmaking?.enabled) return 'stale';
  const association = await deps.store.getAssociation(event.associationId);
  if (!association) return 'stale';
  try {
    const r = await send(deps, association, event, 'schedule', now);
    return `sent:${r.matches}`;
  } catch (err) {
    if (err instanceof HttpProblem) return 'already-sent';
    throw err;
  }
}

// The reasons in the third person, for the mail to both: domain/matching/sentences.ts.
export { introSentences };
