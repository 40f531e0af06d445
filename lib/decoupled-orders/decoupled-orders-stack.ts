import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  type AlarmText,
  ArchitectureMonitoring,
  METRIC_PERIOD,
  ON_FIRST_FIVE_MINUTES,
  ON_FIRST_MINUTE,
  SUSTAINED_TEN_MINUTES,
} from '../shared/architecture-monitoring';
import { DataTable } from '../shared/data-table';
import { QueueWithDeadLetter, VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT } from '../shared/queue-with-dead-letter';
import { StageBackup } from '../shared/stage-backup';
import type { StageConfig } from '../shared/stage-config';
import { OrderEvents } from './order-events';
import { OrderIntakeApi } from './order-intake-api';
import { ORDER_WORKER_SERVICE, ORDERS_METRICS_NAMESPACE, OrderWorker } from './order-worker';

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
  readonly ordersTable: DataTable;
  readonly idempotencyTable: DataTable;
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
    this.backup = new StageBackup(this, 'Backup', { stage, resourceArns: [this.ordersTable.table.tableArn] });
    this.events = new OrderEvents(this, 'Events', { stage });
    this.worker = new OrderWorker(this, 'Worker', {
      stage,
      queue: this.intake,
      ordersTable: this.ordersTable.table,
      idempotencyTable: this.idempotencyTable.table,
      eventsTopic: this.events.topic,
      timeout: WORKER_TIMEOUT,
    });
    this.api = new OrderIntakeApi(this, 'Api', {
      stage,
      queue: this.intake.queue,
      ordersTable: this.ordersTable.table,
      corsOrigins: props.corsOrigins,
    });

    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });
    const api = this.api.api;
    const alarm = (text: AlarmText) => this.monitoring.alarm(text);
    this.monitoring.facade
      .monitorApiGateway({
        api,
        apiStage: api.deploymentStage.stageName,
        alarmFriendlyName: 'OrdersApi',
        humanReadableName: 'Orders API',
        add5XXFaultRateAlarm: {
          Critical: {
            maxErrorRate: 0.01,
            ...alarm({
              name: 'OrdersApi-ServerErrorRate',
              description:
                'More than 1% of order requests ended in a 5XX: orders are not being accepted. First check: the API execution log group (SQS SendMessage or DynamoDB GetItem errors), then the status handler alarm.',
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
        add4XXErrorRateAlarm: {
          Warning: {
            maxErrorRate: 0.1,
            ...alarm({
              name: 'OrdersApi-ClientErrorRate',
              description:
                "More than 10% of order requests were refused with a 4XX (bad bodies, missing Idempotency-Key, unsigned calls): a client release or an abuser. First check: the API access log's status and caller columns.",
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
      })
      .monitorSqsQueueWithDlq({
        queue: this.intake.queue,
        deadLetterQueue: this.intake.deadLetterQueue,
        alarmFriendlyName: 'OrderQueue',
        humanReadableName: 'Order queue',
        addDeadLetterQueueMaxSizeAlarm: {
          Critical: {
            maxMessageCount: 0,
            ...alarm({
              name: 'OrderDeadLetterQueue-HasMessages',
              description:
                'An order failed in the worker on every attempt and is in the order dead-letter queue: a customer placed it and nobody is making it. First check: the OrderWorker log group for the error, then redrive the queue (docs/decoupled-orders.md).',
              timing: ON_FIRST_MINUTE,
            }),
          },
        },
        addQueueMaxMessageAgeAlarm: {
          Warning: {
            maxAgeInSeconds: 15 * 60,
            ...alarm({
              name: 'OrderQueue-OldestOver15Minutes',
              description:
                'An order has waited in the order queue for more than 15 minutes: the worker is not keeping up or not running. First check: the OrderWorker errors and throttles alarms and its event source mapping (enabled?).',
              timing: ON_FIRST_MINUTE,
            }),
          },
        },
      })
      .monitorSqsQueueWithDlq({
        queue: this.events.baristaTickets.queue,
        deadLetterQueue: this.events.baristaTickets.deadLetterQueue,
        alarmFriendlyName: 'BaristaTickets',
        humanReadableName: 'Barista ticket queue',
        addDeadLetterQueueMaxSizeAlarm: {
          Critical: {
            maxMessageCount: 0,
            ...alarm({
              name: 'BaristaDeadLetterQueue-HasMessages',
              description:
                'A barista ticket could not be handled and is in the barista dead-letter queue: a placed order may never be made. First check: the barista application that reads BaristaTicketQueueUrl, then redrive the queue.',
              timing: ON_FIRST_MINUTE,
            }),
          },
        },
      })
      .monitorLambdaFunction({
        lambdaFunction: this.worker.handler.function,
        alarmFriendlyName: 'OrderWorker',
        humanReadableName: 'Order worker',
        addFaultCountAlarm: {
          Critical: {
            maxErrorCount: 0,
            ...alarm({
              name: 'OrderWorker-Errors',
              description:
                'The order worker threw or timed out on a whole batch; its messages return to the queue and are retried (nothing is lost yet). First check: the OrderWorker log group for the error.',
              timing: ON_FIRST_FIVE_MINUTES,
            }),
          },
        },
        addThrottlesCountAlarm: {
          Warning: {
            maxErrorCount: 0,
            ...alarm({
              name: 'OrderWorker-Throttled',
              description:
                "Lambda throttled the order worker (the account's concurrency is used up); orders wait in the queue. First check: concurrent executions of the account on the Lambda console.",
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
      })
      .monitorLambdaFunction({
        lambdaFunction: this.api.statusFunction.function,
        alarmFriendlyName: 'OrderStatus',
        humanReadableName: 'Order status handler',
        ...this.monitoring.apiFunctionAlarms('OrderStatus', 'order status', { throttles: false }),
      })
      .monitorDynamoTable({
        table: this.ordersTable.table,
        alarmFriendlyName: 'OrdersTable',
        humanReadableName: 'Orders table',
        ...this.monitoring.tableAlarms('OrdersTable', 'orders', { reads: false }),
      });
    if (stage.abuseAlarms) this.alarmOnRejectedOrders();

    new CfnOutput(this, 'ApiUrl', { value: this.api.gateway.url, description: 'Invoke URL of the orders API stage' });
    new CfnOutput(this, 'OrderQueueUrl', { value: this.intake.queue.queueUrl, description: 'Queue the API writes accepted orders to' });
    new CfnOutput(this, 'OrderDeadLetterQueueUrl', {
      value: this.intake.deadLetterQueue.queueUrl,
      description: 'Orders the worker failed on every attempt (alarmed; redrive after a fix)',
    });
    new CfnOutput(this, 'BaristaTicketQueueUrl', {
      value: this.events.baristaTickets.queue.queueUrl,
      description: 'Barista tickets: one message per placed order, from the order events topic',
    });
    new CfnOutput(this, 'OrdersTableName', { value: this.ordersTable.table.tableName, description: 'Orders table (status per order id)' });
  }

  /**
   * An accepted order the worker refused (its Idempotency-Key already named
   * a different order): the customer was told 202 and the order will not be
   * made, so someone must hear of it. The event carries the rejected order.
   */
  private alarmOnRejectedOrders(): void {
    this.monitoring.metricAboveThreshold({
      alarmFriendlyName: 'OrdersRejected',
      humanReadableName: 'Accepted orders the worker rejected',
      title: 'Orders rejected (Idempotency-Key reused for a different order)',
      metric: new Metric({
        namespace: ORDERS_METRICS_NAMESPACE,
        metricName: 'OrderRejected',
        dimensionsMap: { service: ORDER_WORKER_SERVICE },
        statistic: 'Sum',
        period: METRIC_PERIOD,
      }),
      metricFriendlyName: 'Rejected',
      threshold: 0,
      severity: 'Critical',
      alarm: {
        name: 'Orders-Rejected',
        description:
          'An accepted order (202) was not placed: its Idempotency-Key already named a different order, which stands. The customer\'s order is in the OrderRejected event on the order events topic and in the worker\'s log ("Order rejected", with the requestId). First check: the client that sent it (a key reused across orders is a client bug or abuse).',
        timing: ON_FIRST_FIVE_MINUTES,
      },
    });
  }
}
