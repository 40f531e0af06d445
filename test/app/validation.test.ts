import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { STAGE_CONTEXTS, buildTestApp } from '../helpers/synth';

/**
 * The same rule packs `npx cdk synth` runs (cdk-nag AwsSolutions and
 * Serverless, and aws-cdk-lib's CloudFormation Validate), over every stack of
 * the app, in both stages.
 */
/** Both stages, and the context switches that add resources (read replica, database in the containers VPC). */
const CONTEXTS = {
  ...STAGE_CONTEXTS,
  'sandbox with every switch': { ...STAGE_CONTEXTS.sandbox, databaseReadReplica: 'true', databaseNetwork: 'containers', natGateways: '0' },
  'production with a read replica': { ...STAGE_CONTEXTS.production, databaseReadReplica: 'true' },
};

describe('synth-time validation', () => {
  test.each(Object.keys(CONTEXTS) as (keyof typeof CONTEXTS)[])(
    '%s: every stack synthesizes with no unacknowledged finding of any severity',
    (stage) => {
      const { app } = buildTestApp(CONTEXTS[stage]);
      const assembly = app.synth();
      const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
      const violations = report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? []);
      expect(violations).toEqual([]);
      expect(assembly.stacks.length).toBeGreaterThan(0);
    },
  );

  test('an unacknowledged cdk-nag finding fails synth (the check above can fail)', () => {
    const { app } = buildTestApp(STAGE_CONTEXTS.sandbox);
    new Queue(new Stack(app, 'NagCanary'), 'PlainQueue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3|AwsSolutions-SQS4/);
  });

  test('an invalid CloudFormation property fails synth through aws-cdk-lib validation', () => {
    const { app } = buildTestApp(STAGE_CONTEXTS.sandbox);
    new CfnResource(new Stack(app, 'SchemaCanary'), 'BadQueue', {
      type: 'AWS::SQS::Queue',
      properties: { MessageRetentionPeriod: 'forever', NotAProperty: true },
    });
    expect(() => app.synth()).toThrow(/NotAProperty|MessageRetentionPeriod/);
  });
});
