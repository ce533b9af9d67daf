/**
 * What each route answers on success, by route key: the body's schema (`response`) and, for the
 * long exports, the body of a 202 (`accepted`). Kept out of the per-function catalogs
 * (routes/<fn>.ts), so the deployed handlers' bundles leave the response schemas out: in AWS
 * only /openapi.json (openapi.ts) reads them, and locally the response check does
 * (http/response-check.ts, installed by scripts/local/stack.ts). A route without an entry
 * answers 204 with no body.
 */
import type * as z from 'zod/mini';
import { routeKey, type RouteSpec } from '../routes/spec.js';
import { ExportAccepted, Text } from './common.js';
import { Association, AssociationPage, AssociationSettings, Plan, PlanPage } from './associations.js';
import { DirectoryPage, EffectivePreferences, ExportRecordPage, ExportStatus, Joined, Member, MemberDetail, MemberPage, MyData } from './members.js';
import { Link, PaymentPage } from './dues.js';
import { WebhookReceipt } from './webhooks.js';
import { AttendeePage, CheckInResult, Event, EventPage, RsvpResult } from './events.js';
import { EventMatches, IntroduceResult, MatchFeedbackResult, MatchPreview, MatchSendResult, MyMatches } from './matching.js';
import { Unsubscribed } from './email.js';
import { ProfileView } from './profiles.js';
import { OpenApiDocument, Vocabulary } from './meta.js';
import { ConnectClick, ConnectionAskResult, ConnectionDeclined, ConnectionPage, ConnectionView } from './connections.js';
import { AssociationStats, EventStats } from './stats.js';

export interface RouteResponses {
  /**
   * Schema of the success body: /openapi.json publishes it and, in local mode, the response
   * check validates every answer against it. A string schema for non-JSON bodies.
   */
  response?: z.ZodMiniType;
  /** Body of a 202: the route may start a background job instead (a long export); Location names its status. */
  accepted?: z.ZodMiniType;
}

/** A catalog route with what it answers: what openapi.ts and the response check read. */
export type PublishedRoute = RouteSpec & RouteResponses;

export const routeResponses: Readonly<Record<string, RouteResponses>> = {
  // associations
  'POST /associations': { response: AssociationSettings },
  'GET /associations/{associationId}': { response: Association },
  'PATCH /associations/{associationId}': { response: AssociationSettings },
  'GET /me/associations': { response: AssociationPage },
  'POST /associations/{associationId}/plans': { response: Plan },
  'GET /associations/{associationId}/plans': { response: PlanPage },
  'PATCH /associations/{associationId}/plans/{planId}': { response: Plan },
  'GET /associations/{associationId}/stats': { response: AssociationStats },
  // members
  'POST /associations/{associationId}/members': { response: Joined },
  'GET /associations/{associationId}/members': { response: MemberPage },
  'GET /associations/{associationId}/members/export': { response: Text, accepted: ExportAccepted },
  'GET /associations/{associationId}/exports': { response: ExportRecordPage },
  'GET /associations/{associationId}/exports/{exportId}': { response: ExportStatus },
  'GET /associations/{associationId}/directory': { response: DirectoryPage },
  'PUT /associations/{associationId}/members/me/preferences': { response: EffectivePreferences },
  'GET /associations/{associationId}/members/{userId}': { response: MemberDetail },
  'PATCH /associations/{associationId}/members/{userId}': { response: Member },
  'GET /me/export': { response: MyData },
  // dues
  'POST /associations/{associationId}/stripe/connect': { response: Link },
  'POST /associations/{associationId}/members/me/checkout': { response: Link },
  'POST /associations/{associationId}/members/me/billing-portal': { response: Link },
  'GET /associations/{associationId}/payments': { response: PaymentPage },
  'GET /associations/{associationId}/payments/export': { response: Text, accepted: ExportAccepted },
  // webhooks
  'POST /webhooks/stripe': { response: WebhookReceipt },
  // events
  'POST /associations/{associationId}/events': { response: Event },
  'GET /associations/{associationId}/events': { response: EventPage },
  'GET /events/{eventId}': { response: Event },
  'PATCH /events/{eventId}': { response: Event },
  'POST /events/{eventId}/cancel': { response: Event },
  'PUT /events/{eventId}/rsvp': { response: RsvpResult },
  'DELETE /events/{eventId}/rsvp': { response: RsvpResult },
  'GET /events/{eventId}/attendees': { response: AttendeePage },
  'GET /events/{eventId}/attendees/export': { response: Text, accepted: ExportAccepted },
  'POST /events/{eventId}/check-in': { response: CheckInResult },
  'GET /events/{eventId}/calendar.ics': { response: Text },
  'GET /events/{eventId}/waitlist/leave': { response: Text },
  'POST /events/{eventId}/waitlist/leave': { response: RsvpResult },
  'GET /events/{eventId}/stats': { response: EventStats },
  // matching
  'POST /events/{eventId}/matches/preview': { response: MatchPreview },
  'POST /events/{eventId}/matches/send': { response: MatchSendResult },
  'GET /events/{eventId}/matches': { response: EventMatches },
  'GET /events/{eventId}/matches/me': { response: MyMatches },
  'POST /events/{eventId}/matches/{matchId}/feedback': { response: MatchFeedbackResult },
  'GET /events/{eventId}/matches/{matchId}/introduce': { response: Text },
  'POST /events/{eventId}/matches/{matchId}/introduce': { response: IntroduceResult },
  // email
  'GET /email/unsubscribe': { response: Text },
  'POST /email/unsubscribe': { response: Unsubscribed },
  // profiles
  'GET /me/profile': { response: ProfileView },
  'PUT /me/profile': { response: ProfileView },
  // meta
  'GET /vocabulary': { response: Vocabulary },
  'GET /openapi.json': { response: OpenApiDocument },
  // connections
  'POST /associations/{associationId}/connections': { response: ConnectionAskResult },
  'GET /me/connections': { response: ConnectionPage },
  'GET /me/connections/export': { response: Text },
  'POST /me/connections/{connectionId}/accept': { response: ConnectionView },
  'POST /me/connections/{connectionId}/decline': { response: ConnectionDeclined },
  'PATCH /me/connections/{connectionId}': { response: ConnectionView },
  'GET /events/{eventId}/connect': { response: Text },
  'POST /events/{eventId}/connect': { response: ConnectClick },
};

export const published = (r: RouteSpec): PublishedRoute => ({ ...r, ...routeResponses[routeKey(r)] });
