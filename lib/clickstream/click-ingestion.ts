import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { CfnIdentityPool, CfnIdentityPoolRoleAttachment } from 'aws-cdk-lib/aws-cognito';
import { FederatedPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { type CfnStream, Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import type { StageConfig } from '../shared/stage-config';
import type { ClickstreamConfig } from './clickstream-config';

/** The stream's largest accepted record, in KiB: the least Kinesis allows. */
export const MAX_RECORD_SIZE_KIB = 1024;

export interface ClickIngestionProps {
  readonly stage: StageConfig;
  readonly config: ClickstreamConfig;
}

/**
 * Where browsers send click events: a Kinesis data stream they write to
 * directly, with temporary credentials of an unauthenticated Cognito
 * identity. The course's choice over an API Gateway in front: nothing to run
 * or pay per request besides Kinesis, and the SDK in the page brings retries
 * with backoff.
 */
export class ClickIngestion extends Construct {
  readonly stream: Stream;
  readonly identityPool: CfnIdentityPool;
  /** The role every anonymous visitor gets: PutRecords on this stream (all the tracker calls), nothing else. */
  readonly visitorRole: Role;

  constructor(scope: Construct, id: string, props: ClickIngestionProps) {
    super(scope, id);
    const { stage, config } = props;
    const capacity = config.streamCapacity;

    this.stream = new Stream(this, 'Stream', {
      ...(capacity.mode === 'provisioned'
        ? { streamMode: StreamMode.PROVISIONED, shardCount: capacity.shards }
        : { streamMode: StreamMode.ON_DEMAND }),
      retentionPeriod: Duration.hours(config.streamRetentionHours),
      // The AWS managed key: producers need no KMS permission, so the
      // anonymous visitor role stays limited to the two Kinesis actions.
      encryption: StreamEncryption.MANAGED,
      removalPolicy: stage.statefulRemovalPolicy,
    });
    // Pinned at Kinesis's smallest allowed maximum (1 MiB; it goes up to
    // 10 MiB): large records burst past a shard's 1 MiB/s, which would weaken
    // the ceiling the shard count sets. Click events are under 2 KB.
    (this.stream.node.defaultChild as CfnStream).maxRecordSizeInKiB = MAX_RECORD_SIZE_KIB;

    this.identityPool = new CfnIdentityPool(this, 'VisitorIdentities', {
      allowUnauthenticatedIdentities: true,
      // Enhanced (simplified) flow only: credentials come with the session policy Cognito applies.
      allowClassicFlow: false,
    });
    Validations.of(this.identityPool).acknowledge({
      id: 'AwsSolutions-COG7',
      reason:
        'Anonymous menu-page visitors are the point of the course design: the unauthenticated role can only put records into this one stream, and its provisioned shards cap the rate and so the cost (docs/clickstream.md has the ceiling).',
    });

    this.visitorRole = new Role(this, 'VisitorRole', {
      description: `Anonymous menu-page visitors of ${Stack.of(this).stackName}: put click events, nothing else`,
      assumedBy: new FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      maxSessionDuration: Duration.hours(1),
    });
    this.visitorRole.addToPolicy(new PolicyStatement({ actions: ['kinesis:PutRecords'], resources: [this.stream.streamArn] }));

    new CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roles: { unauthenticated: this.visitorRole.roleArn },
    });
  }
}
