/**
 * Lambda for Stripe webhooks. The signature is checked on the raw body with the SDK's
 * constructEvent (default tolerance) before anything is parsed; a bad one is a 400 and
 * changes nothing. A 2xx is returned only once the event's effect is durably written.
 */
import { httpHandler, json } from '../core/http/router.js';
import { store } from '../core/deps.js';
import { duesDeps } from '../core/deps-dues.js';
import { badRequest } from '../core/errors.js';
import { handleStripeEvent, type StripeEvent } from '../core/services/dues.js';
import { logger } from '../core/http/logger.js';

const deps = await duesDeps();

export const handler = httpHandler(
  'webhooks',
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
      const outcome = await handleStripeEvent(deps, event, now);
      logger.info('stripe event', { eventId: event.id, type: event.type, outcome });
      return json({ received: true, outcome });
    },
  },
  { store },
);
