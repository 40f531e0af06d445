/**
 * npm run smoke -- <architecture> [--local | --stage sandbox|production] [--region R] [--profile P] [--role-arn A] [--read-only]
 *
 * The architecture's "Try it" as checks, one line each with PASS or FAIL and
 * its time; the exit code is non-zero if any fails. Against AWS it finds the
 * deployed stack by its tags and reads its outputs; --local checks the
 * running `npm run local -- <architecture>`.
 */
import { ARCHITECTURE_NAMES, type ArchitectureName } from '../../lib/app/architectures';
import { localFormOf, smokeOf } from '../architecture-parts';
import { architecturesOf, parseCommandLine, printUsage, roleArnOf, runCommand, stageOf, UsageError } from '../command-line';
import { synthesizeArchitecture } from '../template/synth';
import { runChecks } from './run-checks';
import { deployedTarget, localTarget, SmokeSetupError, type SmokeTarget } from './target';

export const USAGE = `Usage: npm run smoke -- <architecture> [--local | --stage sandbox|production] [--region R] [--profile P] [--role-arn A] [--read-only]

Checks a deployed stack (found by its architecture and stage tags; its outputs
name everything the checks need) with your AWS credentials, or with --local
the architecture running under \`npm run local\`. Test data it creates is
deleted again, except click events, which stay in the data lake.

  --role-arn   an IAM role to assume with your credentials (the delivery pipeline's checks role)
  --read-only  only the checks that change nothing (no test data, no writes),
               as the delivery pipeline runs them in production

Architectures: ${ARCHITECTURE_NAMES.join(', ')}`;

interface Options {
  readonly architecture: ArchitectureName;
  readonly local: boolean;
  readonly stage: 'sandbox' | 'production';
  readonly region?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly readOnly: boolean;
}

export function parseOptions(argv: readonly string[]): Options | 'help' {
  const parsed = parseCommandLine(argv, {
    local: { type: 'boolean' },
    stage: { type: 'string' },
    region: { type: 'string' },
    profile: { type: 'string' },
    'role-arn': { type: 'string' },
    'read-only': { type: 'boolean' },
  });
  if (parsed === 'help') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`Name one architecture to check (one of: ${ARCHITECTURE_NAMES.join(', ')})`);
  const [architecture] = architecturesOf(positionals);
  const stage = stageOf(values.stage);
  const local = values.local ?? false;
  if (local && (values.stage || values.region || values.profile || values['role-arn']))
    throw new UsageError('--local checks the local run: it takes no --stage, --region, --profile or --role-arn');
  return {
    architecture: architecture!,
    local,
    stage,
    region: values.region,
    profile: values.profile,
    roleArn: roleArnOf(values['role-arn']),
    readOnly: values['read-only'] ?? false,
  };
}

/**
 * The command that deploys the missing stack. Stack names end in the stage
 * (`<prefix>-<Name>-<stage>`, lib/shared/architecture.ts), so the production
 * name is the synthesized sandbox name with its stage replaced.
 */
function deployCommand(architecture: ArchitectureName, stage: Options['stage']): string {
  const stackName = synthesizeArchitecture(architecture).stack.replace(/-sandbox$/, `-${stage}`);
  return stage === 'production'
    ? `\`npx cdk deploy ${stackName} -c stage=production ...\` (the production context: docs/${architecture}.md)`
    : `\`npx cdk deploy ${stackName}\``;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    printUsage(USAGE);
    return;
  }
  const form = options.local ? localFormOf(options.architecture) : undefined;
  if (form && 'noLocalForm' in form) {
    process.stderr.write(`${form.noLocalForm}\n`);
    process.exit(1);
  }
  const smoke = smokeOf(options.architecture);
  let target: SmokeTarget;
  try {
    target = options.local
      ? localTarget(options.architecture)
      : await deployedTarget(options.architecture, {
          stage: options.stage,
          region: options.region,
          profile: options.profile,
          roleArn: options.roleArn,
          deployCommand: () => deployCommand(options.architecture, options.stage),
        });
  } catch (error) {
    if (error instanceof SmokeSetupError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`Smoke checks of ${options.architecture}: ${target.stackName}${target.mode === 'deployed' ? ` in ${target.region}` : ''}\n`);
  const all = typeof smoke.checks === 'function' ? smoke.checks(target) : smoke.checks;
  const checks = options.readOnly ? all.filter((check) => check.readOnly) : all;
  if (checks.length === 0) {
    process.stderr.write(`${options.architecture} has no read-only checks${target.mode === 'local' ? ' locally' : ''}.\n`);
    process.exit(1);
  }
  const context = smoke.context(target);
  let results: Awaited<ReturnType<typeof runChecks>>;
  try {
    results = await runChecks(checks, context, print);
  } finally {
    await smoke.cleanUp(context).catch((error) => print(`(clean-up of the test data failed: ${(error as Error).message})`));
  }
  process.exitCode = results.some((result) => !result.passed) ? 1 : 0;
}

if (require.main === module) runCommand(main);
