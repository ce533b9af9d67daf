import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { asyncRetries, failureQueue } from './queues.js';
import { acknowledge, findingResource } from '../nag.js';
import type { Functions } from './functions.js';
import { exportJobNodeOptions } from '../bundling.js';

/**
 * Export files too large for one response (attendee lists): written by the functions,
 * downloaded through presigned GET links that expire after minutes, and deleted by a
 * lifecycle rule a day later. Server access logs go to a second bucket.
 */
export class ExportFiles extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // S3 delivers server access logs under a bucket policy (logging.s3.amazonaws.com, this
    // bucket only) instead of the legacy log-delivery ACL: the current CDK default, set here
    // because cdk.json predates it.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Who downloaded which file: kept three months, like the API's access logs.
      lifecycleRules: [{ expiration: Duration.days(90) }],
      // The access record outlives the stack; empty and delete it by hand (docs/deploy.md).
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Links are valid for minutes; nothing needs a file after a day. Lifecycle expiry runs
      // once a day, so a file is gone one to two days after it was written.
      lifecycleRules: [{ expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'exports/',
      // CloudFormation cannot delete a bucket with files in it, and autoDeleteObjects would add
      // a custom-resource Lambda allowed to empty it. Retained, the lifecycle rule still empties
      // it within two days; then delete it by hand (docs/deploy.md).
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
  }

  /** EXPORTS_BUCKET only: the code requires it at cold start, but this function never writes a file. */
  passName(fn: lambda.Function): void {
    fn.addEnvironment('EXPORTS_BUCKET', this.bucket.bucketName);
  }

  /** EXPORTS_BUCKET, and PutObject, GetObject and AbortMultipartUpload (presigned links are signed with the function's role) on its objects. */
  grantReadWrite(fn: lambda.Function): void {
    this.passName(fn);
    const objects = this.bucket.arnForObjects('*');
    // Multipart uploads need only PutObject for their parts; AbortMultipartUpload cleans up after a failed one.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'], resources: [objects] }));
    acknowledge(
      fn.role!,
      `AwsSolutions-IAM5[Resource::${findingResource(this, objects)}]`,
      'Export files get a new key each time (exports/<association>/<export id>/<file>); /* names only the objects of the dedicated exports bucket, which holds nothing else.',
    );
  }
}

export interface ExportJobProps {
  functions: Functions;
  /** Handler file relative to the project root. */
  entry: string;
  timeout: Duration;
}

/**
 * The export job, for a list too long for one response: the request writes a pending job item,
 * and the table's stream consumer (functions/streams) invokes this function asynchronously
 * (InvocationType Event) for each new one. It is not a stream consumer of its own: a third
 * reader of the table's stream would pass DynamoDB Streams' two readers per shard. The job
 * claims its item with a conditional write before it runs, so an invocation delivered twice
 * runs once. Lambda retries a failed run twice within six hours; what still fails lands in the
 * dead-letter queue (alarmed in Monitoring).
 */
export class ExportJob extends Construct {
  readonly fn: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ExportJobProps) {
    super(scope, id);
    this.deadLetterQueue = failureQueue(this);
    this.fn = props.functions.addJob('exportJob', {
      entry: props.entry,
      timeout: props.timeout,
      deadLetterQueue: this.deadLetterQueue,
      ...asyncRetries,
      environment: { NODE_OPTIONS: exportJobNodeOptions },
    });
  }

  /**
   * EXPORT_JOB_FUNCTION, and lambda:InvokeFunction on this one function's unqualified ARN: an
   * explicit statement rather than fn.grantInvoke, which also allows every version and alias (ARN:*).
   * Only the streams consumer starts jobs.
   */
  allowStarting(caller: lambda.Function): void {
    caller.addEnvironment('EXPORT_JOB_FUNCTION', this.fn.functionName);
    caller.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }
}
