/**
 * npm run smoke -- <architecture> [--local | --stage sandbox|production] [--region R] [--profile P]
 *
 * The architecture's "Try it" as checks, one line each with PASS or FAIL and
 * its time; the exit code is non-zero if any fails. Against AWS it finds the
 * deployed stack by its tags and reads its outputs; --local checks the
 * running `npm run local -- <architecture>`.
 */
import { NO_LOCAL_FORM } from '../local/runs';
import { synthesizeSandbox } from '../local/synthesized-template';
import { runChecks } from './run-checks';
import { LOCAL_SMOKES, SMOKES } from './smokes';
import { deployedTarget, localTarget, SmokeSetupError, type SmokeTarget } from './target';

export const USAGE = `Usage: npm run smoke -- <architecture> [--local | --stage sandbox|production] [--region R] [--profile P]

Checks a deployed stack (found by its architecture and stage tags; its outputs
name everything the checks need) with your AWS credentials, or with --local
the architecture running under \`npm run local\`. Test data it creates is
deleted again, except click events, which stay in the data lake.

Architectures: ${Object.keys(SMOKES).join(', ')}`;

interface Options {
  readonly architecture: string;
  readonly local: boolean;
  readonly stage: 'sandbox' | 'production';
  readonly region?: string;
  readonly profile?: string;
}

function parse(argv: readonly string[]): Options {
  let architecture: string | undefined;
  let local = false;
  let stage: string | undefined;
  let region: string | undefined;
  let profile: string | undefined;
  const value = (i: number, flag: string) => argv[i] ?? usageError(`${flag} needs a value`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg === '--local') local = true;
    else if (arg === '--stage') stage = value(++i, '--stage');
    else if (arg === '--region') region = value(++i, '--region');
    else if (arg === '--profile') profile = value(++i, '--profile');
    else if (!arg.startsWith('-') && !architecture) architecture = arg;
    else usageError(`Unknown argument ${arg}`);
  }
  if (!architecture) usageError('Name the architecture to check');
  if (!SMOKES[architecture]) usageError(`Unknown architecture ${architecture}`);
  if (stage !== undefined && stage !== 'sandbox' && stage !== 'production') usageError(`--stage is sandbox or production, not ${stage}`);
  if (local && (stage || region || profile)) usageError('--local checks the local run: it takes no --stage, --region or --profile');
  if (local && !LOCAL_SMOKES.has(architecture)) {
    process.stderr.write(`${NO_LOCAL_FORM[architecture] ?? `${architecture} has no local form.`}\n`);
    process.exit(1);
  }
  return { architecture, local, stage: (stage ?? 'sandbox') as Options['stage'], region, profile };
}

/**
 * The command that deploys the missing stack. Stack names end in the stage
 * (`<prefix>-<Name>-<stage>`, lib/shared/architecture.ts), so the production
 * name is the synthesized sandbox name with its stage replaced.
 */
function deployCommand(architecture: string, stage: Options['stage']): string {
  const stackName = synthesizeSandbox(architecture).stackName.replace(/-sandbox$/, `-${stage}`);
  return stage === 'production'
    ? `\`npx cdk deploy ${stackName} -c stage=production ...\` (the production context: docs/${architecture}.md)`
    : `\`npx cdk deploy ${stackName}\``;
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const smoke = SMOKES[options.architecture]!;
  let target: SmokeTarget;
  try {
    target = options.local
      ? localTarget(options.architecture)
      : await deployedTarget(options.architecture, {
          stage: options.stage,
          region: options.region,
          profile: options.profile,
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
  const checks = typeof smoke.checks === 'function' ? smoke.checks(target) : smoke.checks;
  const context = smoke.context(target);
  let results: Awaited<ReturnType<typeof runChecks>>;
  try {
    results = await runChecks(checks, context, print);
  } finally {
    await smoke.cleanUp(context).catch((error) => print(`(clean-up of the test data failed: ${(error as Error).message})`));
  }
  process.exitCode = results.some((result) => !result.passed) ? 1 : 0;
}

void main().catch((error) => {
  process.stderr.write(`${String((error as Error)?.message ?? error).split('\n')[0]}\n`);
  process.exit(1);
});
