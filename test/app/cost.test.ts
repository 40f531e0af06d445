import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { stackCostAtRest } from '../../scripts/cost/at-rest';
import {
  architectureCostMarkdown,
  COST_BEGIN,
  COST_END,
  type CostReport,
  costReport,
  readmeCostMarkdown,
  SANDBOX_BUDGET_USD,
} from '../../scripts/cost/report';
import { synthTemplates } from '../../scripts/template/synth';
import type { CfnTemplate } from '../../scripts/template/template';
import { snapshotTemplate } from '../helpers/sandbox-templates';
import { stageSynthesis } from '../helpers/stage-synthesis';

const ROOT = path.join(__dirname, '..', '..');

/** The five architectures' templates of a stage: their snapshots, which the same test run proves equal to the synthesized templates. */
const stageTemplates = (stage: 'sandbox' | 'production') =>
  ARCHITECTURES.map(({ name }) => {
    const { stackName, template } = snapshotTemplate(name, stage);
    return { architecture: name, stack: stackName, template };
  });

const reports: Record<'sandbox' | 'production', CostReport> = {
  sandbox: costReport('sandbox', stageTemplates('sandbox')),
  production: costReport('production', stageTemplates('production')),
};

const costBlock = (file: string) => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const begin = text.indexOf(COST_BEGIN);
  const end = text.indexOf(COST_END);
  if (begin < 0 || end < begin) throw new Error(`${file} has no cost block`);
  return text.slice(begin, end + COST_END.length);
};

describe('cost at rest from the templates', () => {
  test(`every architecture idle in a sandbox for at most $${SANDBOX_BUDGET_USD} a month`, () => {
    expect(reports.sandbox.architectures).toHaveLength(ARCHITECTURES.length);
    expect(reports.sandbox.monthlyUsd).toBeGreaterThan(0);
    expect(reports.sandbox.monthlyUsd).toBeLessThanOrEqual(SANDBOX_BUDGET_USD);
  });

  test.each(['sandbox', 'production'] as const)(
    '%s: every resource type of every template is priced or known to cost nothing at rest',
    (stage) => {
      const notPriced = reports[stage].architectures.flatMap((a) => a.notPriced.map((n) => `${a.stack} ${n.resource} ${n.type}`));
      expect(notPriced).toEqual([]);
    },
  );

  test('the levers of the sandbox: a NAT instance, a Graviton host, no Container Insights, a one-AZ endpoint, no dashboards', () => {
    const items = (stage: 'sandbox' | 'production', architecture: string) =>
      reports[stage].architectures.find((a) => a.architecture === architecture)!.lines.map((l) => [l.item, l.quantity]);
    const containers = Object.fromEntries(items('sandbox', 'containers-on-ec2'));
    expect(containers['NAT gateway']).toBeUndefined();
    expect(containers['NAT instance']).toBe(730);
    expect(containers['Container Insights custom metrics (estimate)']).toBeUndefined();
    expect(Object.fromEntries(items('production', 'containers-on-ec2'))['NAT gateway']).toBe(2 * 730);
    expect(Object.fromEntries(items('sandbox', 'multi-az-database'))['interface endpoint secretsmanager']).toBe(730);
    expect(Object.fromEntries(items('production', 'multi-az-database'))['interface endpoint secretsmanager']).toBe(2 * 730);
    for (const a of reports.sandbox.architectures) expect(a.lines.map((l) => l.item)).not.toContain('CloudWatch dashboard');
    for (const a of reports.production.architectures) expect(a.lines.map((l) => l.item)).toContain('CloudWatch dashboard');
  });

  test.each(ARCHITECTURES.map((a) => a.name))('docs/%s.md: its cost block is the report of both stages', (architecture) => {
    expect(costBlock(`docs/${architecture}.md`)).toBe(architectureCostMarkdown(architecture, reports.sandbox, reports.production));
  });

  test("README: the table of each architecture's idle cost per stage is the report", () => {
    expect(costBlock('README.md')).toBe(readmeCostMarkdown(reports.sandbox, reports.production));
  });

  test('the per-unit figures exist for the architectures billed by their work', () => {
    const units = reports.production.architectures.filter((a) => a.perUnit).map((a) => [a.architecture, a.perUnit!.unit]);
    expect(units).toEqual([
      ['serverless-api', 'menu requests'],
      ['decoupled-orders', 'orders'],
      ['clickstream', 'click events'],
    ]);
    for (const a of reports.production.architectures) if (a.perUnit) expect(a.perUnit.usd).toBeGreaterThan(0);
  });
});

