/**
 * Starts the export job (functions/jobs/exports.ts) without waiting for it: an asynchronous
 * Lambda invocation in AWS (Lambda queues it, retries it twice, then puts it in the job's
 * dead-letter queue); in local mode the local stack runs the same handler in this process.
 */
import { config, required } from './config.js';
import type { ExportJobEvent, ExportJobs } from './services/exports.js';

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
  let client: Promise<{ send: (e: ExportJobEvent) => Promise<void> }> | undefined;
  // Read and made on first use, as the export files are (deps.ts): most requests never start an export.
  const clientOnce = () =>
    (client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => {
      const functionName = required('EXPORT_JOB_FUNCTION');
      const lambda = new LambdaClient({ region: config.region });
      return {
        async send(e: ExportJobEvent) {
          const res = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(e)) }));
          if (res.StatusCode !== 202) throw new Error(`export job not queued: Lambda answered ${res.StatusCode}`);
        },
      };
    }));
  return { start: async (event) => (await clientOnce()).send(event) };
}
