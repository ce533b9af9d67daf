/**
 * The export job: invoked asynchronously by the API (functions/core/export-jobs.ts) for a
 * list too long for one response. Streams the list page by page into a file (S3 multipart
 * upload in AWS, the local folder locally), then marks the job ready, logs the export and
 * mails the link to whoever asked, in one transaction (services/exports.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { exportFiles, table } from '../core/deps.js';
import { associationsRepo } from '../core/data/associations.js';
import { eventsRepo } from '../core/data/events.js';
import { exportsRepo } from '../core/data/exports.js';
import { membersRepo } from '../core/data/members.js';
import { paymentsRepo } from '../core/data/payments.js';
import { plansRepo } from '../core/data/plans.js';
import { profilesRepo } from '../core/data/profiles.js';
import { rsvpsRepo } from '../core/data/rsvps.js';
import { unitsRepo } from '../core/data/units.js';
import { runExportJob, type ExportJobEvent, type ExportPlan } from '../core/services/exports.js';
import { membersExportPlan } from '../core/services/members.js';
import { ledgerExportPlan } from '../core/services/ledger.js';
import { attendeesExportPlan } from '../core/services/attendees.js';
import { logger } from '../core/http/logger.js';

// The repositories of the three lists and the export log: the bundle leaves the others out (deps.ts).
const store = { ...exportsRepo(table), ...associationsRepo(table), ...eventsRepo(table), ...membersRepo(table), ...plansRepo(table), ...profilesRepo(table), ...unitsRepo(table), ...paymentsRepo(table), ...rsvpsRepo(table) };
const files = exportFiles();

export const handler = middy(async (event: ExportJobEvent) => {
  const job = typeof event?.associationId === 'string' && typeof event?.exportId === 'string' ? await store.getExportJob(event.associationId, event.exportId) : undefined;
  if (!job) {
    logger.warn('export job: no such job', { event });
    return { outcome: 'ignored' };
  }
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
    return { outcome: 'failed' };
  }
  const started = performance.now();
  const outcome = await runExportJob({ store, files }, job, plan, () => new Date());
  logger.info('export job', { exportId: job.exportId, list: job.spec.list, outcome, ms: Math.round(performance.now() - started) });
  return { outcome };
}).use(injectLambdaContext(logger, { resetKeys: true }));
