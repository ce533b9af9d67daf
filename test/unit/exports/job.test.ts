/** The export job's service: what it records on success and on failure, and what the status says. */
import { exportRows, exportStatus, runExportJob, JOB_STALE_MS, type ExportPlan, type ExportRequest } from '../../../functions/core/services/exports.js';
import type { ExportJob } from '../../../functions/core/data/exports.js';
import type { FileStore } from '../../../functions/core/files.js';
import { makeExportJob } from '../../support/factories.js';

const now = new Date('2026-06-01T10:00:00Z');
const job = (over: Partial<ExportJob> = {}): ExportJob => makeExportJob({ createdAt: now.toISOString(), ...over });
const plan: ExportPlan<{ n: number }> = {
  what: 'members',
  associationName: 'Club',
  listName: 'members',
  fileName: 'club-members.csv',
  columns: [{ header: 'n', value: (r) => r.n }],
  fitsOnePage: async () => false,
  async *pages() {
    yield [{ n: 1 }, { n: 2 }];
    yield [{ n: 3 }];
  },
};

function fakes(upload?: FileStore['upload'], claim: 'claimed' | 'done already' | 'running elsewhere' = 'claimed') {
  const calls = { finish: [] as unknown[][], fail: [] as unknown[][], claims: [] as unknown[][], written: '' };
  const store = {
    claimExportJob: async (...a: unknown[]) => (calls.claims.push(a), claim),
    finishExportJob: async (...a: unknown[]) => (calls.finish.push(a), true),
    failExportJob: async (...a: unknown[]) => void calls.fail.push(a),
    getExportJob: async () => undefined as ExportJob | undefined,
  };
  const files: FileStore = {
    put: async () => 'unused',
    upload:
      upload ??
      (async (_key, body) => {
        for await (const c of body) calls.written += String(c);
        return { bytes: Buffer.byteLength(calls.written) };
      }),
    link: async (key, ttl) => `https://files.test/${key}?ttl=${ttl}`,
  };
  return { calls, store: store as any, files };
}

