import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../functions/core/api.js';
import { Api } from './constructs/api.js';
import { Auth } from './constructs/auth.js';
import { Data } from './constructs/data.js';
import { Functions } from './constructs/functions.js';
import { ExportFiles, ExportJob } from './constructs/exports.js';
import { streamFilters } from './stream-filters.js';
import { ScheduledJob } from './constructs/jobs.js';
import { Mail } from './constructs/mail.js';
import { Monitoring } from './constructs/monitoring.js';
import { OneTimeSchedules } from './constructs/schedules.js';
import { StreamConsumer } from './constructs/streams.js';
import { WebApp } from './constructs/web.js';
import type { Settings } from './settings.js';

/** What a function may use; test/cdk checks each against what its bundle actually reads. */
export interface FunctionAccess {
  /** Read/write on the table and its indexes, and TABLE_NAME. */
  table: boolean;
  /** CURSOR_SECRET_ARN with GetSecretValue on it, for the functions that sign list cursors. */
  cursorSecret: boolean;
  /** LINK_SECRET_ARN with GetSecretValue on it, for the functions that sign or read links in mail. */
  linkSecret: boolean;
  /** STRIPE_SECRET_ARN with GetSecretValue on it, PLATFORM_FEE_PERCENT and SES_MAX_SEND_RATE. */
  stripe: boolean;
  /** ses:SendEmail as the mailFrom identity through the configuration set, and SES_CONFIGURATION_SET. */
  ses: boolean;
  /** API_URL, the API's own base URL, for links in mail that point at the API (unsubscribe, leave the waitlist). */
  apiUrl: boolean;
  /** JWT_ISSUER and JWT_AUDIENCE: verifies the optional bearer token of its 'viewer' routes, which have no authorizer. */
  jwt: boolean;
  /**
   * EventBridge Scheduler. 'manage': SCHEDULE_GROUP, SCHEDULE_TARGET_ARN and SCHEDULE_ROLE_ARN, with
   * Create/Update/DeleteSchedule in the group and PassRole on its invoke role. 'settings': the
   * variables only, for code that requires them at cold start but never schedules.
   */
  scheduler: false | 'settings' | 'manage';
  /**
   * Exports bucket. 'readWrite': EXPORTS_BUCKET with PutObject/GetObject on its objects.
   * 'settings': the variable only, for code that requires it at cold start but never writes a file.
   */
  exports: false | 'settings' | 'readWrite';
}

/** The HTTP functions. A Record, so a new function cannot be left out. */
export const functionAccess: Record<FunctionName, FunctionAccess> = {
  associations: { table: true, cursorSecret: true, linkSecret: false, stripe: false, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },
  // Joining a paid plan starts a Stripe Checkout; an offline payment queues a receipt (sent by the
  // streams consumer, so no SES). Member
  // exports as a file go to S3 (presigned, without the S3 client); a long one is written as an
  // export job item, which the table's stream hands to the export job. Erasing a person (DELETE /me) cancels their RSVPs through the events
  // services (which schedule nothing then) and stops their Stripe billing.
  members: { table: true, cursorSecret: true, linkSecret: false, stripe: true, ses: false, apiUrl: true, jwt: false, scheduler: false, exports: 'readWrite' },
  profiles: { table: true, cursorSecret: false, linkSecret: false, stripe: false, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },
  meta: { table: false, cursorSecret: false, linkSecret: false, stripe: false, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },
  // Onboarding, checkout, billing portal and the ledger: nothing it does sends mail, so no SES;
  // test/cdk fails if that changes.
  // Ledger exports as a file go to S3 (API_URL: the local file links).
  dues: { table: true, cursorSecret: true, linkSecret: false, stripe: true, ses: false, apiUrl: true, jwt: false, scheduler: false, exports: 'readWrite' },
  // Signed Stripe events: verifies with the webhook secret and records them (applied by
  // stripeEvents); account.updated it applies itself. It sends no mail, so no SES.
  webhooks: { table: true, cursorSecret: false, linkSecret: false, stripe: true, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },
  // Events and RSVPs: its mail goes into the outbox (sent by the streams consumer), so no SES;
  // it keeps the reminder schedules in step, writes large attendee exports to S3, signs
  // leave-the-waitlist links, and checks the optional token of its 'viewer' routes.
  events: { table: true, cursorSecret: true, linkSecret: true, stripe: false, ses: false, apiUrl: true, jwt: true, scheduler: 'manage', exports: 'readWrite' },
  // Matchmaking: computes and stores matches, queues their mail (sent by the streams consumer),
  // signs "introduce us" and unsubscribe links; it neither schedules nor exports.
  matching: { table: true, cursorSecret: true, linkSecret: true, stripe: false, ses: false, apiUrl: true, jwt: false, scheduler: false, exports: false },
  // One-click unsubscribe: reads the signed link, writes a suppression.
  email: { table: true, cursorSecret: false, linkSecret: true, stripe: false, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },  // Connections: its lists page with signed cursors, it reads the follow-up links; it sends no mail itself.
  connections: { table: true, cursorSecret: true, linkSecret: true, stripe: false, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },
};

