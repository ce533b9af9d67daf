/**
 * Target of the one-time schedules (EventBridge Scheduler in AWS, the local runner's
 * poller locally): the 24-hour event reminder. A schedule left from before the event
 * moved does nothing; the broadcast id makes a repeated firing queue nothing twice.
 * Matchmaking at `matchmaking.sendAt` goes out once per event (the run marker).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { apiUrl, matchingStore } from '../core/deps.js';
import { config } from '../core/config.js';
import { reconcileCounters, sendEventReminder } from '../core/services/events.js';
// Static: a dynamic import() made esbuild bundle the matching service and everything it imports
// whole (the DynamoDB and Secrets Manager clients with every command), for a lazy load of code
// that is parsed at cold start either way.
import { sendScheduledMatches } from '../core/services/matching.js';
import { logger } from '../core/http/logger.js';

// The matching service's repositories (the reminder needs two of the events' among them): the bundle leaves the others out.
const deps = { store: matchingStore(), appUrl: config.appUrl, apiUrl };

export type ScheduledPayload = { kind: 'event_reminder' | 'event_matchmaking'; eventId: string; startsAt: string };

export const handler = middy(async (payload: ScheduledPayload) => {
  if (payload.kind === 'event_matchmaking') {
    const outcome = await sendScheduledMatches(deps, payload.eventId, payload.startsAt, new Date());
    logger.info('scheduled matchmaking', { eventId: payload.eventId, outcome });
    return { outcome };
  }
  if (payload.kind !== 'event_reminder') {
    logger.warn('unknown schedule payload', { kind: (payload as { kind?: string }).kind });
    return { outcome: 'ignored' };
  }
  const now = new Date();
  const outcome = await sendEventReminder(deps, payload.eventId, payload.startsAt, now);
  // A day before, the seats are recounted: a seat left counted for nobody goes to the waitlist in time.
  const counters = outcome === 'queued' ? await reconcileCounters(deps.store, payload.eventId, now) : undefined;
  logger.info('event reminder', { eventId: payload.eventId, outcome, counters });
  return { outcome, counters };
}).use(injectLambdaContext(logger, { resetKeys: true }));
