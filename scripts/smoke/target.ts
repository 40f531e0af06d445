import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { LOCAL_CREDENTIALS } from '../../stand-ins/sigv4-check';
import { AwsSetupError, awsAccess, deployedStacks, requireSettled } from '../aws/deployed-stacks';
import { LOCAL_REGION } from '../local/intrinsics';
import { runningState } from '../local/state';

/** A target that cannot be reached, in one sentence for the user (no stack trace). */
export { AwsSetupError as SmokeSetupError };

/**
 * What the checks run against: the stack's outputs (by the names the
 * template gives them), the endpoints of the AWS APIs (empty: AWS's own), a
 * region and credentials. `npm run local` publishes the same outputs, so one
 * set of checks serves both.
 */

export interface SmokeTarget {
  readonly mode: 'local' | 'deployed';
  readonly stackName: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly outputs: Readonly<Record<string, string>>;
  /** Local endpoints by service (`sqs`, `kinesis`, `cognitoIdentity`); absent for AWS. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** What only a local run has (a database password, a CA file). */
  readonly local: Readonly<Record<string, string>>;
}

/** The output named `name`, or a failure naming the stack and output. */
export function output(target: SmokeTarget, name: string): string {
  const value = target.outputs[name];
  if (value === undefined) throw new Error(`${target.stackName} has no output ${name}`);
  return value;
}

/** The running `npm run local -- <architecture>`. */
export function localTarget(architecture: string): SmokeTarget {
  const state = runningState(architecture);
  if (!state) {
    throw new AwsSetupError(
      `${architecture} is not running locally: start \`npm run local -- ${architecture}\` in another terminal, wait for "running locally", then run this again.`,
    );
  }
  return {
    mode: 'local',
    stackName: `${state.stackName} (local)`,
    region: LOCAL_REGION,
    credentials: async () => LOCAL_CREDENTIALS,
    outputs: state.outputs,
    endpoints: state.endpoints,
    local: state.local,
  };
}

export interface DeployedOptions {
  readonly stage: 'sandbox' | 'production';
  readonly region?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  /** How to deploy it, for the message when the stack is missing (called only then). */
  readonly deployCommand: () => string;
}

/**
 * The deployed stack of `architecture` in `stage`, found by its tags, with
 * its outputs, signed for with the caller's credentials. Missing region,
 * credentials or stack each end in one sentence.
 */
export async function deployedTarget(architecture: string, options: DeployedOptions, env = process.env): Promise<SmokeTarget> {
  const access = await awsAccess(options, env);
  const found = (await deployedStacks(access, options.stage)).get(architecture);
  if (!found) {
    throw new AwsSetupError(
      `No ${options.stage} stack of ${architecture} in ${access.region}: deploy it with ${options.deployCommand()}, or pass the --region it is in.`,
    );
  }
  requireSettled(found, access.region);
  return {
    mode: 'deployed',
    stackName: found.StackName!,
    region: access.region,
    credentials: access.credentials,
    outputs: Object.fromEntries((found.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!])),
    endpoints: {},
    local: {},
  };
}
