/**
 * The export job's status item in the store: a failure is recorded once and only over a
 * pending job (a retried invocation, or one that finished first, leaves it as it is).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FakeTable } from '../../support/fake-table.js';
import { makeExportJob } from '../../support/factories.js';
import { mockedStore } from '../../support/unit-events.js';

const ddb = mockClient(DynamoDBDocumentClient);
const store = mockedStore();
const job = makeExportJob();

beforeEach(() => {
  ddb.reset();
  new FakeTable([]).attach(ddb);
});

describe('failExportJob', () => {
  it('marks a pending job failed with its reason, in one conditional update (no transaction)', async () => {
    await store.createExportJob(job);
    await store.failExportJob(job, 'the association or event is gone', '2026-06-01T10:01:00.000Z');
    expect(await store.getExportJob('a1', '01JEXPORT')).toMatchObject({ state: 'failed', error: 'the association or event is gone', finishedAt: '2026-06-01T10:01:00.000Z' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('leaves a job that is no longer pending as it is, without an error', async () => {
    await store.createExportJob(job);
    await store.failExportJob(job, 'first', '2026-06-01T10:01:00.000Z');
    await expect(store.failExportJob(job, 'second', '2026-06-01T10:02:00.000Z')).resolves.toBeUndefined();
    expect(await store.getExportJob('a1', '01JEXPORT')).toMatchObject({ state: 'failed', error: 'first', finishedAt: '2026-06-01T10:01:00.000Z' });
  });
});

describe('claimExportJob', () => {
  const t0 = new Date('2026-06-01T10:00:00.000Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('claims a pending job once: a second delivery while the claim holds runs nothing', async () => {
    await store.createExportJob(job);
    expect(await store.claimExportJob(job, t0, 60_000)).toBe('claimed');
    expect(await store.claimExportJob(job, at(59_000), 60_000)).toBe('running elsewhere');
    expect(await store.getExportJob('a1', '01JEXPORT')).toMatchObject({ state: 'pending', claimedUntil: '2026-06-01T10:01:00.000Z', attempts: 1 });
  });

  it('a run that died leaves a lapsed claim: the retry takes the job', async () => {
    await store.createExportJob(job);
    await store.claimExportJob(job, t0, 60_000);
    expect(await store.claimExportJob(job, at(61_000), 60_000)).toBe('claimed');
    expect(await store.getExportJob('a1', '01JEXPORT')).toMatchObject({ claimedUntil: '2026-06-01T10:02:01.000Z', attempts: 2 });
  });

  it('a job that finished or failed is never claimed again', async () => {
    await store.createExportJob(job);
    await store.claimExportJob(job, t0, 60_000);
    await store.failExportJob(job, 'SlowDown', at(1_000).toISOString());
    expect(await store.claimExportJob(job, at(3_600_000), 60_000)).toBe('done already');
    expect(await store.getExportJob('a1', '01JEXPORT')).toMatchObject({ state: 'failed', attempts: 1 });
  });
});
