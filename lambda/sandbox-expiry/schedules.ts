import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { atExpression, type ExpiryAction, type ExpiryPlan, timeOfAt } from './deadline';

/**
 * The one-time EventBridge Scheduler schedules that carry a sandbox stack's
 * time to live, in the stack's own schedule group (deleted with the stack,
 * schedules and all). The deletion schedule is the one place the deadline is
 * kept: `npm run sandbox -- status` reads it, and a deployment or
 * `npm run sandbox -- extend` rewrites it. Each schedule deletes itself once
 * it has run.
 */
export interface ExpirySchedules {
  /** The stack's schedule group. */
  readonly group: string;
  /** The expiry function the schedules invoke. */
  readonly functionArn: string;
  /** The role EventBridge Scheduler invokes it with. */
  readonly roleArn: string;
  /** The stack, for the schedules' descriptions. */
  readonly stackName: string;
}

/** The schedules' names in the group. */
export const SCHEDULE_NAMES = { warning: 'expiry-warning', deadline: 'expiry-deadline', check: 'expiry-check' } as const;

/** Creates the schedule, or rewrites it if it is there. */
async function putSchedule(
  client: SchedulerClient,
  schedules: ExpirySchedules,
  name: string,
  at: Date,
  input: ExpiryAction,
  description: string,
): Promise<void> {
  const request: CreateScheduleCommandInput = {
    Name: name,
    GroupName: schedules.group,
    Description: description,
    ScheduleExpression: atExpression(at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: schedules.functionArn,
      RoleArn: schedules.roleArn,
      Input: JSON.stringify(input),
      // Delivery to the function is retried for an hour at most; the function's own outcome is not retried.
      RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
    },
  };
  try {
    await client.send(new CreateScheduleCommand(request));
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
    await client.send(new UpdateScheduleCommand(request));
  }
}

/** Sets the deadline and its warning (a warning already past is left out), and drops a pending deletion check. */
export async function armExpiry(client: SchedulerClient, schedules: ExpirySchedules, plan: ExpiryPlan, now: Date): Promise<void> {
  await putSchedule(
    client,
    schedules,
    SCHEDULE_NAMES.deadline,
    plan.deadline,
    { action: 'expire', attempt: 0 },
    `Deletes ${schedules.stackName} (sandbox time to live)`,
  );
  if (plan.warning > now) {
    await putSchedule(
      client,
      schedules,
      SCHEDULE_NAMES.warning,
      plan.warning,
      { action: 'warn' },
      `Warns that ${schedules.stackName} is deleted in an hour`,
    );
  } else {
    await deleteSchedule(client, schedules, SCHEDULE_NAMES.warning);
  }
  await deleteSchedule(client, schedules, SCHEDULE_NAMES.check);
}

/** Schedules one more run of the function (a postponed deletion, or a check that a deletion finished). */
export async function scheduleAgain(client: SchedulerClient, schedules: ExpirySchedules, at: Date, input: ExpiryAction): Promise<void> {
  const name = input.action === 'expire' ? SCHEDULE_NAMES.deadline : SCHEDULE_NAMES.check;
  const what =
    input.action === 'expire'
      ? `Deletes ${schedules.stackName} (postponed: it was busy)`
      : `Checks that ${schedules.stackName} was deleted`;
  await putSchedule(client, schedules, name, at, input, what);
}

/** The armed deadline, with the target and role its schedules invoke, or undefined when none is armed. */
export async function armedDeadline(
  client: SchedulerClient,
  group: string,
): Promise<{ readonly deadline: Date; readonly functionArn: string; readonly roleArn: string } | undefined> {
  try {
    const schedule = await client.send(new GetScheduleCommand({ Name: SCHEDULE_NAMES.deadline, GroupName: group }));
    if (!schedule.ScheduleExpression || !schedule.Target?.Arn || !schedule.Target.RoleArn) return undefined;
    return { deadline: timeOfAt(schedule.ScheduleExpression), functionArn: schedule.Target.Arn, roleArn: schedule.Target.RoleArn };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** The deadline the deletion schedule holds, or undefined when none is armed. */
export async function currentDeadline(client: SchedulerClient, group: string): Promise<Date | undefined> {
  return (await armedDeadline(client, group))?.deadline;
}

async function deleteSchedule(client: SchedulerClient, schedules: ExpirySchedules, name: string): Promise<void> {
  try {
    await client.send(new DeleteScheduleCommand({ Name: name, GroupName: schedules.group }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}

/** Removes every schedule of the time to live (the custom resource's deletion; the group goes with the stack anyway). */
export async function disarmExpiry(client: SchedulerClient, schedules: ExpirySchedules): Promise<void> {
  for (const name of Object.values(SCHEDULE_NAMES)) await deleteSchedule(client, schedules, name);
}
