import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { requiredEnv } from '../shared/env';
import '../shared/zod-messages';
import { dynamoDb, logger, metrics, orders } from './dependencies';
import {
  ORDER_MESSAGE_ATTRIBUTES,
  type Order,
  OrderIdPath,
  type OrderPlacedEvent,
  type OrderRejectedEvent,
  type OrderRejectionReason,
  PlaceOrderBody,
  type PlaceOrderInput,
} from './order-schema';

/**
 * The barista's side of the storage-first design: takes accepted orders off
 * the queue at the pace the downstream can take, stores each once and
 * announces it on the order events topic.
 *
 * Failure handling, record by record (Powertools batch processing):
 * - a record that fails is reported back to SQS and retried alone; the
 *   rest of its batch is not redone;
 * - a record that can never succeed (not a valid order) fails every time
 *   and lands in the dead-letter queue after the queue's maxReceiveCount;
 * - each order id is processed once (Powertools idempotency, keyed on the
 *   order id): a message delivered twice, or a client retry with the same
 *   Idempotency-Key, stores one order and publishes one event. A concurrent
 *   duplicate finds the first one in progress, fails and is retried later;
 * - an order id reused for a different order (same Idempotency-Key,
 *   different body) is never stored over the first: the idempotency record
 *   keeps a hash of the order's content and refuses a mismatch, and the
 *   worker publishes `OrderRejected` with the rejected order and counts it
 *   (an alarm watches the count). The same check runs against the stored
 *   order when the idempotency record has expired.
 */
const topicArn = requiredEnv('ORDER_EVENTS_TOPIC_ARN');
const sns = new SNSClient({});

/** The fields of what the customer ordered: the part two deliveries of one order share. */
const ORDER_CONTENT_FIELDS = ['customerName', 'items', 'pickupNotes'] as const satisfies readonly (keyof PlaceOrderInput)[];

const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: 'orderId',
  // What the customer ordered; not the times, which differ between deliveries.
  payloadValidationJmesPath: `[${ORDER_CONTENT_FIELDS.join(', ')}]`,
  // An order without an id is not an order: fail it rather than process it unguarded.
  throwOnNoIdempotencyKey: true,
  // Longer than the queue's retention, so no redelivery can outlive its record.
  expiresAfterSeconds: 5 * 24 * 60 * 60,
});
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: requiredEnv('IDEMPOTENCY_TABLE_NAME'),
  awsSdkV3Client: dynamoDb,
});

/** A message that can never be processed: retried until it reaches the DLQ, and counted. */
export class InvalidOrderMessageError extends Error {
  constructor(messageId: string, reason: string) {
    super(`Message ${messageId} is not a valid order: ${reason}`);
    this.name = 'InvalidOrderMessageError';
  }
}

/** The order id is already taken by an order with different content. */
class OrderIdTakenError extends Error {
  constructor(orderId: string) {
    super(`Order ${orderId} was already placed with different content; the Idempotency-Key was reused for another order`);
    this.name = 'OrderIdTakenError';
  }
}

function parseOrder(record: SQSRecord): Order {
  const orderId = record.messageAttributes[ORDER_MESSAGE_ATTRIBUTES.orderId]?.stringValue;
  const acceptedAtEpoch = Number(record.messageAttributes[ORDER_MESSAGE_ATTRIBUTES.acceptedAt]?.stringValue);
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidOrderMessageError(record.messageId, 'body is not JSON');
  }
  const parsed = PlaceOrderBody.safeParse(body);
  if (!parsed.success) {
    throw new InvalidOrderMessageError(record.messageId, parsed.error.issues.map((i) => i.message).join('; '));
  }
  const id = OrderIdPath.safeParse({ id: orderId });
  if (!id.success) {
    throw new InvalidOrderMessageError(record.messageId, 'orderId attribute missing or not a UUID');
  }
  const now = new Date().toISOString();
  const acceptedAt = Number.isFinite(acceptedAtEpoch) ? new Date(acceptedAtEpoch).toISOString() : now;
  return { ...parsed.data, orderId: id.data.id, status: 'PLACED', acceptedAt, placedAt: now };
}

