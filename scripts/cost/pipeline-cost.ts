import { type CfnResource, type CfnTemplate, countOfType, resourcesOfType } from '../template/template';
import { PRICES, type Price } from './prices';
import { COST_BEGIN, COST_END } from './report';

/**
 * What the delivery pipeline (lib/pipeline) costs: at rest per month, and per
 * run from source to production, read from its template. A run's minutes are
 * assumptions, stated per step; CodePipeline V2 bills every action's minutes,
 * CodeBuild each build's.
 */

export interface RunLine {
  readonly item: string;
  readonly minutes: number;
  readonly price: Price;
  readonly usd: number;
}

export interface PipelineCost {
  /** At rest per month: the artifact key (the bucket holds 30 days of artifacts, billed per GB). */
  readonly monthly: readonly { readonly item: string; readonly quantity: number; readonly price: Price; readonly usd: number }[];
  readonly monthlyUsd: number;
  readonly run: readonly RunLine[];
  readonly runUsd: number;
  readonly assumptions: string;
}

/** Minutes of a build, by what it runs (a whole run of each; `npm ci` is about 1.5 of them). */
function buildMinutes(commands: readonly string[]): { readonly what: string; readonly minutes: number } {
  const all = commands.join('\n');
  if (all.includes('npm test')) return { what: 'synth: npm ci, npm test, cdk synth', minutes: 8 };
  if (all.includes('upgrade-check')) return { what: 'upgrade check against production', minutes: 4 };
  if (/npm run smoke -- clickstream\b(?!.*--read-only)/.test(all))
    return { what: 'smoke checks of clickstream (waits for Firehose delivery and an Athena query)', minutes: 10 };
  if (all.includes('--read-only')) return { what: 'read-only checks of a production stack', minutes: 2.5 };
  if (all.includes('npm run smoke')) return { what: 'smoke checks of a sandbox stack', minutes: 4 };
  if (all.includes('cdk-assets') || /buildspec-.*-FileAsset\.yaml/.test(all)) return { what: 'asset publishing', minutes: 2 };
  if (/cdk\b.*deploy/.test(all)) return { what: 'self-update', minutes: 2 };
  return { what: 'other build', minutes: 2 };
}

/** CloudFormation minutes per stack and run: its change set prepared, then executed (an update; a first deploy takes longer). */
const CHANGE_SET_MINUTES = 1;
const DEPLOY_MINUTES = 4;

/** A build's commands; CDK Pipelines' asset builds name a buildspec file of the assembly instead, which stands for them. */
const commandsOf = (project: CfnResource): string[] => {
  const source: string = project.Properties.Source.BuildSpec;
  if (!source.trimStart().startsWith('{')) return [source];
  const spec = JSON.parse(source) as { phases: Record<string, { commands?: string[] }> };
  return Object.values(spec.phases).flatMap((phase) => phase.commands ?? []);
};

export function pipelineCost(template: CfnTemplate): PipelineCost {
  const builds = resourcesOfType(template, 'AWS::CodeBuild::Project').map(([, project]) => ({
    ...buildMinutes(commandsOf(project)),
    medium: project.Properties.Environment.ComputeType === 'BUILD_GENERAL1_MEDIUM',
  }));
  const grouped = new Map<string, { minutes: number; count: number; medium: boolean }>();
  for (const build of builds) {
    const key = `${build.what}|${build.medium}`;
    const seen = grouped.get(key) ?? { minutes: 0, count: 0, medium: build.medium };
    grouped.set(key, { ...seen, minutes: seen.minutes + build.minutes, count: seen.count + 1 });
  }
  const codeBuild: RunLine[] = [...grouped.entries()].map(([key, { minutes, count, medium }]) => {
    const price = medium ? PRICES.codeBuildMediumMinute : PRICES.codeBuildSmallMinute;
    return { item: `CodeBuild: ${key.split('|')[0]}${count > 1 ? ` (${count} builds)` : ''}`, minutes, price, usd: minutes * price.usd };
  });
  const [[, pipeline] = []] = resourcesOfType(template, 'AWS::CodePipeline::Pipeline');
  const actions = ((pipeline as CfnResource | undefined)?.Properties.Stages ?? []).flatMap(
    (stage: { Actions: { ActionTypeId: { Provider: string }; Name: string }[] }) => stage.Actions,
  );
  const cloudFormation = actions.filter((a: { ActionTypeId: { Provider: string } }) => a.ActionTypeId.Provider === 'CloudFormation');
  const deployMinutes = cloudFormation.reduce(
    (sum: number, a: { Name: string }) => sum + (a.Name.endsWith('.Prepare') ? CHANGE_SET_MINUTES : DEPLOY_MINUTES),
    0,
  );
  const buildTotal = builds.reduce((sum, b) => sum + b.minutes, 0);
  const actionMinutes = buildTotal + deployMinutes + 1; // and about a minute for the source action
  const run: RunLine[] = [
    ...codeBuild,
    {
      item: `CodePipeline V2: ${actions.length - 1} actions (builds, ${cloudFormation.length / 2} stack deployments, source), the approval's wait not counted`,
      minutes: actionMinutes,
      price: PRICES.codePipelineV2ActionMinute,
      usd: actionMinutes * PRICES.codePipelineV2ActionMinute.usd,
    },
  ];
  const keys = countOfType(template, 'AWS::KMS::Key');
  const monthly = [{ item: 'KMS key of the artifacts', quantity: keys, price: PRICES.kmsKeyMonth, usd: keys * PRICES.kmsKeyMonth.usd }];
  return {
    monthly,
    monthlyUsd: monthly.reduce((sum, l) => sum + l.usd, 0),
    run,
    runUsd: run.reduce((sum, l) => sum + l.usd, 0),
    assumptions: `each stack an update (${CHANGE_SET_MINUTES} min change set, ${DEPLOY_MINUTES} min deploy), builds as listed; free tiers not subtracted`,
  };
}

const dollars = (amount: number) => `$${amount.toFixed(2)}`;

/** The pipeline's cost as the terminal shows it. */
export function pipelineCostText(cost: PipelineCost): string {
  return [
    'Delivery pipeline (CoffeeShop-Pipeline), us-east-1 list prices:',
    ...cost.monthly.map(
      (l) => `  at rest   ${l.item}: ${dollars(l.usd)} a month (${l.quantity} × ${dollars(l.price.usd)} per ${l.price.per})`,
    ),
    ...cost.run.map((l) => `  per run   ${l.item}: ${dollars(l.usd)} (${l.minutes} min × $${l.price.usd} per ${l.price.per})`),
    `  total     ${dollars(cost.monthlyUsd)} a month at rest, ${dollars(cost.runUsd)} per run (${cost.assumptions})`,
  ].join('\n');
}

/** The pipeline's cost section for docs/delivery.md. */
export function pipelineCostMarkdown(cost: PipelineCost): string {
  return [
    COST_BEGIN,
    `At rest: ${dollars(cost.monthlyUsd)} a month (${cost.monthly.map((l) => `${l.item}, ${l.quantity} × ${dollars(l.price.usd)} per ${l.price.per}`).join('; ')}); the artifact bucket's storage and the build logs are billed per GB.`,
    '',
    `Per run from source to production (${cost.assumptions}):`,
    '',
    '| item | minutes | cost |',
    '| --- | --- | --- |',
    ...cost.run.map((l) => `| ${l.item} | ${l.minutes} | ${dollars(l.usd)} at $${l.price.usd} per ${l.price.per} |`),
    `| **per run** | | **${dollars(cost.runUsd)}** |`,
    COST_END,
  ].join('\n');
}
