/**
 * Retries what DynamoDB cancels only because another request was on the same item at that
 * moment: a TransactionCanceledException whose reasons are all TransactionConflict (or None),
 * and a single-item write's TransactionConflictException. The SDK retries neither (both are
 * 400s; a cancellation may also be a failed condition, which must not be retried), so without
 * this every writer that meets another would answer 503 (docs/data-model.md, "Contention").
 *
 * One place, on the client, so every write path gets it: the request is sent again unchanged,
 * and its conditions are checked afresh (a duplicate then fails as the domain expects, 409).
 * A failed condition, throttling or anything else goes straight through.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface ConflictRetryOptions {
  /** Sends after the first (default 10). */
  retries?: number;
  /** Full-jitter backoff: a random wait up to min(capMs, baseMs * 2^n) before retry n. */
  baseMs?: number;
  capMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const RETRIED_REASONS = new Set(['TransactionConflict', 'None']);
const NOT_RETRIED = Symbol.for('assoc.dynamodb.noConflictRetry');

/**
 * Marks one command as sent once: a conflict reaches the caller at once. For a writer with a
 * cheaper way round the contended item than waiting its turn (the RSVP's calm transaction falls
 * back to single-item counter writes, services/events.ts).
 */
export function withoutConflictRetry<C extends { middlewareStack: { add: (...a: any[]) => void } }>(command: C): C {
  command.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: Record<symbol, unknown>) => (args: unknown) => {
      context[NOT_RETRIED] = true;
      return next(args);
    },
    { step: 'initialize', priority: 'low', name: 'noConflictRetry', override: true },
  );
  return command;
}

/** Did DynamoDB refuse this only because of a concurrent request on one of its items? */
export function isConflictOnly(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TransactionConflictException') return true;
  if (err.name !== 'TransactionCanceledException') return false;
  const codes = ((err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return codes.includes('TransactionConflict') && codes.every((c) => RETRIED_REASONS.has(c));
}

/** A wait of 0..min(cap, base * 2^attempt) ms: spreads the retries of writers that met, so they stop meeting. */
export const conflictBackoffMs = (attempt: number, o: { baseMs: number; capMs: number; random: () => number }) => o.random() * Math.min(o.capMs, o.baseMs * 2 ** attempt);

export function installConflictRetry(client: DynamoDBClient, opts: ConflictRetryOptions = {}): void {
  const retries = opts.retries ?? 10;
  const backoff = { baseMs: opts.baseMs ?? 20, capMs: opts.capMs ?? 500, random: opts.random ?? Math.random };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await next(args);
        } catch (err) {
          // The command's own middleware (withoutConflictRetry) has run by now and marked the shared context.
          if (attempt >= retries || !isConflictOnly(err) || (context as Record<symbol, unknown>)[NOT_RETRIED]) throw err;
          await sleep(conflictBackoffMs(attempt, backoff));
        }
      }
    },
    // Outermost: each retry goes through serialisation, the SDK's own retries and (locally) the conflict layer again.
    { step: 'initialize', priority: 'high', name: 'retryTransactionConflicts', override: true },
  );
}
