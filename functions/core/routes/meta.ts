/** The meta function's routes: the vocabulary and this description (/openapi.json). api.ts composes every function's. */
import type { RouteSpec } from './spec.js';
import { OpenApiDocument, Vocabulary } from '../responses/meta.js';

export const metaRoutes: readonly RouteSpec[] = [
  { method: 'GET', path: '/vocabulary', fn: 'meta', access: 'public', summary: 'Values allowed in offers and seeks', response: Vocabulary },
  { method: 'GET', path: '/openapi.json', fn: 'meta', access: 'public', summary: 'This description', response: OpenApiDocument },
];
