/** Request schemas of the members routes (schemas.ts says how they are used). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { memberStatuses, roles } from '../domain/roles.js';
import { id, PageQuery } from './common.js';

export const ExportParams = z.strictObject({ associationId: id, exportId: id });
export const MemberParams = z.strictObject({ associationId: id, userId: id });

export const MembersQuery = z.extend(PageQuery, {
  status: z.optional(z.enum(memberStatuses)),
  planId: z.optional(id),
  q: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(100))),
});

export const MemberJoin = z.strictObject({ planId: id }).register(z.globalRegistry, { id: 'MemberJoin' });

export const OfflinePayment = z.strictObject({
  amount: z.int().check(z.gte(1), z.lte(100_000_000)),
  paidAt: z.iso.datetime({ offset: true }),
  note: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});

export const MemberPatch = z
  .strictObject({
    role: z.optional(z.enum(roles)),
    offlinePayment: z.optional(OfflinePayment),
  })
  .check(z.refine((o) => o.role !== undefined || o.offlinePayment !== undefined, 'give role or offlinePayment'))
  .register(z.globalRegistry, { id: 'MemberPatch' });

/** This association's own choices; a field not sent keeps its value (or keeps following the profile). */
export const MemberPreferencesPut = z
  .strictObject({
    matchOptIn: z.optional(z.boolean()),
    directoryVisible: z.optional(z.boolean()),
  })
  .register(z.globalRegistry, { id: 'MemberPreferences' });

export type MemberPatch = z.infer<typeof MemberPatch>;
export type MemberPreferencesPut = z.infer<typeof MemberPreferencesPut>;
export type MembersQuery = z.infer<typeof MembersQuery>;
