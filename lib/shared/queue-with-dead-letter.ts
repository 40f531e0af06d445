import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { StageConfig } from './stage-config';

export interface QueueWithDeadLetterProps {
  /** Decides removal; a caller cannot override it, nor encryption and TLS. */
  readonly stage: StageConfig;
  /**
   * How many times a message is received before it moves to the dead-letter
   * queue: enough to ride out a throttle or a brief outage, few enough that a
   * poison message does not churn for long.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a received message stays hidden. For a Lambda consumer, at least
   * six times its timeout (checked by `checkConsumerTimeout`).
   */
  readonly visibilityTimeout: Duration;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
}

/** AWS's guidance for a Lambda consumer: visibility timeout at least six times the function's timeout. */
export const VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT = 6;

/**
 * An SQS queue with its dead-letter queue: encrypted at rest (SQS managed
 * keys, no key to pay for or to grant), TLS only, and the DLQ keeping
 * messages for the 14-day maximum so there is time to inspect and redrive.
 */
export class QueueWithDeadLetter extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: QueueWithDeadLetterProps) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(this.maxReceiveCount) || this.maxReceiveCount < 1 || this.maxReceiveCount > 1000) {
      throw new Error(
        `${this.node.path}: maxReceiveCount must be a whole number from 1 to 1000 (SQS's range), got ${this.maxReceiveCount}`,
      );
    }
    this.visibilityTimeout = props.visibilityTimeout;
    // Controlled by security and the stage: not props.
    const controlled = {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.stage.statefulRemovalPolicy,
    };
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      // Declares it a dead-letter queue (Control Tower's CT.SQS.PR.1 asks a
      // queue for a DLQ or this). Naming the one source queue (byQueue) would
      // make the two queues reference each other, which CloudFormation cannot create.
      redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
      ...controlled,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue: messages end here for inspection and a deliberate redrive, not another automatic retry.',
    });
    this.queue = new Queue(this, 'Queue', {
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
      ...controlled,
    });
  }

  /**
   * Fails synth when a Lambda consumer's timeout is too long for this queue's
   * visibility timeout: a message would be redelivered while a slow batch still runs.
   */
  checkConsumerTimeout(consumer: IConstruct, consumerTimeout: Duration): void {
    const needed = consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT;
    if (this.visibilityTimeout.toSeconds() < needed) {
      throw new Error(
        `${this.node.path}: visibilityTimeout must be at least ${VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT} times the timeout of its consumer ${consumer.node.path} ` +
          `(${consumerTimeout.toSeconds()} seconds), so at least ${needed} seconds; got ${this.visibilityTimeout.toSeconds()} seconds`,
      );
    }
  }
}
