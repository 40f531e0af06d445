import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { MAX_RECORD_SIZE_KIB } from '../../../lib/clickstream/click-ingestion';
import { CLICKSTREAM_CONFIG } from '../../../lib/clickstream/clickstream-config';
import { HANDLER_ENTRY_METADATA } from '../../../lib/shared/observed-function';
import { WAF_REDACTED_HEADERS } from '../../../lib/shared/observed-rest-api';
import { parseStage } from '../../../lib/shared/stage-config';
import { addValidationPlugins } from '../../../lib/shared/validation';
import { clickWriteCeiling } from '../../../scripts/cost/click-write-ceiling';
import { cdkApp, readerOf, STAGE_CONTEXTS } from '../../../scripts/template/synth';
import type { CfnResource as Resource } from '../../../scripts/template/template';
import { stageSynthesis } from '../../helpers/stage-synthesis';

/**
 * The production controls of a compliance review (cdk-nag's NIST 800-53 rev 5
 * pack runs at synth in production; app-wide.ts proves it passes), read
 * off the templates of both stages: production has each control, and the
 * sandbox has none that costs money.
 */
type Json = { Resources: Record<string, Resource>; Mappings?: Record<string, any>; Conditions?: Record<string, unknown> };

const templatesOf = (stage: 'sandbox' | 'production') =>
  Object.fromEntries(stageSynthesis(stage).stacks.map(({ architecture, assertable }) => [architecture, assertable as Json]));
const production = templatesOf('production');
const sandbox = templatesOf('sandbox');

