import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { failureQueue } from './queues.js';
import { acknowledge, findingResource } from '../nag.js';
import type { Functions } from './functions.js';
import type { FilterPattern } from '../stream-filters.js';

export interface StreamConsumerProps {
  functions: Functions;
  table: dynamodb.Table;
  /** Function name (also its POWERTOOLS_SERVICE_NAME), e.g. streams. */
  name: string;
  /** Handler file relative to the project root. */
  entry: string;
  timeout: Duration;
  /** Which records reach the function (lib/stream-filters.ts; the local stack filters with the same). */
  filters: FilterPattern[];
}

/**
 * The table's change stream, read by one function: new outbox mail and broadcasts, events
 * whose seats or waitlist changed, and outbox mail the daily sweep marked for retry. The function reports failed records one by one;
 * a record still failing after the retries, or older than a day, is described in a queue.
 */
export class StreamConsumer extends Construct {
  readonly fn: NodejsFunction;
  readonly mapping: lambda.EventSourceMapping;
  /** On-failure destination: what Lambda gave up on (stream, shard, sequence numbers, not the record itself). */
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn!;

    this.failures = failureQueue(this, 'Failures');
    acknowledge(
      this.failures,
      'AwsSolutions-SQS3',
      'This queue is itself the on-failure destination of the stream event source mapping (cdk-nag only recognizes redrive policies and Lambda DeadLetterConfig); nothing consumes it but the operator, so it needs no dead-letter queue of its own.',
    );

    this.fn = props.functions.addWorker(props.name, { entry: props.entry, timeout: props.timeout });

    // Reading the stream, as the DynamoDB guide's policy for a Lambda consumer, but the
    // record-reading actions on this stream only. Not table.grantStreamRead, which allows ListStreams on *.
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    const tableStreams = `${props.table.tableArn}/stream/*`;
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: [tableStreams] }));
    acknowledge(
      this.fn.role!,
      `AwsSolutions-IAM5[Resource::${findingResource(this, tableStreams)}]`,
      'ListStreams only lists stream ARNs; <table>/stream/* names the streams of this one table (a new stream label each time the stream is re-enabled), as in the DynamoDB guide for Lambda consumers.',
    );

    this.mapping = new lambda.EventSourceMapping(this, 'Mapping', {
      target: this.fn,
      eventSourceArn: streamArn,
      // An outbox must not skip mail written while the mapping was being created or disabled.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      // 25 for mail: a batch's sends (SES backoff, a broadcast's expansion) must fit the timeout,
      // and one slow record holds the rest of its batch. The same batches are counted into the
      // dashboards' counters after their mail (services/stats.ts sums a batch per counter item);
      // a mapping of its own for counting would be a third reader of the stream.
      batchSize: 25,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      maxRecordAge: Duration.days(1),
      onFailure: new SqsDlq(this.failures),
      // Everything else in the stream is dropped before the function is invoked.
      filters: props.filters.map((pattern) => lambda.FilterCriteria.filter(pattern)),
    });
  }
}
