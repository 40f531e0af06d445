import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { ContainerImage, Ec2TaskDefinition } from 'aws-cdk-lib/aws-ecs';
import { ARCHITECTURES } from '../../../lib/app/architectures';
import { UNDELIVERED_MAX_RECEIVE_COUNT } from '../../../lib/shared/architecture-monitoring';
import { CONTROL_TOWER_PLUGIN_NAME, controlOfRule, ruleOfControl } from '../../../lib/shared/control-tower';
import { parseStage } from '../../../lib/shared/stage-config';
import { addValidationPlugins } from '../../../lib/shared/validation';
import { cdkApp, readerOf, STAGE_CONTEXTS } from '../../../scripts/template/synth';
import type { CfnResource as Resource } from '../../../scripts/template/template';
import { stageSynthesis, synthesizedStack } from '../../helpers/stage-synthesis';

/**
 * AWS Control Tower's proactive controls (the Guard rules a landing zone
 * runs as CloudFormation hooks) run at synth in production; what they found
 * that a production team would want fixed is fixed in both stages where it
 * is free, and each fix is read off the templates here.
 */
type Json = { Resources: Record<string, Resource> };

const templatesOf = (stage: 'sandbox' | 'production') =>
  stageSynthesis(stage).stacks.map(({ architecture, stack, assertable }) => [architecture, stack, assertable as Json] as const);
