import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../functions/core/api.js';
import { Api } from './constructs/api.js';
import { Auth } from './constructs/auth.js';
import { Data } from './constructs/data.js';
import { Functions } from './constructs/functions.js';
import { ScheduledJob } from './constructs/jobs.js';
import { Monitoring } from './constructs/monitoring.js';
import type { Settings } from './settings.js';

/** What a function may use; test/cdk checks each against what its bundle actually reads. */
export interface FunctionAccess {
  /** Read/write on the table and its indexes, and TABLE_NAME. */
  table: boolean;
  /** CURSOR_SECRET, for the functions that sign list cursors. */
  cursorSecret: boolean;
  /** STRIPE_SECRET_ARN with GetSecretValue on it, PLATFORM_FEE_PERCENT and SES_MAX_SEND_RATE. */
  stripe: boolean;
  /** ses:SendEmail as the mailFrom identity. */
  ses: boolean;
}

/** The HTTP functions. A Record, so a new function cannot be left out. */
export const functionAccess: Record<FunctionName, FunctionAccess> = {
  associations: { table: true, cursorSecret: true, stripe: false, ses: false },
  // Joining a paid plan starts a Stripe Checkout; an offline payment mails a receipt.
  members: { table: true, cursorSecret: true, stripe: true, ses: true },
  profiles: { table: true, cursorSecret: false, stripe: false, ses: false },
  meta: { table: false, cursorSecret: false, stripe: false, ses: false },
  // Onboarding, checkout, billing portal and the ledger: nothing it does sends mail (the
  // receipts go out from webhooks and the daily job), so no SES; test/cdk fails if that changes.
  dues: { table: true, cursorSecret: true, stripe: true, ses: false },
  // Signed Stripe events: verifies with the webhook secret, mails receipts and failures.
  webhooks: { table: true, cursorSecret: false, stripe: true, ses: true },
};

/** The scheduled functions: name, handler file, schedule and access. */
export const jobs = {
  jobsDaily: {
    entry: 'functions/jobs/daily.ts',
    // 03:00 UTC every day: reconciles with Stripe, sends renewal reminders, lapses expired memberships, retries mail.
    schedule: 'cron(0 3 * * ? *)',
    timeout: Duration.minutes(5),
    access: { table: true, cursorSecret: false, stripe: true, ses: true },
  },
} as const satisfies Record<string, { entry: string; schedule: string; timeout: Duration; access: FunctionAccess }>;
export type JobName = keyof typeof jobs;
export const jobNames = Object.keys(jobs) as JobName[];

export interface PlatformStackProps extends StackProps {
  settings: Settings;
}

export class PlatformStack extends Stack {
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const data = new Data(this, 'Data');
    const auth = new Auth(this, 'Auth');
    const functions = new Functions(this, 'Functions', {
      mailFrom: settings.mailFrom,
      mailFromDomain: settings.mailFromDomain,
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

    const grant = (fn: NodejsFunction, access: FunctionAccess) => {
      if (access.table) data.grantReadWrite(fn);
      if (access.cursorSecret) functions.passCursorSecret(fn);
      if (access.stripe) functions.passStripe(fn);
      if (access.ses) functions.allowSendingMail(fn);
    };
    for (const name of functionNames) grant(functions.byName[name], functionAccess[name]);
    grant(daily.fn, jobs.jobsDaily.access);

    const api = new Api(this, 'Api', {
      functions: functions.byName,
      jwtIssuer: auth.issuer,
      jwtAudience: [auth.webClient.userPoolClientId],
      corsOrigins: settings.corsOrigins,
      throttleRate: settings.throttleRate,
      throttleBurst: settings.throttleBurst,
    });
    const monitoring = new Monitoring(this, 'Monitoring', {
      httpApi: api.httpApi,
      functions: { ...functions.byName, jobsDaily: daily.fn },
      deadLetterQueues: { DailyJobDlq: daily.deadLetterQueue },
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
    new CfnOutput(this, 'DailyJobFunctionName', { value: daily.fn.functionName, description: 'Run by hand with aws lambda invoke' });
    new CfnOutput(this, 'DailyJobDeadLetterQueueUrl', { value: daily.deadLetterQueue.queueUrl });
  }
}
