import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, SecretValue } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../../functions/core/api.js';
import { bundling } from '../bundling.js';
import { acknowledge } from '../nag.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What the Stripe secret holds until the operator puts the real keys in (docs/deploy.md).
 * The functions refuse empty keys at cold start. CloudFormation writes this value only when
 * the secret is created or when this template value changes, so a redeploy does not wipe the
 * keys put in by hand: do not change it.
 */
export const stripeSecretPlaceholder = { secretKey: '', webhookSecret: '' };

export interface FunctionsProps {
  mailFrom: string;
  corsOrigins: string[];
  appUrl: string;
  platformFeePercent: number;
  sesMaxSendRate: number;
}

export interface JobOptions {
  /** Handler file, relative to the project root; it must export `handler`. */
  entry: string;
  timeout: Duration;
  /** Where Lambda puts an asynchronous invocation that still fails after its retries. */
  deadLetterQueue: sqs.IQueue;
  /** Lambda's own retries of a failed asynchronous invocation (0-2). */
  retryAttempts: number;
  /** How long Lambda keeps trying an asynchronous invocation. */
  maxEventAge: Duration;
  /** A fixed function name, only where the function must know its own ARN before it exists. */
  functionName?: string;
  /** Variables of its own, beside the ones every function gets. */
  environment?: Record<string, string>;
}

export interface WorkerOptions {
  /** Handler file, relative to the project root; it must export `handler`. */
  entry: string;
  timeout: Duration;
  environment?: Record<string, string>;
}

/**
 * One Lambda per bounded context (functions/<name>/handler.ts) and the scheduled jobs, each
 * with its own role and log group, all bundled the same way.
 */
export class Functions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;
  readonly cursorSecret: secretsmanager.Secret;
  /** The links in mail's own HMAC keys, JSON {"kid","key","previousKid"?,"previousKey"?} (docs/deploy.md). */
  readonly linkSecret: secretsmanager.Secret;
  /** Stripe API key and webhook signing secret, JSON {"secretKey","webhookSecret"}; filled in by the operator. */
  readonly stripeSecret: secretsmanager.Secret;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: FunctionsProps,
  ) {
    super(scope, id);

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key that makes list cursors tamper-evident',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(
      this.cursorSecret,
      'AwsSolutions-SMG4',
      'Only an HMAC key for pagination cursors, no credential to any system; rotating it just invalidates open cursors, so it is rotated by hand (regenerate and redeploy) rather than by a rotation Lambda.',
    );

    this.linkSecret = new secretsmanager.Secret(this, 'LinkSecret', {
      description: 'HMAC keys of the signed links in mail (unsubscribe, leave the waitlist, introduce us), JSON {"kid","key","previousKid","previousKey"}',
      // The first key, kid k1; later keys are put in by the operator, keeping the previous one (docs/deploy.md).
      generateSecretString: { secretStringTemplate: JSON.stringify({ kid: 'k1' }), generateStringKey: 'key', passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(
      this.linkSecret,
      'AwsSolutions-SMG4',
      'An HMAC key for links in mail, no credential to any system. Rotation must keep the previous key so links already mailed keep working (docs/deploy.md); a rotation Lambda would add code for a yearly manual step.',
    );

    this.stripeSecret = new secretsmanager.Secret(this, 'StripeSecret', {
      description: 'Stripe secret API key and webhook signing secret, JSON {"secretKey","webhookSecret"}; put in by the operator (docs/deploy.md)',
      // A placeholder without any secret in it: the real keys never appear in the template.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(stripeSecretPlaceholder)),
    });
    acknowledge(
      this.stripeSecret,
      'AwsSolutions-SMG4',
      'Holds Stripe API and webhook signing keys, which only Stripe can issue: they are rolled in the Stripe dashboard and then put here by the operator (docs/deploy.md). A Secrets Manager rotation Lambda cannot create Stripe keys.',
    );

    const byName = {} as Record<FunctionName, NodejsFunction>;
    for (const name of functionNames) {
      byName[name] = this.create(name, {
        entry: path.join('functions', name, 'handler.ts'),
        timeout: Duration.seconds(10),
        environment: { CORS_ORIGINS: props.corsOrigins.join(',') },
      });
    }
    this.byName = byName;
  }

  /**
   * A function that is not behind the API and is invoked asynchronously (a schedule, SNS):
   * same runtime, bundling, role and logs as the others, with a dead-letter queue.
   */
  addJob(name: string, options: JobOptions): NodejsFunction {
    return this.create(name, {
      entry: options.entry,
      timeout: options.timeout,
      environment: options.environment ?? {},
      deadLetterQueue: options.deadLetterQueue,
      retryAttempts: options.retryAttempts,
      maxEventAge: options.maxEventAge,
      functionName: options.functionName,
    });
  }

  /**
   * A function invoked synchronously by an event source mapping (a stream): the mapping
   * retries and keeps its own on-failure destination, so no asynchronous settings here.
   */
  addWorker(name: string, options: WorkerOptions): NodejsFunction {
    return this.create(name, { entry: options.entry, timeout: options.timeout, environment: options.environment ?? {} });
  }

  /** CURSOR_SECRET_ARN, for the functions that page lists: the key is read with GetSecretValue at cold start. */
  passCursorSecret(fn: lambda.Function): void {
    fn.addEnvironment('CURSOR_SECRET_ARN', this.cursorSecret.secretArn);
    this.cursorSecret.grantRead(fn);
  }

  /** LINK_SECRET_ARN, for the functions that sign or read links in mail: read on first use, never in the configuration. */
  passLinkSecret(fn: lambda.Function): void {
    fn.addEnvironment('LINK_SECRET_ARN', this.linkSecret.secretArn);
    this.linkSecret.grantRead(fn);
  }

  /**
   * The Stripe settings, for the functions that take payments: the secret's ARN (the keys
   * themselves are read with GetSecretValue at cold start, never put in the configuration),
   * and the dues settings the same code reads (application fee; the pace of the daily job's mail retries).
   */
  passStripe(fn: lambda.Function): void {
    fn.addEnvironment('STRIPE_SECRET_ARN', this.stripeSecret.secretArn);
    fn.addEnvironment('PLATFORM_FEE_PERCENT', String(this.props.platformFeePercent));
    fn.addEnvironment('SES_MAX_SEND_RATE', String(this.props.sesMaxSendRate));
    this.stripeSecret.grantRead(fn);
  }

  private create(
    name: string,
    options: Pick<lambda.FunctionOptions, 'timeout' | 'deadLetterQueue' | 'retryAttempts' | 'maxEventAge' | 'functionName'> & {
      entry: string;
      environment: Record<string, string>;
    },
  ): NodejsFunction {
    const { entry, environment, ...rest } = options;
    const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
    // Own role instead of AWSLambdaBasicExecutionRole: writes to its own log group only.
    const role = new iam.Role(this, `${name}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    logGroup.grantWrite(role);

    return new NodejsFunction(this, name, {
      ...rest,
      entry: path.join(root, entry),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        MAIL_FROM: this.props.mailFrom,
        APP_URL: this.props.appUrl,
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...environment,
      },
      // The options live in lib/bundling.ts, shared with bench/bundles.ts and the bundle-size test.
      bundling: {
        forceDockerBundling: false,
        ...bundling,
        format: OutputFormat.ESM,
        mainFields: [...bundling.mainFields],
        externalModules: [...bundling.externalModules],
      },
    });
  }
}
