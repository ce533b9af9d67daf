/** Success bodies of the members routes (responses.ts says how they are written and checked). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { intents } from '../domain/vocabulary.js';
import { memberStatuses, roles } from '../domain/roles.js';
import { instant, nullableInstant, page } from './common.js';

export const EffectivePreferences = z.strictObject({ matchOptIn: z.boolean(), directoryVisible: z.boolean() }).register(z.globalRegistry, { id: 'EffectivePreferences' });

export const Member = z
  .strictObject({
    userId: z.string(),
    associationId: z.string(),
    role: z.enum(roles),
    planId: z.nullable(z.string()),
    status: z.enum(memberStatuses),
    currentPeriodEnd: nullableInstant,
    joinedAt: instant,
    name: z.string(),
    email: z.string(),
    billing: z.strictObject({
      method: z.nullable(z.enum(['stripe', 'offline'])),
      autoRenew: z.boolean(),
      pastDueSince: nullableInstant,
      graceUntil: nullableInstant,
      lapsedAt: nullableInstant,
    }),
  })
  .register(z.globalRegistry, { id: 'Member' });

export const MemberDetail = z.extend(Member, { preferences: EffectivePreferences }).register(z.globalRegistry, { id: 'MemberDetail' });

/** Joining a paid plan: pending, with the checkout to pay (null when Stripe could not be reached; ask again). */
export const Joined = z.extend(Member, { checkoutUrl: z.optional(z.nullable(z.string())) }).register(z.globalRegistry, { id: 'Joined' });

export const DirectoryEntry = z
  .strictObject({
    userId: z.string(),
    name: z.string(),
    role: z.enum(roles),
    headline: z.nullable(z.string()),
    company: z.nullable(z.string()),
    jobTitle: z.nullable(z.string()),
    industry: z.nullable(z.string()),
    skills: z.array(z.string()),
    interests: z.array(z.string()),
    offers: z.array(z.enum(intents)),
    seeks: z.array(z.enum(intents)),
  })
  .register(z.globalRegistry, { id: 'DirectoryEntry' });

export const ExportRecord = z
  .strictObject({
    exportId: z.string(),
    what: z.string(),
    subjectId: z.nullable(z.string()),
    actorId: z.string(),
    rows: z.int(),
    format: z.string().register(z.globalRegistry, { description: 'inline (the CSV in the answer) or url (a file link)' }),
    at: instant,
  })
  .register(z.globalRegistry, { id: 'ExportRecord' });

/** An export job: pending, then ready with a fresh time-limited link (or failed). */
export const ExportStatus = z
  .strictObject({
    exportId: z.string(),
    state: z.enum(['pending', 'ready', 'failed']),
    url: z.nullable(z.string()).register(z.globalRegistry, { description: 'when ready: a link to the CSV file, valid until expiresAt' }),
    rows: z.nullable(z.int()),
    expiresAt: z.nullable(instant),
    createdAt: instant,
    finishedAt: z.nullable(instant),
  })
  .register(z.globalRegistry, { id: 'ExportStatus' });

/** The caller's data download: the stored records as they are (docs/privacy.md). */
export const MyData = z
  .looseObject({
    generatedAt: instant,
    userId: z.string(),
    email: z.string(),
    profile: z.nullable(z.looseObject({})),
    memberships: z.array(z.looseObject({})),
    payments: z.array(z.looseObject({})),
    rsvps: z.array(z.looseObject({})),
    matches: z.array(z.looseObject({})),
    exports: z.array(z.looseObject({})),
    suppressions: z.array(z.looseObject({})),
    audit: z.array(z.looseObject({})),
  })
  .register(z.globalRegistry, { id: 'MyData' });

export const MemberPage = page(Member, 'MemberPage');
export const DirectoryPage = page(DirectoryEntry, 'DirectoryPage');
export const ExportRecordPage = page(ExportRecord, 'ExportRecordPage');