describe('npm run cost', () => {
  test("synthesizes the stage itself without the packs, to the run's templates, finds each stack's architecture by its tag and reports what the snapshots report", () => {
    // The command's own synth (the packs left off, as upgrade-check's too) is a variant: it must not change a template.
    const own = synthTemplates('sandbox', {}, { packs: false });
    expect(own).toEqual(stageSynthesis('sandbox').stacks.map(({ architecture, stack, template }) => ({ architecture, stack, template })));
    const synthesized = costReport('sandbox', own);
    expect(synthesized.architectures.map((a) => [a.architecture, a.stack])).toEqual(
      reports.sandbox.architectures.map((a) => [a.architecture, a.stack]),
    );
    expect(synthesized.monthlyUsd).toBeCloseTo(reports.sandbox.monthlyUsd, 6);
  });
});

describe('stackCostAtRest', () => {
  const template = (resources: CfnTemplate['Resources']): CfnTemplate => ({ Resources: resources });

  test('a type it does not know is listed as not priced, never skipped', () => {
    const cost = stackCostAtRest('S', template({ Cache: { Type: 'AWS::ElastiCache::CacheCluster', Properties: {} } }));
    expect(cost.notPriced).toEqual([{ resource: 'Cache', type: 'AWS::ElastiCache::CacheCluster', reason: 'type not in the price table' }]);
    expect(cost.monthlyUsd).toBe(0);
  });

  test('an instance type or class the table does not know is not priced either', () => {
    const cost = stackCostAtRest(
      'S',
      template({
        Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.x2g.16xlarge', MultiAZ: true, AllocatedStorage: '20' } },
        Nat: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 'p5.48xlarge' } },
        Provisioned: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { BillingMode: 'PROVISIONED' } },
        OnDemand: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { BillingMode: 'PAY_PER_REQUEST' } },
      }),
    );
    expect(cost.notPriced.map((n) => n.resource)).toEqual(['Db', 'Nat', 'Provisioned']);
    expect(cost.perUse).toEqual([
      { type: 'AWS::DynamoDB::GlobalTable', count: 1, billedBy: 'on-demand request units, storage and backups' },
    ]);
  });

  test('Multi-AZ doubles the RDS instance and storage; the managed master secret is priced', () => {
    const cost = stackCostAtRest(
      'S',
      template({
        Db: {
          Type: 'AWS::RDS::DBInstance',
          Properties: { DBInstanceClass: 'db.t4g.micro', MultiAZ: true, AllocatedStorage: '20', ManageMasterUserPassword: true },
        },
      }),
    );
    expect(cost.lines.map((l) => [l.item, l.quantity, l.price.usd])).toEqual([
      ['RDS instance', 730, 0.032],
      ['RDS storage, gp3', 20, 0.23],
      ['Secrets Manager secret (RDS-managed master password)', 1, 0.4],
    ]);
    expect(cost.monthlyUsd).toBeCloseTo(23.36 + 4.6 + 0.4, 6);
  });

  test('Auto Scaling groups count their desired (else minimum) capacity with the launch template type and volumes', () => {
    const launchTemplate = {
      Type: 'AWS::EC2::LaunchTemplate',
      Properties: { LaunchTemplateData: { InstanceType: 't3.small', BlockDeviceMappings: [{ Ebs: { VolumeSize: 30 } }] } },
    };
    const asg = (props: object) => ({
      Type: 'AWS::AutoScaling::AutoScalingGroup',
      Properties: { LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' } }, ...props },
    });
    const minimum = stackCostAtRest('S', template({ Lt: launchTemplate, Asg: asg({ MinSize: '2', MaxSize: '4' }) }));
    const desired = stackCostAtRest('S', template({ Lt: launchTemplate, Asg: asg({ MinSize: '1', DesiredCapacity: '3' }) }));
    expect(minimum.lines.map((l) => [l.item, l.quantity])).toEqual([
      ['Auto Scaling group instances', 1460],
      ['Auto Scaling group root volumes, gp3', 60],
    ]);
    expect(desired.lines[0]!.quantity).toBe(3 * 730);
  });

  test('alarms are billed per metric they evaluate; interface endpoints per AZ; gateway endpoints are free', () => {
    const cost = stackCostAtRest(
      'S',
      template({
        A: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Period: 300 } },
        B: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Expression: 'm1+m2' }, { MetricStat: {} }, { MetricStat: {} }] } },
        E: {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'], ServiceName: 'com.amazonaws.us-east-1.sqs' },
        },
        G: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
      }),
    );
    const alarms = cost.lines.find((l) => l.item === 'CloudWatch alarms')!;
    expect([alarms.resources, alarms.quantity]).toEqual([['A', 'B'], 3]);
    expect(cost.lines.find((l) => l.item === 'interface endpoint sqs')!.quantity).toBe(2 * 730);
    expect(cost.notPriced).toEqual([]);
  });
});
