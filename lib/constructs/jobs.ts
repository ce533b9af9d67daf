import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { asyncRetries, failureQueue } from './queues.js';
import type { Functions } from './functions.js';

export interface ScheduledJobProps {
  functions: Functions;
  /** Function name (also its POWERTOOLS_SERVICE_NAME), e.g. jobsDaily. */
  name: string;
  /** Handler file relative to the project root. */
  entry: string;
  timeout: Duration;
  schedule: events.Schedule;
  description: string;
}

/**
 * A Lambda run by an EventBridge schedule. Whatever fails ends up in one dead-letter queue:
 * events EventBridge could not hand to Lambda (after 2 retries within 6 hours), and
 * invocations that still failed after Lambda's own 2 retries.
 */
export class ScheduledJob extends Construct {
  readonly fn: NodejsFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);

    this.deadLetterQueue = failureQueue(this);

    this.fn = props.functions.addJob(props.name, {
      entry: props.entry,
      timeout: props.timeout,
      deadLetterQueue: this.deadLetterQueue,
      ...asyncRetries,
    });

    this.rule = new events.Rule(this, 'Schedule', {
      description: props.description,
      schedule: props.schedule,
      targets: [
        new targets.LambdaFunction(this.fn, {
          ...asyncRetries,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