/** The functions run on a timetable: name, handler file, schedule and access. */
export const jobs = {
  jobsDaily: {
    entry: 'functions/jobs/daily.ts',
    // 03:00 UTC every day: reconciles with Stripe, queues renewal reminders, lapses expired memberships,
    // marks unsent mail for retry: the streams consumer sends all of it, so no SES.
    schedule: 'cron(0 3 * * ? *)',
    timeout: Duration.minutes(5),
      // linkSecret and apiUrl: the follow-up mails after events carry signed "connect" links.
      access: { table: true, cursorSecret: false, linkSecret: true, stripe: true, ses: false, apiUrl: true, jwt: false, scheduler: false, exports: false },
  },
} as const satisfies Record<string, { entry: string; schedule: string; timeout: Duration; access: FunctionAccess }>;
export type JobName = keyof typeof jobs;
export const jobNames = Object.keys(jobs) as JobName[];

/** The functions run by events (what runs each is in its construct): name, handler file, timeout and access. */
export const workers = {
  // Target of the one-time schedules (the 24-hour event reminder): queues a broadcast, which
  // the streams consumer expands and sends, so no SES.
  jobsScheduled: {
    entry: 'functions/jobs/scheduled.ts',
    timeout: Duration.minutes(1),
    access: { table: true, cursorSecret: false, linkSecret: true, stripe: false, ses: false, apiUrl: true, jwt: false, scheduler: false, exports: false },
  },
  // The table's stream: sends outbox mail (the one function that may), expands broadcasts (with
  // unsubscribe links), promotes waitlists.
  streams: {
    entry: 'functions/streams/handler.ts',
    // A batch is 25 records; expanding a broadcast to a large event, or sending with SES backoff, takes a while.
    timeout: Duration.minutes(2),
    access: { table: true, cursorSecret: false, linkSecret: true, stripe: false, ses: true, apiUrl: true, jwt: false, scheduler: false, exports: false },
  },
  // Recorded Stripe events (the table's stream, entity stripe_queued): applies them with the
  // dues service, so Stripe reads; the receipt and failure mails it queues are sent by the
  // streams consumer, so no SES (docs/dues.md).
  stripeEvents: {
    entry: 'functions/stripe-events/handler.ts',
    // A batch is 25 events, each tried up to 3 times with short pauses.
    timeout: Duration.minutes(2),
    access: { table: true, cursorSecret: false, linkSecret: false, stripe: true, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },
  },
  // The web app's pages: reads through the same services as the API, takes RSVPs and joins
  // (so Stripe Checkout), signs leave-the-waitlist links, verifies the session's ID token.
  // The organizer's event page pages attendees (cursors) and cancels events (so keeps their
  // schedules in step), as the events function does; the admin dashboard pages its members list.
  // Their CSV downloads are answered inline, or for a long list by the export job (started by
  // the job item it writes, through the stream), which writes the file and mails the link:
  // the pages write no file themselves.
  web: {
    entry: 'functions/web/handler.ts',
    timeout: Duration.seconds(10),
    access: { table: true, cursorSecret: true, linkSecret: true, stripe: true, ses: false, apiUrl: true, jwt: true, scheduler: 'manage', exports: false },
  },
  // Long exports, invoked asynchronously by the streams consumer when a function that exports
  // writes a job item: reads the list, streams it into the exports bucket, queues the mail with
  // the link (sent by the streams consumer, so no SES). API_URL: the local file links.
  exportJob: {
    entry: 'functions/jobs/exports.ts',
    // 250,000 rows stream in well under a minute; the rest is room for a slow table or S3.
    timeout: Duration.minutes(15),
    access: { table: true, cursorSecret: false, linkSecret: false, stripe: false, ses: false, apiUrl: true, jwt: false, scheduler: false, exports: 'readWrite' },
  },
  // SES bounces and complaints (SNS): writes suppressions.
  sesEvents: {
    entry: 'functions/ses-events/handler.ts',
    timeout: Duration.seconds(30),
    access: { table: true, cursorSecret: false, linkSecret: false, stripe: false, ses: false, apiUrl: false, jwt: false, scheduler: false, exports: false },
  },
} as const satisfies Record<string, { entry: string; timeout: Duration; access: FunctionAccess }>;
export type WorkerName = keyof typeof workers;
export const workerNames = Object.keys(workers) as WorkerName[];

