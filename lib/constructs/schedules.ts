import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { asyncRetries, failureQueue } from './queues.js';
import { acknowledge, findingResource } from '../nag.js';
import type { Functions } from './functions.js';

export interface OneTimeSchedulesProps {
  functions: Functions;
  /** Function name (also its POWERTOOLS_SERVICE_NAME), e.g. jobsScheduled. */
  name: string;
  /** Handler file relative to the project root. */
  entry: string;
  timeout: Duration;
}

/**
 * One-time EventBridge Scheduler schedules the functions create at run time (an event's
 * 24-hour reminder), all in one schedule group, all invoking one function through a role
 * that may invoke nothing else. Invocations that keep failing go to a dead-letter queue.
 */
export class OneTimeSchedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly fn: NodejsFunction;
  /** The role EventBridge Scheduler assumes to invoke `fn`. */
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  /**
   * ARN of `fn`, built from its fixed name: the schedules' target (SCHEDULE_TARGET_ARN).
   * `fn` reads that variable too, and a function cannot reference its own ARN.
   */
  readonly targetArn: string;

  constructor(scope: Construct, id: string, props: OneTimeSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Deleting the group deletes its schedules: with the stack gone, their target is gone too.
    this.group = new scheduler.ScheduleGroup(this, 'Group', { removalPolicy: RemovalPolicy.DESTROY });

    this.deadLetterQueue = failureQueue(this);

    // The stack name carries the stage, so two stages in one account do not collide (64 characters at most).
    const functionName = `${stack.stackName}-${props.name}`;
    this.fn = props.functions.addJob(props.name, {
      entry: props.entry,
      timeout: props.timeout,
      deadLetterQueue: this.deadLetterQueue,
      // Scheduler invokes asynchronously: after its own retries (the schedule's RetryPolicy),
      // Lambda retries a failing run twice within six hours, then gives up to the queue.
      ...asyncRetries,
      functionName,
    });
    this.targetArn = stack.formatArn({ service: 'lambda', resource: 'function', resourceName: functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    this.role = new iam.Role(this, 'InvokeRole', {
      description: `Assumed by EventBridge Scheduler to invoke the ${props.name} function`,
      // Only schedules of this account's group may use it (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    // The unqualified function only: no versions or aliases, no other function.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }

  /** SCHEDULE_GROUP, SCHEDULE_TARGET_ARN, SCHEDULE_ROLE_ARN only: the code requires them at cold start, but this function never schedules. */
  passSettings(fn: lambda.Function): void {
    fn.addEnvironment('SCHEDULE_GROUP', this.group.scheduleGroupName);
    fn.addEnvironment('SCHEDULE_TARGET_ARN', this.targetArn);
    fn.addEnvironment('SCHEDULE_ROLE_ARN', this.role.roleArn);
  }

  /**
   * The settings, and Create/Update/DeleteSchedule on the group's schedules, with PassRole on
   * the invoke role, only to EventBridge Scheduler: schedules it makes can invoke nothing else.
   */
  allowManaging(fn: lambda.Function): void {
    this.passSettings(fn);
    const stack = Stack.of(this);
    const schedules = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.group.scheduleGroupName}/*` });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledge(
      fn.role!,
      `AwsSolutions-IAM5[Resource::${findingResource(this, schedules)}]`,
      'Schedules are created at run time, one per event (event-reminder-<event id>); <group>/* names only the schedules of this stack\'s own schedule group, and the role they may pass can only invoke the scheduled-jobs function.',
    );
  }
}
