import { Template } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { type PrivateBucketProps, privateBucket } from '../../lib/shared/private-bucket';
import { onlyResourceOf } from '../helpers/template-queries';
import { bareStack, STAGES } from './bare-stack';

describe('privateBucket', () => {
  test.each(STAGES)('%s: S3 managed encryption, all public access blocked, TLS only, removal per stage', (_, stage) => {
    const stack = bareStack();
    privateBucket(stack, 'Data', stage, { versioned: true });
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
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(bucket.DeletionPolicy).toBe(stage.autoDeleteObjects ? 'Delete' : 'Retain');
    expect(JSON.stringify(onlyResourceOf(template, 'AWS::S3::BucketPolicy').Properties)).toContain('"aws:SecureTransport":"false"');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', stage.autoDeleteObjects ? 1 : 0);
  });

  test('a caller cannot switch off what security controls, even by casting past the type', () => {
    const stack = bareStack();
    const unsafe = {
      encryption: BucketEncryption.UNENCRYPTED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ACLS_ONLY,
      enforceSSL: false,
      publicReadAccess: true,
    } as unknown as PrivateBucketProps;
    privateBucket(stack, 'Data', STAGES[0]![1], unsafe);
    const bucket = onlyResourceOf(Template.fromStack(stack), 'AWS::S3::Bucket');
    expect(bucket.Properties.BucketEncryption).toBeDefined();
    expect(bucket.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });
});
