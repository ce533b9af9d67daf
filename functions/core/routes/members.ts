/** The members function's routes: joining, member lists, the directory, roles, offline payments, exports and a person's own data. api.ts composes every function's. */
import { rateLimits as rl, type RouteSpec } from './spec.js';
import { AssociationParams, ListExportQuery, NoQuery, PageQuery } from '../schemas/common.js';
import { ExportParams, MemberJoin, MemberParams, MemberPatch, MemberPreferencesPut, MembersQuery } from '../schemas/members.js';

export const membersRoutes: readonly RouteSpec[] = [
  { method: 'POST', path: '/associations/{associationId}/members', fn: 'members', access: 'signedIn', summary: 'Join on a plan: free plans are active at once, paid plans pending payment', params: AssociationParams, body: MemberJoin, status: 201, errors: [409, 422] },
  { method: 'GET', path: '/associations/{associationId}/members', fn: 'members', access: 'organizer', summary: 'List members; filter by status, planId, or q (name/email prefix)', params: AssociationParams, query: MembersQuery },
  { method: 'GET', path: '/associations/{associationId}/members/export', fn: 'members', access: 'admin', summary: 'CSV of members (or {url} of a file); ?format=csv|url; past one page, 202 and a status URL; recorded in the export log', params: AssociationParams, query: ListExportQuery, produces: 'text/csv', rateLimit: [rl.exports] },
  { method: 'GET', path: '/associations/{associationId}/exports', fn: 'members', access: 'admin', summary: 'Export log: who exported which personal data, when, how many rows; newest first', params: AssociationParams, query: PageQuery },
  { method: 'GET', path: '/associations/{associationId}/exports/{exportId}', fn: 'members', access: 'organizer', summary: 'Status of an export too long for one response: state, and the file link when ready (the asker or an admin)', params: ExportParams, query: NoQuery },
  { method: 'GET', path: '/associations/{associationId}/directory', fn: 'members', access: 'member', summary: 'Members who opted into the directory, without emails', params: AssociationParams, query: PageQuery },
  // 'enrolled', not 'member': withdrawing consent (matching, the directory) must not depend on dues being paid up.
  { method: 'PUT', path: '/associations/{associationId}/members/me/preferences', fn: 'members', access: 'enrolled', summary: "The caller's matching opt-in and directory visibility for this association (unset: the profile's flags)", params: AssociationParams, body: MemberPreferencesPut, errors: [409] },
  { method: 'GET', path: '/associations/{associationId}/members/{userId}', fn: 'members', access: 'selfOrAdmin', summary: 'One member', params: MemberParams },
  { method: 'PATCH', path: '/associations/{associationId}/members/{userId}', fn: 'members', access: 'admin', summary: 'Change a role, or record an offline payment', params: MemberParams, body: MemberPatch, errors: [409, 422] },
  { method: 'DELETE', path: '/associations/{associationId}/members/{userId}', fn: 'members', access: 'selfOrAdmin', summary: 'Leave, or remove a member; history is kept', params: MemberParams, errors: [409] },
  // The caller's own data. In the members function: erasure ends memberships, which may stop Stripe billing. Rate-limited (see the rate-limit work).
  { method: 'GET', path: '/me/export', fn: 'members', access: 'signedIn', summary: 'Everything held about the caller, as a JSON download', query: NoQuery },
  { method: 'DELETE', path: '/me', fn: 'members', access: 'signedIn', summary: 'Erase the caller; what associations must keep for their books stays, pseudonymised', query: NoQuery, status: 204, errors: [409] },
];
