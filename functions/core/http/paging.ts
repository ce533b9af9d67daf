import { decodeCursor, encodeCursor } from './cursor.js';

/** Reads `limit` and `cursor` for a list bound to `scope`, and builds its response. */
export function paging(query: { limit?: number; cursor?: string }, scope: string) {
  return {
    limit: query.limit ?? 50,
    startKey: decodeCursor(query.cursor, scope),
    page: <T>(items: T[], lastKey?: Record<string, unknown>) => ({ items, nextCursor: encodeCursor(lastKey, scope) }),
  };
}
