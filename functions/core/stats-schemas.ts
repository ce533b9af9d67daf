/** Input schemas of the stats routes, kept beside schemas.ts so that file's edits stay small; their response schemas are in responses/stats.ts. */
import * as z from 'zod/mini';
import './zod-locale.js';

const day = z
  .string()
  .check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
    z.refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'must be a real date'),
  );

/** ?from and ?to (UTC days, inclusive); the service bounds them (at most 366 days, within the last two years). */
export const AssociationStatsQuery = z.strictObject({ from: z.optional(day), to: z.optional(day) });
export const EventStatsQuery = z.strictObject({});
