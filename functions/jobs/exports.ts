/**
 * The export job, for a list too long for one response: the request writes a pending job
 * item, and the table's stream consumer (functions/streams) invokes this function for each new
 * one (core/export-jobs.ts; locally the local stack runs it in process).
 * Claims the job, streams the list page by page into a file (S3 multipart upload in AWS, the
 * local folder locally), then marks the job ready, logs the export and mails the link to
 * whoever asked, in one transaction (services/exports.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { apiUrl, table } from '../core/deps.js';
import { config, required } from '../core/config.js';
import { localFileStore, type FileStore } from '../core/files.js';
import { s3FileStore } from '../core/files-s3.js';
import type { ExportJob } from '../core/data/exports.js';
import { associationsRepo } from '../core/data/associations.js';
import { eventsRepo } from '../core/data/events.js';
import { exportsRepo } from '../core/data/exports.js';
import { membersRepo } from '../core/data/members.js';
import { paymentsRepo } from '../core/data/payments.js';
import { plansRepo } from '../core/data/plans.js';
import { profilesRepo } from '../core/data/profiles.js';
import { rsvpsRepo } from '../core/data/rsvps.js';
import { unitsRepo } from '../core/data/units.js';
import { runExportJob, type ExportPlan } from '../core/services/exports.js';
import { membersExportPlan } from '../core/services/members.js';
import { ledgerExportPlan } from '../core/services/ledger.js';
import { attendeesExportPlan } from '../core/services/attendees.js';
import { logger } from '../core/http/logger.js';
import type { ExportJobEvent } from '../core/export-jobs.js';

// The repositories of the three lists and the export log: the bundle leaves the others out (deps.ts).
const store = { ...exportsRepo(table), ...associationsRepo(table), ...eventsRepo(table), ...membersRepo(table), ...plansRepo(table), ...profilesRepo(table), ...unitsRepo(table), ...paymentsRepo(table), ...rsvpsRepo(table) };
// With the S3 client: the job streams multipart uploads (the request functions only presign).
let files: FileStore | undefined;
const filesOnce = () => (files ??= process.env.EXPORTS_DIR ? localFileStore(process.env.EXPORTS_DIR, apiUrl) : s3FileStore(required('EXPORTS_BUCKET'), config.region));

/**
 * Invoked asynchronously by the streams consumer with a new job's keys. A failure is thrown:
 * Lambda retries the invocation twice (the claim lets a retry run only when no live run holds
 * the job), then puts it in the dead-letter queue.
 */
export const handler = middy(async (event: ExportJobEvent, context: Context) => {
  const job = typeof event?.associationId === 'string' && typeof event?.exportId === 'string' ? await store.getExportJob(event.associationId, event.exportId) : undefined;
  if (!job) {
    logger.warn('export job: no such job', { event });
    return { outcome: 'ignored' };
  }
  // The claim lasts as long as this run may: past it, the run has died, and a retry may take the job.
  const leaseMs = Math.max(60_000, (context?.getRemainingTimeInMillis?.() ?? 15 * 60_000) - 5_000);
  return { outcome: await runOne(job, leaseMs) };
}).use(injectLambdaContext(logger, { resetKeys: true }));

async function runOne(job: ExportJob, leaseMs: number): Promise<unknown> {
  const association = await store.getAssociation(job.associationId);
  let plan: ExportPlan<any> | undefined;
  if (association && job.spec.list === 'members') plan = await membersExportPlan(store, association);
  else if (association && job.spec.list === 'payments') plan = ledgerExportPlan(store, association);
  else if (association && job.spec.list === 'attendees') {
    const ev = await store.getEvent(job.spec.eventId);
    if (ev && ev.associationId === job.associationId) plan = attendeesExportPlan(store, ev, association.name, job.spec);
  }
  if (!plan) {
    await store.failExportJob(job, 'the association or event is gone', new Date().toISOString());
    return 'failed';
  }
  const started = performance.now();
  const outcome = await runExportJob({ store, files: filesOnce() }, job, plan, () => new Date(), leaseMs);
  logger.info('export job', { exportId: job.exportId, list: job.spec.list, outcome, ms: Math.round(performance.now() - started) });
  return outcome;
}
