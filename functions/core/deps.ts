/**
 * Stores and service dependencies, built once per container from the shared clients. A
 * function takes only the parts it uses (the scheduler, export files, the mailer), so its
 * bundle leaves out the clients of the others: each part is a function or a pure value
 * that esbuild drops where nothing calls it.
 */
import { documentClient, ses } from './clients.js';
import { config, required } from './config.js';
import { createStore } from './data/store.js';
import { createTable } from './data/table.js';
import { associationsRepo } from './data/associations.js';
import { connectionsRepo } from './data/connections.js';
import { eventsRepo } from './data/events.js';
import { matchesRepo } from './data/matches.js';
import { memberReads } from './data/members.js';
import { outboxRepo } from './data/outbox.js';
import { profilesRepo } from './data/profiles.js';
import { rsvpsRepo } from './data/rsvps.js';
import { createPrivacyData } from './data/privacy.js';
import { createRateLimits } from './data/rate-limits.js';
import type { Mailer } from './services/outbox.js';
import type { EventsDeps } from './services/events.js';
import { awsScheduler, localScheduler, type Scheduler } from './scheduling.js';
import { localFileStore, s3Links, type FileLinks } from './files.js';

/**
 * The table the repositories are built on. A function whose routes use a few of them composes
 * its own store from it (`{ ...membersRepo(table), ... }`), so its bundle leaves the others out.
 */
export const table = /* @__PURE__ */ (() => createTable(documentClient, required('TABLE_NAME')))();

/** Every repository: for the functions whose services use most of them (the events services, the web app). */
export const store = /* @__PURE__ */ (() => createStore(documentClient, required('TABLE_NAME')))();

/** A person's own data: their export and erasure. */
export const privacyData = /* @__PURE__ */ (() => createPrivacyData(documentClient, required('TABLE_NAME')))();

/** Request counters for the route catalog's rate limits, in the same table. */
export const limiter = /* @__PURE__ */ (() => createRateLimits(documentClient, required('TABLE_NAME')))();

// Pure, so functions that never send mail leave it (and the SES client) out of their bundle.
export const mailer: Mailer = /* @__PURE__ */ (() => ({ ses, fromAddress: config.mailFrom, configurationSet: config.sesConfigurationSet }))();

/** Where API links point (unsubscribe, status of an export): API_URL, else the app's address. */
export const apiUrl = /* @__PURE__ */ (() => (process.env.API_URL ?? config.appUrl).replace(/\/$/, ''))();

/**
 * The repositories of the matching service (services/matching.ts MatchingStore), for the
 * functions that send matches: the bundle leaves the others out.
 */
export const matchingStore = () => ({
  ...associationsRepo(table),
  ...eventsRepo(table),
  ...matchesRepo(table),
  ...memberReads(table),
  ...outboxRepo(table),
  ...profilesRepo(table),
  ...rsvpsRepo(table),
  ...connectionsRepo(table),
  batchPut: table.batchPut,
});

/** Dependencies of the events services: the store and where links point. */
export const eventsDeps = (): EventsDeps => ({ store, appUrl: config.appUrl, apiUrl });

/**
 * The events' one-time schedules, for the functions that create, move or cancel events:
 * EventBridge Scheduler in AWS, the table in local mode. Made on first use.
 */
export function eventScheduler(): Scheduler {
  let scheduler: Promise<Scheduler> | undefined;
  const once = () =>
    (scheduler ??=
      process.env.SCHEDULER === 'local'
        ? Promise.resolve(localScheduler(store))
        : awsScheduler({ group: required('SCHEDULE_GROUP'), targetArn: required('SCHEDULE_TARGET_ARN'), roleArn: required('SCHEDULE_ROLE_ARN'), region: config.region }));
  return {
    upsert: async (name, at, payload) => (await once()).upsert(name, at, payload),
    remove: async (name) => (await once()).remove(name),
  };
}

/**
 * Export files of the request functions (a one-page file, download links): S3 through presigned
 * URLs in AWS, without the S3 client (files.ts); a local folder in local mode. Made on first use.
 * The export job, which streams long files, builds its own store with the client (functions/jobs/exports.ts).
 */
export function exportFiles(): FileLinks {
  let files: FileLinks | undefined;
  const filesOnce = () => (files ??= process.env.EXPORTS_DIR ? localFileStore(process.env.EXPORTS_DIR, apiUrl) : s3Links(required('EXPORTS_BUCKET'), config.region));
  return {
    put: (key, body, type, ttl) => filesOnce().put(key, body, type, ttl),
    link: (key, ttl) => filesOnce().link(key, ttl),
  };
}
