/**
 * Per-association preferences: a membership may set its own matching opt-in and directory
 * visibility; whatever it never set follows the person's profile-wide flags.
 */
import type { Member, Profile } from './types.js';
import { inGoodStanding } from './roles.js';

export interface Preferences {
  matchOptIn: boolean;
  directoryVisible: boolean;
}

/** What a membership chose itself; a missing field means "as my profile says". */
export type OwnPreferences = Partial<Preferences>;

type ProfileFlags = Pick<Profile, 'matchOptIn' | 'directoryVisible'> | undefined;

export function effectivePreferences(own: OwnPreferences | undefined, profile: ProfileFlags): Preferences {
  return {
    matchOptIn: own?.matchOptIn ?? profile?.matchOptIn ?? false,
    directoryVisible: own?.directoryVisible ?? profile?.directoryVisible ?? false,
  };
}

/** Merges a change into what the membership chose before; fields not sent stay as they were. */
export const mergePreferences = (before: OwnPreferences | undefined, change: OwnPreferences): OwnPreferences => ({
  ...before,
  ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
});

/** Listed in the association's directory: in good standing and visible there. */
export const listedInDirectory = (m: Pick<Member, 'status' | 'directoryVisible'>): boolean => inGoodStanding(m.status) && m.directoryVisible === true;
