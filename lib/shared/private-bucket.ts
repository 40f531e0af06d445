import { Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type BucketProps } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { controlTower } from './control-tower';
import type { StageConfig } from './stage-config';

/**
 * What a caller may set: everything but what security and the stage decide
 * (encryption, public access, TLS, removal and emptying on destroy).
 */
export type PrivateBucketProps = Omit<
  BucketProps,
  | 'encryption'
  | 'encryptionKey'
  | 'blockPublicAccess'
  | 'publicReadAccess'
  | 'enforceSSL'
  | 'removalPolicy'
  | 'autoDeleteObjects'
  | 'versioned'
> & {
  /** Decides versioning, removal and emptying on destroy; a caller cannot override them. */
  readonly stage: StageConfig;
};

/**
 * A private, TLS-only bucket encrypted with S3 managed keys, destroyed and
 * emptied with a sandbox and kept in production. Where the stage keeps old
 * versions (production), the bucket is versioned and a replaced or deleted
 * object's previous version expires after the stage's period, so versioning
 * protects against mistakes without keeping every version forever. The
 * caller's props come first and the controlled settings last, so no caller
 * can switch them off.
 */
export class PrivateBucket extends Bucket {
  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    const { stage, ...bucketProps } = props;
    const keepVersions = stage.noncurrentVersionExpiration;
    super(scope, id, {
      ...bucketProps,
      ...(keepVersions
        ? {
            lifecycleRules: [
              ...(bucketProps.lifecycleRules ?? []),
              { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: keepVersions, expiredObjectDeleteMarker: true },
            ],
          }
        : {}),
      versioned: keepVersions !== undefined,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      publicReadAccess: false,
      enforceSSL: true,
      removalPolicy: stage.statefulRemovalPolicy,
      autoDeleteObjects: stage.autoDeleteObjects,
    });
  }
}

/**
 * Why a bucket keeps one region's copy (NIST 800-53 S3BucketReplicationEnabled),
 * S3 managed keys rather than a customer managed key (NIST
 * S3DefaultEncryptionKMS, Control Tower CT.S3.PR.10), no Object Lock
 * (CT.S3.PR.9) and no event notifications (CT.S3.PR.4): each depends on
 * what the bucket holds and who uses it, so each caller says it for its own
 * bucket.
 */
export interface BucketComplianceReasons {
  readonly singleRegion: string;
  readonly s3ManagedKey: string;
  /** Object Lock makes every object version undeletable until its retention ends. */
  readonly noObjectLock: string;
  /** What would consume the bucket's object events: nothing, or what reads it instead. */
  readonly noEventNotifications: string;
}

/** Acknowledges, on `bucket` alone, the findings its contents decide. */
export function acknowledgeBucketCompliance(bucket: Bucket, reasons: BucketComplianceReasons): void {
  Validations.of(bucket).acknowledge(
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: reasons.singleRegion },
    { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: reasons.s3ManagedKey },
    controlTower('CT.S3.PR.10', reasons.s3ManagedKey),
    controlTower('CT.S3.PR.9', reasons.noObjectLock),
    controlTower('CT.S3.PR.4', reasons.noEventNotifications),
  );
}
