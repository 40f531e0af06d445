import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { ARCHITECTURE_NAMES } from '../../lib/app/architectures';
import { CHECKS_PRINCIPAL_NAME, PIPELINE_STACK_NAME } from '../../lib/pipeline/delivery-pipeline-stack';
import { addDeliveryPipeline } from '../../lib/pipeline/pipeline-app';
import { ContextError } from '../../lib/shared/context';
import { validationSummary } from '../../lib/shared/validation';
import { pipelineCost, pipelineCostMarkdown } from '../../scripts/cost/pipeline-cost';
import { COST_END } from '../../scripts/cost/report';
import { parseOptions as parseSmoke } from '../../scripts/smoke/cli';
import { byStack, cdkApp, PIPELINE_PLACEHOLDERS, pipelineTemplate } from '../../scripts/template/synth';
import type { CfnResource, CfnTemplate } from '../../scripts/template/template';
import { resourcesOfType } from '../../scripts/template/template';
import { parseOptions as parseUpgradeCheck } from '../../scripts/upgrade/cli';
import { compareStacks } from '../../scripts/upgrade/compare';
import { stageSynthesis } from '../helpers/stage-synthesis';

/**
 * The delivery pipeline as docs/delivery.md synthesizes it (those example
 * values, offline): its flow, the commands its steps run, who each role
 * trusts, its artifact bucket, the context it refuses, and that it takes over
 * production stacks deployed by hand without putting data at risk.
 */

/** docs/delivery.md's example context (the test reads the doc's own command line). */
const EXAMPLE = exampleContext();

function exampleContext(): Record<string, string> {
  const doc = readFileSync(path.join(__dirname, '../../docs/delivery.md'), 'utf8');
  const line = doc.match(/```sh\n(npx cdk synth -c pipeline=true[^`]*?)\n```/)?.[1];
  if (!line) throw new Error('docs/delivery.md has no ```sh block with `npx cdk synth -c pipeline=true ...`');
  return Object.fromEntries([...line.replace(/\\\n/g, ' ').matchAll(/-c (\w+)=(\S+)/g)].map(([, key, value]) => [key!, value!]));
}

function pipelineApp(context: Record<string, string>): { app: App; built: boolean } {
  const app = cdkApp(context);
  const built = addDeliveryPipeline(app, (key) => app.node.tryGetContext(key), context, {}) !== undefined;
  return { app, built };
}

/** A CodeBuild project's commands (none for CDK Pipelines' asset builds, whose buildspec is a file it writes). */
const commandsOf = (project: CfnResource): string[] => {
  if (!String(project.Properties.Source.BuildSpec).trimStart().startsWith('{')) return [];
  const spec = JSON.parse(project.Properties.Source.BuildSpec) as { phases: Record<string, { commands: string[] }> };
  return Object.values(spec.phases).flatMap((phase) => phase.commands);
};

interface Action {
  readonly stage: string;
  readonly name: string;
  readonly runOrder: number;
  readonly provider: string;
  readonly roleArn: string;
  readonly project?: string;
}

