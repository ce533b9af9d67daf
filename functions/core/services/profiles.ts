/** The caller's own profile, used by the directory and by matching. */
import { StaleMember, type Store } from '../data/store.js';
import type { PrivacyData } from '../data/privacy.js';
import { conflict } from '../errors.js';
import type { Caller } from '../http/access.js';
import type { Profile } from '../domain/types.js';
import type { ProfilePut } from '../schemas.js';
import { displayName } from '../domain/membership.js';
import type { MembersRepo, ProfilesRepo } from '../data/store.js';

/** The repositories this service uses (functions/core/data/). */
export type ProfilesStore = MembersRepo & ProfilesRepo;

/** A profile never saved reads as an empty one, named from the token. */
export async function getProfile(store: ProfilesStore, caller: Caller): Promise<Profile> {
  return (
    (await store.getProfile(caller.userId)) ?? {
      userId: caller.userId,
      name: displayName(undefined, caller.name, caller.email),
      skills: [],
      interests: [],
      offers: [],
      seeks: [],
      matchOptIn: false,
      directoryVisible: false,
      updatedAt: new Date(0).toISOString(),
    }
  );
}

export async function putProfile(store: ProfilesStore, caller: Caller, input: ProfilePut, now: Date, privacy?: Pick<PrivacyData, 'liftErasureSuppression'>): Promise<Profile> {
  const dedupe = <T>(xs: T[]) => [...new Set(xs)];
  const profile: Profile = {
    ...input,
    userId: caller.userId,
    skills: dedupe(input.skills),
    interests: dedupe(input.interests),
    offers: dedupe(input.offers),
    seeks: dedupe(input.seeks),
    updatedAt: now.toISOString(),
  };
  await store.putProfile(profile);
  // Someone who erased themselves and comes back may get mail again (bounces and complaints stay suppressed).
  if (caller.email) await privacy?.liftErasureSuppression(caller.email);
  // Member lists show the name and the directory flag; keep each membership in step.
  try {
    await store.syncMemberships(caller.userId, { name: profile.name, directoryVisible: profile.directoryVisible }, profile.updatedAt);
  } catch (err) {
    // The profile is saved; a membership kept changing under us. Putting the same profile again finishes the copy.
    if (err instanceof StaleMember) throw conflict('A membership changed meanwhile; send the profile again.');
    throw err;
  }
  return profile;
}