export interface PlatformStackProps extends StackProps {
  settings: Settings;
}

export class PlatformStack extends Stack {
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const data = new Data(this, 'Data');
    const auth = new Auth(this, 'Auth', { appUrl: settings.appUrl, mailFrom: settings.mailFrom, mailFromDomain: settings.mailFromDomain });
    const functions = new Functions(this, 'Functions', {
      mailFrom: settings.mailFrom,
      corsOrigins: settings.corsOrigins,
      appUrl: settings.appUrl,
      platformFeePercent: settings.platformFeePercent,
      sesMaxSendRate: settings.sesMaxSendRate,
    });
    const daily = new ScheduledJob(this, 'DailyJob', {
      functions,
      name: 'jobsDaily',
      entry: jobs.jobsDaily.entry,
      timeout: jobs.jobsDaily.timeout,
      schedule: events.Schedule.expression(jobs.jobsDaily.schedule),
      description: 'Daily dues job: Stripe reconciliation, renewal reminders, lapsing, mail retries',
    });
    const schedules = new OneTimeSchedules(this, 'Schedules', {
      functions,
      name: 'jobsScheduled',
      entry: workers.jobsScheduled.entry,
      timeout: workers.jobsScheduled.timeout,
    });
    const outbox = new StreamConsumer(this, 'Outbox', {
      functions,
      table: data.table,
      name: 'streams',
      entry: workers.streams.entry,
      timeout: workers.streams.timeout,
      filters: streamFilters.streams,
    });
    // Recorded Stripe events, applied in stream order per customer (docs/dues.md).
    const stripeEvents = new StreamConsumer(this, 'StripeEvents', {
      functions,
      table: data.table,
      name: 'stripeEvents',
      entry: workers.stripeEvents.entry,
      timeout: workers.stripeEvents.timeout,
      // Only the queue's records; the outbox consumer's filters never match them, so neither waits behind the other.
      filters: streamFilters.stripeEvents,
    });
    const mail = new Mail(this, 'Mail', {
      functions,
      mailFrom: settings.mailFrom,
      mailFromDomain: settings.mailFromDomain,
      notifications: { name: 'sesEvents', entry: workers.sesEvents.entry, timeout: workers.sesEvents.timeout },
    });
    const exportFiles = new ExportFiles(this, 'Exports');
    const exportJob = new ExportJob(this, 'ExportJob', { functions, entry: workers.exportJob.entry, timeout: workers.exportJob.timeout });
    // The streams consumer starts each new job (lib/constructs/exports.ts says why not a reader of its own).
    exportJob.allowStarting(outbox.fn);

    const api = new Api(this, 'Api', {
      functions: functions.byName,
      jwtIssuer: auth.issuer,
      jwtAudience: [auth.webClient.userPoolClientId],
      corsOrigins: settings.corsOrigins,
      throttleRate: settings.throttleRate,
      throttleBurst: settings.throttleBurst,
    });

    const webFn = functions.addWorker('web', { entry: workers.web.entry, timeout: workers.web.timeout });
    webFn.addEnvironment('AUTH_URL', auth.oauthUrl);
    webFn.addEnvironment('AUTH_CLIENT_ID', auth.webClient.userPoolClientId);
    const web = new WebApp(this, 'Web', { httpApi: api.httpApi, fn: webFn });

