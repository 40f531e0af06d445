import { CloudFormationClient, paginateDescribeStacks, type Stack } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { TAG_KEYS } from '../../lib/shared/tags';
import { LOCAL_REGION } from '../local/intrinsics';
import { LOCAL_CREDENTIALS } from '../local/sigv4-check';
import { runningState } from '../local/state';

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

/** A target that cannot be reached, in one sentence for the user (no stack trace). */
export class SmokeSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmokeSetupError';
  }
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
    throw new SmokeSetupError(
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
  /** How to deploy it, for the message when the stack is missing (called only then). */
  readonly deployCommand: () => string;
}

/**
 * The deployed stack of `architecture` in `stage`, found by its tags
 * (architecture and stage, not an integ test's `Integ-` copy), with its
 * outputs, signed for with the caller's credentials (profiles and SSO work
 * through the SDK's default chain). Missing region, credentials or stack
 * each end in one sentence.
 */
export async function deployedTarget(architecture: string, options: DeployedOptions, env = process.env): Promise<SmokeTarget> {
  // As the SDK finds it: AWS_REGION, then the profile's region in ~/.aws/config.
  const sdkRegion = async () => {
    const probe = new CloudFormationClient(options.profile ? { profile: options.profile } : {});
    try {
      return await probe.config.region();
    } catch {
      return undefined;
    } finally {
      probe.destroy();
    }
  };
  const region = options.region ?? (await sdkRegion()) ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new SmokeSetupError('No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or give your profile a region.');
  const credentials = defaultProvider(options.profile ? { profile: options.profile } : {});
  try {
    await credentials();
  } catch (error) {
    throw new SmokeSetupError(
      `No AWS credentials${options.profile ? ` for profile ${options.profile}` : ''} (${firstLine(error)}): run \`aws sso login\` or \`aws configure\`, or pass --profile.`,
    );
  }
  const cloudFormation = new CloudFormationClient({ region, credentials, maxAttempts: 2 });
  let found: Stack | undefined;
  try {
    for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
      found = (page.Stacks ?? []).find(
        (stack) =>
          !stack.StackName?.startsWith('Integ-') &&
          stack.StackStatus !== 'DELETE_COMPLETE' &&
          tag(stack, TAG_KEYS.architecture) === architecture &&
          tag(stack, TAG_KEYS.stage) === options.stage,
      );
      if (found) break;
    }
  } catch (error) {
    throw new SmokeSetupError(`Could not list the CloudFormation stacks in ${region} (${firstLine(error)}).`);
  } finally {
    cloudFormation.destroy();
  }
  if (!found) {
    throw new SmokeSetupError(
      `No ${options.stage} stack of ${architecture} in ${region}: deploy it with ${options.deployCommand()}, or pass the --region it is in.`,
    );
  }
  if (!/_COMPLETE$/.test(found.StackStatus ?? '') || /ROLLBACK|DELETE/.test(found.StackStatus ?? '')) {
    throw new SmokeSetupError(`${found.StackName} in ${region} is ${found.StackStatus}: wait for (or fix) its deployment first.`);
  }
  return {
    mode: 'deployed',
    stackName: found.StackName!,
    region,
    credentials,
    outputs: Object.fromEntries((found.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!])),
    endpoints: {},
    local: {},
  };
}

const tag = (stack: Stack, key: string) => stack.Tags?.find((t) => t.Key === key)?.Value;

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];
