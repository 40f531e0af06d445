import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

/** The integ test of each architecture: `test/integ/integ.<architecture>.ts`. */
export const INTEG_DIR = path.join(__dirname, '..', '..', 'test', 'integ');

/**
 * The Stage every integ app deploys its stacks in: stack names (and the
 * physical names derived from them) get the `Integ-` prefix, so an integ run
 * never touches a sandbox a user deployed with `npx cdk deploy`.
 */
export const INTEG_STAGE = 'Integ';

/** Selects every stack of the Integ stage, the assertion stack included. */
export const INTEG_STACKS = `${INTEG_STAGE}/**`;

/**
 * Context key with the run's start (epoch milliseconds), which the deploy
 * passes: events the clickstream test sends are then "recent" for the saved
 * queries. The integ apps read it (test/integ/integ-app.ts).
 */
export const RUN_AT_CONTEXT_KEY = 'integRunAt';

export interface IntegOptions {
  readonly architectures: readonly string[];
  readonly profile?: string;
  readonly region?: string;
  /** Leave the stacks deployed after a failure, to look at them (destroy with --destroy-only). */
  readonly keepOnFailure: boolean;
  readonly destroyOnly: boolean;
}

/** The command the CDK CLI runs as the app of one integ test. */
export function integAppCommand(architecture: string): string {
  return `node -r ./scripts/register-typescript.cjs test/integ/integ.${architecture}.ts`;
}

/** `cdk deploy` of one integ test: every stack of its stage, the run's time as context, outputs to a file. */
export function deployArgs(architecture: string, options: IntegOptions, outputsFile: string, runAt: number): string[] {
  return [
    'deploy',
    INTEG_STACKS,
    '--app',
    integAppCommand(architecture),
    '--require-approval',
    'never',
    '--outputs-file',
    outputsFile,
    '--context',
    `${RUN_AT_CONTEXT_KEY}=${runAt}`,
    ...profileArgs(options),
  ];
}

export function destroyArgs(architecture: string, options: IntegOptions): string[] {
  return ['destroy', INTEG_STACKS, '--app', integAppCommand(architecture), '--force', ...profileArgs(options)];
}

function profileArgs(options: IntegOptions): string[] {
  return options.profile ? ['--profile', options.profile] : [];
}

/**
 * The failed assertions of a deployment, from its outputs file
 * (`{ stackName: { outputName: value } }`): integ-tests-alpha writes each
 * assertion's result to an `AssertionResults…` output as
 * `{"status":"success"}` or `{"status":"fail","message":…}`. A waiter that
 * times out fails the deployment itself instead.
 */
export function failedAssertions(outputs: Record<string, Record<string, string>>): { name: string; message: string }[] {
  const failed: { name: string; message: string }[] = [];
  let seen = 0;
  for (const stackOutputs of Object.values(outputs)) {
    for (const [name, value] of Object.entries(stackOutputs)) {
      if (!name.startsWith('AssertionResults')) continue;
      seen++;
      let result: { status?: string; message?: string };
      try {
        result = JSON.parse(value);
      } catch {
        failed.push({ name, message: `unreadable result: ${value}` });
        continue;
      }
      if (result.status !== 'success') failed.push({ name, message: result.message ?? `status ${result.status}` });
    }
  }
  if (seen === 0) failed.push({ name: 'AssertionResults', message: 'the deployment reported no assertion results' });
  return failed;
}

/**
 * Why a deployment cannot start, in one line, or undefined: no credentials
 * anywhere the SDK looks (environment, shared files, container or web
 * identity), or no region for environment-agnostic stacks.
 */
export function missingSetup(
  env: NodeJS.ProcessEnv,
  options: Pick<IntegOptions, 'profile' | 'region'>,
  home = homedir(),
): string | undefined {
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
  ];
  const hasCredentials =
    options.profile !== undefined ||
    Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) ||
    Boolean(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) ||
    files.some((file) => existsSync(file));
  if (!hasCredentials) {
    return 'No AWS credentials found (environment, ~/.aws or a profile): the integ tests deploy into an account. Sign in (aws sso login, or export AWS_PROFILE) and run again.';
  }
  const hasRegion =
    options.region !== undefined || Boolean(env.AWS_REGION || env.AWS_DEFAULT_REGION) || files.some((file) => existsSync(file));
  if (!hasRegion) return 'No AWS region: pass --region, or set AWS_REGION.';
  return undefined;
}

export const USAGE = `Usage: npm run integ -- [architecture ...] [--profile P] [--region R] [--keep-on-failure] [--destroy-only] [--list]

Deploys each architecture's integ test (test/integ/integ.<architecture>.ts:
the sandbox stacks under Integ-* names, a probe stack where the test signs
API calls, and integ-tests-alpha's assertion stack), reads the assertion
results, and destroys the stacks again, pass or fail. Needs credentials for
a sandbox account bootstrapped with \`npx cdk bootstrap\`. Without
architectures, runs all five, one after the other.

  --profile P         AWS profile (SSO profiles work)
  --region R          region to deploy to (default: the profile's or AWS_REGION)
  --keep-on-failure   leave a failed test's stacks to look at
  --destroy-only      destroy what an earlier run left, deploy nothing
  --list              list the tests with how long each takes

Offline, \`npm test\` checks the integ apps against their committed
snapshots (test/integ/__snapshots__); nothing here runs in CI.`;
