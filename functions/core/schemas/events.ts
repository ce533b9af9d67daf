/** Request schemas of the events and RSVP routes (schemas.ts says how they are used). */
import * as z from 'zod/mini';
import '../zod-locale.js';
import { id, isoDateTime, PageQuery, text, timezone } from './common.js';

export const Question = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9_]{1,40}$/, 'must be 1-40 lowercase letters, digits or _')),
  label: text(200),
  type: z.enum(['text', 'single', 'multiple']),
  required: z._default(z.boolean(), false),
  options: z.optional(z.array(text(100)).check(z.minLength(2), z.maxLength(30))),
});

export const Matchmaking = z.strictObject({
  enabled: z.boolean(),
  sendAt: z.optional(isoDateTime),
  matchesPerAttendee: z._default(z.int().check(z.gte(1), z.lte(10)), 3),
});

const eventFields = {
  title: text(200),
  description: z.string().check(z.trim(), z.maxLength(10_000)),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  timezone,
  venue: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
  onlineUrl: z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2000))),
  capacity: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(1_000_000)))),
  visibility: z.enum(['public', 'members']),
  waitlist: z.boolean(),
  /** Active members go ahead of non-members on the waitlist. */
  membersFirst: z._default(z.boolean(), false),
  rsvpDeadline: z.optional(isoDateTime),
  /** How many guests (+N) one attendee may bring; 0 = none. Guests take seats. */
  maxGuests: z._default(z.int().check(z.gte(0), z.lte(20)), 0),
  questions: z._default(z.array(Question).check(z.maxLength(30)), []),
  matchmaking: z.optional(Matchmaking),
};

/** Cross-field rules shared by create and update. */
function eventRules(e: Record<string, any>, ctx: z.core.$RefinementCtx) {
  if (e.startsAt && e.endsAt && Date.parse(e.endsAt) <= Date.parse(e.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  }
  if (e.rsvpDeadline && e.endsAt && Date.parse(e.rsvpDeadline) > Date.parse(e.endsAt)) {
    ctx.addIssue({ code: 'custom', path: ['rsvpDeadline'], message: 'must not be after the event ends' });
  }
  for (const [i, q] of (e.questions ?? []).entries()) {
    if (q.type !== 'text' && !q.options) ctx.addIssue({ code: 'custom', path: ['questions', i, 'options'], message: 'are required for choice questions' });
    if (q.type === 'text' && q.options) ctx.addIssue({ code: 'custom', path: ['questions', i, 'options'], message: 'are only for choice questions' });
  }
  const ids = (e.questions ?? []).map((q: { id: string }) => q.id);
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['questions'], message: 'ids must be unique' });
}

export const EventCreate = z
  .strictObject(eventFields)
  .check(
    z.superRefine((e, ctx) => {
      if (!e.venue && !e.onlineUrl) ctx.addIssue({ code: 'custom', path: ['venue'], message: 'give a venue or an onlineUrl' });
      eventRules(e, ctx);
    }),
  )
  .register(z.globalRegistry, { id: 'EventCreate' });

export const EventPatch = z
  .strictObject(Object.fromEntries(Object.entries(eventFields).map(([k, v]) => [k, z.optional(v)])) as { [K in keyof typeof eventFields]: z.ZodMiniOptional<(typeof eventFields)[K]> })
  .check(
    z.superRefine((e, ctx) => {
      if (Object.keys(e).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'give at least one field to change' });
      eventRules(e, ctx);
    }),
  )
  .register(z.globalRegistry, { id: 'EventPatch' });

export const EventsQuery = z.extend(PageQuery, {
  from: z.optional(isoDateTime),
  past: z.optional(z.enum(['true', 'false'])),
});

export const RsvpPut = z
  .strictObject({
    status: z.enum(['going', 'not_going']),
    answers: z.optional(z.record(z.string(), z.union([z.string().check(z.maxLength(2000)), z.array(z.string().check(z.maxLength(200))).check(z.maxLength(30))]))),
    guests: z.optional(z.int().check(z.gte(0), z.lte(20))),
  })
  .register(z.globalRegistry, { id: 'RsvpPut' });

export const AttendeesQuery = z.extend(PageQuery, { status: z.optional(z.enum(['going', 'waitlisted', 'not_going'])) });

/**
 * Attendee export. `preset`: full (every column), door (a venue's list: name, company, guests;
 * `minimal` is its older name) or waitlist (full columns, the waitlist in its order).
 * `status` (default going; waitlisted for the waitlist preset) picks whose rows.
 */
export const ExportQuery = z
  .strictObject({
    format: z._default(z.enum(['csv', 'url']), 'csv'),
    preset: z._default(z.enum(['full', 'door', 'waitlist', 'minimal']), 'full'),
    status: z.optional(z.enum(['going', 'waitlisted', 'all'])),
  })
  .check(z.refine((q) => q.preset !== 'waitlist' || !q.status || q.status === 'waitlisted', { path: ['status'], message: 'must be waitlisted (or left out) with preset=waitlist' }));

export const CheckIn = z
  .strictObject({ userId: z.optional(id), code: z.optional(z.string().check(z.regex(/^[A-Z0-9]{6,12}$/, 'must be the code from the confirmation mail'))) })
  .check(z.refine((o) => !!o.userId !== !!o.code, 'give exactly one of userId or code'))
  .register(z.globalRegistry, { id: 'CheckIn' });

export type EventCreate = z.infer<typeof EventCreate>;
export type EventPatch = z.infer<typeof EventPatch>;
export type RsvpPut = z.infer<typeof RsvpPut>;
