import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { ARCHITECTURE_NAMES } from '../../../lib/app/architectures';
import { POSTGRES_PORT } from '../../../lib/multi-az-database/customer-database';
import { parseStage, type StageName } from '../../../lib/shared/stage-config';
import { PROJECT_TAG } from '../../../lib/shared/tags';
import { addValidationPlugins } from '../../../lib/shared/validation';
import { normalizedTemplate, snapshotFile } from '../../../scripts/template/snapshot';
import { cdkApp, readerOf, STAGE_CONTEXTS } from '../../../scripts/template/synth';
import type { CfnResource as Resource } from '../../../scripts/template/template';
import { resourcesOfType } from '../../../scripts/template/template';
import { reportedViolations, stageSynthesis, synthesizedStack } from '../../helpers/stage-synthesis';
import { appFor } from '../../helpers/synth';

const TEST_ROOT = path.join(__dirname, '..', '..');

/**
 * App-wide tests: the app built exactly as `bin/app.ts` builds it (stage
 * defaults every stack owes its stage, the validation packs over every stack,
 * and the one composition across architectures). Each stage's app is the
 * run's one synthesis of it (stageSynthesis); a variant's is built once in
 * this file (appFor) and read by every test that needs it.
 */

/**
 * The context switches that add resources (read replica, database in the
 * containers VPC); each stage's own app is the run's one synthesis of it
 * (stageSynthesis).
 */
const VARIANTS = {
  'sandbox with every switch': { ...STAGE_CONTEXTS.sandbox, databaseReadReplica: 'true', databaseNetwork: 'containers', natGateways: '0' },
  'production with a read replica': { ...STAGE_CONTEXTS.production, databaseReadReplica: 'true' },
};

/**
 * The same rule packs `npx cdk synth` runs (cdk-nag AwsSolutions and
 * Serverless, and aws-cdk-lib's CloudFormation Validate), over every stack of
 * the app, in both stages and with every switch.
 */
describe('synth-time validation', () => {
  test.each(Object.keys(STAGE_CONTEXTS) as StageName[])(
    '%s: every stack synthesizes with no unacknowledged finding of any severity',
    (stage) => {
      const { stacks, violations } = stageSynthesis(stage);
      expect(violations).toEqual([]);
      expect(stacks.length).toBeGreaterThan(0);
    },
  );

  test.each(Object.keys(VARIANTS) as (keyof typeof VARIANTS)[])(
    '%s: every stack synthesizes with no unacknowledged finding of any severity',
    (variant) => {
      const { app } = appFor(VARIANTS[variant]);
      const assembly = app.synth();
      expect(reportedViolations(assembly.directory)).toEqual([]);
      expect(assembly.stacks.length).toBeGreaterThan(0);
    },
  );

  test('synth says which rule packs ran and how many of their findings are acknowledged', () => {
    const lines = stageSynthesis('sandbox').validationSummary;
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Validation passed: cdk-nag AwsSolutions, [1-9]\d* acknowledged findings?$/);
    expect(lines[1]).toMatch(/^Validation passed: cdk-nag Serverless, \d+ acknowledged findings?$/);
    expect(lines[2]).toMatch(/^Validation passed: aws-cdk-lib CloudFormation Validate, [1-9]\d* acknowledged findings?$/);
  });

  test('an unacknowledged cdk-nag finding fails synth (the check above can fail)', () => {
    // The packs the app registers for a sandbox, over a canary stack alone (the app's own stacks pass, above).
    const app = cdkApp();
    addValidationPlugins(app, parseStage(readerOf(STAGE_CONTEXTS.sandbox)));
    new Queue(new Stack(app, 'NagCanary'), 'PlainQueue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3|AwsSolutions-SQS4/);
  });

  test('an invalid CloudFormation property fails synth through aws-cdk-lib validation (cdk.json turns it on)', () => {
    const app = cdkApp();
    addValidationPlugins(app, { nist80053Checks: false, controlTowerChecks: false });
    new CfnResource(new Stack(app, 'SchemaCanary'), 'BadQueue', {
      type: 'AWS::SQS::Queue',
      properties: { MessageRetentionPeriod: 'forever', NotAProperty: true },
    });
    expect(() => app.synth()).toThrow(/NotAProperty|MessageRetentionPeriod/);
  });
});

/**
 * What every stack of every architecture owes its stage, checked across the
 * whole app so a new architecture cannot forget it.
 */

const EXPECTED = {
  sandbox: { retentionDays: 7, statefulDeletion: 'Delete', terminationProtection: false },
  production: { retentionDays: 365, statefulDeletion: 'Retain', terminationProtection: true },
} as const;

const STATEFUL_TYPES = ['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket'];

