import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_TAG } from '../../lib/shared/tags';
import { STAGE_CONTEXTS, buildTestApp } from '../helpers/synth';

/**
 * What every stack of every architecture owes its stage, checked across the
 * whole app so a new architecture cannot forget it.
 */
type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string };

const ARCHITECTURE_TAGS: Record<string, string> = {
  serverlessApi: 'serverless-api',
  decoupledOrders: 'decoupled-orders',
  containersOnEc2: 'containers-on-ec2',
  multiAzDatabase: 'multi-az-database',
  clickstream: 'clickstream',
};

const EXPECTED = {
  sandbox: { retentionDays: 7, statefulDeletion: 'Delete', terminationProtection: false },
  production: { retentionDays: 365, statefulDeletion: 'Retain', terminationProtection: true },
} as const;

const STATEFUL_TYPES = ['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket'];

describe.each(Object.keys(STAGE_CONTEXTS) as (keyof typeof STAGE_CONTEXTS)[])('%s', (stage) => {
  const { stacks } = buildTestApp(STAGE_CONTEXTS[stage]);
  const templates = Object.entries(stacks).map(([name, stack]) => [name, Template.fromStack(stack).toJSON()] as const);

  test('every architecture has a tag value', () => {
    expect(Object.keys(stacks).sort()).toEqual(Object.keys(ARCHITECTURE_TAGS).sort());
  });

  test.each(Object.entries(stacks))('%s: environment-agnostic (synth needs no account or region)', (_, stack) => {
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  test.each(Object.entries(stacks))('%s: termination protection only in production', (_, stack) => {
    expect(stack.terminationProtection).toBe(EXPECTED[stage].terminationProtection);
  });

  test.each(templates)('%s: every taggable resource carries the project, architecture and stage tags', (name, template) => {
    // objectContaining: Auto Scaling group tags also say PropagateAtLaunch (true).
    const expected = [
      expect.objectContaining({ Key: 'project', Value: PROJECT_TAG }),
      expect.objectContaining({ Key: 'architecture', Value: ARCHITECTURE_TAGS[name] }),
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
});
