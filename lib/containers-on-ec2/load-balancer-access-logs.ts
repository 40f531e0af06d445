import { Aws, CfnCondition, CfnMapping, Duration, Fn, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type { ApplicationLoadBalancer } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import { type Bucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { controlTower } from '../shared/control-tower';
import { acknowledgeBucketCompliance, PrivateBucket } from '../shared/private-bucket';
import type { StageConfig } from '../shared/stage-config';

/** Mapping value of a region whose load balancers deliver logs as the ELB service principal. */
const SERVICE_PRINCIPAL_REGION = 'service-principal';

/** Where access logs go under the bucket (Elastic Load Balancing adds AWSLogs/<account>/...). */
export const ACCESS_LOG_PREFIX = 'alb';

export interface LoadBalancerAccessLogsProps {
  readonly stage: StageConfig;
  readonly loadBalancer: ApplicationLoadBalancer;
}

/**
 * Access logs of an Application Load Balancer in a bucket of their own, for
 * an environment-agnostic stack.
 *
 * The bucket must trust whoever delivers the logs, and that depends on the
 * region: in regions older than August 2022 an Elastic Load Balancing account
 * of that region, in newer ones the service principal
 * `logdelivery.elasticloadbalancing.amazonaws.com`. CDK's `logAccessLogs`
 * therefore refuses a stack without a region. This writes the choice into
 * the template instead: a mapping of every region aws-cdk-lib knows to its
 * ELB account (or to the service principal), and a bucket policy statement
 * whose principal CloudFormation picks in the region it deploys to. A
 * region aws-cdk-lib does not know fails the deployment at the mapping
 * (upgrading aws-cdk-lib adds it), never delivers logs to a wrong principal.
 *
 * The bucket uses S3 managed keys (the only encryption ELB log delivery
 * supports) and keeps the logs for the stage's log retention.
 */
export class LoadBalancerAccessLogs extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: LoadBalancerAccessLogsProps) {
    super(scope, id);
    const { stage, loadBalancer } = props;
    this.bucket = new PrivateBucket(this, 'Bucket', {
      stage,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(stage.logRetention), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    acknowledgeBucketCompliance(this.bucket, {
      singleRegion:
        'Access logs of an internal load balancer, kept for the log retention for investigation; a second region would add nothing the retention does not.',
      s3ManagedKey: 'Elastic Load Balancing delivers access logs only to buckets encrypted with S3 managed keys (SSE-S3).',
      noObjectLock: 'Access logs expire after the log retention by a lifecycle rule; Object Lock would keep every log version past that.',
      noEventNotifications: 'Access logs are read when investigating, by Athena or by hand; nothing acts on each log file ELB delivers.',
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason:
          'This bucket holds the load balancer access logs themselves; logging the access to them would need yet another log bucket, and only ELB log delivery writes here.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
        reason: 'This bucket holds the load balancer access logs themselves; only ELB log delivery writes here.',
      },
      controlTower(
        'CT.S3.PR.2',
        'This bucket holds the load balancer access logs themselves; logging the access to them would need yet another log bucket, and only ELB log delivery writes here.',
      ),
    );

    const accounts = new CfnMapping(this, 'DeliveryAccounts', {
      mapping: Object.fromEntries(
        RegionInfo.regions.map((region) => [region.name, { account: region.elbv2Account ?? SERVICE_PRINCIPAL_REGION }]),
      ),
    });
    const byAccount = new CfnCondition(this, 'DeliveryByAccount', {
      expression: Fn.conditionNot(Fn.conditionEquals(accounts.findInMap(Aws.REGION, 'account'), SERVICE_PRINCIPAL_REGION)),
    });
    const principal = Fn.conditionIf(
      byAccount.logicalId,
      { AWS: Fn.join('', ['arn:', Aws.PARTITION, ':iam::', accounts.findInMap(Aws.REGION, 'account'), ':root']) },
      { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
    );
    const delivery = {
      Sid: 'LoadBalancerLogDelivery',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: this.bucket.arnForObjects(`${ACCESS_LOG_PREFIX}/AWSLogs/${Aws.ACCOUNT_ID}/*`),
    };
    // PrivateBucket's policy (TLS only) exists already; its statements are
    // read at synth time and this one, which PolicyStatement cannot express
    // (a principal chosen by a condition), is appended.
    const policy = this.bucket.policy!;
    const stack = Stack.of(this);
    (policy.node.defaultChild as CfnBucketPolicy).addPropertyOverride(
      'PolicyDocument.Statement',
      Lazy.any({ produce: () => [...stack.resolve(policy.document).Statement, delivery] }),
    );

    loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    loadBalancer.setAttribute('access_logs.s3.bucket', this.bucket.bucketName);
    loadBalancer.setAttribute('access_logs.s3.prefix', ACCESS_LOG_PREFIX);
    // ELB checks that it may write when the attribute is set.
    loadBalancer.node.addDependency(policy);
  }
}
