/**
 * npm run upgrade-check -- [--stage sandbox|production] [--baseline <dir> | --release <version> | --deployed [--region R] [--profile P] [--role-arn A]]
 *                          [-c key=value ... | --assembly <cdk.out>] [--json] [architecture ...]
 *
 * Synthesizes the stage and says, per resource, what deploying it over the
 * baseline does: data at risk (a data-bearing resource replaced, possibly
 * replaced, deleted or orphaned), interruption (another replacement),
 * security (permissions and network access) or update. Exits 1 when any data
 * is at risk, 0 otherwise, 2 when it cannot run.
 */
import * as path from 'node:path';
import { ARCHITECTURE_NAMES } from '../../lib/app/architectures';
import { ContextError } from '../../lib/shared/context';
import type { StageName } from '../../lib/shared/stage-config';
import { AwsSetupError, awsAccess, cloudFormationSdk, deployedStacks, firstLine, requireSettled } from '../aws/deployed-stacks';
import { architecturesOf, contextOf, parseCommandLine, printUsage, roleArnOf, runCommand, stageOf, UsageError } from '../command-line';
import { assemblyTemplates, byStack, synthTemplates } from '../template/synth';
import type { CfnTemplate } from '../template/template';
import { declaredBreaks } from './changelog';
import { CHANGE_CLASSES, type ChangeClass, compareStacks, type UpgradeReport } from './compare';
import { BaselineError, lastRelease, readTemplates, releaseDir, releases } from './releases';

export const USAGE = `Usage: npm run upgrade-check -- [--stage sandbox|production] [--baseline <dir> | --release <version> | --deployed [--region R] [--profile P] [--role-arn A]]
                             [-c key=value ... | --assembly <cdk.out>] [--json] [architecture ...]

Compares the stage's templates as this checkout synthesizes them with a
baseline, per resource, with the engine \`cdk diff\` uses. Run it with
--deployed before every deploy of an existing stack.

  --stage      sandbox (default) or production
  --release    a release's templates, releases/<version>/<stage> (default: the last release)
  --baseline   a folder of <stack>.template.json files (e.g. a cdk.out of what you deployed)
  --deployed   the templates of the deployed stacks (found by their architecture and stage tags),
               read with CloudFormation GetTemplate and your credentials (or, with --role-arn, a role's
               that they assume: the delivery pipeline reads production with the account's CDK lookup role)
  -c           context, as for cdk synth (pass what you deployed with, e.g. -c databaseReadReplica=true)
  --assembly   check the stage's stacks of an already synthesized cloud assembly instead of
               synthesizing (the delivery pipeline's cdk.out: exactly what it is about to deploy)
  --json       the report as JSON

Classes: data-at-risk (a table, bucket, database, key, log group, stream, queue, secret,
vault, pool or Glue catalog entry replaced, possibly replaced, deleted or orphaned),
interruption (another replacement), security (permissions and network access), update.
Exit code 1 when any data is at risk.

Architectures: ${ARCHITECTURE_NAMES.join(', ')}`;

const LABELS: Record<ChangeClass, string> = {
  'data-at-risk': 'DATA AT RISK',
  interruption: 'INTERRUPTION',
  security: 'SECURITY',
  update: 'UPDATE',
};

interface Options {
  readonly stage: StageName;
  readonly architectures: readonly string[];
  readonly baseline:
    | { kind: 'release'; version: string }
    | { kind: 'dir'; dir: string }
    | { kind: 'deployed'; region?: string; profile?: string; roleArn?: string };
  readonly context: Record<string, string>;
  /** A synthesized cloud assembly whose stage's stacks are checked, instead of a synthesis here. */
  readonly assembly?: string;
  readonly json: boolean;
}

