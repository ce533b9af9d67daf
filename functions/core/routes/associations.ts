/** The associations function's routes: associations, their membership plans and the association dashboard. api.ts composes every function's. */
import type { RouteSpec } from './spec.js';
import { AssociationParams, PageQuery } from '../schemas/common.js';
import { AssociationCreate, AssociationPatch, PlanCreate, PlanParams, PlanPatch } from '../schemas/associations.js';
import { AssociationStatsQuery } from '../stats-schemas.js';

export const associationsRoutes: readonly RouteSpec[] = [
  { method: 'POST', path: '/associations', fn: 'associations', access: 'signedIn', summary: 'Create an association; the caller becomes its owner', body: AssociationCreate, status: 201, errors: [409] },
  { method: 'GET', path: '/associations/{associationId}', fn: 'associations', access: 'public', summary: 'Public summary of an association', params: AssociationParams },
  { method: 'PATCH', path: '/associations/{associationId}', fn: 'associations', access: 'admin', summary: 'Update association settings', params: AssociationParams, body: AssociationPatch },
  { method: 'GET', path: '/me/associations', fn: 'associations', access: 'signedIn', summary: "The caller's memberships with association summaries", query: PageQuery },
  { method: 'POST', path: '/associations/{associationId}/plans', fn: 'associations', access: 'admin', summary: 'Create a membership plan', params: AssociationParams, body: PlanCreate, status: 201 },
  { method: 'GET', path: '/associations/{associationId}/plans', fn: 'associations', access: 'public', summary: 'Active membership plans', params: AssociationParams },
  { method: 'PATCH', path: '/associations/{associationId}/plans/{planId}', fn: 'associations', access: 'admin', summary: 'Update a plan, or archive it (existing members keep it)', params: PlanParams, body: PlanPatch },
  // Dashboard statistics, from precomputed counters (services/stats.ts; docs/data-model.md)
  { method: 'GET', path: '/associations/{associationId}/stats', fn: 'associations', access: 'admin', summary: 'Members by status per day, dues per month, renewals due in the next 30 days; ?from=&to= (UTC days, at most 366)', params: AssociationParams, query: AssociationStatsQuery },
];
