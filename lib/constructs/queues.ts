import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A queue for what still failed after the retries: encrypted, TLS only, and kept the longest
 * SQS allows, time to look at a failed run after a long weekend. Monitoring alarms on each.
 */
export function failureQueue(scope: Construct, id = 'DeadLetterQueue'): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

/** Lambda's own retries of an asynchronous invocation: twice, within six hours, then the queue. */
export const asyncRetries = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;
