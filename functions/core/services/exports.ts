/**
 * The one exporter for member, ledger and attendee lists, RFC 4180 CSV (domain/csv.ts: BOM,
 * formula injection neutralised). A list that fits one page answers at once, inline or as a
 * link; a longer one is made by the background job (functions/jobs/exports.ts), which streams
 * the pages into a file, so no export depends on the request time limit or holds the list in
 * memory: the request writes the job's item and answers 202 with its status URL (the item's
 * insert, on the table's stream, starts the job), the status gives the link when it is ready,
 * and the asker gets it by mail. Every export is recorded.
 */
import { ulid } from 'ulid';
import type { FileLinks, FileStore } from '../files.js';
import type { PrivacyData } from '../data/privacy.js';
import { csvChunks, toCsv, type Column } from '../domain/csv.js';
import type { ExportsRepo } from '../data/store.js';
import type { ExportJob, ExportSpec } from '../data/exports.js';
import { exportReadyMail } from '../domain/emails.js';
import { newMail } from './mail-item.js';
import { notFound } from '../errors.js';

export type { ExportSpec } from '../data/exports.js';

/** The repositories this service uses (functions/core/data/). */
export type ExportsStore = ExportsRepo;

/** Rows a page of the list reads; a list longer than one page goes to the job. */
export const PAGE_ROWS = 500;
const LINK_TTL_SECONDS = 15 * 60;
/** The mailed link: long enough to be read in a working day. */
const MAIL_LINK_HOURS = 12;
/** A job still pending after this long has died (its function timed out every retry): the status says failed. */
export const JOB_STALE_MS = 60 * 60_000;

/** What the list services hand the exporter. */
export type ExportDeps<S> = { store: S & ExportsStore; files?: Pick<FileLinks, 'put'>; jobs?: boolean; apiUrl?: string };

/** How to read one list, built from its spec both by the request and by the job. */
export interface ExportPlan<T> {
  what: 'members' | 'attendees' | 'waitlist' | 'payments';
  subjectId?: string;
  /** The association's name, for the mail. */
  associationName: string;
  /** For the mail: "members", "attendees of Big conference". */
  listName: string;
  fileName: string;
  columns: Column<T>[];
  /** True when the whole list is one page (one Query): it is answered at once. */
  fitsOnePage(): Promise<boolean>;
  /** Every page, read lazily from the table. */
  pages(): AsyncIterable<T[]>;
}

export interface ExportRequest<T> {
  store: ExportsStore;
  /** Where a format=url answer is stored; without it such a request is answered inline. */
  files?: Pick<FileLinks, 'put'>;
  /**
   * True where the export job runs (every deployed function, the local stack): a list longer
   * than one page becomes a job item, whose insert starts the job from the table's stream.
   * Without it the list is read here.
   */
  jobs?: boolean;
  associationId: string;
  spec: ExportSpec;
  plan: ExportPlan<T>;
  actor: { userId: string; email: string };
  format: 'csv' | 'url';
  /** The API's base URL, for the status link. */
  apiUrl?: string;
  now: Date;
}

export type ExportResult =
  | { kind: 'inline'; csv: string; rows: number }
  | { kind: 'url'; url: string; rows: number; expiresAt: string }
  | { kind: 'job'; exportId: string; statusUrl: string; state: 'pending' };

export const statusPath = (associationId: string, exportId: string) => `/associations/${associationId}/exports/${exportId}`;
const fileKey = (associationId: string, exportId: string, fileName: string) => `exports/${associationId}/${exportId}/${fileName}`;

export async function exportRows<T>(req: ExportRequest<T>): Promise<ExportResult> {
  const exportId = ulid(req.now.getTime());
  const { plan } = req;
  if (req.jobs && !(await plan.fitsOnePage())) {
    const job: ExportJob = {
      exportId,
      associationId: req.associationId,
      spec: req.spec,
      actorId: req.actor.userId,
      actorEmail: req.actor.email,
      fileKey: fileKey(req.associationId, exportId, plan.fileName),
      state: 'pending',
      createdAt: req.now.toISOString(),
    };
    // Nothing else to do: the stream hands the new item to the job (lib/constructs/exports.ts).
    await req.store.createExportJob(job);
    return { kind: 'job', exportId, statusUrl: `${req.apiUrl ?? ''}${statusPath(req.associationId, exportId)}`, state: 'pending' };
  }
  // One page: read and answered here, as it always was.
  const rows: T[] = [];
  for await (const page of plan.pages()) rows.push(...page);
  const csv = toCsv(plan.columns, rows);
  const result: ExportResult =
    req.files && req.format === 'url'
      ? {
          kind: 'url',
          url: await req.files.put(fileKey(req.associationId, exportId, plan.fileName), csv, 'text/csv; charset=utf-8', LINK_TTL_SECONDS),
          rows: rows.length,
          expiresAt: new Date(req.now.getTime() + LINK_TTL_SECONDS * 1000).toISOString(),
        }
      : { kind: 'inline', csv, rows: rows.length };
  await req.store.recordExport(req.associationId, { exportId, what: plan.what, subjectId: plan.subjectId, actorId: req.actor.userId, rows: rows.length, format: result.kind, at: req.now.toISOString() });
  return result;
}

