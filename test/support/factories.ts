/**
 * Test factories for the stored entities: a valid default, changed by `overrides`.
 * Each returns the shape the store returns (keys stripped), which is also accepted as a
 * mocked DynamoDB item.
 */
import type { Association, Member, Plan, Profile } from '../../functions/core/domain/types.js';
import type { ExportJob } from '../../functions/core/data/exports.js';

const at = '2026-01-15T10:00:00.000Z';

export function makeAssociation(overrides: Partial<Association> = {}): Association {
  return {
    associationId: 'assocA',
    name: 'Engineers of Lyon',
    slug: 'engineers-lyon',
    currency: 'eur',
    timezone: 'Europe/Paris',
    description: 'A professional association',
    gracePeriodDays: 14,
    ownerCount: 1,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export function makePlan(overrides: Partial<Plan> = {}): Plan {
  return {
    planId: 'planYearly',
    associationId: 'assocA',
    name: 'Yearly',
    amount: 5000,
    currency: 'eur',
    interval: 'year',
    archived: false,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export function makeMember(overrides: Partial<Member> = {}): Member {
  return {
    associationId: 'assocA',
    userId: 'user-member',
    role: 'member',
    planId: 'planYearly',
    status: 'active',
    currentPeriodEnd: '2027-01-15T10:00:00.000Z',
    joinedAt: at,
    name: 'Ada Member',
    email: 'ada@example.test',
    directoryVisible: false,
    version: 3,
    updatedAt: at,
    ...overrides,
  };
}

export function makeProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    userId: 'user-member',
    name: 'Ada Member',
    skills: [],
    interests: [],
    offers: [],
    seeks: [],
    matchOptIn: false,
    directoryVisible: false,
    updatedAt: at,
    ...overrides,
  };
}

/** A pending members export job of association a1, as the export request records it. */
export function makeExportJob(overrides: Partial<ExportJob> = {}): ExportJob {
  return {
    exportId: '01JEXPORT',
    associationId: 'a1',
    spec: { list: 'members' },
    actorId: 'u1',
    actorEmail: 'asker@example.test',
    fileKey: 'exports/a1/01JEXPORT/club-members.csv',
    state: 'pending',
    createdAt: '2026-06-01T10:00:00.000Z',
    ...overrides,
  };
}
