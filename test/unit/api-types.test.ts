/**
 * The islands' API types (web/src/openapi.d.ts) are generated from /openapi.json; a schema or
 * catalog change without `npm run gen:api` fails here, so the typed client cannot drift.
 */
import { readFileSync } from 'node:fs';
import { apiTypes, API_TYPES_FILE } from '../../scripts/gen-api.js';

describe('web/src/openapi.d.ts', () => {
  it('is what npm run gen:api writes from the current document', async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const fresh = await apiTypes();
    // On a mismatch: run `npm run gen:api` and commit web/src/openapi.d.ts.
    expect(committed === fresh).toBe(true);
  }, 30_000);

  it('types the event read the event page refreshes from', async () => {
    const fresh = await apiTypes();
    expect(fresh).toContain('"/events/{eventId}": {');
    const event = fresh.slice(fresh.indexOf('        Event: {'));
    expect(event.slice(0, event.indexOf('\n        };'))).toContain('spotsLeft: number | null;');
  }, 30_000);
});
