/** Lambda for the API's self-description: /openapi.json and the offers/seeks vocabulary. */
import { httpHandler, json } from '../core/http/router.js';
import { metaRoutes } from '../core/routes/meta.js';
import { buildOpenApi } from '../core/openapi.js';
import { intentLabels, intents } from '../core/domain/vocabulary.js';

// Built once per container: the catalog cannot change while it runs.
const openApi = buildOpenApi();
const vocabulary = { intents: intents.map((value) => ({ value, label: intentLabels[value] })) };

export const handler = httpHandler(
  metaRoutes,
  {
    'GET /openapi.json': async () => ({ body: openApi, headers: { 'Cache-Control': 'public, max-age=300' } }),
    'GET /vocabulary': async () => ({ body: vocabulary, headers: { 'Cache-Control': 'public, max-age=3600' } }),
  },
  {},
);
