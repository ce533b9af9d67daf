import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { acknowledge, findingResource } from '../nag.js';
import type { Functions } from './functions.js';
import { exportJobNodeOptions } from '../bundling.js';
import { StreamConsumer } from './streams.js';

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
  table: dynamodb.Table;
  /** Handler file relative to the project root. */
  entry: string;
  timeout: Duration;
}

/**
 * The export job, started by the table's stream: a request that finds a list too long for one
 * response writes a pending job item (entity exportJob), and this function's own event source
 * mapping, filtered to new job items, hands it each one. The job claims its item with a
 * conditional write before it runs, so a record delivered twice runs once. A failing run is
 * retried twice; what still fails, or waited over an hour (the status calls such a job failed
 * by then), is described in the failures queue (alarmed in Monitoring).
 */
export class ExportJob extends Construct {
  readonly fn: NodejsFunction;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: ExportJobProps) {
    super(scope, id);
    const { FilterCriteria, FilterRule } = lambda;
    const consumer = new StreamConsumer(this, 'Stream', {
      functions: props.functions,
      table: props.table,
      name: 'exportJob',
      entry: props.entry,
      timeout: props.timeout,
      environment: { NODE_OPTIONS: exportJobNodeOptions },
      filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { entity: { S: FilterRule.isEqual('exportJob') } } } })],
      // One job per invocation, and up to 10 of a shard at once (in order per association):
      // a 15-minute job holds back only the jobs of its own association.
      batchSize: 1,
      parallelizationFactor: 10,
      // As the asynchronous invocation it replaces: two retries.
      retryAttempts: 2,
      maxRecordAge: Duration.hours(1),
    });
    this.fn = consumer.fn;
    this.failures = consumer.failures;
  }
}
