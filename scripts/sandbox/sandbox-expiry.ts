import type { Stack } from '@aws-sdk/client-cloudformation';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { planFrom } from '../../lambda/sandbox-expiry/deadline';
import { armExpiry, armedDeadline } from '../../lambda/sandbox-expiry/schedules';
import { EXPIRY_OUTPUTS } from '../../lib/shared/sandbox-expiry';
import { type AwsAccess, AwsSetupError, deployedStacks, firstLine } from '../aws/deployed-stacks';

/** One architecture's sandbox as `npm run sandbox -- status` tells it. */
export type SandboxState =
  | { readonly kind: 'not-deployed' }
  | { readonly kind: 'no-time-to-live'; readonly stackName: string }
  | { readonly kind: 'not-armed'; readonly stackName: string; readonly status: string }
  | { readonly kind: 'expires'; readonly stackName: string; readonly deadline: Date };

const output = (stack: Stack, key: string) => stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;

function scheduler(access: AwsAccess): SchedulerClient {
  return new SchedulerClient({ region: access.region, credentials: access.credentials, maxAttempts: 2 });
}

/** Each architecture's deployed sandbox and its deadline, read from its schedules (extensions included). */
export async function sandboxStates(access: AwsAccess, architectures: readonly string[]): Promise<Map<string, SandboxState>> {
  const stacks = await deployedStacks(access, 'sandbox');
  const client = scheduler(access);
  const states = new Map<string, SandboxState>();
  try {
    for (const architecture of architectures) {
      const stack = stacks.get(architecture);
      if (!stack) {
        states.set(architecture, { kind: 'not-deployed' });
        continue;
      }
      const stackName = stack.StackName!;
      const group = output(stack, EXPIRY_OUTPUTS.schedules);
      if (!group) {
        states.set(architecture, { kind: 'no-time-to-live', stackName });
        continue;
      }
      const armed = await armedDeadline(client, group).catch((error) => {
        throw new AwsSetupError(`Could not read the time to live of ${stackName} (${firstLine(error)}).`);
      });
      states.set(
        architecture,
        armed
          ? { kind: 'expires', stackName, deadline: armed.deadline }
          : { kind: 'not-armed', stackName, status: stack.StackStatus ?? '' },
      );
    }
  } finally {
    client.destroy();
  }
  return states;
}

/**
 * Moves a deployed sandbox's deadline to `hours` from `now` (and its warning
 * to an hour before), without a deployment: the schedules are rewritten with
 * the caller's credentials, invoking the same function with the same role.
 */
export async function extendSandbox(
  access: AwsAccess,
  architecture: string,
  hours: number,
  now = new Date(),
): Promise<{ readonly stackName: string; readonly deadline: Date }> {
  const stack = (await deployedStacks(access, 'sandbox')).get(architecture);
  if (!stack) throw new AwsSetupError(`No sandbox stack of ${architecture} is deployed in ${access.region}: nothing to extend.`);
  const stackName = stack.StackName!;
  const group = output(stack, EXPIRY_OUTPUTS.schedules);
  if (!group) throw new AwsSetupError(`${stackName} has no time to live (it was deployed with -c sandboxTtlHours=0): nothing to extend.`);
  const client = scheduler(access);
  try {
    const armed = await armedDeadline(client, group);
    if (!armed)
      throw new AwsSetupError(
        `${stackName} has no deadline armed (it is ${stack.StackStatus}; its deletion may have begun): redeploy it to start again.`,
      );
    const plan = planFrom(now, hours);
    await armExpiry(client, { group, functionArn: armed.functionArn, roleArn: armed.roleArn, stackName }, plan, now);
    return { stackName, deadline: plan.deadline };
  } catch (error) {
    if (error instanceof AwsSetupError) throw error;
    throw new AwsSetupError(`Could not extend ${stackName} (${firstLine(error)}).`);
  } finally {
    client.destroy();
  }
}

/** "in 23 h 59 min", or "passed" for a deadline behind `now`. */
export function timeLeft(deadline: Date, now = new Date()): string {
  const minutes = Math.floor((deadline.getTime() - now.getTime()) / 60_000);
  if (minutes < 0) return 'passed';
  return `in ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** One line of the status for an architecture. */
export function stateLine(architecture: string, state: SandboxState, now = new Date()): string {
  const name = architecture.padEnd(18);
  switch (state.kind) {
    case 'not-deployed':
      return `${name} not deployed`;
    case 'no-time-to-live':
      return `${name} ${state.stackName}: no time to live (deployed with -c sandboxTtlHours=0); it stays until you destroy it`;
    case 'not-armed':
      return `${name} ${state.stackName}: no deadline armed (${state.status}); a deployment that changes it arms one`;
    case 'expires':
      return `${name} ${state.stackName}: deleted at ${state.deadline.toISOString().replace('.000', '')} (${timeLeft(state.deadline, now)})`;
  }
}
