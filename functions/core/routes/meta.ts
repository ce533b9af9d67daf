/** The meta function's routes: the vocabulary and this description (/openapi.json). api.ts composes every function's. */
import type { RouteSpec } from './spec.js';

export const metaRoutes: readonly RouteSpec[] = [
  { method: 'GET', path: '/vocabulary', fn: 'meta', access: 'public', summary: 'Values allowed in offers and seeks' },
  { method: 'GET', path: '/openapi.json', fn: 'meta', access: 'public', summary: 'This description' },
];
