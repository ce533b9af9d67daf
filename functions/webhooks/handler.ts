/**
 * Lambda for Stripe webhooks. The signature is checked on the raw body with the SDK's
 * constructEvent (default tolerance) before anything is parsed; a bad one is a 400 and
 * changes nothing. A verified event is recorded (one conditional write, so a second
 * delivery is a 2xx that changes nothing) and applied shortly after by the stream consumer
 * (functions/stripe-events/handler.ts): a burst for one membership never contends here.
 * account.updated alone is applied here (why: functions/core/services/stripe-queue.ts).
 */
import { httpHandler, json } from '../core/http/router.js';
import { webhooksRoutes } from '../core/routes/webhooks.js';
import { table } from '../core/deps.js';
import * as stripeSdk from '../core/payments/stripe.js';
import { duesDeps, duesStore } from '../core/deps-dues.js';
import { stripeQueueRepo } from '../core/data/stripe-queue.js';
import { badRequest } from '../core/errors.js';
import type { StripeEvent } from '../core/services/dues.js';
import { receiveStripeEvent } from '../core/services/stripe-queue.js';
import { logger } from '../core/http/logger.js';

// The dues services' repositories and the Stripe queue's: the bundle leaves the others out
// (deps.ts). Its one route names no association, so the router needs no store.
const store = { ...duesStore(table), ...stripeQueueRepo(table) };
const deps = await duesDeps(store, stripeSdk);
const queueDeps = { ...deps, store };

export const handler = httpHandler(
  webhooksRoutes,
  {
    'POST /webhooks/stripe': async ({ rawBody, headers, now }) => {
      const signature = headers['stripe-signature'];
      if (!signature) throw badRequest('The Stripe-Signature header is missing.', [{ path: 'stripe-signature', message: 'is required' }]);
      let event: StripeEvent;
      try {
        event = deps.stripe.webhooks.constructEvent(rawBody ?? '', signature, deps.webhookSecret) as unknown as StripeEvent;
      } catch {
        throw badRequest('The Stripe signature does not match this body.', [{ path: 'stripe-signature', message: 'does not verify' }]);
      }
      const outcome = await receiveStripeEvent(queueDeps, event, now);
      logger.info('stripe event', { eventId: event.id, type: event.type, outcome });
      return json({ received: true, outcome });
    },
  },
  {},
);
