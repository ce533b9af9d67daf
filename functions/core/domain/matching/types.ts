/** The shapes of the matching module: profiles in, matches with their reasons out. */

/** What matching reads of a profile (the `Profile` of the API, without its flags). */
export interface MatchProfile {
  userId: string;
  name: string;
  headline?: string;
  company?: string;
  jobTitle?: string;
  industry?: string;
  skills: string[];
  interests: string[];
  /** Intents from the fixed vocabulary (`intents` in ../vocabulary.ts). */
  offers: string[];
  seeks: string[];
  /** Only used to word the reasons ("She offers mentoring…"); the first name otherwise. */
  pronoun?: 'she' | 'he' | 'they';
}

/** The kinds of reason that make up a score (feedback tunes each of them). */
export type ReasonKind = 'offer_meets_seek' | 'shared_interest' | 'shared_skill' | 'industry';

/**
 * Why two people were matched. `weight` is what the reason adds to the receiver's gain (for
 * shared tags, to each side's gain) before the two gains are combined; `giver`/`receiver` are
 * set for one-way reasons: an offer meeting a need, or one side's industry being the other's
 * interest.
 */
export interface MatchReason {
  /** `mutual_connection`: both know `tag` (a userId, named `name`); it adds nothing to the score. */
  kind: ReasonKind | 'mutual_connection';
  tag: string;
  giver?: string;
  receiver?: string;
  weight: number;
  name?: string;
}

/**
 * The attendees' existing network (the connections store): connected pairs are never
 * introduced, and a person both sides of a match know is named as a reason when both
 * sides let their connections be seen.
 */
export interface MatchConnections {
  /** Connected pairs, in either order; they may include people who are not attending. */
  pairs: Iterable<[string, string]>;
  /** People who let their connections be seen. Nobody is, when absent. */
  visible?: Iterable<string>;
  /** How to name a mutual connection; one without a name is not named. */
  names?: ReadonlyMap<string, string>;
}

/** Past introductions (excluded) and feedback on them (tunes the reason kinds, bounded). */
export interface MatchHistory {
  pastPairs: Iterable<[string, string]>;
  feedback?: { a: string; b: string; rating?: number; met?: boolean; reasons: MatchReason['kind'][] }[];
  connections?: MatchConnections;
}

export interface Match {
  /** The two userIds, `a` < `b`. */
  a: string;
  b: string;
  score: number;
  reasons: MatchReason[];
}

export interface MatchFigures {
  attendees: number;
  /** Attendees with at least one match. */
  matched: number;
  /** Attendees with exactly k matches. */
  withK: number;
  totalScore: number;
  /** Candidate pairs scored into the matching graph (after the inverted-index pruning). */
  candidatePairs: number;
  /** Attendees with at least one positive-score candidate (the most `matched` can reach). */
  coverable: number;
  /** Attendees at least one of whose needs (`seeks`) a match of theirs `offers`. */
  needsMet: number;
  /** Attendees with a candidate who offers something they seek (the most `needsMet` can reach). */
  needsCoverable: number;
  ms: number;
}

export interface MatchResult {
  matches: Match[];
  figures: MatchFigures;
}

/**
 * The scoring configuration: what each kind of reason is worth. One configuration,
 * `defaultWeights`, is documented in docs/matching.md and pinned by the tests.
 */
export interface Weights {
  /** The receiver's gain for each of their `seeks` the other `offers`. */
  offerMeetsSeek: number;
  /** Share of that gain the giver gets (people who offer something want to give it). */
  giverShare: number;
  /** Each shared interest, times its rarity (0..1]. */
  sharedInterest: number;
  /** Each shared skill, times its rarity. */
  sharedSkill: number;
  /** The same industry, times its rarity; half of it when one's industry is the other's interest. */
  industry: number;
  /** One side's industry being the other's interest, as a share of `industry`. */
  industryAffinity: number;
  /** A tag held by this share of attendees or fewer counts as niche: rarity 1. */
  nicheShare: number;
  /** At most this many skills and interests of one person are read (the first ones). */
  maxTagsPerKind: number;
  /** Feedback: pseudo-count pulling a reason kind's multiplier towards 1. */
  feedbackPrior: number;
  /** Feedback: how far a unanimous outcome moves a multiplier (1 ± strength before bounds). */
  feedbackStrength: number;
  /** Feedback: bounds of a reason kind's multiplier. */
  feedbackMin: number;
  feedbackMax: number;
}
