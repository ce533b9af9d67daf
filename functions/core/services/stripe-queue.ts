/**
 * Stripe events in two steps (docs/dues.md, "Webhooks: record, then apply"): the webhook
 * only records the verified event (one conditional write) and answers 2xx; the table's
 * stream hands it to the consumer, which applies it with the dues service, idempotently
 * (the event marker and the membership's version, as before). All events of one customer
 * land in one partition key, so the stream gives them to the consumer one after another.
 * account.updated is the exception: applied by the webhook itself (see INLINE_TYPES).
 */
import type { QueuedStripeEvent, StripeQueueRepo } from '../data/stripe-queue.js';
import { handleAccountEvent, handleStripeEvent, handlesStripeEventType, type DuesDeps, type EventOutcome, type StripeEvent } from './dues.js';
import { logger } from '../http/logger.js';
import { StoreBusy } from '../errors.js';

const idOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined);

/**
 * The partition an event is applied in: its customer (one per membership: customers are
 * created per association and member), else its charge, subscription or the object itself. Derived from the event
 * alone, so every delivery of one event gets the same key.
 */
export function queueGroupOf(event: StripeEvent): string {
  const obj = event.data?.object ?? {};
  const customer = idOf(obj.customer);
  if (customer) return customer;
  // Refund objects name no customer: their charge keeps one charge's refunds together.
  return idOf(obj.charge) ?? idOf(obj.subscription) ?? idOf(obj.id) ?? event.id;
}

export function toQueued(event: StripeEvent): QueuedStripeEvent {
  const accountId = event.account ?? 'platform';
  return { accountId, group: queueGroupOf(event), eventId: event.id, type: event.type, created: Math.max(0, Math.floor(Number(event.created) || 0)), payload: JSON.stringify(event) };
}

/**
 * Applied by the webhook, not queued. account.updated concerns the association, not a
 * membership, so nothing orders it against other events; its effect is read from Stripe
 * (the live account, whichever delivery comes last), so arrival order does not matter, and
 * its write is conditional on the event id, so a second delivery changes nothing. Queued,
 * it would wait behind other work, and the association cannot take payments until it is applied.
 */
const INLINE_TYPES = new Set(['account.updated']);

/**
 * Deliveries of account events at once meet on the association item (TransactionConflict):
 * retried with jitter, since each re-reads the live account; still busy, the 503 has Stripe retry.
 */
async function applyInline(deps: DuesDeps, event: StripeEvent, now: Date, attempts = 6): Promise<EventOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await handleAccountEvent(deps, event, now);
    } catch (err) {
      if (!(err instanceof StoreBusy) || attempt + 1 >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
    }
  }
}

export type ReceiveOutcome = 'recorded' | 'duplicate' | 'ignored' | EventOutcome;

/** The webhook's part: record, once (or apply an INLINE_TYPES event). A type we never act on is acknowledged without a write. */
export async function receiveStripeEvent(deps: DuesDeps & { store: StripeQueueRepo }, event: StripeEvent, now: Date): Promise<ReceiveOutcome> {
  if (!handlesStripeEventType(event.type)) return 'ignored';
  if (INLINE_TYPES.has(event.type)) return applyInline(deps, event, now);
  return deps.store.recordStripeEvent(toQueued(event), now.toISOString());
}

export interface ApplyOptions {
  /** Attempts before the event becomes a dead letter (the partition then moves on). */
  attempts?: number;
  /** Waits between attempts, ms. */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

export type AppliedOutcome = EventOutcome | 'dead_lettered';

/**
 * The consumer's part, for one recorded event. Transient failures (contention, throttling,
 * Stripe briefly unavailable) are retried here a few times; an event that still fails is
 * written as a dead letter and reported as such, so the events after it are not held up.
 * Throws only if the dead letter itself cannot be written (then the stream retries the record).
 */
export async function applyQueuedStripeEvent(deps: DuesDeps & { store: StripeQueueRepo }, queued: QueuedStripeEvent, now: () => Date, opts: ApplyOptions = {}): Promise<AppliedOutcome> {
  const attempts = opts.attempts ?? 3;
  const backoff = opts.backoffMs ?? ((n: number) => 100 * 4 ** n);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let event: StripeEvent;
  try {
    event = JSON.parse(queued.payload) as StripeEvent;
  } catch (err) {
    // Cannot happen for what the webhook wrote; never worth a retry.
    await deps.store.deadLetterStripeEvent(queued, { attempts: 0, errorName: 'SyntaxError', message: (err as Error).message }, now().toISOString());
    return 'dead_lettered';
  }
  let last: Error | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(backoff(attempt - 1));
    try {
      return await handleStripeEvent(deps, event, now());
    } catch (err) {
      last = err as Error;
      logger.warn('stripe event apply failed', { eventId: queued.eventId, type: queued.type, attempt: attempt + 1, errorName: last.name });
    }
  }
  logger.error('stripe event dead-lettered', { eventId: queued.eventId, type: queued.type, attempts, errorName: last?.name });
  await deps.store.deadLetterStripeEvent(queued, { attempts, errorName: last?.name ?? 'Error', message: String(last?.message ?? '').slice(0, 500) }, now().toISOString());
  return 'dead_lettered';
}
