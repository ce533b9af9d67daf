/**
 * Starts the export job (functions/jobs/exports.ts) for a new job item, without waiting for it:
 * an asynchronous Lambda invocation in AWS (Lambda queues it, retries it twice, then puts it in
 * the job's dead-letter queue); in local mode the local stack runs the same handler in this
 * process. Only the streams consumer starts jobs: the requests just write the job item, so a job
 * is started exactly when its item exists, even if the request's function died right after.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { config, required } from './config.js';

/** What the job is invoked with: the job item's keys (it reads the item itself). */
export interface ExportJobEvent {
  associationId: string;
  exportId: string;
}

export interface ExportJobs {
  start(event: ExportJobEvent): Promise<void>;
}

let localRunner: ((event: ExportJobEvent) => void) | undefined;

/** Local mode only (scripts/local/stack.ts): how the job runs in process. */
export function runExportJobsWith(run: (event: ExportJobEvent) => void): void {
  localRunner = run;
}

export function exportJobs(): ExportJobs {
  if (process.env.EXPORT_JOBS === 'local') {
    return {
      async start(event) {
        if (!localRunner) throw new Error('EXPORT_JOBS=local, but no local runner was set');
        localRunner(event);
      },
    };
  }
  // Made on first use: most stream batches start no export.
  let client: { lambda: LambdaClient; functionName: string } | undefined;
  return {
    async start(event) {
      client ??= { lambda: new LambdaClient({ region: config.region }), functionName: required('EXPORT_JOB_FUNCTION') };
      const res = await client.lambda.send(new InvokeCommand({ FunctionName: client.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
      if (res.StatusCode !== 202) throw new Error(`export job not queued: Lambda answered ${res.StatusCode}`);
    },
  };
}
