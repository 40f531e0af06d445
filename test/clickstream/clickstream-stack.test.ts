import type { Template } from 'aws-cdk-lib/assertions';
import { clickstream } from '../../lib/clickstream/architecture';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import { type CfnResource, onlyResourceOf, resourcesOfType } from '../../scripts/template/template';
import { CLICK_EVENT_FIELDS, GLUE_TYPES } from '../../web/clickstream/event-schema';
import { describeAlarmDocs } from '../helpers/alarm-docs';
import { stageTemplates } from '../helpers/template-queries';
import { describeTemplateSnapshots } from '../helpers/template-snapshot';

const { sandbox, production, stages } = stageTemplates(clickstream);

const firehose = (t: Template) => onlyResourceOf(t, 'AWS::KinesisFirehose::DeliveryStream').Properties.ExtendedS3DestinationConfiguration;
const table = (t: Template) => onlyResourceOf(t, 'AWS::Glue::Table').Properties.TableInput;
const policiesOfRole = (t: Template, roleId: string) =>
  resourcesOfType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const bucketById = (t: Template, id: string) => t.toJSON().Resources[id] as CfnResource;
const idOf = (value: unknown): string => {
  const text = JSON.stringify(value);
  return /"(?:Ref|Fn::GetAtt)":\[?"([A-Za-z0-9]+)"/.exec(text)![1]!;
};

describe('ingestion: Cognito identity pool and Kinesis stream', () => {
  test.each(stages)(
    '%s: the unauthenticated visitor role may only PutRecords (all the tracker calls) on this one stream',
    (_, template) => {
      const pool = onlyResourceOf(template, 'AWS::Cognito::IdentityPool').Properties;
      expect(pool).toMatchObject({ AllowUnauthenticatedIdentities: true, AllowClassicFlow: false });
      const attachment = onlyResourceOf(template, 'AWS::Cognito::IdentityPoolRoleAttachment').Properties;
      expect(Object.keys(attachment.Roles)).toEqual(['unauthenticated']);
      const roleId = idOf(attachment.Roles.unauthenticated);
      const role = template.toJSON().Resources[roleId];
      const trust = role.Properties.AssumeRolePolicyDocument.Statement[0];
      expect(trust).toMatchObject({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Condition: {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: idOf(attachment.IdentityPoolId) } },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
        },
      });
      const streamId = resourcesOfType(template, 'AWS::Kinesis::Stream')[0]![0];
      expect(policiesOfRole(template, roleId)).toEqual([
        { Action: 'kinesis:PutRecords', Effect: 'Allow', Resource: { 'Fn::GetAtt': [streamId, 'Arn'] } },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    },
  );

  test('stream capacity: provisioned shards in both stages (one in a sandbox, two in production), never on demand: the shards cap what anonymous writers can cost', () => {
    expect(onlyResourceOf(sandbox, 'AWS::Kinesis::Stream').Properties).toMatchObject({
      ShardCount: 1,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      MaxRecordSizeInKiB: 1024,
    });
    expect(onlyResourceOf(production, 'AWS::Kinesis::Stream').Properties).toMatchObject({
      ShardCount: 2,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      MaxRecordSizeInKiB: 1024,
    });
  });

  test.each(stages)('%s: encrypted with KMS, retention per stage, removed only with a sandbox', (stage, template) => {
    const stream = onlyResourceOf(template, 'AWS::Kinesis::Stream');
    expect(stream.Properties.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect(stream.Properties.RetentionPeriodHours).toBe(stage === 'production' ? 168 : 24);
    expect(stream.DeletionPolicy).toBe(stage === 'production' ? 'Retain' : 'Delete');
  });

  test.each(stages)('%s: alarms on iterator age, write throttling and delivery freshness', (_, template) => {
    const metrics = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(
      ([, a]) =>
        a.Properties.MetricName ??
        a.Properties.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName)
          .filter(Boolean)
          .join(),
    );
    expect(metrics).toEqual(
      expect.arrayContaining(['GetRecords.IteratorAgeMilliseconds', 'WriteProvisionedThroughputExceeded', 'DeliveryToS3.DataFreshness']),
    );
  });
});

describe('Firehose to S3 as partitioned Parquet', () => {
  test.each(stages)('%s: converts JSON to Snappy Parquet with the Glue table as the schema', (_, template) => {
    const conversion = firehose(template).DataFormatConversionConfiguration;
    const tableId = resourcesOfType(template, 'AWS::Glue::Table')[0]![0];
    expect(conversion).toMatchObject({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { HiveJsonSerDe: { TimestampFormats: ['millis'] } } },
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
      SchemaConfiguration: { TableName: { Ref: tableId }, VersionId: 'LATEST' },
    });
  });

  test.each(stages)('%s: Hive-style hourly prefix, and an error prefix that keeps failed records by error type', (_, template) => {
    const destination = firehose(template);
    expect(destination.Prefix).toBe('events/dt=!{timestamp:yyyy-MM-dd-HH}/');
    expect(destination.ErrorOutputPrefix).toBe('errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd-HH}/');
    expect(destination.CloudWatchLoggingOptions.Enabled).toBe(true);
  });

  test('buffering within the limits for format conversion (64 MiB to 128 MiB, at most 900 s)', () => {
    expect(firehose(sandbox).BufferingHints).toEqual({ IntervalInSeconds: 60, SizeInMBs: 64 });
    expect(firehose(production).BufferingHints).toEqual({ IntervalInSeconds: 300, SizeInMBs: 128 });
  });

  test.each(stages)('%s: the delivery role holds exactly what Firehose needs, no deletes, and exists before the stream', (_, template) => {
    const delivery = onlyResourceOf(template, 'AWS::KinesisFirehose::DeliveryStream');
    const roleId = idOf(delivery.Properties.KinesisStreamSourceConfiguration.RoleARN);
    const actions = policiesOfRole(template, roleId).flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual(
      [
        'glue:GetTable',
        'glue:GetTableVersion',
        'glue:GetTableVersions',
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:PutObject',
      ].sort(),
    );
    const policyId = resourcesOfType(template, 'AWS::IAM::Policy').find(([, p]) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId),
    )![0];
    expect(delivery.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });
});