describe.each(Object.keys(STAGE_CONTEXTS) as StageName[])('%s', (stage) => {
  const { stacks } = stageSynthesis(stage);
  const templates = stacks.map(({ architecture, assertable }) => [architecture, assertable] as const);
  const byArchitecture = stacks.map((stack) => [stack.architecture, stack] as const);

  test('every registered architecture has its stack, tagged with its name', () => {
    expect(stacks.map((stack) => stack.architecture)).toEqual(ARCHITECTURE_NAMES);
  });

  test.each(byArchitecture)(
    '%s: its template is its snapshot file, which the handler suites read (the starters suite proves the architecture alone synthesizes the same)',
    (name, stack) => {
      const file = snapshotFile(path.join(TEST_ROOT, name), stack.stack);
      expect(JSON.parse(normalizedTemplate(stack.template))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    },
  );

  test.each(byArchitecture)('%s: environment-agnostic (synth needs no account or region)', (_, stack) => {
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  test.each(byArchitecture)('%s: termination protection only in production', (_, stack) => {
    expect(stack.terminationProtection).toBe(EXPECTED[stage].terminationProtection);
  });

  test.each(templates)('%s: every taggable resource carries the project, architecture and stage tags', (name, template) => {
    // objectContaining: Auto Scaling group tags also say PropagateAtLaunch (true).
    const expected = [
      expect.objectContaining({ Key: 'project', Value: PROJECT_TAG }),
      expect.objectContaining({ Key: 'architecture', Value: name }),
      expect.objectContaining({ Key: 'stage', Value: stage }),
    ];
    const resources = Object.values(template.Resources as Record<string, Resource>);
    const tagged = resources.filter((r) => Array.isArray(r.Properties?.Tags));
    expect(tagged.length).toBeGreaterThan(3);
    for (const resource of tagged) expect(resource.Properties!.Tags).toEqual(expect.arrayContaining(expected));
    for (const asg of resources.filter((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup')) {
      for (const tag of asg.Properties!.Tags) expect(tag.PropagateAtLaunch).toBe(true);
    }
    // Global tables carry their tags per replica.
    for (const table of resources.filter((r) => r.Type === 'AWS::DynamoDB::GlobalTable')) {
      expect(table.Properties!.Replicas[0].Tags).toEqual(expect.arrayContaining(expected));
    }
  });

  test.each(templates)('%s: every log group keeps logs for the stage retention', (_, template) => {
    const groups = Object.values(template.Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) expect(group.Properties!.RetentionInDays).toBe(EXPECTED[stage].retentionDays);
  });

  test.each(templates)('%s: stateful resources are deleted with a sandbox and retained in production', (_, template) => {
    const stateful = Object.values(template.Resources as Record<string, Resource>).filter((r) => STATEFUL_TYPES.includes(r.Type));
    expect(stateful.length).toBeGreaterThan(0);
    for (const resource of stateful) expect(resource.DeletionPolicy).toBe(EXPECTED[stage].statefulDeletion);
  });

  test.each(templates)('%s: every output has a description, and no two outputs give the same value', (_, template) => {
    const outputs = Object.entries((template.Outputs ?? {}) as Record<string, { Value: unknown; Description?: string }>);
    expect(outputs.length).toBeGreaterThan(0);
    for (const [name, output] of outputs) expect([name, (output.Description ?? '').length > 10]).toEqual([name, true]);
    const values = outputs.map(([, output]) => JSON.stringify(output.Value));
    expect(new Set(values).size).toBe(values.length);
  });
});

/**
 * The one composition across architectures, built as `bin/app.ts` builds it:
 * `databaseNetwork: containers` (in cdk.json) puts the database in the containers VPC
 * and admits the sample internal service.
 */
describe('databaseNetwork=containers', () => {
  const { stacks } = appFor(VARIANTS['sandbox with every switch']);
  const database = Template.fromStack(stacks['multi-az-database']);

  test("the database has no VPC of its own and sits in the containers VPC's isolated subnets", () => {
    database.resourceCountIs('AWS::EC2::VPC', 0);
    const [, subnetGroup] = resourcesOfType(database, 'AWS::RDS::DBSubnetGroup')[0]!;
    for (const subnet of subnetGroup.Properties.SubnetIds) {
      expect(JSON.stringify(subnet)).toMatch(/CoffeeShop-Containers-sandbox/);
      expect(JSON.stringify(subnet)).toMatch(/IsolatedSubnet/);
    }
  });

  test("the sample service's task security group may reach the database and the Secrets Manager endpoint", () => {
    const ingress = resourcesOfType(database, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const fromService = ingress.filter((rule) => String(rule.Description).startsWith('Sample internal service tasks'));
    expect(fromService.map((rule) => rule.Description).sort()).toEqual([
      'Sample internal service tasks',
      'Sample internal service tasks read secrets',
    ]);
    // The database port is PostgreSQL's default, on which RDS creates the instance
    // (the template leaves Port out: it is create-only and 0.1.0 had none); the endpoint's is HTTPS.
    expect(fromService.find((rule) => rule.Description.endsWith('read secrets'))!.FromPort).toBe(443);
    expect(fromService.find((rule) => rule.Description === 'Sample internal service tasks')!.FromPort).toBe(POSTGRES_PORT);
    expect(resourcesOfType(database, 'AWS::RDS::DBInstance')[0]![1].Properties.Port).toBeUndefined();
    for (const rule of fromService) {
      expect(JSON.stringify(rule.SourceSecurityGroupId)).toMatch(/TaskSecurityGroup/);
      expect(JSON.stringify(rule.SourceSecurityGroupId)).toMatch(/CoffeeShop-Containers-sandbox/);
    }
  });

  test('without the switch, the database builds its own VPC and admits only the migrations function', () => {
    const own = Template.fromJSON(synthesizedStack('sandbox', 'multi-az-database').assertable);
    own.resourceCountIs('AWS::EC2::VPC', 1);
    const descriptions = resourcesOfType(own, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties.Description);
    expect(descriptions.filter((d) => String(d).startsWith('Sample internal service'))).toEqual([]);
  });
});
