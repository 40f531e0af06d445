import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type ArchitectureMonitoring, METRIC_PERIOD, ON_FIRST_FIVE_MINUTES } from '../shared/architecture-monitoring';
import type { QueueWithDeadLetter } from '../shared/queue-with-dead-letter';
import type { StageConfig } from '../shared/stage-config';
import type { OrderEvents } from './order-events';
import type { OrderIntakeApi } from './order-intake-api';
import { ORDER_WORKER_SERVICE, ORDERS_METRICS_NAMESPACE, type OrderWorker } from './order-worker';

/** The parts of the orders architecture that are watched. */
export interface OrdersMonitoredParts {
  readonly stage: StageConfig;
  readonly api: OrderIntakeApi;
  readonly intake: QueueWithDeadLetter;
  readonly events: OrderEvents;
  readonly worker: OrderWorker;
  readonly ordersTable: ITable;
}

/**
 * What is watched in the orders architecture, and what each alarm tells
 * on-call (docs/decoupled-orders.md, "Alarms", is held to these by a test).
 */
export function monitorOrders(monitoring: ArchitectureMonitoring, parts: OrdersMonitoredParts): void {
  monitoring
    .restApi(parts.api.api, {
      name: 'OrdersApi',
      humanReadableName: 'Orders API',
      serverErrors: {
        maxRate: 0.01,
        description:
          'More than 1% of order requests ended in a 5XX: orders are not being accepted. First check: the API execution log group (SQS SendMessage or DynamoDB GetItem errors), then the status handler alarm.',
      },
      clientErrors: {
        maxRate: 0.1,
        description:
          "More than 10% of order requests were refused with a 4XX (bad bodies, missing Idempotency-Key, unsigned calls): a client release or an abuser. First check: the API access log's status and caller columns.",
      },
    })
    .queueWithDeadLetter(parts.intake, {
      name: 'OrderQueue',
      humanReadableName: 'Order queue',
      deadLetter: {
        name: 'OrderDeadLetterQueue',
        description:
          'An order failed in the worker on every attempt and is in the order dead-letter queue: a customer placed it and nobody is making it. First check: the OrderWorker log group for the error, then redrive the queue (docs/decoupled-orders.md).',
      },
      oldestMessage: {
        maxAge: Duration.minutes(15),
        description:
          'An order has waited in the order queue for more than 15 minutes: the worker is not keeping up or not running. First check: the OrderWorker errors and throttles alarms and its event source mapping (enabled?).',
      },
    })
    .queueWithDeadLetter(parts.events.baristaTickets, {
      name: 'BaristaTickets',
      humanReadableName: 'Barista ticket queue',
      deadLetter: {
        name: 'BaristaDeadLetterQueue',
        description:
          'A barista ticket could not be handled and is in the barista dead-letter queue: a placed order may never be made. First check: the barista application that reads BaristaTicketQueueUrl, then redrive the queue.',
      },
    })
    .queueConsumer(parts.worker.function, {
      name: 'OrderWorker',
      humanReadableName: 'Order worker',
      errors:
        'The order worker threw or timed out on a whole batch; its messages return to the queue and are retried (nothing is lost yet). First check: the OrderWorker log group for the error.',
      throttled:
        "Lambda throttled the order worker (the account's concurrency is used up); orders wait in the queue. First check: concurrent executions of the account on the Lambda console.",
    })
    .apiFunction(parts.api.statusFunction, {
      name: 'OrderStatus',
      humanReadableName: 'Order status handler',
      what: 'order status',
      throttles: false,
    })
    .table(parts.ordersTable, { name: 'OrdersTable', humanReadableName: 'Orders table', what: 'orders', reads: false });
  if (parts.stage.abuseAlarms) alarmOnRejectedOrders(monitoring);
}

/**
 * An accepted order the worker refused (its Idempotency-Key already named
 * a different order): the customer was told 202 and the order will not be
 * made, so someone must hear of it. The event carries the rejected order.
 */
function alarmOnRejectedOrders(monitoring: ArchitectureMonitoring): void {
  monitoring.metricAboveThreshold({
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
