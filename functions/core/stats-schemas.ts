/** Input and response schemas of the stats routes (kept beside schemas.ts so that file's edits stay small). */
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

const count = z.int().check(z.gte(0));
export const AssociationStats = z.object({
  from: z.string(),
  to: z.string(),
  membersByStatus: z.array(z.object({ date: z.string(), pending: count, active: count, past_due: count, lapsed: count, cancelled: count })),
  /** Per month and currency, in minor units; `amount` is money in, `refunded` money back. */
  duesByMonth: z.array(z.object({ month: z.string(), currency: z.string(), amount: count, refunded: count })),
  /** Memberships in good standing whose period ends on each of the next 30 days. */
  renewalsDue: z.array(z.object({ date: z.string(), count })),
});
export type AssociationStats = z.infer<typeof AssociationStats>;

export const EventStats = z.object({
  capacity: z.nullable(z.int()),
  startsAt: z.string(),
  endsAt: z.string(),
  /** Seats (attendees and guests) going and waitlisted after each hour that changed them. */
  rsvps: z.array(z.object({ at: z.string(), going: count, waitlisted: count })),
  /** Check-ins per 15 minutes (`at` starts the quarter hour). */
  checkIns: z.array(z.object({ at: z.string(), count })),
  ratings: z.object({ 1: count, 2: count, 3: count, 4: count, 5: count, met: count, rated: count }),
});
export type EventStats = z.infer<typeof EventStats>;
