import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContext, IPolicyValidationContextBeta1, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { ControlTowerChecks, controlTowerRuleTypes, ruleOfControl, rulesNotSelecting } from '../../lib/shared/control-tower';
import { CONTROL_TOWER_RESULTS_ENV } from '../../lib/shared/control-tower-results';

/**
 * ControlTowerChecks runs each stack against only the Control Tower rules
 * that can select one of its resources (lib/shared/control-tower.ts). Its
 * findings must be the plugin's own, run whole.
 */
const work = mkdtempSync(path.join(tmpdir(), 'control-tower-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function templateFile(name: string, resources: Record<string, { Type: string; Properties?: unknown }>): string {
  const file = path.join(work, `${name}.template.json`);
  writeFileSync(file, JSON.stringify({ Resources: resources }));
  return file;
}

/** Each finding as one line: rule, template, resource, where, so two reports compare whatever their grouping. */
function findings(report: PolicyValidationPluginReport): string[] {
  return report.violations
    .flatMap((violation) =>
      violation.violatingResources.map(
        (resource) =>
          `${violation.ruleName} ${path.basename(resource.templatePath ?? '')} ${resource.resourceLogicalId} ${[...resource.locations].sort().join(',')}`,
      ),
    )
    .sort();
}

test('every rule file the plugin ships names the resource types it selects (else it would always run)', () => {
  const rules = controlTowerRuleTypes();
  expect(rules.size).toBeGreaterThan(200);
  expect([...rules].filter(([, types]) => types.length === 0).map(([rule]) => rule)).toEqual([]);
});

test("a rule is left out only where the stack has none of its types: the bucket's controls run on a stack with a bucket", () => {
  const bucketRule = 'ct-s3-pr-1';
  expect(controlTowerRuleTypes().get(bucketRule)).toContain('AWS::S3::Bucket');
  expect(rulesNotSelecting(new Set(['AWS::S3::Bucket']))).not.toContain(bucketRule);
  expect(rulesNotSelecting(new Set(['AWS::SQS::Queue']))).toContain(bucketRule);
  expect(rulesNotSelecting(new Set(['AWS::SQS::Queue']))).not.toContain('ct-sqs-pr-1');
});

test('its findings over several stacks are those of the plugin run whole, and it fails where the plugin fails', () => {
  const templatePaths = [
    templateFile('Storage', {
      OpenBucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      QueueWithoutDlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: '{}' } },
    }),
    templateFile('Compute', {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler', Code: { ZipFile: 'x' }, Role: 'r' },
      },
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } },
      PlainQueue: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: 'arn' } } },
    }),
  ];
  const context = { templatePaths } as unknown as IPolicyValidationContext & IPolicyValidationContextBeta1;
  const narrowed = new ControlTowerChecks().validate(context);
  const whole = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }).validate(context);
  expect(narrowed.success).toBe(false);
  expect(narrowed.success).toBe(whole.success);
  expect(findings(narrowed)).toEqual(findings(whole));
  // Findings from both stacks, the ones this test is built on among them.
  expect(findings(narrowed)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${ruleOfControl('CT.S3.PR.1')} Storage.template.json OpenBucket `)),
      expect.stringMatching(new RegExp(`^${ruleOfControl('CT.SQS.PR.1')} Storage.template.json QueueWithoutDlq `)),
      expect.stringMatching(/ Compute\.template\.json Fn /),
    ]),
  );
});

test("its name, version and rule ids are the plugin's, so acknowledgements and reports name it as before", () => {
  const ours = new ControlTowerChecks();
  const whole = new CfnGuardValidator();
  expect([ours.name, ours.version, ours.ruleIds]).toEqual([whole.name, whole.version, whole.ruleIds]);
});

describe('with a results directory (as the test run sets one)', () => {
  const before = process.env[CONTROL_TOWER_RESULTS_ENV];
  const results = mkdtempSync(path.join(work, 'results-'));
  beforeAll(() => {
    process.env[CONTROL_TOWER_RESULTS_ENV] = results;
  });
  afterAll(() => {
    if (before === undefined) delete process.env[CONTROL_TOWER_RESULTS_ENV];
    else process.env[CONTROL_TOWER_RESULTS_ENV] = before;
  });
  const check = (...templatePaths: string[]) =>
    new ControlTowerChecks().validate({ templatePaths } as unknown as IPolicyValidationContext & IPolicyValidationContextBeta1);

  test('a template checked before is not checked again: the same findings, pointed at where it is now', () => {
    const resources = { OpenBucket: { Type: 'AWS::S3::Bucket', Properties: {} } };
    const first = check(templateFile('First', resources));
    expect(readdirSync(results)).toHaveLength(1);
    const again = check(templateFile('Again', resources));
    expect(readdirSync(results)).toHaveLength(1);
    expect(again.success).toBe(false);
    expect(findings(again)).toEqual(findings(first).map((line) => line.replace(' First.template.json ', ' Again.template.json ')));
  });

  test('a template that differs in anything is checked on its own', () => {
    const changed = check(
      templateFile('Changed', {
        OpenBucket: { Type: 'AWS::S3::Bucket', Properties: {} },
        QueueWithoutDlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      }),
    );
    expect(readdirSync(results)).toHaveLength(2);
    expect(findings(changed)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${ruleOfControl('CT.SQS.PR.1')} Changed.template.json QueueWithoutDlq `)),
      ]),
    );
  });
});
