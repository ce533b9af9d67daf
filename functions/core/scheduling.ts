/**
 * One-time schedules per event (the 24-hour reminder, matchmaking): EventBridge Scheduler
 * in AWS, kept in step when the event moves or is cancelled; locally, schedule items the
 * local runner fires. Both call the same scheduled-jobs handler with the same payload.
 */
// A static import: esbuild keeps the client and these commands only, and drops them from the
// functions that never call awsScheduler (a dynamic import() would bundle every command).
import { CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import type { Store } from './data/store.js';

export interface Scheduler {
  /** Creates or moves the schedule `name` to fire once at `at` (UTC ISO). */
  upsert(name: string, at: string, payload: Record<string, unknown>): Promise<void>;
  remove(name: string): Promise<void>;
}

export function localScheduler(store: Store): Scheduler {
  return {
    upsert: async (name, at, payload) => {
      await store.deleteLocalSchedule(name);
      await store.putLocalSchedule(name, at, payload);
    },
    remove: (name) => store.deleteLocalSchedule(name),
  };
}

export async function awsScheduler(opts: { group: string; targetArn: string; roleArn: string; region: string }): Promise<Scheduler> {
  const client = new SchedulerClient({ region: opts.region });
  const input = (name: string, at: string, payload: Record<string, unknown>) => ({
    Name: name,
    GroupName: opts.group,
    ScheduleExpression: `at(${at.slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    ActionAfterCompletion: 'DELETE' as const,
    Target: { Arn: opts.targetArn, RoleArn: opts.roleArn, Input: JSON.stringify(payload), RetryPolicy: { MaximumRetryAttempts: 3 } },
  });
  return {
    async upsert(name, at, payload) {
      try {
        await client.send(new UpdateScheduleCommand(input(name, at, payload)));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
        await client.send(new CreateScheduleCommand(input(name, at, payload)));
      }
    },
    async remove(name) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: opts.group }));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
    },
  };
}
