import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import { DataTable } from '../shared/data-table';
import { QueueWithDeadLetter, VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT } from '../shared/queue-with-dead-letter';
import { StageBackup } from '../shared/stage-backup';
import type { StageConfig } from '../shared/stage-config';
import { OrderEvents } from './order-events';
import { OrderIntakeApi } from './order-intake-api';
import { OrderWorker } from './order-worker';
import { monitorOrders } from './orders-monitoring';

export interface DecoupledOrdersStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly corsOrigins: readonly string[];
}

/** Logical ids of the stateful resources, pinned by tests. */
export const ORDERS_LOGICAL_IDS = {
  ordersTable: 'OrdersTable',
  idempotencyTable: 'OrderIdempotencyTable',
} as const;

const WORKER_TIMEOUT = Duration.seconds(30);

/**
 * Architecture 2: storage-first orders. The API stores every accepted order
 * in SQS and answers at once; a worker takes orders off the queue at the pace
 * the downstream can take (the queue between the cashier and the barista),
 * stores each once and announces it on SNS.
 */
export class DecoupledOrdersStack extends Stack {
  readonly intake: QueueWithDeadLetter;
  readonly ordersTable: TableV2;
  readonly idempotencyTable: TableV2;
  /** Production: the orders table in an AWS Backup plan. */
  readonly backup: StageBackup;
  readonly events: OrderEvents;
  readonly worker: OrderWorker;
  readonly api: OrderIntakeApi;
  readonly monitoring: ArchitectureMonitoring;

  constructor(scope: Construct, id: string, props: DecoupledOrdersStackProps) {
    super(scope, id, props);
    const { stage } = props;

    this.intake = new QueueWithDeadLetter(this, 'OrderQueue', {
      stage,
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT),
      // Four days: an order accepted on Friday evening survives a worker
      // outage until Monday morning with a day to spare.
      retentionPeriod: Duration.days(4),
    });
    this.ordersTable = new DataTable(this, 'Orders', {
      stage,
      partitionKey: 'orderId',
      logicalId: ORDERS_LOGICAL_IDS.ordersTable,
    });
    this.idempotencyTable = new DataTable(this, 'Idempotency', {
      stage,
      partitionKey: 'id',
      logicalId: ORDERS_LOGICAL_IDS.idempotencyTable,
      timeToLiveAttribute: 'expiration',
    });
    // The orders are the record; idempotency records expire within five days and are not worth restoring.
    this.backup = new StageBackup(this, 'Backup', { stage, resourceArns: [this.ordersTable.tableArn] });
    this.events = new OrderEvents(this, 'Events', { stage });
    this.worker = new OrderWorker(this, 'Worker', {
      stage,
      queue: this.intake,
      ordersTable: this.ordersTable,
      idempotencyTable: this.idempotencyTable,
      eventsTopic: this.events.topic,
      timeout: WORKER_TIMEOUT,
    });
    this.api = new OrderIntakeApi(this, 'Api', {
      stage,
      queue: this.intake.queue,
      ordersTable: this.ordersTable,
      corsOrigins: props.corsOrigins,
    });

    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });
    monitorOrders(this.monitoring, {
      stage,
      api: this.api,
      intake: this.intake,
      events: this.events,
      worker: this.worker,
      ordersTable: this.ordersTable,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Invoke URL of the orders API stage' });
    new CfnOutput(this, 'OrderQueueUrl', { value: this.intake.queue.queueUrl, description: 'Queue the API writes accepted orders to' });
    new CfnOutput(this, 'OrderDeadLetterQueueUrl', {
      value: this.intake.deadLetterQueue.queueUrl,
      description: 'Orders the worker failed on every attempt (alarmed; redrive after a fix)',
    });
    new CfnOutput(this, 'BaristaTicketQueueUrl', {
      value: this.events.baristaTickets.queue.queueUrl,
      description: 'Barista tickets: one message per placed order, from the order events topic',
    });
    new CfnOutput(this, 'OrdersTableName', { value: this.ordersTable.tableName, description: 'Orders table (status per order id)' });
  }
}
