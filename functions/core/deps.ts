/** Stores and service dependencies, built once per container from the shared clients. */
import { documentClient, ses } from './clients.js';
import { config, required, stripeConfig } from './config.js';
import { createStore } from './data/store.js';
import type { DuesDeps } from './services/dues.js';
import type { Mailer } from './services/outbox.js';
import type { EventsDeps } from './services/events.js';
import { awsScheduler, localScheduler, type Scheduler } from './scheduling.js';
import { localFileStore, s3FileStore, type FileStore } from './files.js';

export const store = createStore(documentClient, required('TABLE_NAME'));

export const mailer: Mailer = { ses, fromAddress: config.mailFrom, configurationSet: config.sesConfigurationSet };

/**
 * Dependencies of the dues services. Awaited at load time (top-level await) by the
 * functions that take payments, so a missing Stripe setting stops them at cold start.
 */
export async function duesDeps(): Promise<DuesDeps & { webhookSecret: string; stripe: import('stripe').Stripe }> {
  // Imported here, not at the top: functions that never take payments do not bundle the Stripe SDK.
  const { createStripe, stripeGateway } = await import('./payments/stripe.js');
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

/**
 * Dependencies of the events services. Schedules and export files go to EventBridge
 * Scheduler and S3 in AWS, to the table and a local folder in local mode.
 */
export async function eventsDeps(): Promise<EventsDeps & { files: FileStore }> {
  const apiUrl = (process.env.API_URL ?? config.appUrl).replace(/\/$/, '');
  // Made on first use: the stream consumer and the scheduled jobs never schedule or export.
  let scheduler: Promise<Scheduler> | undefined;
  const schedulerOnce = () =>
    (scheduler ??=
      process.env.SCHEDULER === 'local'
        ? Promise.resolve(localScheduler(store))
        : awsScheduler({ group: required('SCHEDULE_GROUP'), targetArn: required('SCHEDULE_TARGET_ARN'), roleArn: required('SCHEDULE_ROLE_ARN'), region: config.region }));
  let files: Promise<FileStore> | undefined;
  const filesOnce = () => (files ??= process.env.EXPORTS_DIR ? Promise.resolve(localFileStore(process.env.EXPORTS_DIR, apiUrl)) : s3FileStore(required('EXPORTS_BUCKET'), config.region));
  return {
    store,
    mailer,
    appUrl: config.appUrl,
    apiUrl,
    scheduler: {
      upsert: async (name, at, payload) => (await schedulerOnce()).upsert(name, at, payload),
      remove: async (name) => (await schedulerOnce()).remove(name),
    },
    files: { put: async (key, body, type, ttl) => (await filesOnce()).put(key, body, type, ttl) },
  };
}
