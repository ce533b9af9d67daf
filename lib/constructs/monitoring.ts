import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  httpApi: apigw.HttpApi;
  /** Every function, HTTP and scheduled, by name. */
  functions: Record<string, lambda.IFunction>;
  /** Dead-letter queues, by name: a message in one means something was given up on. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** Stream consumers, by name: their IteratorAge says how far behind the stream they are. */
  streamConsumers: Record<string, lambda.IFunction>;
  table: dynamodb.Table;
  alarmEmail?: string;
}

// Operations the functions may call; a math expression over more than 10 metrics cannot alarm.
const tableOperations = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.BATCH_WRITE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
  dynamodb.Operation.TRANSACT_GET_ITEMS,
];

/** Alarms that page the operator through one SNS topic. */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key,
    // and alarm notifications carry no personal data. Publishing without TLS is denied.
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Association platform alarms', enforceSSL: true });
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const period = Duration.minutes(5);
    this.alarm('Api5xx', props.httpApi.metricServerError({ period, statistic: 'Sum' }), 5, 'HTTP API answered 5xx 5+ times in 5 minutes');
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), 1, `${name} function errors (uncaught exceptions, timeouts)`);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period, statistic: 'Sum' }), 1, `${name} function throttled (concurrency limit)`);
    }
    for (const [name, fn] of Object.entries(props.streamConsumers)) {
      this.alarm(
        `${name}IteratorAge`,
        fn.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
        Duration.minutes(5).toMilliseconds(),
        `${name} is 5+ minutes behind the table stream (mail and waitlist promotions are late): look for errors or throttles of the function`,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(
        `${name}Messages`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        1,
        `${name} holds failed invocations: look at the messages, fix the cause, then purge or re-run (docs/deploy.md)`,
      );
    }
    this.alarm(
      'TableThrottles',
      props.table.metricThrottledRequestsForOperations({ operations: tableOperations, period }),
      1,
      'DynamoDB throttled requests on the table',
    );
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string) {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