describe('Glue table and partition projection', () => {
  test.each(stages)('%s: the columns are the event schema, in order, with its types', (_, template) => {
    const columns = table(template).StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type]);
    expect(columns).toEqual(Object.entries(CLICK_EVENT_FIELDS).map(([name, spec]) => [name, GLUE_TYPES[spec.kind]]));
  });

  test.each(stages)(
    '%s: the projection location template is the Firehose prefix, with the partition value as the variable',
    (_, template) => {
      const input = table(template);
      const prefix: string = firehose(template).Prefix;
      // Firehose writes events/dt=!{timestamp:<format>}/; Athena must look at events/dt=${dt}/ with that same format.
      const match = /^(.*)dt=!\{timestamp:([^}]+)\}\/$/.exec(prefix)!;
      expect(input.PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'string' })]);
      expect(input.Parameters['projection.enabled']).toBe('true');
      expect(input.Parameters['projection.dt.type']).toBe('date');
      expect(input.Parameters['projection.dt.format']).toBe(match[2]);
      expect(input.Parameters['projection.dt.interval.unit']).toBe('HOURS');
      const bucketId = idOf(firehose(template).BucketARN);
      expect(input.Parameters['storage.location.template']).toEqual({
        'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/${match[1]}dt=\${dt}/`]],
      });
      expect(input.StorageDescriptor.Location).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/${match[1]}`]] });
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    },
  );
});

describe('buckets', () => {
  test.each(stages)('%s: every bucket is encrypted, private, TLS-only and logs access (but the log bucket)', (_, template) => {
    const buckets = resourcesOfType(template, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(4);
    const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy');
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
        'AES256',
      );
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policy = policies.find(([, p]) => p.Properties.Bucket.Ref === id)![1];
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    expect(buckets.filter(([, b]) => b.Properties.LoggingConfiguration === undefined)).toHaveLength(1);
  });

  test('data lake lifecycle: events to Intelligent-Tiering, error output expires', () => {
    const lake = bucketById(sandbox, idOf(firehose(sandbox).BucketARN));
    const rules = lake.Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: 'events/', Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }] }),
    );
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'errors/', ExpirationInDays: 30 }));
  });

  test('objects go with the stack only in a sandbox', () => {
    for (const [, bucket] of resourcesOfType(sandbox, 'AWS::S3::Bucket')) expect(bucket.DeletionPolicy).toBe('Delete');
    expect(resourcesOfType(sandbox, 'Custom::S3AutoDeleteObjects')).toHaveLength(4);
    for (const [, bucket] of resourcesOfType(production, 'AWS::S3::Bucket')) expect(bucket.DeletionPolicy).toBe('Retain');
    expect(resourcesOfType(production, 'Custom::S3AutoDeleteObjects')).toHaveLength(0);
  });
});

describe('Athena workgroup', () => {
  test.each(stages)(
    '%s: enforced settings, encrypted results in their own expiring bucket, a scan cutoff, CloudWatch metrics',
    (stage, template) => {
      const workgroup = onlyResourceOf(template, 'AWS::Athena::WorkGroup').Properties;
      const settings = workgroup.WorkGroupConfiguration;
      expect(settings).toMatchObject({
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: stage === 'production' ? 100 * 1024 ** 3 : 1024 ** 3,
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      });
      expect(workgroup.RecursiveDeleteOption).toBe(true);
      const resultsId = idOf(settings.ResultConfiguration.OutputLocation);
      expect(resultsId).not.toBe(idOf(firehose(template).BucketARN));
      const results = bucketById(template, resultsId);
      expect(results.Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ ExpirationInDays: 7 }));
    },
  );

  test.each(stages)('%s: saved queries answer the course questions and every one prunes partitions', (_, template) => {
    const queries = resourcesOfType(template, 'AWS::Athena::NamedQuery').map(([, q]) => q.Properties);
    expect(queries.map((q) => q.Name)).toContain('most-viewed-menu-items-last-hour');
    for (const query of queries) {
      expect(query.QueryString).toMatch(/FROM menu_clicks/);
      // Every read of the table is bounded by the partition key, so Athena scans only those hours.
      const reads = query.QueryString.match(/FROM menu_clicks/g).length;
      expect(query.QueryString.match(/dt >= date_format\(/g)?.length).toBe(reads);
      expect(query.QueryString).toMatch(/DISTINCT event_id|DISTINCT session_id/);
      // Only columns of the schema (and the partition key) are used.
      for (const column of query.QueryString.match(/\b[a-z]+_[a-z_]+\b/g) ?? []) {
        if (
          [
            'menu_clicks',
            'date_format',
            'current_timestamp',
            'date_trunc',
            'visits_with_a_click',
            'percent_of_visits',
            'page_views',
            'item_clicks',
            'page_view',
            'menu_item_click',
          ].includes(column)
        )
          continue;
        expect(Object.keys(CLICK_EVENT_FIELDS)).toContain(column);
      }
    }
  });
});

describe('menu page on CloudFront', () => {
  test.each(stages)('%s: private bucket behind origin access control, HTTPS only, security headers', (_, template) => {
    const distribution = onlyResourceOf(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(distribution.DefaultRootObject).toBe('index.html');
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    for (const behavior of distribution.CacheBehaviors) expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    expect(distribution.Origins[0].OriginAccessControlId).toBeDefined();
    expect(distribution.Logging).toBeDefined();
    const oac = onlyResourceOf(template, 'AWS::CloudFront::OriginAccessControl').Properties.OriginAccessControlConfig;
    expect(oac).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const headers = onlyResourceOf(template, 'AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig
      .SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true });
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ContentTypeOptions).toBeDefined();
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain('https://kinesis.');
    expect(csp).toContain('https://cognito-identity.');
  });

  test.each(stages)("%s: the page is deployed with a config.json naming this stack's pool and stream", (_, template) => {
    const deployment = onlyResourceOf(template, 'Custom::CDKBucketDeployment').Properties;
    const poolId = resourcesOfType(template, 'AWS::Cognito::IdentityPool')[0]![0];
    const streamId = resourcesOfType(template, 'AWS::Kinesis::Stream')[0]![0];
    // Two sources: the built site, and config.json whose deploy-time values are these references.
    expect(deployment.SourceMarkers).toHaveLength(2);
    expect(Object.values(deployment.SourceMarkers[1])).toEqual([{ Ref: 'AWS::Region' }, { Ref: poolId }, { Ref: streamId }]);
    expect(deployment.DistributionPaths).toEqual(['/*']);
  });
});

describeTemplateSnapshots(clickstream, __dirname);
describeAlarmDocs(clickstream, [STAGE_CONTEXTS.sandbox, STAGE_CONTEXTS.production]);
