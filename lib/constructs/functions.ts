import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../../functions/core/api.js';
import { acknowledge } from '../nag.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface FunctionsProps {
  mailFrom: string;
  corsOrigins: string[];
}

/** One Lambda per bounded context (functions/<name>/handler.ts), each with its own role and log group. */
export class Functions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;
  readonly cursorSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
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

    const byName = {} as Record<FunctionName, NodejsFunction>;
    for (const name of functionNames) {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
      // Own role instead of AWSLambdaBasicExecutionRole: writes to its own log group only.
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of the ${name} function`,
      });
      logGroup.grantWrite(role);

      byName[name] = new NodejsFunction(this, name, {
        entry: path.join(root, 'functions', name, 'handler.ts'),
        handler: 'handler',
        projectRoot: root,
        depsLockFilePath: path.join(root, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 1024,
        timeout: Duration.seconds(10),
        role,
        logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        environment: {
          MAIL_FROM: props.mailFrom,
          CORS_ORIGINS: props.corsOrigins.join(','),
          POWERTOOLS_SERVICE_NAME: name,
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
        bundling: {
          forceDockerBundling: false,
          minify: true,
          // Error classes keep their names after minification.
          keepNames: true,
          sourceMap: false,
          target: 'node24',
          format: OutputFormat.ESM,
          mainFields: ['module', 'main'],
          // Lets CommonJS dependencies call require() inside the ESM bundle.
          banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
          // Bundle the AWS SDK too: the version the tests ran against, not the runtime's.
          externalModules: [],
        },
      });
    }
    this.byName = byName;
  }

  /** CURSOR_SECRET, only for the functions that sign list cursors. */
  passCursorSecret(fn: lambda.Function): void {
    // A CloudFormation dynamic reference, resolved at deploy time into the function's
    // configuration. Acceptable because the key only signs pagination cursors; fetching it
    // from Secrets Manager at cold start would add a client, an IAM grant and latency.
    // CloudFormation re-resolves it only when it updates the function: after a new value, deploy an update.
    fn.addEnvironment('CURSOR_SECRET', this.cursorSecret.secretValue.unsafeUnwrap());
  }
}
