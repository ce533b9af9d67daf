/** People's profiles, shared by every association they belong to. Key formats: keys.ts. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys.js';
import type { Key } from './keys.js';
import { strip, type Table } from './table.js';
import type { Profile } from '../domain/types.js';

/** The profile as stored. */
export const profileItem = (p: Profile) => ({ ...keys.profile(p.userId), entity: 'profile', ...p });

export function profilesRepo(t: Table) {
  const { db, name: table, batchGet } = t;
  return {
    async getProfile(userId: string): Promise<Profile | undefined> {
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.profile(userId) }));
      return strip<Profile>(res.Item);
    },

    async batchGetProfiles(userIds: string[]): Promise<Map<string, Profile>> {
      return batchGet<Profile>(userIds.map((id) => keys.profile(id)), (p) => p.userId);
    },

    async putProfile(profile: Profile): Promise<void> {
      await db.send(new PutCommand({ TableName: table, Item: profileItem(profile) }));
    },
  };
}

export type ProfilesRepo = ReturnType<typeof profilesRepo>;
