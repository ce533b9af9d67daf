/**
 * Dependencies of the dues services, in a module of their own so that only the functions
 * that take payments (members, dues, webhooks, the daily job) bundle the Stripe SDK.
 */
import { config, stripeConfig } from './config.js';
import { createStripe, stripeGateway } from './payments/stripe.js';
import type { DuesDeps } from './services/dues.js';
import { mailer, store } from './deps.js';

/**
 * Dependencies of the dues services. Awaited at load time (top-level await) by the
 * functions that take payments, so a missing Stripe setting stops them at cold start.
 */
export async function duesDeps(): Promise<DuesDeps & { webhookSecret: string; stripe: import('stripe').Stripe }> {
  const s = await stripeConfig(async (arn) => {
    // Loaded only where a secret ARN is configured (AWS), so local runs need no client.
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const res = await new SecretsManagerClient({ region: config.region }).send(new GetSecretValueCommand({ SecretId: arn }));
    return res.SecretString ?? '';
  });
  const stripe = createStripe(s);
  return {
    store,
    payments: stripeGateway(stripe),
    mailer,
    appUrl: config.appUrl,
    platformFeePercent: config.platformFeePercent,
    sendRate: config.sesMaxSendRate,
    webhookSecret: s.webhookSecret,
    stripe,
  };
}