const ofType = (template: Json, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const ref = (value: unknown) => JSON.stringify(value);

describe('the NIST 800-53 rev 5 pack', () => {
  test('runs at synth in production, after AwsSolutions and Serverless, and says how many findings are acknowledged', () => {
    const lines = stageSynthesis('production').validationSummary;
    expect(lines).toContainEqual(expect.stringMatching(/^Validation passed: cdk-nag NIST 800-53 rev 5, [1-9]\d* acknowledged findings$/));
  });

  test('does not run in a sandbox (its key, backup and logging controls are production-only)', () => {
    expect(stageSynthesis('sandbox').validationSummary.join('\n')).not.toMatch(/NIST/);
  });

  test('an unencrypted log group added to production fails synth (the pack can fail)', () => {
    // The packs the app registers for production, over a canary stack alone.
    const app = cdkApp();
    addValidationPlugins(app, parseStage(readerOf(STAGE_CONTEXTS.production)));
    new LogGroup(new Stack(app, 'NistCanary'), 'PlainLogs');
    expect(() => app.synth()).toThrow(/NIST\.800\.53\.R5-CloudWatchLogGroupEncrypted/);
  });
});

describe.each(Object.keys(production))('%s', (name) => {
  const prod = production[name]!;
  const sand = sandbox[name]!;

  test("production: every log group is encrypted with the stack's one log key, which CloudWatch Logs may use for this account's log groups only", () => {
    const groups = ofType(prod, 'AWS::Logs::LogGroup');
    const keys = new Set(groups.map(([, g]) => ref(g.Properties!.KmsKeyId)));
    expect(keys.size).toBe(1);
    const keyId = JSON.parse([...keys][0]!)['Fn::GetAtt'][0];
    const key = prod.Resources[keyId]!;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    const forLogs = key.Properties!.KeyPolicy.Statement.find((s: any) => ref(s.Principal).includes('logs.'));
    expect(ref(forLogs.Principal.Service)).toMatch(/"logs\.",\{"Ref":"AWS::Region"\},"\.amazonaws\.com"/);
    expect(ref(forLogs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toMatch(/:log-group:\*"/);
    expect(forLogs.Action).toEqual(expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']));
  });

  test("sandbox: no log group carries a key (CloudWatch Logs' own encryption, no key fee)", () => {
    for (const [, group] of ofType(sand, 'AWS::Logs::LogGroup')) expect(group.Properties!.KmsKeyId).toBeUndefined();
  });

  test('production: every bucket is versioned and old versions expire after 30 days; sandbox: none is versioned', () => {
    for (const [, bucket] of ofType(prod, 'AWS::S3::Bucket')) {
      expect(bucket.Properties!.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties!.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
      );
    }
    for (const [, bucket] of ofType(sand, 'AWS::S3::Bucket')) expect(bucket.Properties!.VersioningConfiguration).toBeUndefined();
  });

  test('production: every project function has reserved concurrency; sandbox: none', () => {
    const own = (t: Json) => ofType(t, 'AWS::Lambda::Function').filter(([, f]) => f.Metadata?.[HANDLER_ENTRY_METADATA]);
    for (const [id, fn] of own(prod)) expect([id, fn.Properties!.ReservedConcurrentExecutions]).toEqual([id, expect.any(Number)]);
    for (const [id, fn] of own(sand)) expect([id, fn.Properties!.ReservedConcurrentExecutions]).toEqual([id, undefined]);
  });

  test('sandbox: no backup, web ACL logging or load balancer log bucket (each costs money at rest or per GB)', () => {
    const types = new Set(Object.values(sand.Resources).map((r) => r.Type));
    for (const type of ['AWS::Backup::BackupVault', 'AWS::Backup::BackupPlan', 'AWS::WAFv2::LoggingConfiguration'])
      expect(types.has(type)).toBe(false);
  });
});

describe('AWS Backup (production)', () => {
  const BACKED_UP: Record<string, string[]> = {
    'serverless-api': ['MenuItemsTable'],
    'decoupled-orders': ['OrdersTable'],
    'multi-az-database': ['DatabaseInstance'],
  };

  test.each(Object.entries(BACKED_UP))('%s: the plan selects exactly its stateful store', (name, prefixes) => {
    const template = production[name]!;
    const [, selection] = ofType(template, 'AWS::Backup::BackupSelection')[0]!;
    // Each selected ARN names one resource of the stack (a GetAtt, or a Join around a Ref).
    const selected = selection.Properties!.BackupSelection.Resources.map((arn: unknown) =>
      Object.keys(template.Resources).filter((id) => ref(arn).includes(`"${id}"`)),
    );
    expect(selected.map((ids: string[]) => ids.length)).toEqual(prefixes.map(() => 1));
    for (const [i, prefix] of prefixes.entries()) expect(selected[i][0]).toMatch(new RegExp(`^${prefix}`));
    expect(template.Resources[selected[0][0]]!.Type).toMatch(/^AWS::(DynamoDB::GlobalTable|RDS::DBInstance)$/);
  });

  test.each(Object.keys(BACKED_UP))(
    '%s: daily for 35 days and monthly for a year, at 05:00 UTC, into a vault with its own rotated key',
    (name) => {
      const template = production[name]!;
      const [, plan] = ofType(template, 'AWS::Backup::BackupPlan')[0]!;
      expect(plan.Properties!.BackupPlan.BackupPlanRule).toEqual([
        expect.objectContaining({ RuleName: 'Daily', ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } }),
        expect.objectContaining({ RuleName: 'Monthly', ScheduleExpression: 'cron(0 5 1 * ? *)', Lifecycle: { DeleteAfterDays: 365 } }),
      ]);
      expect(plan.Properties!.BackupPlan.BackupPlanName).toMatch(/production/);
      const [, vault] = ofType(template, 'AWS::Backup::BackupVault')[0]!;
      const key = template.Resources[vault.Properties!.EncryptionKeyArn['Fn::GetAtt'][0]]!;
      expect(key).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
    },
  );

  test('the orders idempotency table is not backed up (its records expire within five days)', () => {
    const [, selection] = ofType(production['decoupled-orders']!, 'AWS::Backup::BackupSelection')[0]!;
    expect(ref(selection.Properties!.BackupSelection.Resources)).not.toMatch(/Idempotency/);
  });
});

describe('web ACL logging (production)', () => {
  test.each(['serverless-api', 'decoupled-orders'])(
    '%s: the web ACL logs to an aws-waf-logs- group with the stage retention and the log key, redacting credentials',
    (name) => {
      const template = production[name]!;
      const [aclId] = ofType(template, 'AWS::WAFv2::WebACL')[0]!;
      const [, logging] = ofType(template, 'AWS::WAFv2::LoggingConfiguration')[0]!;
      expect(logging.Properties!.ResourceArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
      expect(logging.Properties!.RedactedFields).toEqual(WAF_REDACTED_HEADERS.map((Name) => ({ SingleHeader: { Name } })));
      expect(WAF_REDACTED_HEADERS).toEqual(expect.arrayContaining(['authorization']));
      const destination = ref(logging.Properties!.LogDestinationConfigs);
      const [groupId, group] = ofType(template, 'AWS::Logs::LogGroup').find(([id]) => destination.includes(`"Ref":"${id}"`))!;
      expect(groupId).toMatch(/WafLogs/);
      expect(group.Properties!.LogGroupName).toMatch(/^aws-waf-logs-/);
      expect(group.Properties!.RetentionInDays).toBe(365);
      expect(group.Properties!.KmsKeyId).toBeDefined();
      // The destination is the log group's ARN without the :* CloudWatch Logs appends.
      expect(destination).toMatch(/:log-group:",\{"Ref":"[A-Za-z0-9]+"\}\]\]\}\]$/);
    },
  );
});

describe('the internal load balancer', () => {
  const alb = (template: Json) => ofType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0]!;
  const attributes = (template: Json) =>
    Object.fromEntries(alb(template)[1].Properties!.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]));

  test('production: deletion protection, and access logs to a bucket of its own', () => {
    const template = production['containers-on-ec2']!;
    const attrs = attributes(template);
    expect(attrs['deletion_protection.enabled']).toBe('true');
    expect(attrs['access_logs.s3.enabled']).toBe('true');
    expect(attrs['access_logs.s3.prefix']).toBe('alb');
    const bucketId = attrs['access_logs.s3.bucket'].Ref;
    expect(template.Resources[bucketId]!.Type).toBe('AWS::S3::Bucket');
    expect(template.Resources[bucketId]!.Properties!.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 365 }),
    );
    // The load balancer waits for the policy: ELB checks it may write when logging is switched on.
    const [policyId] = ofType(template, 'AWS::S3::BucketPolicy').find(([, p]) => ref(p.Properties!.Bucket).includes(bucketId))!;
    expect(alb(template)[1].DependsOn).toContain(policyId);
  });

  test("production: the log bucket trusts the region's ELB account where there is one and the log delivery service elsewhere, chosen at deploy time", () => {
    const template = production['containers-on-ec2']!;
    const [, policy] = ofType(template, 'AWS::S3::BucketPolicy').find(([, p]) => ref(p.Properties).includes('LoadBalancerLogDelivery'))!;
    const statement = policy.Properties!.PolicyDocument.Statement.find((s: any) => s.Sid === 'LoadBalancerLogDelivery');
    expect(statement.Action).toBe('s3:PutObject');
    expect(ref(statement.Resource)).toMatch(/\/alb\/AWSLogs\/",\{"Ref":"AWS::AccountId"\},"\/\*"/);
    const [condition, byAccount, byService] = statement.Principal['Fn::If'];
    expect(byService).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
    const mappingId = byAccount.AWS['Fn::Join'][1][3]['Fn::FindInMap'][0];
    const mapping = template.Mappings![mappingId];
    expect(mapping['us-east-1']).toEqual({ account: '127311923021' });
    expect(mapping['eu-west-1']).toEqual({ account: '156460612806' });
    expect(mapping['il-central-1']).toEqual({ account: 'service-principal' });
    expect(ref(template.Conditions![condition])).toContain('service-principal');
    // The TLS-only statement is still there.
    expect(ref(policy.Properties!.PolicyDocument)).toContain('aws:SecureTransport');
  });

  test('sandbox: no deletion protection (cdk destroy works) and no access logs', () => {
    const attrs = attributes(sandbox['containers-on-ec2']!);
    expect(attrs['deletion_protection.enabled']).toBe('false');
    expect(attrs['access_logs.s3.enabled']).toBeUndefined();
  });
});

describe('anonymous click writes (production)', () => {
  const template = production.clickstream!;
  const [, stream] = ofType(template, 'AWS::Kinesis::Stream')[0]!;
  const config = CLICKSTREAM_CONFIG.production;

  test('the stream is provisioned with a fixed number of shards (the cost ceiling), records at most 1 MiB', () => {
    expect(config.streamCapacity).toEqual({ mode: 'provisioned', shards: 2 });
    expect(stream.Properties!.StreamModeDetails).toEqual({ StreamMode: 'PROVISIONED' });
    expect(stream.Properties!.ShardCount).toBe(2);
    expect(stream.Properties!.MaxRecordSizeInKiB).toBe(MAX_RECORD_SIZE_KIB);
    expect(MAX_RECORD_SIZE_KIB).toBe(1024);
  });

  test('an alarm fires on the first five minutes with more incoming bytes than the expected peak', () => {
    const [, alarm] = ofType(template, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties!.MetricName === 'IncomingBytes')!;
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Kinesis',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: config.expectedPeakBytesPerSecond * 300,
    });
    // The alarm is a warning of abuse well before the ceiling: below the shards' capacity.
    expect(config.expectedPeakBytesPerSecond).toBeLessThan(2 * 1024 * 1024);
    expect(ofType(sandbox.clickstream!, 'AWS::CloudWatch::Alarm').some(([, a]) => a.Properties!.MetricName === 'IncomingBytes')).toBe(
      false,
    );
  });

  test('the ceiling per hour is what the doc states, and it is the shards that bound it', () => {
    const ceiling = clickWriteCeiling(2);
    expect(ceiling.usdPerHour).toBeGreaterThan(1.5);
    expect(ceiling.usdPerHour).toBeLessThan(2.5);
    const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'clickstream.md'), 'utf8');
    expect(doc).toContain(`**$${ceiling.usdPerHour.toFixed(2)} an hour**`);
    expect(doc).toContain(`$${clickWriteCeiling(1).usdPerHour.toFixed(2)} an hour`);
    for (const line of ceiling.lines) expect(doc).toContain(`| ${line.item} |`);
    for (const line of ceiling.lines) expect(doc).toContain(`| $${line.usd.toFixed(2)} |`);
    // Twice the shards, twice the writes beyond the fixed shard fee: linear in the shard count.
    expect(clickWriteCeiling(4).usdPerHour).toBeCloseTo(2 * ceiling.usdPerHour, 6);
  });
});
