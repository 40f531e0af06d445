import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { PrivateBucket, type PrivateBucketProps } from '../../lib/shared/private-bucket';
import { onlyResourceOf } from '../../scripts/template/template';
import { bareStack, STAGES } from './bare-stack';

describe('PrivateBucket', () => {
  test.each(STAGES)('%s: S3 managed encryption, all public access blocked, TLS only, removal per stage', (_, stage) => {
    const stack = bareStack();
    new PrivateBucket(stack, 'Data', { stage });
    const template = Template.fromStack(stack);
    const bucket = onlyResourceOf(template, 'AWS::S3::Bucket');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(bucket.DeletionPolicy).toBe(stage.autoDeleteObjects ? 'Delete' : 'Retain');
    expect(JSON.stringify(onlyResourceOf(template, 'AWS::S3::BucketPolicy').Properties)).toContain('"aws:SecureTransport":"false"');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', stage.autoDeleteObjects ? 1 : 0);
  });

  test.each(STAGES)('%s: versioned, with old versions expiring, exactly where the stage keeps them', (_, stage) => {
    const stack = bareStack();
    new PrivateBucket(stack, 'Data', { stage, lifecycleRules: [{ id: 'callers-own', expiration: Duration.days(90) }] });
    const bucket = onlyResourceOf(Template.fromStack(stack), 'AWS::S3::Bucket');
    const rules = bucket.Properties.LifecycleConfiguration.Rules;
    // The caller's rule stays whatever the stage.
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'callers-own', ExpirationInDays: 90 }));
    if (stage.noncurrentVersionExpiration) {
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(rules).toContainEqual({
        Id: 'expire-noncurrent-versions',
        NoncurrentVersionExpiration: { NoncurrentDays: stage.noncurrentVersionExpiration.toDays() },
        ExpiredObjectDeleteMarker: true,
        Status: 'Enabled',
      });
    } else {
      expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
      expect(rules).toHaveLength(1);
    }
  });

  test("production keeps a replaced object's old version for 30 days", () => {
    expect(STAGES.find(([name]) => name === 'production')![1].noncurrentVersionExpiration?.toDays()).toBe(30);
  });

  test('a caller cannot switch off what security controls, even by casting past the type', () => {
    const stack = bareStack();
    const unsafe = {
      encryption: BucketEncryption.UNENCRYPTED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ACLS_ONLY,
      enforceSSL: false,
      publicReadAccess: true,
      versioned: true,
    } as unknown as PrivateBucketProps;
    new PrivateBucket(stack, 'Data', { ...unsafe, stage: STAGES[0]![1] });
    const bucket = onlyResourceOf(Template.fromStack(stack), 'AWS::S3::Bucket');
    expect(bucket.Properties.BucketEncryption).toBeDefined();
    expect(bucket.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicPolicy: true, RestrictPublicBuckets: true });
    // Versioning is the stage's: a sandbox bucket stays unversioned (and cheap to empty).
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
  });
});