export function parseOptions(argv: readonly string[]): Options | 'help' {
  const parsed = parseCommandLine(argv, {
    stage: { type: 'string' },
    baseline: { type: 'string' },
    release: { type: 'string' },
    deployed: { type: 'boolean' },
    region: { type: 'string' },
    profile: { type: 'string' },
    'role-arn': { type: 'string' },
    context: { type: 'string', short: 'c', multiple: true },
    assembly: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (parsed === 'help') return parsed;
  const { values, positionals } = parsed;
  const stage = stageOf(values.stage);
  const architectures = architecturesOf(positionals);
  const sources = [values.baseline, values.release, values.deployed].filter((value) => value !== undefined);
  if (sources.length > 1) throw new UsageError('Give one of --baseline, --release and --deployed');
  if ((values.region || values.profile || values['role-arn']) && !values.deployed)
    throw new UsageError('--region, --profile and --role-arn go with --deployed');
  const roleArn = roleArnOf(values['role-arn']);
  const context = contextOf(values.context);
  if (values.assembly && Object.keys(context).length > 0)
    throw new UsageError('Give -c or --assembly: an assembly was synthesized with its context already');
  const baseline: Options['baseline'] = values.deployed
    ? { kind: 'deployed', region: values.region, profile: values.profile, roleArn }
    : values.baseline
      ? { kind: 'dir', dir: path.resolve(values.baseline) }
      : { kind: 'release', version: values.release ?? lastRelease() };
  if (baseline.kind === 'release' && !releases().includes(baseline.version)) {
    throw new UsageError(`No release ${baseline.version}: the releases with a baseline are ${releases().join(', ')}`);
  }
  return {
    stage,
    architectures,
    baseline,
    context,
    ...(values.assembly ? { assembly: path.resolve(values.assembly) } : {}),
    json: values.json ?? false,
  };
}

/** What the check compared, for the report's first line. */
interface Run {
  readonly against: string;
  readonly report: UpgradeReport;
  /** Deployed stacks found under another name than the app gives them. */
  readonly notes: readonly string[];
}

export async function runCheck(options: Options, env = process.env): Promise<Run> {
  const { baseline } = options;
  // A baseline folder is read before the (slower) synthesis, so a wrong path fails at once.
  const folder =
    baseline.kind === 'release' ? releaseDir(baseline.version, options.stage) : baseline.kind === 'dir' ? baseline.dir : undefined;
  const stored = folder ? readTemplates(folder) : undefined;
  // Likewise credentials and region, before anything is synthesized.
  const access = baseline.kind === 'deployed' ? await awsAccess(baseline, env) : undefined;
  // And the deployed stacks, each settled (not mid-deployment), before the synthesis too.
  const deployed = access ? await deployedStacks(access, options.stage) : undefined;
  for (const [architecture, stack] of deployed ?? []) {
    if (options.architectures.length === 0 || options.architectures.includes(architecture)) requireSettled(stack, access!.region);
  }
  // Bundled as a deploy bundles them: a function's code shows as changed only when it is. Without the
  // rule packs: they check a template and never change it (`npx cdk synth` and `npm test` run them).
  const synthesized = (
    options.assembly
      ? assemblyTemplates(options.assembly, options.stage)
      : synthTemplates(options.stage, options.context, { bundle: true, packs: false })
  ).filter((stack) => options.architectures.length === 0 || options.architectures.includes(stack.architecture));
  const current = byStack(synthesized);
  if (stored) {
    const chosen =
      options.architectures.length === 0
        ? stored
        : Object.fromEntries(Object.entries(stored).filter(([stack]) => current[stack] !== undefined));
    const against =
      baseline.kind === 'release' ? `release ${baseline.version} (${path.relative(process.cwd(), folder!) || folder})` : folder!;
    return { against, report: compareStacks(chosen, current), notes: [] };
  }
  if (!access || !deployed) throw new Error('A deployed baseline without AWS access');
  const { CloudFormationClient, GetTemplateCommand } = cloudFormationSdk();
  const cloudFormation = new CloudFormationClient({ region: access.region, credentials: access.credentials, maxAttempts: 2 });
  const templates: Record<string, CfnTemplate> = {};
  const notes: string[] = [];
  try {
    for (const { architecture, stack } of synthesized) {
      const found = deployed.get(architecture);
      if (!found) continue;
      if (found.StackName !== stack) notes.push(`${architecture} is deployed as ${found.StackName}; compared with the app's ${stack}`);
      let body: string | undefined;
      try {
        body = (await cloudFormation.send(new GetTemplateCommand({ StackName: found.StackName, TemplateStage: 'Original' }))).TemplateBody;
      } catch (error) {
        throw new AwsSetupError(`Could not read the template of ${found.StackName} in ${access.region} (${firstLine(error)}).`);
      }
      try {
        templates[stack] = JSON.parse(body ?? '');
      } catch {
        throw new AwsSetupError(
          `${found.StackName} in ${access.region} was not deployed from a JSON template (as cdk deploy does); compare it with --baseline instead.`,
        );
      }
    }
  } finally {
    cloudFormation.destroy();
  }
  if (Object.keys(templates).length === 0) {
    notes.push(
      `No ${options.stage} stack of ${options.architectures.join(', ') || 'any architecture'} is deployed in ${access.region}: a first deploy puts no data at risk.`,
    );
  }
  return { against: `the deployed ${options.stage} stacks in ${access.region}`, report: compareStacks(templates, current), notes };
}

/** The report as the terminal shows it: one line per change, then a summary. */
export function reportText(options: Options, run: Run): string {
  const declared = declaredBreaks();
  const lines = [`upgrade-check: ${options.stage} as this checkout synthesizes it, against ${run.against}`, ...run.notes];
  const { report } = run;
  const width = Math.max(...Object.values(LABELS).map((label) => label.length));
  for (const kind of CHANGE_CLASSES) {
    for (const change of report.changes.filter((c) => c.class === kind)) {
      const steps = declared.find((d) => d.stack === change.stack && d.logicalId === change.logicalId)?.steps;
      lines.push(
        `${LABELS[kind].padEnd(width)}  ${change.stack}  ${change.logicalId} (${change.type})  ${change.what}${steps ? ` [declared in CHANGELOG.md: ${steps}]` : ''}`,
      );
    }
    if (kind === 'security')
      for (const detail of report.security) lines.push(`${LABELS.security.padEnd(width)}  ${detail.stack}  ${detail.line}`);
  }
  for (const stack of report.firstDeploys)
    lines.push(`${'NEW STACK'.padEnd(width)}  ${stack}  not in the baseline: its first deploy creates it`);
  const count = (kind: ChangeClass) => report.changes.filter((c) => c.class === kind).length;
  const atRisk = count('data-at-risk');
  lines.push(
    `${report.compared.length} stack${report.compared.length === 1 ? '' : 's'} compared: ${atRisk} data at risk, ${count('interruption')} interruption, ${count('security')} security (${report.security.length} permission and network rules), ${count('update')} update.`,
    atRisk > 0
      ? 'Data at risk: do not deploy this over that baseline before reading each DATA AT RISK line (README, "Upgrading"; CHANGELOG.md for declared breaks).'
      : 'No data at risk.',
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    printUsage(USAGE);
    return;
  }
  try {
    const run = await runCheck(options);
    process.stdout.write(
      options.json ? `${JSON.stringify({ against: run.against, notes: run.notes, ...run.report }, null, 2)}\n` : reportText(options, run),
    );
    process.exitCode = run.report.changes.some((c) => c.class === 'data-at-risk') ? 1 : 0;
  } catch (error) {
    if (error instanceof AwsSetupError || error instanceof BaselineError || error instanceof ContextError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

if (require.main === module) runCommand(main);
