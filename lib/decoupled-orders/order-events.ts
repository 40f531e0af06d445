import { Duration } from 'aws-cdk-lib';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { QueueWithDeadLetter } from '../shared/queue-with-dead-letter';
import type { StageConfig } from '../shared/stage-config';

export interface OrderEventsProps {
  readonly stage: StageConfig;
}

/**
 * Order events fan out through SNS (the course's choice over EventBridge for
 * simple, high-throughput fan-out). Every event carries an `eventType`
 * message attribute, so a subscriber receives only the types it filters for,
 * like the course's newsletter that readers subscribe to by topic.
 */
export class OrderEvents extends Construct {
  readonly topic: Topic;
  /** The barista's ticket queue: subscribed to `OrderPlaced` only. */
  readonly baristaTickets: QueueWithDeadLetter;

  constructor(scope: Construct, id: string, props: OrderEventsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      // The AWS managed SNS key: encrypted at rest with no key fee, and SQS
      // subscribers with SQS-managed encryption need no key grants.
      masterKey: Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    this.baristaTickets = new QueueWithDeadLetter(this, 'BaristaTickets', {
      stage: props.stage,
      visibilityTimeout: Duration.seconds(30),
    });
    this.topic.addSubscription(
      new SqsSubscription(this.baristaTickets.queue, {
        rawMessageDelivery: true,
        filterPolicy: { eventType: SubscriptionFilter.stringFilter({ allowlist: ['OrderPlaced'] }) },
        // SNS keeps what it cannot deliver to the queue instead of dropping it.
        deadLetterQueue: this.baristaTickets.deadLetterQueue,
      }),
    );
  }
}
