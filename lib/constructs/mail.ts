import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { asyncRetries, failureQueue } from './queues.js';
import type { Functions } from './functions.js';

export interface MailProps {
  functions: Functions;
  /** Sender address (MAIL_FROM) and its domain: the SES identities the functions may send as. */
  mailFrom: string;
  mailFromDomain: string;
  /** The function that records bounces and complaints: name, handler file, timeout. */
  notifications: { name: string; entry: string; timeout: Duration };
}

/**
 * Sending mail with SES: a configuration set every send goes through, whose event destination
 * publishes bounces and complaints to an SNS topic; a function subscribed to it suppresses
 * those addresses. Deliveries the function keeps failing on end up in a dead-letter queue.
 */
export class Mail extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  /** Bounce and complaint notifications (they name recipients: KMS-encrypted). */
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  /** The sesEvents function. */
  readonly fn: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MailProps,
  ) {
    super(scope, id);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      // Bounce and complaint rates per configuration set in CloudWatch (AWS/SES).
      reputationMetrics: true,
    });

    // A customer managed key: SES cannot publish to a topic under the AWS managed SNS key,
    // whose policy cannot be changed. It only protects notifications in flight, so it goes with the stack.
    this.key = new kms.Key(this, 'NotificationsKey', {
      description: 'Encrypts the SES bounce and complaint notifications topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // What SES needs to publish to an encrypted topic (the SNS and SES guides' key policy for
    // AWS service publishers). Which configuration set may publish is restricted by the topic
    // policy the event destination adds (aws:SourceArn), not here.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'NotificationsTopic', {
      displayName: 'SES bounces and complaints',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.deadLetterQueue = failureQueue(this);
    // SNS invokes asynchronously: Lambda retries twice, then the notification goes to the
    // queue; SNS puts there what it could not deliver at all.
    this.fn = props.functions.addJob(props.notifications.name, {
      entry: props.notifications.entry,
      timeout: props.notifications.timeout,
      deadLetterQueue: this.deadLetterQueue,
      ...asyncRetries,
    });
    this.topic.addSubscription(new subscriptions.LambdaSubscription(this.fn, { deadLetterQueue: this.deadLetterQueue }));
  }

  /**
   * SES v2 SendEmail, only as the sender's own identities (the mailFrom address and its
   * domain) and through the configuration set, whose name goes in SES_CONFIGURATION_SET.
   */
  allowSending(fn: lambda.Function): void {
    const stack = Stack.of(this);
    const sesArn = (resource: string, name: string) =>
      stack.formatArn({ service: 'ses', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    fn.addEnvironment('SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        // SES authorizes a send against the verified identity it uses (the address if it is
        // verified itself, otherwise its domain) and against the configuration set named in it.
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          sesArn('identity', this.props.mailFromDomain),
          sesArn('identity', this.props.mailFrom),
          sesArn('configuration-set', this.configurationSet.configurationSetName),
        ],
      }),
    );
  }
}
