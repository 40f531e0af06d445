import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { TAG_KEYS } from '../../lib/shared/tags';

/**
 * Finding this project's deployed stacks with the caller's credentials, as
 * `npm run smoke` and `npm run upgrade-check -- --deployed` do.
 *
 * The AWS SDK's clients load when AWS is called, not with this module: a
 * command that only reads its arguments, or runs locally, never loads them
 * (test/app/commands.test.ts checks every `--help`).
 */
export const cloudFormationSdk = (): typeof import('@aws-sdk/client-cloudformation') => require('@aws-sdk/client-cloudformation');
const stsSdk = (): typeof import('@aws-sdk/client-sts') => require('@aws-sdk/client-sts');
const credentialChain = (): typeof import('@aws-sdk/credential-provider-node') => require('@aws-sdk/credential-provider-node');

/** AWS cannot be reached as asked (no region, no credentials, no listing), in one sentence for the user. */
export class AwsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsSetupError';
  }
}

/** A region and the caller's credentials, checked to exist. */
export interface AwsAccess {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
}

/**
 * The region (--region, then AWS_REGION or the profile's, as the SDK finds
 * it, then AWS_DEFAULT_REGION) and the caller's credentials (profiles and SSO
 * work through the SDK's default chain); with `roleArn` (--role-arn), the
 * credentials of that role, assumed with the caller's (as the delivery
 * pipeline's checks reach into the target accounts). Missing either, or a
 * role that cannot be assumed, ends in one sentence.
 */
export async function awsAccess(
  options: { readonly region?: string; readonly profile?: string; readonly roleArn?: string },
  env = process.env,
): Promise<AwsAccess> {
  const sdkRegion = async () => {
    const probe = new (cloudFormationSdk().CloudFormationClient)(options.profile ? { profile: options.profile } : {});
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
    throw new AwsSetupError('No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or give your profile a region.');
  const credentials = credentialChain().defaultProvider(options.profile ? { profile: options.profile } : {});
  try {
    await credentials();
  } catch (error) {
    throw new AwsSetupError(
      `No AWS credentials${options.profile ? ` for profile ${options.profile}` : ''} (${firstLine(error)}): run \`aws sso login\` or \`aws configure\`, or pass --profile.`,
    );
  }
  return { region, credentials: options.roleArn ? await assumedRole(options.roleArn, region, credentials) : credentials };
}

/** The temporary credentials of `roleArn` (one hour; a check takes minutes), assumed with `caller`. */
async function assumedRole(roleArn: string, region: string, caller: AwsCredentialIdentityProvider): Promise<AwsCredentialIdentityProvider> {
  const { AssumeRoleCommand, STSClient } = stsSdk();
  const sts = new STSClient({ region, credentials: caller, maxAttempts: 2 });
  try {
    const { Credentials: assumed } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `coffee-shop-checks-${Date.now()}`, DurationSeconds: 3600 }),
    );
    if (!assumed?.AccessKeyId || !assumed.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
    const identity = {
      accessKeyId: assumed.AccessKeyId,
      secretAccessKey: assumed.SecretAccessKey,
      sessionToken: assumed.SessionToken,
      expiration: assumed.Expiration,
    };
    return async () => identity;
  } catch (error) {
    throw new AwsSetupError(`Could not assume ${roleArn} (${firstLine(error)}): it must exist and trust the caller.`);
  } finally {
    sts.destroy();
  }
}

/**
 * The deployed stacks of `stage`, by architecture: found by their tags
 * (architecture and stage), not an integ test's `Integ-` copy, not deleted.
 * One listing serves every architecture asked for.
 */
export async function deployedStacks(access: AwsAccess, stage: string): Promise<Map<string, Stack>> {
  const { CloudFormationClient, paginateDescribeStacks } = cloudFormationSdk();
  const cloudFormation = new CloudFormationClient({ region: access.region, credentials: access.credentials, maxAttempts: 2 });
  const found = new Map<string, Stack>();
  try {
    for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
      for (const stack of page.Stacks ?? []) {
        const architecture = tag(stack, TAG_KEYS.architecture);
        if (
          architecture &&
          !found.has(architecture) &&
          !stack.StackName?.startsWith('Integ-') &&
          stack.StackStatus !== 'DELETE_COMPLETE' &&
          tag(stack, TAG_KEYS.stage) === stage
        )
          found.set(architecture, stack);
      }
    }
  } catch (error) {
    throw new AwsSetupError(`Could not list the CloudFormation stacks in ${access.region} (${firstLine(error)}).`);
  } finally {
    cloudFormation.destroy();
  }
  return found;
}

/** Refuses a stack whose last operation did not complete (in progress, rolled back, being deleted). */
export function requireSettled(stack: Stack, region: string): void {
  if (!/_COMPLETE$/.test(stack.StackStatus ?? '') || /ROLLBACK|DELETE/.test(stack.StackStatus ?? '')) {
    throw new AwsSetupError(`${stack.StackName} in ${region} is ${stack.StackStatus}: wait for (or fix) its deployment first.`);
  }
}

const tag = (stack: Stack, key: string) => stack.Tags?.find((t) => t.Key === key)?.Value;

/** The first line of an error's message, for a one-line report. */
export const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];
