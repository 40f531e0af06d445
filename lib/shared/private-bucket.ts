import { BlockPublicAccess, Bucket, BucketEncryption, type BucketProps } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { StageConfig } from './stage-config';

/**
 * What a caller may set: everything but what security and the stage decide
 * (encryption, public access, TLS, removal and emptying on destroy).
 */
export type PrivateBucketProps = Omit<
  BucketProps,
  'encryption' | 'encryptionKey' | 'blockPublicAccess' | 'publicReadAccess' | 'enforceSSL' | 'removalPolicy' | 'autoDeleteObjects'
>;

/**
 * A private, TLS-only bucket encrypted with S3 managed keys, destroyed and
 * emptied with a sandbox and kept in production. The caller's props come
 * first and the controlled settings last, so no caller can switch them off.
 */
export function privateBucket(scope: Construct, id: string, stage: StageConfig, props: PrivateBucketProps = {}): Bucket {
  return new Bucket(scope, id, {
    ...props,
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    publicReadAccess: false,
    enforceSSL: true,
    removalPolicy: stage.statefulRemovalPolicy,
    autoDeleteObjects: stage.autoDeleteObjects,
  });
}
