/** Records of exports of personal data, and the background jobs that make the long ones. Key formats: keys.ts. */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionFailed } from '../errors.js';
import * as keys from './keys.js';
import { strip, type Table, type TransactItem } from './table.js';
import { auditOps } from './audit.js';
import { outboxOps } from './outbox.js';
import type { OutboxMail } from '../domain/types.js';

export type ExportRecordInput = { exportId: string; what: string; subjectId?: string; actorId: string; rows: number; format: string; at: string };

/** What a job exports, enough to read the same list again in the job's own function. */
export type ExportSpec =
  | { list: 'members' }
  | { list: 'payments' }
  | { list: 'attendees'; eventId: string; preset: 'full' | 'minimal'; status: 'going' | 'waitlisted' | 'all' };

export interface ExportJob {
  exportId: string;
  associationId: string;
  spec: ExportSpec;
  actorId: string;
  actorEmail: string;
  fileKey: string;
  state: 'pending' | 'ready' | 'failed';
  rows?: number;
  bytes?: number;
  error?: string;
  createdAt: string;
  finishedAt?: string;
  /** Until when the run that claimed the job holds it (ISO time); a later delivery of the job runs only once it has passed. */
  claimedUntil?: string;
  /** Runs that claimed it. */
  attempts?: number;
}

/** Job items are dropped by the table's TTL a week on; the files themselves live a day or two (lib/constructs/exports.ts). */
const JOB_KEEP_SECONDS = 7 * 86_400;

export function exportsRepo(t: Table) {
  const { db, name: table, write } = t;
  const { auditPut } = auditOps(t.name);
  const { outboxPut } = outboxOps(t.name);

  function recordParts(associationId: string, record: ExportRecordInput): TransactItem[] {
    return [
      {
        Put: {
          TableName: table,
          Item: { ...keys.exportRecord(associationId, record.exportId), ...keys.exportOfList(associationId, record.subjectId ? `EVENT#${record.subjectId}` : record.what, record.exportId), entity: 'export', associationId, ...record },
        },
      },
      auditPut({ associationId, action: 'export.created', actorId: record.actorId, subjectId: record.subjectId, at: record.at, data: { what: record.what, rows: record.rows, format: record.format } }),
    ];
  }

  /** A conditional update of a job that is still pending (and `extra`); false if it no longer is. */
  const updatePendingJob = async (job: ExportJob, UpdateExpression: string, extra: string, names: Record<string, string>, values: Record<string, unknown>): Promise<boolean> => {
    try {
      await write(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.exportJob(job.associationId, job.exportId),
            UpdateExpression,
            ConditionExpression: `#state = :pending${extra}`,
            ExpressionAttributeNames: { '#state': 'state', ...names },
            ExpressionAttributeValues: { ':pending': 'pending', ...values },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailed) return false;
      throw err;
    }
  };

  return {
    async recordExport(associationId: string, record: ExportRecordInput): Promise<void> {
      await db.send(new TransactWriteCommand({ TransactItems: recordParts(associationId, record) }));
    },

    async createExportJob(job: ExportJob): Promise<void> {
      const expiresAt = Math.floor(Date.parse(job.createdAt) / 1000) + JOB_KEEP_SECONDS;
      await db.send(new PutCommand({ TableName: table, Item: { ...keys.exportJob(job.associationId, job.exportId), entity: 'exportJob', ...job, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' }));
    },

    async getExportJob(associationId: string, exportId: string): Promise<ExportJob | undefined> {
      // Consistent: the job reads its item just after the stream saw it written.
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.exportJob(associationId, exportId), ConsistentRead: true }));
      if (!res.Item) return undefined;
      const { expiresAt: _ttl, ...rest } = res.Item;
      return strip<ExportJob>(rest);
    },

    /**
     * A run takes the job: only a pending one, and only if no other run holds it (the claim of
     * a run that died has lapsed). 'done already' when it is no longer pending.
     */
    async claimExportJob(job: ExportJob, now: Date, leaseMs: number): Promise<'claimed' | 'done already' | 'running elsewhere'> {
      const claimed = await updatePendingJob(job, 'SET claimedUntil = :until ADD attempts :one', ' AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)', {}, {
        ':until': new Date(now.getTime() + leaseMs).toISOString(),
        ':now': now.toISOString(),
        ':one': 1,
      });
      if (claimed) return 'claimed';
      // Only for a job started again: which of the two, for the log.
      const res = await db.send(new GetCommand({ TableName: table, Key: keys.exportJob(job.associationId, job.exportId), ConsistentRead: true }));
      return res.Item?.state === 'pending' ? 'running elsewhere' : 'done already';
    },

    /**
     * The job's file is complete: in one transaction the job becomes ready (only from
     * pending, so a retried invocation records nothing twice), the export log and audit get
     * their entry, and the mail with the link is queued. False if another run finished first.
     */
    async finishExportJob(job: ExportJob, done: { rows: number; bytes: number; at: string }, record: ExportRecordInput, mail: OutboxMail): Promise<boolean> {
      try {
        await write(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: table,
                    Key: keys.exportJob(job.associationId, job.exportId),
                    UpdateExpression: 'SET #state = :ready, #rows = :rows, bytes = :bytes, finishedAt = :at',
                    ConditionExpression: '#state = :pending',
                    ExpressionAttributeNames: { '#state': 'state', '#rows': 'rows' },
                    ExpressionAttributeValues: { ':ready': 'ready', ':pending': 'pending', ':rows': done.rows, ':bytes': done.bytes, ':at': done.at },
                  },
                },
                ...recordParts(job.associationId, record),
                outboxPut(mail),
              ],
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /** The job gave up: the status says so (only from pending). One item, so one conditional update, not a transaction. */
    async failExportJob(job: ExportJob, error: string, at: string): Promise<void> {
      await updatePendingJob(job, 'SET #state = :failed, #error = :error, finishedAt = :at', '', { '#error': 'error' }, { ':failed': 'failed', ':error': error.slice(0, 500), ':at': at });
    },
  };
}

export type ExportsRepo = ReturnType<typeof exportsRepo>;
