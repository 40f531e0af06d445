import { BlockPublicAccess, Bucket, BucketEncryption, type BucketProps } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { StageConfig } from '../shared/stage-config';

/** A private, TLS-only, encrypted bucket with the stage's removal behaviour. */
export function privateBucket(scope: Construct, id: string, stage: StageConfig, props: BucketProps = {}): Bucket {
  return new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: stage.statefulRemovalPolicy,
    autoDeleteObjects: stage.autoDeleteObjects,
    ...props,
  });
}
