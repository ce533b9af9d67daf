import type { MatchProfile } from '../../../functions/core/domain/matching/index.js';

/** A profile with nothing in it but what the test says. */
export function person(userId: string, over: Partial<MatchProfile> = {}): MatchProfile {
  return { userId, name: `${userId[0]!.toUpperCase()}${userId.slice(1)} Example`, skills: [], interests: [], offers: [], seeks: [], ...over };
}

/** Every unordered pair as "a|b" with a < b. */
export const pairOf = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
