/**
 * The daily dues job, run by an EventBridge schedule in AWS and by the local runner's
 * timer locally: reconciles with Stripe, queues renewal reminders, lapses expired
 * memberships, queues the follow-ups after events and marks unsent mail for retry. It sends
 * nothing itself: the stream consumer sends what it queues or marks. Safe to run twice: every write is conditional.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as stripeSdk from '../core/payments/stripe.js';
import { duesJobDeps, duesStore } from '../core/deps-dues.js';
import { connectionsRepo } from '../core/data/connections.js';
import { eventsRepo } from '../core/data/events.js';
import { matchesRepo } from '../core/data/matches.js';
import { profilesRepo } from '../core/data/profiles.js';
import { runDaily } from '../core/services/dues.js';
import { logger } from '../core/http/logger.js';
import { sendFollowUps } from '../core/services/followups.js';
import { apiUrl, table } from '../core/deps.js';

// The dues services' repositories and the follow-ups': the bundle leaves the others out (deps.ts).
const store = { ...duesStore(table), ...connectionsRepo(table), ...eventsRepo(table), ...matchesRepo(table), ...profilesRepo(table) };
const deps = await duesJobDeps(store, stripeSdk);

export const handler = middy(async (event: { time?: string } = {}) => {
  const now = event.time ? new Date(event.time) : new Date();
  const result = await runDaily(deps, now);
  // The day after events: offers to connect for pairs who met (services/followups.ts).
  const followUps = await sendFollowUps({ store, apiUrl }, now);
  logger.info('daily job done', { ...result, followUps });
  return { ...result, followUps };
}).use(injectLambdaContext(logger, { resetKeys: true }));
