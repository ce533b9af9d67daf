/**
 * Compile-time proof that the services' views fit their published response schemas
 * (responses.ts): `tsc` fails when a view's field changes type or goes missing. Extra
 * fields are caught at runtime instead (strict schemas, http/response-check.ts).
 * Types only: nothing here is imported at runtime.
 */
import type * as z from 'zod/mini';
import type * as o from './responses.js';
import type { eventView } from './domain/events.js';
import type { publicAssociation, publicPlan, createAssociation, myAssociations } from './services/associations.js';
import type { memberView, getOne, directory, join, setPreferences } from './services/members.js';
import type { attendeeView, checkIn, rsvp, leaveWaitlist } from './services/events.js';
import type { paymentView } from './services/ledger.js';
import type { listExports } from './services/exports.js';
import type { preview, send, myMatches, eventMatches, feedback, introduce } from './services/matching.js';
import type { getProfile } from './services/profiles.js';

type Fits<Actual, S extends z.ZodMiniType> = [Actual] extends [z.input<S>] ? true : false;
type Result<F extends (...args: any) => any> = Awaited<ReturnType<F>>;
type Item<F extends (...args: any) => any> = Result<F> extends { items: (infer I)[] } ? I : never;
type All<T extends true[]> = T;

export type ViewsFitTheirSchemas = All<
  [
    Fits<ReturnType<typeof publicAssociation>, typeof o.Association>,
    Fits<Result<typeof createAssociation>, typeof o.AssociationSettings>,
    Fits<Item<typeof myAssociations>, typeof o.MyMembership>,
    Fits<ReturnType<typeof publicPlan>, typeof o.Plan>,
    Fits<ReturnType<typeof memberView>, typeof o.Member>,
    Fits<Result<typeof getOne>, typeof o.MemberDetail>,
    Fits<Result<typeof join>, typeof o.Joined>,
    Fits<Result<typeof setPreferences>, typeof o.EffectivePreferences>,
    Fits<Item<typeof directory>, typeof o.DirectoryEntry>,
    Fits<Item<typeof listExports>, typeof o.ExportRecord>,
    Fits<ReturnType<typeof paymentView>, typeof o.Payment>,
    Fits<ReturnType<typeof eventView>, typeof o.Event>,
    Fits<Result<typeof rsvp>, typeof o.RsvpResult>,
    Fits<Result<typeof leaveWaitlist>, typeof o.RsvpResult>,
    Fits<ReturnType<typeof attendeeView>, typeof o.Attendee>,
    Fits<Result<typeof checkIn>, typeof o.CheckInResult>,
    Fits<Result<typeof preview>, typeof o.MatchPreview>,
    Fits<Result<typeof send>, typeof o.MatchSendResult>,
    Fits<Omit<Result<typeof eventMatches>, 'lastKey'> & { nextCursor: string | null }, typeof o.EventMatches>,
    Fits<Result<typeof myMatches>, typeof o.MyMatches>,
    Fits<Result<typeof feedback>, typeof o.MatchFeedbackResult>,
    Fits<Result<typeof introduce>, typeof o.IntroduceResult>,
    Fits<Result<typeof getProfile>, typeof o.ProfileView>,
    // exportMe is left out: its records are stored interfaces, loosely described (MyData).
  ]
>;
