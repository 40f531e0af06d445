import { Duration, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { handlerEntry, ObservedFunction } from '../shared/observed-function';
import { PROJECT_NAME } from '../shared/project-name';
import type { QueueWithDeadLetter } from '../shared/queue-with-dead-letter';
import type { StageConfig } from '../shared/stage-config';
import { untestedGrant } from '../shared/untested-grants';

export interface OrderWorkerProps {
  readonly stage: StageConfig;
  /** The queue it drains; its visibility timeout is checked against `timeout`. */
  readonly queue: QueueWithDeadLetter;
  readonly ordersTable: ITableV2;
  readonly idempotencyTable: ITableV2;
  readonly eventsTopic: ITopic;
  /** The worker's timeout; the queue's visibility timeout must be at least six times this (checked at synth). */
  readonly timeout: Duration;
  /**
   * Most concurrent workers the queue may drive: the pace the downstream can
   * take. SQS holds the rest; nothing is lost by waiting.
   * @default 5
   */
  readonly maxConcurrency?: number;
}

/** Namespace of the orders business metrics (OrderPlaced, OrderRejected, ...). */
export const ORDERS_METRICS_NAMESPACE = `${PROJECT_NAME}/Orders`;
/** The worker's Powertools service name, which Powertools adds to its metrics as the `service` dimension. */
export const ORDER_WORKER_SERVICE = 'orders-worker';

const HANDLER_ENTRY = handlerEntry(__dirname, '..', '..', 'lambda', 'decoupled-orders', 'process-orders.ts');

/** The Lambda that drains the orders queue. */
export class OrderWorker extends Construct {
  static readonly BATCH_SIZE = 10;
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: OrderWorkerProps) {
    super(scope, id);
    const maxConcurrency = props.maxConcurrency ?? 5;
    this.function = new ObservedFunction(this, 'Handler', {
      entry: HANDLER_ENTRY,
      description: 'Orders worker: stores each queued order once and publishes OrderPlaced',
      invokedBy: 'sqs-event-source',
      stage: props.stage,
      serviceName: ORDER_WORKER_SERVICE,
      metricsNamespace: ORDERS_METRICS_NAMESPACE,
      timeout: props.timeout,
      // The pollers never run more than maxConcurrency; Lambda asks for reserved concurrency at least that high.
      reservedConcurrency: maxConcurrency,
      environment: {
        ORDERS_TABLE_NAME: props.ordersTable.tableName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        ORDER_EVENTS_TOPIC_ARN: props.eventsTopic.topicArn,
      },
    }).function;
    const fn = this.function;
    props.queue.checkConsumerTimeout(this, props.timeout);
    const source = new SqsEventSource(props.queue.queue, {
      batchSize: OrderWorker.BATCH_SIZE,
      // Waiting up to 2 s to fill a batch trades a little latency for fewer invocations.
      maxBatchingWindow: Duration.seconds(2),
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    fn.addEventSource(source);
    const mapping = fn.node.children.find((child) => child.node.id.startsWith('SqsEventSource'));
    if (mapping) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "SQS event source mappings take no on-failure destination; the source queue's redrive policy moves a message to its dead-letter queue after maxReceiveCount failures.",
      });
    }
    // What the worker's code calls, nothing else. Orders: the put-if-absent
    // (PutItem) and, when the order is already stored, the read of it
    // (GetItem) that compares it with the message: a retry after a failed
    // publish, or a redelivery after the idempotency record expired. Without
    // GetItem every such message failed with AccessDenied into the DLQ.
    props.ordersTable.grant(fn, 'dynamodb:PutItem', 'dynamodb:GetItem');
    // Idempotency records, as Powertools' DynamoDB persistence layer uses them:
    // a conditional put, a read when the put finds a record, an update on
    // completion and a delete when processing fails.
    props.idempotencyTable.grant(fn, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    untestedGrant(
      fn.role,
      props.idempotencyTable,
      ['dynamodb:GetItem'],
      "Powertools' fallback read of an existing record when a conditional put returns no old item; DynamoDB (and DynamoDB Local) return it, so no test reaches it.",
    );
    untestedGrant(
      fn.role,
      props.queue.queue,
      ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      "Lambda's SQS event source mapping polls and deletes with the function's role (CDK's grantConsumeMessages); the handler's code never calls SQS.",
    );
    // Publish only. grantPublish would also grant kms:GenerateDataKey* on every
    // key, for a topic whose AWS managed key already admits account callers via SNS.
    Grant.addToPrincipal({ grantee: fn, actions: ['sns:Publish'], resourceArns: [props.eventsTopic.topicArn] });
  }
}
