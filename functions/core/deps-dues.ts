/**
 * Dependencies of the dues services, in a module of their own so that only the functions
 * that take payments (members, dues, webhooks, the daily job) bundle the Stripe SDK.
 */
import { config, stripeConfig } from './config.js';
import type { DuesDeps, DuesJobDeps, DuesStore } from './services/dues.js';
import { readSecretString } from './secrets.js';
import type { Table } from './data/table.js';
import { associationsRepo } from './data/associations.js';
import { membersRepo } from './data/members.js';
import { outboxRepo } from './data/outbox.js';
import { paymentsRepo } from './data/payments.js';
import { plansRepo } from './data/plans.js';
import { rsvpsRepo } from './data/rsvps.js';
import { stripeEventsRepo } from './data/stripe-events.js';
import { suppressionsRepo } from './data/suppressions.js';
import { unitsRepo } from './data/units.js';

/** The dues services' repositories, for the functions built around them to add theirs to (deps.ts `table`). */
export const duesStore = (t: Table): DuesStore => ({
  ...associationsRepo(t),
  ...membersRepo(t),
  ...outboxRepo(t),
  ...paymentsRepo(t),
  ...plansRepo(t),
  ...rsvpsRepo(t),
  ...stripeEventsRepo(t),
  ...suppressionsRepo(t),
  ...unitsRepo(t),
});

/** The Stripe SDK and our gateway over it (payments/stripe.ts, which imports nothing else). */
export type StripeSdk = Pick<typeof import('./payments/stripe.js'), 'createStripe' | 'stripeGateway'>;

/**
 * Dependencies of the dues services. Awaited at load time (top-level await) by the
 * functions that take payments, so a missing Stripe setting stops them at cold start; they
 * import the SDK statically and hand it in. The web app calls it on first use with the SDK
 * it imports then (`await import(...)`), so its pages render without loading it: a dynamic
 * import() bundles its target and all that imports whole, and evaluates it later (about 5 ms
 * and 7 KB more), so only the one module that is the SDK is loaded that way.
 */
export async function duesDeps(store: DuesStore, sdk: StripeSdk): Promise<DuesDeps & { webhookSecret: string; stripe: import('stripe').Stripe }> {
  // Read only where a secret ARN is configured (AWS); locally the keys come from the environment.
  const s = await stripeConfig(readSecretString);
  const { createStripe, stripeGateway } = sdk;
  const stripe = createStripe(s);
  return {
    store,
    payments: stripeGateway(stripe),
    appUrl: config.appUrl,
    platformFeePercent: config.platformFeePercent,
    webhookSecret: s.webhookSecret,
    stripe,
  };
}

/**
 * The same and the pace of its mail retries, for the daily job. No function here is handed a
 * mailer: the mail they queue is sent by the stream consumer, the one function that bundles SES.
 */
export async function duesJobDeps(store: DuesStore, sdk: StripeSdk): Promise<DuesJobDeps & { webhookSecret: string; stripe: import('stripe').Stripe }> {
  return { ...(await duesDeps(store, sdk)), sendRate: config.sesMaxSendRate };
}
