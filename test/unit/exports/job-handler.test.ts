/**
 * The export job's handler as the streams consumer invokes it, with a new job's keys (the
 * request wrote the item): it runs the job; the same invocation delivered again does nothing twice.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { FakeTable } from '../../support/fake-table.js';
import { makeAssociation, makeExportJob, makeMember } from '../../support/factories.js';
import { associationItem } from '../../../functions/core/data/associations.js';
import { memberItem } from '../../../functions/core/data/member-item.js';
import * as keys from '../../../functions/core/data/keys.js';

const ddb = mockClient(DynamoDBDocumentClient);
const dir = mkdtempSync(join(tmpdir(), 'export-job-handler-'));
process.env.EXPORTS_DIR = dir;
process.env.API_URL = 'https://api.example.test';
const { handler } = await import('../../../functions/jobs/exports.js');
const run = (event: unknown) => (handler as unknown as (e: unknown, c: unknown) => Promise<{ outcome: unknown }>)(event, { awsRequestId: 'r1', functionName: 'exportJob', getRemainingTimeInMillis: () => 900_000 });

const job = makeExportJob({ associationId: 'a1', exportId: '01JEXPORT', createdAt: new Date().toISOString() });
const jobItem = { ...keys.exportJob(job.associationId, job.exportId), entity: 'exportJob', ...job, expiresAt: 1 };
const start = { associationId: job.associationId, exportId: job.exportId };
let table: FakeTable;

beforeEach(() => {
  ddb.reset();
  table = new FakeTable([
    associationItem(makeAssociation({ associationId: 'a1', name: 'Club', slug: 'club' })),
    ...[1, 2, 3].map((i) => memberItem(makeMember({ associationId: 'a1', userId: `u${i}`, name: `Member ${i}`, email: `m${i}@example.test` }))),
    jobItem,
  ]);
  table.attach(ddb);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a new job item runs the job: the file, then the job ready, the export logged and the mail queued in one transaction', async () => {
  const out = await run(start);
  expect(out.outcome).toEqual({ rows: 3, bytes: expect.any(Number) });
  const csv = readFileSync(join(dir, job.fileKey), 'utf8');
  expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);
  expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  const items = [...table.items.values()];
  expect(table.get(jobItem.pk, jobItem.sk)).toMatchObject({ state: 'ready', rows: 3, attempts: 1 });
  expect(items.filter((i) => i.entity === 'outbox')).toEqual([expect.objectContaining({ kind: 'export_ready', to: 'asker@example.test' })]);
});

test('the same invocation delivered again (a retry, a duplicate) writes nothing more', async () => {
  await run(start);
  const writes = ddb.commandCalls(TransactWriteCommand).length;
  const out = await run(start);
  expect(out.outcome).toBe('done already');
  expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(writes);
  expect([...table.items.values()].filter((i) => i.entity === 'outbox')).toHaveLength(1);
});

test('an invocation naming no job, or one that is not there, is ignored', async () => {
  expect((await run({ associationId: 'a1', exportId: 'nope' })).outcome).toBe('ignored');
  expect((await run({ exportId: job.exportId })).outcome).toBe('ignored');
  expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
});
