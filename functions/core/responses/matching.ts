/** Success bodies of the matching routes (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { instant, nullableInstant } from './common.js';

// `name`: the person a `mutual_connection` reason names (shown only to the two matched).
const Reason = z.strictObject({ kind: z.string(), tag: z.string(), giver: z.optional(z.string()), receiver: z.optional(z.string()), weight: z.number(), name: z.optional(z.string()) }).register(z.globalRegistry, { id: 'MatchReason' });

export const MatchFigures = z
  .strictObject({
    attendees: z.int(),
    matched: z.int(),
    withK: z.int(),
    totalScore: z.number(),
    candidatePairs: z.int(),
    coverable: z.int(),
    needsMet: z.int(),
    needsCoverable: z.int(),
    ms: z.number(),
  })
  .register(z.globalRegistry, { id: 'MatchFigures' });

const person = z.strictObject({ userId: z.string(), name: z.string() });

export const MatchPreview = z
  .strictObject({
    figures: MatchFigures,
    matches: z.array(z.strictObject({ a: person, b: person, score: z.number(), reasons: z.array(Reason), sentences: z.array(z.string()) })),
  })
  .register(z.globalRegistry, { id: 'MatchPreview' });

export const MatchSendResult = z.strictObject({ figures: MatchFigures, matches: z.int(), mailsQueued: z.int() }).register(z.globalRegistry, { id: 'MatchSendResult' });
const Feedback = z.strictObject({ rating: z.int(), met: z.boolean(), at: z.optional(instant) });

export const EventMatches = z
  .strictObject({
    run: z.nullable(z.looseObject({ runId: z.string(), status: z.string(), at: instant })),
    stats: z.strictObject({
      matches: z.int(),
      acceptanceRate: z.nullable(z.number()),
      introRate: z.nullable(z.number()),
      feedbackCount: z.int(),
      metRate: z.nullable(z.number()),
      averageRating: z.nullable(z.number()),
    }),
    items: z.array(
      z.strictObject({
        matchId: z.string(),
        a: z.string(),
        b: z.string(),
        score: z.number(),
        reasons: z.array(Reason),
        introRequestedBy: z.array(z.string()),
        introSentAt: nullableInstant,
        feedback: z.strictObject({ a: z.optional(Feedback), b: z.optional(Feedback) }),
      }),
    ),
    nextCursor: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: 'EventMatches' });

export const MyMatches = z
  .strictObject({
    items: z.array(
      z.strictObject({
        matchId: z.string(),
        person: z.strictObject({ userId: z.string(), name: z.string(), headline: z.nullable(z.string()), company: z.nullable(z.string()), jobTitle: z.nullable(z.string()) }),
        score: z.number(),
        reasons: z.array(Reason),
        sentences: z.array(z.string()),
        introRequested: z.boolean(),
        introduced: z.boolean(),
        feedback: z.nullable(Feedback),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'MyMatches' });

export const MatchFeedbackResult = z.strictObject({ matchId: z.string(), rating: z.int(), met: z.boolean() }).register(z.globalRegistry, { id: 'MatchFeedbackResult' });

export const IntroduceResult = z
  .strictObject({ introduced: z.boolean(), waitingForOtherSide: z.optional(z.boolean()), queued: z.optional(z.boolean()) })
  .register(z.globalRegistry, { id: 'IntroduceResult' });
