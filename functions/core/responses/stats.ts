/** Response schemas of the dashboard statistics routes (associations and events functions). */
import * as z from 'zod/mini';
import '../zod-locale.js';

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