describe('the delivery pipeline (-c pipeline=true, docs/delivery.md)', () => {
  let pipeline: CfnTemplate;
  let stageTemplates: Record<string, CfnTemplate>;
  let actions: Action[];
  let summary: string[];
  const commandsOfAction = (action: Action) => commandsOf(pipeline.Resources[action.project!]!);

  beforeAll(() => {
    const { app } = pipelineApp(EXAMPLE);
    // Synthesis runs every rule pack; an unacknowledged finding throws here.
    const assembly = app.synth();
    summary = validationSummary(app);
    pipeline = assembly.getStackByName(PIPELINE_STACK_NAME).template as CfnTemplate;
    stageTemplates = Object.fromEntries(
      assembly.nestedAssemblies.flatMap((nested) => nested.nestedAssembly.stacks.map((stack) => [stack.stackName, stack.template])),
    );
    const [[, codePipeline] = []] = resourcesOfType(pipeline, 'AWS::CodePipeline::Pipeline');
    actions = codePipeline!.Properties.Stages.flatMap((stage: { Name: string; Actions: any[] }) =>
      stage.Actions.map((action) => ({
        stage: stage.Name,
        name: action.Name,
        runOrder: action.RunOrder,
        provider: action.ActionTypeId.Provider,
        roleArn: JSON.stringify(action.RoleArn),
        project: action.Configuration?.ProjectName?.Ref,
      })),
    );
  }, 240_000);

  test("the doc's example context is the one `npm run cost -- --pipeline` prices", () => {
    expect(EXAMPLE).toEqual(PIPELINE_PLACEHOLDERS);
  });

  test("synth ran every pack: the base packs on the whole app, NIST 800-53 on the pipeline and production, Control Tower's on production", () => {
    expect(summary.map((line) => line.replace(/, \d+ acknowledged findings?$/, ''))).toEqual([
      'Validation passed: cdk-nag AwsSolutions',
      'Validation passed: cdk-nag Serverless',
      'Validation passed: cdk-nag NIST 800-53 rev 5',
      'Validation passed: AWS Control Tower proactive controls (cfn-guard)',
      'Validation passed: aws-cdk-lib CloudFormation Validate',
    ]);
  });

  test("docs/delivery.md's cost block is the one this pipeline's template prices", () => {
    const doc = readFileSync(path.join(__dirname, '../../docs/delivery.md'), 'utf8');
    const begin = doc.search(/<!-- cost:begin\b/);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(doc.slice(begin, doc.indexOf(COST_END) + COST_END.length)).toBe(pipelineCostMarkdown(pipelineCost(pipeline)));
  });

  test('runs source, synth, self-update, assets, the sandbox, then production', () => {
    expect([...new Set(actions.map((a) => a.stage))]).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Sandbox', 'Production']);
    expect(actions.find((a) => a.stage === 'Source')!.provider).toBe('CodeStarSourceConnection');
  });

  test('the synth step installs, runs every test, and synthesizes the pipeline with the context it was given', () => {
    const synth = commandsOfAction(actions.find((a) => a.stage === 'Build')!);
    expect(synth).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
    const cdkSynth = synth.find((command) => command.startsWith('npx cdk synth'))!;
    const given = Object.fromEntries([...cdkSynth.matchAll(/-c (\w+)=(\S+)/g)].map(([, key, value]) => [key!, value!]));
    expect(given).toEqual(EXAMPLE);
  });

  test.each(['Sandbox', 'Production'])('%s: each stack deploys into its account, then its own smoke step runs', (stage) => {
    const account = stage === 'Sandbox' ? EXAMPLE.sandboxAccount : EXAMPLE.productionAccount;
    const stageActions = actions.filter((a) => a.stage === stage);
    for (const architecture of ARCHITECTURE_NAMES) {
      const smoke = stageActions.find(
        (a) => a.provider === 'CodeBuild' && commandsOfAction(a).some((c) => c.startsWith(`npm run smoke -- ${architecture} `)),
      );
      expect(smoke).toBeDefined();
      // CDK Pipelines names a stack's actions `<stack>.Deploy`, or plain `Deploy` when
      // the wave holds a single stack (a starter's sandbox); the smoke step is `Smoke-<stack>`.
      const prefix = smoke!.name.slice(0, smoke!.name.lastIndexOf('.') + 1);
      const stackName = smoke!.name.slice(prefix.length).replace(/^Smoke-/, '');
      const deploy = stageActions.find((a) => a.name === `${prefix}Deploy`)!;
      if (prefix) expect(prefix).toBe(`${stackName}.`);
      expect(deploy).toBeDefined();
      expect(deploy.roleArn).toContain(`:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-`);
      expect(smoke!.runOrder).toBeGreaterThan(deploy.runOrder);
      const command = commandsOfAction(smoke!).find((c) => c.startsWith('npm run smoke'))!;
      expect(command).toContain(`--stage ${stage.toLowerCase()}`);
      expect(command.includes('--read-only')).toBe(stage === 'Production');
      expect(command).toContain(`--role-arn arn:aws:iam::${account}:role/${stackName}-checks`);
    }
  });

  test('production waits for the upgrade check, then a manual approval, before any stack deploys', () => {
    const production = actions.filter((a) => a.stage === 'Production');
    const gate = production.find((a) => a.name === 'UpgradeCheck')!;
    const approval = production.find((a) => a.provider === 'Manual')!;
    const deploys = production.filter((a) => a.provider === 'CloudFormation');
    expect(deploys.length).toBe(2 * ARCHITECTURE_NAMES.length);
    expect(gate.runOrder).toBeLessThan(approval.runOrder);
    for (const deploy of deploys) expect(deploy.runOrder).toBeGreaterThan(approval.runOrder);
    const check = commandsOfAction(gate).find((c) => c.startsWith('npm run upgrade-check'))!;
    expect(check).toContain('--stage production --deployed');
    expect(check).toContain(`--role-arn arn:aws:iam::${EXAMPLE.productionAccount}:role/cdk-hnb659fds-lookup-role-`);
  });

  test("every command a step runs is a script of this project, with arguments that script's parser accepts", () => {
    const scripts = Object.keys(JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).scripts);
    const parsers: Record<string, (argv: string[]) => unknown> = { smoke: parseSmoke, 'upgrade-check': parseUpgradeCheck };
    const commands = resourcesOfType(pipeline, 'AWS::CodeBuild::Project').flatMap(([, project]) => commandsOf(project));
    const npmRuns = commands.filter((c) => c.startsWith('npm run'));
    expect(npmRuns.length).toBeGreaterThanOrEqual(2 * ARCHITECTURE_NAMES.length + 1);
    for (const command of npmRuns) {
      const [, script, ...rest] = command.replace(/^npm run /, 'npm ').split(' ');
      expect(scripts).toContain(script);
      const argv = rest[0] === '--' ? rest.slice(1) : rest;
      expect(parsers[script!]).toBeDefined();
      expect(parsers[script!]!(argv)).not.toBe('help');
    }
  });

  test("each checks role trusts the pipeline's check-step role alone; production's may only read", () => {
    const checksPrincipal = `:iam::${EXAMPLE.pipelineAccount}:role/${CHECKS_PRINCIPAL_NAME}`;
    for (const [stackName, template] of Object.entries(stageTemplates)) {
      const role = Object.entries(template.Resources).find(([id]) => id.startsWith('PipelineChecksRole') && !id.includes('Policy'))![1];
      const trust = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toHaveLength(1);
      expect(JSON.stringify(trust[0].Principal)).toContain(checksPrincipal);
      if (!stackName.endsWith('-production')) continue;
      const policy = Object.entries(template.Resources).find(([id]) => id.startsWith('PipelineChecksRoleDefaultPolicy'))?.[1];
      const statements: { Action: string | string[]; Resource: unknown }[] = policy?.Properties.PolicyDocument.Statement ?? [];
      for (const statement of statements) {
        for (const action of [statement.Action].flat()) {
          expect(action).toMatch(
            /^(cloudformation:Describe|ecs:Describe|elasticloadbalancing:Describe|rds:Describe|logs:FilterLogEvents|execute-api:Invoke)/,
          );
          if (action === 'execute-api:Invoke') expect(JSON.stringify(statement.Resource)).toMatch(/\/GET\//);
        }
      }
    }
  });

  test('artifacts: a KMS key of their own (rotated), TLS only, no public access, old artifacts expire, access logged', () => {
    const [bucket] = resourcesOfType(pipeline, 'AWS::S3::Bucket')
      .map(([, b]) => b)
      .filter((b) => b.Properties.LoggingConfiguration);
    expect(bucket!.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
      'aws:kms',
    );
    expect(bucket!.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket!.Properties.LifecycleConfiguration.Rules.some((r: { ExpirationInDays?: number }) => (r.ExpirationInDays ?? 0) > 0)).toBe(
      true,
    );
    const policies = resourcesOfType(pipeline, 'AWS::S3::BucketPolicy');
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
    expect(resourcesOfType(pipeline, 'AWS::KMS::Key').every(([, key]) => key.Properties.EnableKeyRotation === true)).toBe(true);
  });

  test("the cost report's synth of the pipeline, without the rule packs, yields this same template", () => {
    expect(pipelineTemplate(EXAMPLE)).toEqual(pipeline);
  });

  test('taking over production stacks deployed by hand puts no data at risk and interrupts nothing', () => {
    // Deployed by hand as `npx cdk deploy -c stage=production` deploys them: the run's synthesis of production.
    const byHand = byStack(stageSynthesis('production').stacks);
    const delivered = Object.fromEntries(Object.entries(stageTemplates).filter(([name]) => name.endsWith('-production')));
    expect(Object.keys(delivered).sort()).toEqual(Object.keys(byHand).sort());
    const report = compareStacks(byHand, delivered);
    expect(report.changes.filter((c) => c.class === 'data-at-risk' || c.class === 'interruption')).toEqual([]);
  }, 120_000);
});

