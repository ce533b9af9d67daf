/**
 * Contended writes that are sent once (data/conflict-retry.ts, `withoutConflictRetry`): after a
 * conflict the caller waits, reads again and decides afresh. Usually the other request's write
 * settles it (done already, changed meanwhile) and nothing more is written; sending the same
 * write again, as the client's retry does, only meets the same crowd (docs/data-model.md,
 * "Contention").
 */
import { StoreBusy } from '../data/store.js';
import { unavailable } from '../errors.js';

/** Rounds of wait-and-read before a conflict becomes 503 (at most about 3 s of waiting in all). */
export const CONFLICT_ROUNDS = 10;

/**
 * Waits a random, growing while (up to 25 ms × 2^attempt, capped at 500 ms) after a conflict,
 * so the writers that met spread out before they read again. Throws anything that is not a
 * conflict as it is, and a conflict after `rounds` rounds as 503 with Retry-After.
 */
export async function afterConflict(err: unknown, attempt: number, rounds = CONFLICT_ROUNDS): Promise<void> {
  if (!(err instanceof StoreBusy)) throw err;
  if (attempt >= rounds) throw unavailable(undefined, err);
  await new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 25 * 2 ** attempt)));
}
