import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config';

export interface QueueWithDeadLetterProps {
  readonly stage: StageConfig;
  /**
   * How many times a message is received before it moves to the dead-letter
   * queue: enough to ride out a throttle or a brief outage, few enough that a
   * poison message does not churn for long.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * At least six times the consumer's timeout (the AWS guidance for Lambda
   * consumers), so a message is not redelivered while a slow batch runs.
   */
  readonly visibilityTimeout: Duration;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
}

/**
 * An SQS queue with its dead-letter queue: encrypted at rest (SQS managed
 * keys, no key to pay for or to grant), TLS only, and the DLQ keeping
 * messages for the 14-day maximum so there is time to inspect and redrive.
 */
export class QueueWithDeadLetter extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: QueueWithDeadLetterProps) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    const common = {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.stage.statefulRemovalPolicy,
    };
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', { ...common, retentionPeriod: Duration.days(14) });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue: messages end here for inspection and a deliberate redrive, not another automatic retry.',
    });
    this.queue = new Queue(this, 'Queue', {
      ...common,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
  }
}