describe('the pipeline context', () => {
  const without = (key: string) => Object.fromEntries(Object.entries(EXAMPLE).filter(([k]) => k !== key));
  const refusal = (context: Record<string, string>) => {
    try {
      pipelineApp(context);
    } catch (error) {
      if (error instanceof ContextError) return error.message;
      throw error;
    }
    return 'no error';
  };

  test.each([
    [
      'a missing account id',
      without('sandboxAccount'),
      'Missing context value sandboxAccount: expected a 12-digit AWS account id such as 111111111111.',
    ],
    [
      'a malformed account id',
      { ...EXAMPLE, productionAccount: '3333' },
      'Invalid context value productionAccount="3333": expected a 12-digit AWS account id such as 111111111111.',
    ],
    [
      'a malformed connection ARN',
      { ...EXAMPLE, pipelineConnectionArn: 'arn:aws:codestar:eu-west-1:111111111111:connection/x' },
      'Invalid context value pipelineConnectionArn="arn:aws:codestar:eu-west-1:111111111111:connection/x": expected an AWS CodeConnections connection ARN',
    ],
    [
      'an unknown architecture',
      { ...EXAMPLE, pipelineArchitectures: 'serverless-api,menu' },
      'Invalid context value pipelineArchitectures="serverless-api,menu"',
    ],
    ['a stage', { ...EXAMPLE, stage: 'production' }, 'Invalid context value stage="production": expected no stage with -c pipeline=true'],
    [
      'a pipeline key without -c pipeline=true',
      { sandboxAccount: '222222222222' },
      'Context key sandboxAccount configures the delivery pipeline: add -c pipeline=true (docs/delivery.md).',
    ],
  ])('refuses %s in one line', (_what, context, message) => {
    const refused = refusal(context);
    expect(refused.split('\n')).toHaveLength(1);
    expect(refused).toContain(message);
  });

  test('without -c pipeline=true the app has no pipeline', () => {
    expect(pipelineApp({}).built).toBe(false);
  });
});