describe('exportRows: where a list goes', () => {
  const request = (over: Partial<ExportRequest<{ n: number }>> = {}) => {
    const calls = { created: [] as ExportJob[], recorded: [] as unknown[] };
    const store = {
      createExportJob: async (j: ExportJob) => void calls.created.push(j),
      recordExport: async (...a: unknown[]) => void calls.recorded.push(a),
    };
    const req: ExportRequest<{ n: number }> = { store: store as any, jobs: true, associationId: 'a1', spec: { list: 'members' } as any, plan, actor: { userId: 'u1', email: 'u1@example.test' }, format: 'csv' as const, apiUrl: 'https://api.test', now, ...over };
    return { calls, req };
  };

  it('longer than one page, where the job runs: the request writes the pending job item (its insert starts the job) and needs no file store (the web pages)', async () => {
    const { calls, req } = request();
    const out = await exportRows(req);
    expect(out).toMatchObject({ kind: 'job', state: 'pending', statusUrl: expect.stringMatching(/^https:\/\/api\.test\/associations\/a1\/exports\//) });
    expect(calls.created).toEqual([expect.objectContaining({ associationId: 'a1', state: 'pending', spec: { list: 'members' }, actorId: 'u1', fileKey: expect.stringMatching(/^exports\/a1\/.+\/club-members\.csv$/) })]);
    expect(out.kind === 'job' && out.exportId).toBe(calls.created[0]!.exportId);
    expect(calls.recorded).toEqual([]);
  });

  it('without a job to start it is read and answered inline, whatever its length', async () => {
    const { calls, req } = request({ jobs: undefined });
    const out = await exportRows(req);
    expect(out).toEqual({ kind: 'inline', csv: '\uFEFFn\r\n1\r\n2\r\n3\r\n', rows: 3 });
    expect(calls.recorded).toHaveLength(1);
  });
});

describe('runExportJob', () => {
  it('streams every page into the file, then marks it ready, logs it and queues the mail in one call', async () => {
    const f = fakes();
    const out = await runExportJob(f, job(), plan, () => now, 60_000);
    expect(out).toEqual({ rows: 3, bytes: Buffer.byteLength(f.calls.written) });
    expect(f.calls.written).toBe('\uFEFFn\r\n1\r\n2\r\n3\r\n');
    const [j, done, record, mail] = f.calls.finish[0] as [ExportJob, unknown, Record<string, unknown>, Record<string, string>];
    expect(j.exportId).toBe('01JEXPORT');
    expect(done).toEqual({ rows: 3, bytes: typeof out === 'object' ? out.bytes : 0, at: now.toISOString() });
    // Claimed first, for as long as the run may take.
    expect(f.calls.claims).toEqual([[expect.objectContaining({ exportId: '01JEXPORT' }), now, 60_000]]);
    expect(record).toMatchObject({ exportId: '01JEXPORT', what: 'members', actorId: 'u1', rows: 3, format: 'url' });
    expect(mail).toMatchObject({ mailId: 'export.01JEXPORT', to: 'asker@example.test', kind: 'export_ready', status: 'pending' });
    expect(mail.text).toContain(`https://files.test/${job().fileKey}?ttl=43200`);
    expect(f.calls.fail).toEqual([]);
  });

  it('a job no longer pending (a retried invocation) does nothing', async () => {
    const f = fakes();
    expect(await runExportJob(f, job({ state: 'ready' }), plan, () => now, 60_000)).toBe('done already');
    expect(f.calls.finish).toEqual([]);
  });

  it.each(['done already', 'running elsewhere'] as const)('a record delivered again whose claim fails (%s) writes no file and records nothing', async (claim) => {
    const f = fakes(async () => {
      throw new Error('must not upload');
    }, claim);
    expect(await runExportJob(f, job(), plan, () => now, 60_000)).toBe(claim);
    expect(f.calls.finish).toEqual([]);
    expect(f.calls.fail).toEqual([]);
  });

  it('a failed upload records the job failed and throws (the invocation fails: alarm, dead letters)', async () => {
    const f = fakes(async () => {
      throw new Error('SlowDown');
    });
    await expect(runExportJob(f, job(), plan, () => now, 60_000)).rejects.toThrow('SlowDown');
    expect(f.calls.fail).toEqual([[expect.objectContaining({ exportId: '01JEXPORT' }), 'SlowDown', now.toISOString()]]);
    expect(f.calls.finish).toEqual([]);
  });
});

describe('exportStatus', () => {
  const status = (j: ExportJob | undefined, caller = { userId: 'u1', isAdmin: false }, at = now) => {
    const f = fakes();
    f.store.getExportJob = async () => j;
    return exportStatus(f, 'a1', '01JEXPORT', caller, at);
  };

  it('pending, then ready with a fresh 15-minute link', async () => {
    expect(await status(job())).toMatchObject({ state: 'pending', url: null, rows: null });
    const ready = await status(job({ state: 'ready', rows: 3, finishedAt: now.toISOString() }));
    expect(ready).toMatchObject({ state: 'ready', rows: 3, url: expect.stringContaining('ttl=900'), expiresAt: '2026-06-01T10:15:00.000Z' });
  });

  it('a job pending past the staleness limit is shown failed', async () => {
    expect(await status(job(), undefined, new Date(now.getTime() + JOB_STALE_MS + 1))).toMatchObject({ state: 'failed', url: null });
  });

  it('someone else\'s export is a 404 unless the caller is an admin; an unknown one is a 404', async () => {
    await expect(status(job(), { userId: 'u2', isAdmin: false })).rejects.toMatchObject({ statusCode: 404 });
    expect(await status(job(), { userId: 'u2', isAdmin: true })).toMatchObject({ state: 'pending' });
    await expect(status(undefined)).rejects.toMatchObject({ statusCode: 404 });
  });
});
