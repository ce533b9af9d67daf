/** Stores and service dependencies, built once per container from the shared clients. */
import { documentClient, ses } from './clients.js';
import { config, required } from './config.js';
import { createStore } from './data/store.js';
import { createPrivacyData } from './data/privacy.js';
import { createRateLimits } from './data/rate-limits.js';
import type { Mailer } from './services/outbox.js';
import type { EventsDeps } from './services/events.js';
import { awsScheduler, localScheduler, type Scheduler } from './scheduling.js';
import { localFileStore, s3FileStore, type FileStore } from './files.js';

export const store = createStore(documentClient, required('TABLE_NAME'));

/** A person's own data: their export and erasure. */
export const privacyData = createPrivacyData(documentClient, required('TABLE_NAME'));

/** Request counters for the route catalog's rate limits, in the same table. */
export const limiter = createRateLimits(documentClient, required('TABLE_NAME'));

// Pure, so functions that never send mail leave it (and the SES client) out of their bundle.
export const mailer: Mailer = /* @__PURE__ */ (() => ({ ses, fromAddress: config.mailFrom, configurationSet: config.sesConfigurationSet }))();

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
  const files = exportFiles();
  return {
    store,
    mailer,
    appUrl: config.appUrl,
    apiUrl,
    scheduler: {
      upsert: async (name, at, payload) => (await schedulerOnce()).upsert(name, at, payload),
      remove: async (name) => (await schedulerOnce()).remove(name),
    },
    files,
  };
}

/** Export files: S3 in AWS, a local folder in local mode; the client is made on first use. */
export function exportFiles(): FileStore {
  const apiUrl = (process.env.API_URL ?? config.appUrl).replace(/\/$/, '');
  let files: Promise<FileStore> | undefined;
  const filesOnce = () => (files ??= process.env.EXPORTS_DIR ? Promise.resolve(localFileStore(process.env.EXPORTS_DIR, apiUrl)) : s3FileStore(required('EXPORTS_BUCKET'), config.region));
  return {
    put: async (key, body, type, ttl) => (await filesOnce()).put(key, body, type, ttl),
    upload: async (key, body, type) => (await filesOnce()).upload(key, body, type),
    link: async (key, ttl) => (await filesOnce()).link(key, ttl),
  };
}