const stages = { sandbox: templatesOf('sandbox'), production: templatesOf('production') };
const ofType = (template: Json, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const every = (type: string) =>
  (['sandbox', 'production'] as const).flatMap((stage) =>
    stages[stage].flatMap(([, stackName, template]) => ofType(template, type).map(([id, r]) => [stage, stackName, id, r] as const)),
  );

describe('the Control Tower pack', () => {
  test('runs at synth in production and says how many of its findings are acknowledged', () => {
    const lines = stageSynthesis('production').validationSummary;
    expect(lines).toContainEqual(
      expect.stringMatching(/^Validation passed: AWS Control Tower proactive controls \(cfn-guard\), [1-9]\d* acknowledged findings$/),
    );
  });

  test('does not run in a sandbox (the controls that cost money are production fields)', () => {
    expect(stageSynthesis('sandbox').validationSummary.join('\n')).not.toMatch(/Control Tower/);
  });

  test('a task definition whose container runs as root fails production synth with the rule id', () => {
    // The packs the app registers for production, over a canary stack alone.
    const app = cdkApp();
    addValidationPlugins(app, parseStage(readerOf(STAGE_CONTEXTS.production)));
    const canary = new Stack(app, 'ControlTowerCanary');
    const task = new Ec2TaskDefinition(canary, 'RootTask');
    task.addContainer('root', { image: ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'), memoryLimitMiB: 64 });
    // Only the Control Tower finding is left to fail it.
    Validations.of(task).acknowledge(
      { id: 'AwsSolutions-ECS2', reason: 'test canary' },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'test canary' },
    );
    expect(() => app.synth()).toThrow(new RegExp(`${CONTROL_TOWER_PLUGIN_NAME}::${ruleOfControl('CT.ECS.PR.3')}`));
  });

  test('control ids and rule names map both ways, from the rule files the plugin ships', () => {
    expect(ruleOfControl('CT.KMS.PR.3')).toBe('kms_create_grant_aws_service_check');
    expect(controlOfRule('sqs_dlq_check')).toBe('CT.SQS.PR.1');
    expect(() => ruleOfControl('CT.NOPE.PR.1')).toThrow(/CT\.NOPE\.PR\.1 is not a Control Tower proactive control/);
  });
});

describe('fixed in both stages (free)', () => {
  test.each(every('AWS::KMS::Key'))(
    '%s %s %s: grants may be created only for AWS resources or by AWS services (CT.KMS.PR.3)',
    (_stage, _stack, _id, key) => {
      expect(key.Properties!.KeyPolicy.Statement).toContainEqual({
        Sid: 'GrantsOnlyForAwsResources',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
      // The services that use the keys still may: nothing else in the policy denies.
      const denials = key.Properties!.KeyPolicy.Statement.filter((s: { Effect: string }) => s.Effect === 'Deny');
      expect(denials).toHaveLength(1);
    },
  );

  test.each(every('AWS::SQS::Queue'))(
    '%s %s %s: has a dead-letter queue or is declared one (CT.SQS.PR.1)',
    (_stage, _stack, _id, queue) => {
      const { RedrivePolicy, RedriveAllowPolicy } = queue.Properties!;
      if (RedrivePolicy) expect(RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      else expect(RedriveAllowPolicy).toEqual({ redrivePermission: 'allowAll' });
    },
  );

  test.each(every('AWS::ECS::TaskDefinition'))(
    '%s %s %s: every container runs as a non-root user on a read-only root file system, with memory scratch space (CT.ECS.PR.3, CT.ECS.PR.6)',
    (_stage, _stack, _id, task) => {
      const volumes = new Set(task.Properties!.Volumes.map((v: { Name: string }) => v.Name));
      for (const container of task.Properties!.ContainerDefinitions) {
        expect(container.User).toMatch(/^[1-9]\d*$/);
        expect(container.ReadonlyRootFilesystem).toBe(true);
        expect(container.LinuxParameters.Tmpfs).toEqual([
          { ContainerPath: '/tmp', Size: expect.any(Number), MountOptions: ['noexec', 'nosuid', 'nodev'] },
        ]);
        // ECS Exec's agent keeps writing where it needs to.
        const mounts = container.MountPoints.map((m: { ContainerPath: string; SourceVolume: string }) => m.ContainerPath);
        expect(mounts.sort()).toEqual(['/var/lib/amazon', '/var/log/amazon']);
        for (const mount of container.MountPoints) expect(volumes.has(mount.SourceVolume)).toBe(true);
        // It listens where it is checked: an unprivileged port.
        expect(container.PortMappings[0].ContainerPort).toBeGreaterThan(1024);
        expect(container.HealthCheck.Command[1]).toContain(`:${container.PortMappings[0].ContainerPort}/`);
      }
    },
  );

  test.each(every('AWS::AutoScaling::AutoScalingGroup'))(
    '%s %s %s: names the two Availability Zones of its subnets (CT.AUTOSCALING.PR.1)',
    (_stage, _stack, _id, group) => {
      const zones = group.Properties!.AvailabilityZones;
      expect(zones).toHaveLength(2);
      expect(JSON.stringify(zones[0])).not.toEqual(JSON.stringify(zones[1]));
      expect(group.Properties!.VPCZoneIdentifier).toHaveLength(2);
    },
  );
});

describe.each(stages.production)('%s production: the undelivered alarm notifications', (_architecture, stackName, template) => {
  test(`have a dead-letter queue after ${UNDELIVERED_MAX_RECEIVE_COUNT} receives, and both queues are alarmed`, () => {
    // The queue keeps the logical id it was released with.
    const found = ofType(template, 'AWS::SQS::Queue').filter(([id]) => /^MonitoringUndeliveredAlarms[0-9A-F]{8}$/.test(id));
    expect(found).toHaveLength(1);
    const [[undeliveredId, undelivered]] = found as [[string, Resource]];
    expect(undelivered!.Properties!.RedrivePolicy.maxReceiveCount).toBe(UNDELIVERED_MAX_RECEIVE_COUNT);
    const deadLetterId = undelivered!.Properties!.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(template.Resources[deadLetterId]!.Properties!.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const alarms = ofType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const watching = (queueId: string) =>
      alarms.filter((a) => JSON.stringify(a.Dimensions ?? a.Metrics ?? '').includes(`"${queueId}","QueueName"`));
    expect(watching(undeliveredId).map((a) => a.AlarmName)).toEqual([`${stackName}-AlarmEmail-Undelivered`]);
    expect(watching(deadLetterId).map((a) => a.AlarmName)).toEqual([`${stackName}-UndeliveredAlarmsDeadLetter-HasMessages`]);
  });
});

/** Every Control Tower control among a stack's acknowledged rule ids. */
function acknowledgedControls(acknowledgedRules: readonly string[]): Set<string> {
  const prefix = `${CONTROL_TOWER_PLUGIN_NAME}::`;
  return new Set(acknowledgedRules.filter((id) => id.startsWith(prefix)).map((id) => controlOfRule(id.slice(prefix.length)) ?? id));
}

describe.each(ARCHITECTURES.map((architecture) => [architecture.name, architecture] as const))('docs/%s.md', (name) => {
  test('lists every Control Tower control acknowledged in its production stack', () => {
    const { acknowledgedRules } = synthesizedStack('production', name);
    const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', `${name}.md`), 'utf8');
    const section = doc.split(/^## /m).find((part) => part.startsWith('Acknowledged validation findings'));
    expect(section).toBeDefined();
    const missing = [...acknowledgedControls(acknowledgedRules)].filter((control) => !section!.includes(control));
    expect(missing).toEqual([]);
  });
});