/**
 * An order's content as a string that does not depend on key order
 * (DynamoDB returns a map's keys in any order).
 */
const contentOf = (order: PlaceOrderInput): string =>
  JSON.stringify(
    ORDER_CONTENT_FIELDS.map((field) => order[field] ?? null),
    (_, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : value,
  );

async function publish(event: OrderPlacedEvent | OrderRejectedEvent): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify(event),
      MessageAttributes: { eventType: { DataType: 'String', StringValue: event.eventType } },
    }),
  );
}

async function placeOrder(order: Order): Promise<{ orderId: string; stored: boolean }> {
  // Put-if-absent as well as idempotency: if an earlier attempt stored the
  // order and then failed to publish, the retry publishes without a second order.
  const stored = await orders.putIfAbsent(order);
  if (!stored) {
    // The idempotency record may have expired: the stored order decides.
    const existing = await orders.get(order.orderId);
    if (existing && contentOf(existing) !== contentOf(order)) throw new OrderIdTakenError(order.orderId);
  }
  await publish({
    eventType: 'OrderPlaced',
    orderId: order.orderId,
    customerName: order.customerName,
    items: order.items,
    placedAt: order.placedAt,
  });
  metrics.addMetric('OrderPlaced', MetricUnit.Count, 1);
  logger.info('Order placed', { orderId: order.orderId, stored });
  return { orderId: order.orderId, stored };
}

const placeOrderOnce = makeIdempotent(placeOrder, { persistenceStore, config: idempotencyConfig });

/** Announces an order that was accepted but will not be placed; the message is then done. */
async function rejectOrder(order: Order, record: SQSRecord, reason: OrderRejectionReason, message: string) {
  const { customerName, items, pickupNotes } = order;
  await publish({
    eventType: 'OrderRejected',
    orderId: order.orderId,
    reason,
    message,
    rejectedOrder: { customerName, items, ...(pickupNotes === undefined ? {} : { pickupNotes }) },
    acceptedAt: order.acceptedAt,
    requestId: record.messageAttributes[ORDER_MESSAGE_ATTRIBUTES.requestId]?.stringValue,
    rejectedAt: new Date().toISOString(),
  });
  metrics.addMetric('OrderRejected', MetricUnit.Count, 1);
  logger.warn('Order rejected', {
    orderId: order.orderId,
    reason,
    requestId: record.messageAttributes[ORDER_MESSAGE_ATTRIBUTES.requestId]?.stringValue,
  });
  return { orderId: order.orderId, rejected: reason };
}

async function processRecord(record: SQSRecord) {
  let order: Order;
  try {
    order = parseOrder(record);
  } catch (error) {
    metrics.addMetric('InvalidOrderMessage', MetricUnit.Count, 1);
    throw error;
  }
  try {
    return await placeOrderOnce(order);
  } catch (error) {
    if (error instanceof IdempotencyValidationError || error instanceof OrderIdTakenError) {
      return rejectOrder(
        order,
        record,
        'IdempotencyKeyReused',
        'The Idempotency-Key of this order was already used for a different order, which stands; send a new order with a new key.',
      );
    }
    throw error;
  }
}

const processor = new BatchProcessor(EventType.SQS);

export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  idempotencyConfig.registerLambdaContext(context);
  metrics.captureColdStartMetric();
  // A batch whose every record fails throws (SQS then retries all of it).
  let failed = event.Records.length;
  try {
    const response = await processPartialResponse(event, processRecord, processor, { context });
    failed = response.batchItemFailures.length;
    return response;
  } finally {
    // Recorded on every invocation, zero included, so the metric is continuous.
    metrics.addMetric('OrderRecordsFailed', MetricUnit.Count, failed);
    metrics.publishStoredMetrics();
  }
};