    const grant = (fn: NodejsFunction, access: FunctionAccess) => {
      if (access.table) data.grantReadWrite(fn);
      if (access.cursorSecret) functions.passCursorSecret(fn);
      if (access.linkSecret) functions.passLinkSecret(fn);
      if (access.stripe) functions.passStripe(fn);
      if (access.ses) mail.allowSending(fn);
      // The API's own endpoint, not the stage URL: no trailing slash, and no dependency on the
      // stage, which depends on the routes and so on the functions (the API itself does not).
      if (access.apiUrl) fn.addEnvironment('API_URL', api.httpApi.apiEndpoint);
      if (access.jwt) {
        // What the JWT authorizer checks: https://cognito-idp.<region>.amazonaws.com/<pool id>, and the web client.
        fn.addEnvironment('JWT_ISSUER', auth.issuer);
        fn.addEnvironment('JWT_AUDIENCE', auth.webClient.userPoolClientId);
      }
      if (access.scheduler === 'manage') schedules.allowManaging(fn);
      else if (access.scheduler === 'settings') schedules.passSettings(fn);
      if (access.exports === 'readWrite') exportFiles.grantReadWrite(fn);
      else if (access.exports === 'settings') exportFiles.passName(fn);
    };
    for (const name of functionNames) grant(functions.byName[name], functionAccess[name]);
    grant(daily.fn, jobs.jobsDaily.access);
    grant(schedules.fn, workers.jobsScheduled.access);
    grant(outbox.fn, workers.streams.access);
    grant(stripeEvents.fn, workers.stripeEvents.access);
    grant(mail.fn, workers.sesEvents.access);
    grant(webFn, workers.web.access);
    grant(exportJob.fn, workers.exportJob.access);

    const monitoring = new Monitoring(this, 'Monitoring', {
      httpApi: api.httpApi,
      functions: { ...functions.byName, jobsDaily: daily.fn, jobsScheduled: schedules.fn, streams: outbox.fn, stripeEvents: stripeEvents.fn, sesEvents: mail.fn, web: webFn, exportJob: exportJob.fn },
      deadLetterQueues: {
        DailyJobDlq: daily.deadLetterQueue,
        ScheduledJobDlq: schedules.deadLetterQueue,
        StreamFailures: outbox.failures,
        StripeEventFailures: stripeEvents.failures,
        SesEventsDlq: mail.deadLetterQueue,
        ExportJobDlq: exportJob.deadLetterQueue,
      },
      streamConsumers: { streams: outbox.fn, stripeEvents: stripeEvents.fn },
      table: data.table,
      alarmEmail: settings.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'UserPoolId', { value: auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: auth.webClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.topic.topicArn });
    new CfnOutput(this, 'StripeSecretArn', {
      value: functions.stripeSecret.secretArn,
      description: 'Put {"secretKey","webhookSecret"} here after the first deploy (docs/deploy.md)',
    });
    new CfnOutput(this, 'LinkSecretArn', {
      value: functions.linkSecret.secretArn,
      description: 'Keys of the links in mail, JSON {"kid","key","previousKid","previousKey"}; rotate as in docs/deploy.md',
    });
    new CfnOutput(this, 'DailyJobFunctionName', { value: daily.fn.functionName, description: 'Run by hand with aws lambda invoke' });
    new CfnOutput(this, 'DailyJobDeadLetterQueueUrl', { value: daily.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'SesConfigurationSetName', { value: mail.configurationSet.configurationSetName });
    new CfnOutput(this, 'SesEventsDeadLetterQueueUrl', { value: mail.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ScheduleGroupName', { value: schedules.group.scheduleGroupName });
    new CfnOutput(this, 'ScheduledJobDeadLetterQueueUrl', { value: schedules.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'StreamFailuresQueueUrl', { value: outbox.failures.queueUrl });
    new CfnOutput(this, 'ExportJobDeadLetterQueueUrl', { value: exportJob.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ExportsBucketName', { value: exportFiles.bucket.bucketName });
    new CfnOutput(this, 'WebUrl', { value: `https://${web.distribution.distributionDomainName}`, description: 'The web app (set appUrl to it, or to a custom domain in front of it)' });
    new CfnOutput(this, 'WebAssetsBucketName', { value: web.assets.bucketName, description: 'Upload web/dist here after npm run build:web (docs/deploy.md)' });
  }
}
