/**
 * The islands' API client, typed from /openapi.json (openapi.d.ts, `npm run gen:api`; not api.d.ts, which TypeScript would take for this file's own declarations): a path,
 * a parameter or a field the document does not have fails `tsc`. Same origin, under /api/
 * (CloudFront in AWS, the local gateway with npm start).
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi.js';

export const api = createClient<paths>({ baseUrl: '/api' });
export type Schemas = components['schemas'];
