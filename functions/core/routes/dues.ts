/** The dues function's routes: stripe onboarding, checkout, the billing portal and the payments ledger. api.ts composes every function's. */
import { rateLimits as rl, type RouteSpec } from './spec.js';
import { AssociationParams, ListExportQuery } from '../schemas/common.js';
import { PaymentsQuery } from '../schemas/dues.js';

export const duesRoutes: readonly RouteSpec[] = [
  { method: 'POST', path: '/associations/{associationId}/stripe/connect', fn: 'dues', access: 'owner', summary: "Stripe onboarding link for the association's own account", params: AssociationParams },
  { method: 'POST', path: '/associations/{associationId}/members/me/checkout', fn: 'dues', access: 'enrolled', summary: "Stripe Checkout for the caller's plan", params: AssociationParams, errors: [409, 422] },
  { method: 'POST', path: '/associations/{associationId}/members/me/billing-portal', fn: 'dues', access: 'enrolled', summary: 'Stripe customer portal to manage the card and auto-renewal', params: AssociationParams, errors: [422] },
  { method: 'GET', path: '/associations/{associationId}/payments', fn: 'dues', access: 'admin', summary: 'Ledger of payments, failures and refunds, newest first', params: AssociationParams, query: PaymentsQuery },
  { method: 'GET', path: '/associations/{associationId}/payments/export', fn: 'dues', access: 'admin', summary: 'CSV of the ledger (or {url} of a file); ?format=csv|url; past one page, 202 and a status URL; recorded in the export log', params: AssociationParams, query: ListExportQuery, produces: 'text/csv', rateLimit: [rl.exports] },
];