/**
 * The job's side: claim the job, stream every page into the file, then mark it ready, log it
 * and mail the link, in one transaction. The claim is a conditional write that holds for
 * `leaseMs` (the run's time limit): a record delivered again while a run holds it, or after the
 * job finished, does nothing; a run that died (timed out) leaves a lapsed claim, so the retry runs.
 */
export async function runExportJob<T>(
  deps: { store: ExportsRepo; files: Pick<FileStore, 'upload' | 'link'> },
  job: ExportJob,
  plan: ExportPlan<T>,
  clock: () => Date,
  leaseMs: number,
): Promise<{ rows: number; bytes: number } | 'done already' | 'running elsewhere'> {
  if (job.state !== 'pending') return 'done already';
  const claimed = await deps.store.claimExportJob(job, clock(), leaseMs);
  if (claimed !== 'claimed') return claimed;
  let rows = 0;
  try {
    const { bytes } = await deps.files.upload(job.fileKey, csvChunks(plan.columns, plan.pages(), (n) => (rows = n)), 'text/csv; charset=utf-8');
    const now = clock();
    const url = await deps.files.link(job.fileKey, MAIL_LINK_HOURS * 3600);
    const mail = newMail(
      {
        mailId: `export.${job.exportId}`,
        to: job.actorEmail,
        fromName: plan.associationName,
        kind: 'export_ready',
        associationId: job.associationId,
        mail: exportReadyMail({ associationName: plan.associationName, listName: plan.listName, rows, url, linkHours: MAIL_LINK_HOURS }),
      },
      now,
    );
    const record = { exportId: job.exportId, what: plan.what, subjectId: plan.subjectId, actorId: job.actorId, rows, format: 'url', at: now.toISOString() };
    await deps.store.finishExportJob(job, { rows, bytes, at: now.toISOString() }, record, mail);
    return { rows, bytes };
  } catch (err) {
    // Recorded for the status, and thrown so the invocation counts as failed (alarm, dead letters).
    await deps.store.failExportJob(job, err instanceof Error ? err.message : String(err), clock().toISOString());
    throw err;
  }
}

/** What GET .../exports/{exportId} answers: the job's state and, when ready, a fresh link. */
export async function exportStatus(deps: { store: ExportsRepo; files: Pick<FileLinks, 'link'> }, associationId: string, exportId: string, caller: { userId: string; isAdmin: boolean }, now: Date) {
  const job = await deps.store.getExportJob(associationId, exportId);
  // Only the asker, or an admin: someone else's export of personal data does not exist for the caller.
  if (!job || (job.actorId !== caller.userId && !caller.isAdmin)) throw notFound('There is no such export.');
  const state = job.state === 'pending' && now.getTime() - Date.parse(job.createdAt) > JOB_STALE_MS ? 'failed' : job.state;
  const base = { exportId, state, createdAt: job.createdAt, finishedAt: job.finishedAt ?? null };
  if (state !== 'ready') return { ...base, rows: null, url: null, expiresAt: null };
  return {
    ...base,
    rows: job.rows ?? 0,
    url: await deps.files.link(job.fileKey, LINK_TTL_SECONDS),
    expiresAt: new Date(now.getTime() + LINK_TTL_SECONDS * 1000).toISOString(),
  };
}

/** The export log of an association, newest first: who exported which list, when, how many rows. */
export async function listExports(data: Pick<PrivacyData, 'exportsOf'>, associationId: string, limit: number, startKey?: Record<string, unknown>) {
  const page = await data.exportsOf(associationId, { limit, startKey });
  return {
    items: page.items.map((e) => ({ exportId: e.exportId, what: e.what, subjectId: e.subjectId ?? null, actorId: e.actorId, rows: e.rows, format: e.format, at: e.at })),
    lastKey: page.lastKey,
  };
}

/**
 * Every page of a paged store query, as an async iterable. The next page is asked for as soon
 * as one arrives, so the Query runs while the caller writes the page it has: an export keeps
 * pace with the reads, holding two pages at most. `first`, the first page's read already
 * started by the caller (beside other reads), is used instead of reading it again.
 */
export async function* allPages<T>(
  read: (startKey?: Record<string, unknown>) => Promise<{ items: T[]; lastKey?: Record<string, unknown> }>,
  first?: Promise<{ items: T[]; lastKey?: Record<string, unknown> }>,
): AsyncIterable<T[]> {
  let next = first ?? read(undefined);
  for (;;) {
    const page = await next;
    if (page.lastKey) {
      next = read(page.lastKey);
      // Awaited on the next turn; if the caller stops early, a failure of the read ahead is not an unhandled rejection.
      next.catch(() => undefined);
    }
    yield page.items;
    if (!page.lastKey) return;
  }
}

/** True when the first page of a paged query is the last. */
export async function onePage(read: (startKey?: Record<string, unknown>) => Promise<{ lastKey?: Record<string, unknown> }>): Promise<boolean> {
  return !(await read()).lastKey;
}
