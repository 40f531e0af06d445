/**
 * npm run sandbox -- status [<architecture>...] | extend <architecture> [--hours N]   [--region R] [--profile P]
 *
 * The deployed sandboxes' time to live: when each is deleted, and a later
 * deadline for one without a redeploy.
 */
import { MAX_TIME_TO_LIVE_HOURS, MIN_TIME_TO_LIVE_HOURS } from '../../lambda/sandbox-expiry/deadline';
import { ARCHITECTURE_NAMES } from '../../lib/app/architectures';
import { DEFAULT_SANDBOX_TTL_HOURS } from '../../lib/shared/stage-config';
import { AwsSetupError, awsAccess } from '../aws/deployed-stacks';
import { architecturesOf, parseCommandLine, printUsage, runCommand, UsageError } from '../command-line';

export const USAGE = `Usage: npm run sandbox -- status [<architecture>...] [--region R] [--profile P]
       npm run sandbox -- extend <architecture> [--hours N] [--region R] [--profile P]

Every sandbox stack deletes itself ${DEFAULT_SANDBOX_TTL_HOURS} hours (-c sandboxTtlHours) after its last
deployment that changed it, with a warning an hour before. status shows when
each deployed sandbox is deleted (extensions included); extend moves one's
deadline to N hours from now (default ${DEFAULT_SANDBOX_TTL_HOURS}, ${MIN_TIME_TO_LIVE_HOURS} to ${MAX_TIME_TO_LIVE_HOURS}) without a deployment.
Stacks are found by their tags with your AWS credentials; extend needs
scheduler:UpdateSchedule and iam:PassRole on the stack's scheduler role.

Architectures: ${ARCHITECTURE_NAMES.join(', ')}`;

function parse(argv: readonly string[]) {
  const parsed = parseCommandLine(argv, {
    hours: { type: 'string' },
    region: { type: 'string' },
    profile: { type: 'string' },
  });
  if (parsed === 'help') return parsed;
  const [command, ...names] = parsed.positionals;
  if (command !== 'status' && command !== 'extend')
    throw new UsageError(`Name a command: status or extend${command ? `, not ${command}` : ''}`);
  const architectures = architecturesOf(names, ARCHITECTURE_NAMES);
  if (command === 'extend' && names.length !== 1) throw new UsageError('extend takes one architecture');
  if (command === 'status' && parsed.values.hours !== undefined) throw new UsageError('--hours goes with extend');
  const text = parsed.values.hours ?? String(DEFAULT_SANDBOX_TTL_HOURS);
  const hours = Number(text);
  if (!/^\d+$/.test(text) || hours < MIN_TIME_TO_LIVE_HOURS || hours > MAX_TIME_TO_LIVE_HOURS)
    throw new UsageError(`--hours is a whole number from ${MIN_TIME_TO_LIVE_HOURS} to ${MAX_TIME_TO_LIVE_HOURS}, not ${text}`);
  return { command, architectures, hours, region: parsed.values.region, profile: parsed.values.profile };
}

async function main(): Promise<void> {
  const parsed = parse(process.argv.slice(2));
  if (parsed === 'help') {
    printUsage(USAGE);
    return;
  }
  const { command, architectures, hours, region, profile } = parsed;
  // Its Scheduler client loads when AWS is called, not for --help or a refused argument.
  const { extendSandbox, sandboxStates, stateLine, timeLeft }: typeof import('./sandbox-expiry') = require('./sandbox-expiry');
  try {
    const access = await awsAccess({ region, profile });
    if (command === 'status') {
      const states = await sandboxStates(access, architectures);
      process.stdout.write(`Sandbox stacks in ${access.region}:\n`);
      for (const architecture of architectures) process.stdout.write(`${stateLine(architecture, states.get(architecture)!)}\n`);
      return;
    }
    const { stackName, deadline } = await extendSandbox(access, architectures[0]!, hours);
    process.stdout.write(
      `${stackName} is now deleted at ${deadline.toISOString().replace('.000', '')} (${timeLeft(deadline)}), warned an hour before. A deployment that changes it starts its time to live again.\n`,
    );
  } catch (error) {
    if (error instanceof AwsSetupError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

runCommand(main);
