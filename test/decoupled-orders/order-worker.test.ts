/**
 * Reliability of the orders worker: the real handler, driven the way the
 * Lambda SQS event source mapping drives it, against real local SQS and SNS
 * (fauxqs) and DynamoDB (DynamoDB Local), with the queue's redrive policy and
 * the subscription's filter policy taken from the synthesized stack.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type CfnTemplate, eventSourceBatchSize, resourcesOfType, tableKeyedBy } from '../../scripts/template/template';
import { createTableFromTemplate, deleteTable, dynamoDbClients, scanAll } from '../../stand-ins/dynamodb-tables';
import { FaultInjectingProxy } from '../../stand-ins/fault-injecting-proxy';
import {
  createQueue,
  createQueueWithDeadLetter,
  type LocalQueue,
  receiveAll,
  runEventSourceMapping,
  sqsClient,
} from '../../stand-ins/sqs-local';
import { type DeployedRole, deployedRole } from '../helpers/deployed-role';
import { sandboxTemplate } from '../helpers/sandbox-templates';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const { client: dynamoDb, documentClient } = dynamoDbClients();
const sqs: SQSClient = sqsClient();
const sns = new SNSClient({});
const proxy = new FaultInjectingProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB!);

let template: CfnTemplate;
let maxReceiveCount: number;
let ordersTable: string;
let idempotencyTable: string;
let baristaTickets: LocalQueue;
/** Subscribed to OrderRejected, as an operations or customer-notification service would be. */
let rejections: LocalQueue;
let topicArn: string;
let handler: Handler;
let role: DeployedRole;

const WORKER_ENTRY = 'lambda/decoupled-orders/process-orders.ts';
/** The worker's environment as the template names it, with the local resources. */
const workerEnv = () => ({ ORDERS_TABLE_NAME: ordersTable, IDEMPOTENCY_TABLE_NAME: idempotencyTable, ORDER_EVENTS_TOPIC_ARN: topicArn });

function resourceOf(type: string, predicate: (props: any) => boolean = () => true) {
  return resourcesOfType(template, type).find(([, r]) => predicate(r.Properties))![1];
}

beforeAll(async () => {
  template = sandboxTemplate('decoupled-orders');
  // The worker's queue redrive and the subscriber's filter, as deployed.
  const orderQueue = resourceOf('AWS::SQS::Queue', (p) => p.VisibilityTimeout === 180);
  maxReceiveCount = orderQueue.Properties.RedrivePolicy.maxReceiveCount;
  const subscription = resourceOf('AWS::SNS::Subscription');

  ordersTable = await createTableFromTemplate(dynamoDb, template, tableKeyedBy(template, 'orderId'));
  idempotencyTable = await createTableFromTemplate(dynamoDb, template, tableKeyedBy(template, 'id'));
  ({ TopicArn: topicArn } = (await sns.send(new CreateTopicCommand({ Name: `order-events-${randomUUID()}` }))) as { TopicArn: string });
  /** A new queue subscribed to the topic with raw delivery and `filterPolicy`. */
  const subscribedQueue = async (filterPolicy: unknown, rawMessageDelivery: unknown) => {
    const queue = await createQueue(sqs);
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { FilterPolicy: JSON.stringify(filterPolicy), RawMessageDelivery: String(rawMessageDelivery) },
      }),
    );
    return queue;
  };
  // The barista's subscription as deployed; the rejections one as an operations service would subscribe.
  baristaTickets = await subscribedQueue(subscription.Properties.FilterPolicy, subscription.Properties.RawMessageDelivery);
  rejections = await subscribedQueue({ eventType: ['OrderRejected'] }, true);

  // The handler runs under its deployed role: every call passes an IAM gate,
  // and its DynamoDB traffic then goes through the fault-injecting proxy.
  Object.assign(process.env, workerEnv());
  role = await deployedRole('decoupled-orders', template, WORKER_ENTRY, workerEnv(), {
    upstreams: { dynamodb: await proxy.start(), sqsSns: process.env.AWS_ENDPOINT_URL_SQS },
  });
  Object.assign(process.env, role.env);
  handler = (await import('../../lambda/decoupled-orders/process-orders')).handler as Handler;
});

afterAll(async () => {
  await role.stop();
  await proxy.stop();
  await deleteTable(dynamoDb, ordersTable);
  await deleteTable(dynamoDb, idempotencyTable);
  sqs.destroy();
  sns.destroy();
});

const order = (customerName = 'Ada') => ({
  customerName,
  items: [{ menuItemId: randomUUID(), quantity: 2, size: 'large' }],
});

/** A message exactly as the API's mapping template sends it. */
function orderMessage(orderId: string, body: unknown = order()) {
  return {
    MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    MessageAttributes: {
      orderId: { DataType: 'String', StringValue: orderId },
      acceptedAt: { DataType: 'Number', StringValue: String(Date.now()) },
      requestId: { DataType: 'String', StringValue: randomUUID() },
    },
  };
}

/**
 * A queue and DLQ with the stack's redrive policy. A visibility timeout of 0
 * makes a failed record visible again at once, so retries take no wall time;
 * it does not change how many receives a message gets before the DLQ.
 */
async function freshQueues(visibilityTimeoutSeconds = 0) {
  return createQueueWithDeadLetter(sqs, maxReceiveCount, visibilityTimeoutSeconds);
}

async function drain(queue: LocalQueue, concurrency = 1) {
  return runEventSourceMapping(sqs, { queue, handler, batchSize: eventSourceBatchSize(template), concurrency, timeoutMs: 120_000 });
}

const storedOrders = async () => scanAll(documentClient, ordersTable);
const eventsFor = (messages: Message[], ids: Set<string>) =>
  messages.map((m) => JSON.parse(m.Body!)).filter((e: { orderId: string }) => ids.has(e.orderId));

test('the stack gives the queue a redrive policy the tests use', () => {
  expect(maxReceiveCount).toBe(5);
});

test('the same message delivered twice produces one order and one event', async () => {
  const { queue } = await freshQueues();
  const orderId = randomUUID();
  const message = orderMessage(orderId);
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...message }));
  await drain(queue);
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...message }));
  await drain(queue);

  const stored = (await storedOrders()).filter((o) => o.orderId === orderId);
  expect(stored).toEqual([expect.objectContaining({ orderId, status: 'PLACED', customerName: 'Ada' })]);
  const events = eventsFor(await receiveAll(sqs, baristaTickets.url), new Set([orderId]));
  expect(events).toEqual([expect.objectContaining({ eventType: 'OrderPlaced', orderId })]);
});

test('poison messages in a batch: the others are stored, each poison one lands in the DLQ after maxReceiveCount receives', async () => {
  const { queue, deadLetter } = await freshQueues();
  const good = Array.from({ length: 4 }, () => randomUUID());
  const emptyOrderId = randomUUID();
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: [
        ...good.map((id, i) => ({ Id: `g${i}`, ...orderMessage(id) })),
        // A body the schema rejects, and a valid body under an order id that is not a UUID.
        { Id: 'no-items', ...orderMessage(emptyOrderId, { customerName: 'Bob', items: [] }) },
        { Id: 'bad-id', ...orderMessage('order-1') },
      ],
    }),
  );
  const run = await drain(queue);

  const storedIds = new Set((await storedOrders()).map((o) => o.orderId));
  for (const id of good) expect(storedIds.has(id)).toBe(true);
  expect(storedIds.has(emptyOrderId)).toBe(false);
  expect(storedIds.has('order-1')).toBe(false);
  // Only the poison records were ever retried: once per receive each.
  expect(run.recordsFailed).toBe(2 * maxReceiveCount);
  const dead = await receiveAll(sqs, deadLetter.url);
  expect(dead.map((m) => m.MessageAttributes?.orderId?.StringValue).sort()).toEqual([emptyOrderId, 'order-1'].sort());
});

test('a DynamoDB failure for one record mid-batch loses nothing: it is retried and stored once', async () => {
  const { queue, deadLetter } = await freshQueues();
  const ids = Array.from({ length: 6 }, () => randomUUID());
  const unlucky = ids[3]!;
  // Enough consecutive failures to outlast the SDK's own retries of one call
  // (so the record fails its invocation), fewer than maxReceiveCount invocations' worth.
  const failures = 10;
  proxy.inject({ target: 'DynamoDB_20120810.PutItem', bodyIncludes: unlucky, times: failures });
  const injectedBefore = proxy.injected;
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: ids.map((id, i) => ({ Id: `m${i}`, ...orderMessage(id) })) }));
  const run = await drain(queue);

  expect(proxy.injected - injectedBefore).toBe(failures);
  expect(run.recordsFailed).toBeGreaterThanOrEqual(1);
  expect(run.recordsFailed).toBeLessThan(maxReceiveCount);
  const stored = (await storedOrders()).filter((o) => (ids as string[]).includes(o.orderId as string));
  expect(stored.map((o) => o.orderId).sort()).toEqual([...ids].sort());
  const events = eventsFor(await receiveAll(sqs, baristaTickets.url), new Set(ids));
  expect(events).toHaveLength(ids.length);
  expect(await receiveAll(sqs, deadLetter.url)).toEqual([]);
});

describe('an Idempotency-Key reused for a different order', () => {
  const ada = order('Ada');
  const grace = { customerName: 'Grace', items: [{ menuItemId: randomUUID(), quantity: 1 }], pickupNotes: 'no lid' };

  /** Forgets every idempotency record, as their expiry (5 days) would. */
  async function expireIdempotencyRecords() {
    for (const item of await scanAll(documentClient, idempotencyTable)) {
      await documentClient.send(new DeleteCommand({ TableName: idempotencyTable, Key: { id: item.id } }));
    }
  }

  async function placeTwice(orderId: string, between: () => Promise<void> = async () => {}) {
    const { queue, deadLetter } = await freshQueues();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...orderMessage(orderId, ada) }));
    await drain(queue);
    await between();
    const second = orderMessage(orderId, grace);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...second }));
    const run = await drain(queue);
    return { queue, deadLetter, run, requestId: second.MessageAttributes.requestId.StringValue };
  }

  test.each([
    ['while the idempotency record holds (the payload hash refuses it)', async () => {}],
    ['after the idempotency record expired (the stored order refuses it)', expireIdempotencyRecords],
  ])(
    '%s: the first order stands, the second is published as OrderRejected with its content, nothing fails or waits in a DLQ',
    async (_, between) => {
      const orderId = randomUUID();
      const { queue, deadLetter, run, requestId } = await placeTwice(orderId, between);

      expect((await storedOrders()).filter((o) => o.orderId === orderId)).toEqual([
        expect.objectContaining({ orderId, customerName: 'Ada', items: ada.items }),
      ]);
      const rejected = eventsFor(await receiveAll(sqs, rejections.url), new Set([orderId]));
      expect(rejected).toEqual([
        expect.objectContaining({
          eventType: 'OrderRejected',
          orderId,
          reason: 'IdempotencyKeyReused',
          rejectedOrder: grace,
          requestId,
          message: expect.stringMatching(/already used for a different order/),
        }),
      ]);
      // The barista hears of the first order only.
      const placed = eventsFor(await receiveAll(sqs, baristaTickets.url), new Set([orderId]));
      expect(placed).toEqual([expect.objectContaining({ eventType: 'OrderPlaced', customerName: 'Ada' })]);
      // Decided, not failed: no retries, an empty queue and an empty DLQ.
      expect(run.recordsFailed).toBe(0);
      expect(await receiveAll(sqs, queue.url)).toEqual([]);
      expect(await receiveAll(sqs, deadLetter.url)).toEqual([]);
    },
  );

  test('the same order again after its idempotency record expired is still one order, not a rejection', async () => {
    const orderId = randomUUID();
    const { queue } = await freshQueues();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...orderMessage(orderId, grace) }));
    await drain(queue);
    await expireIdempotencyRecords();
    // Same content, keys in another order: DynamoDB returns maps in any key order, and so may a client.
    const reordered = {
      pickupNotes: grace.pickupNotes,
      items: grace.items.map(({ quantity, menuItemId }) => ({ quantity, menuItemId })),
      customerName: 'Grace',
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...orderMessage(orderId, reordered) }));
    await drain(queue);

    expect((await storedOrders()).filter((o) => o.orderId === orderId)).toHaveLength(1);
    expect(eventsFor(await receiveAll(sqs, rejections.url), new Set([orderId]))).toEqual([]);
  });
});

test('subscribers receive only the event types they filter for', async () => {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify({ eventType: 'OrderCancelled', orderId: randomUUID() }),
      MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderCancelled' } },
    }),
  );
  const received = await receiveAll(sqs, baristaTickets.url);
  expect(received.map((m) => JSON.parse(m.Body!).eventType)).not.toContain('OrderCancelled');
});

test('1,000 orders through the real queue and handler, with client retries: each stored exactly once, none lost', async () => {
  // Concurrent pollers: a visibility timeout keeps a batch in flight with one poller.
  const { queue, deadLetter } = await freshQueues(30);
  const ids = Array.from({ length: 1000 }, () => randomUUID());
  // Every tenth order is sent twice, as a client retry with the same Idempotency-Key would.
  const messages = [...ids, ...ids.filter((_, i) => i % 10 === 0)];
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: messages.slice(i, i + 10).map((id, j) => ({ Id: String(j), ...orderMessage(id, order(`Customer ${i + j}`)) })),
      }),
    );
  }
  const run = await drain(queue, 5);

  const idSet = new Set<string>(ids);
  const stored = (await storedOrders()).filter((o) => idSet.has(o.orderId as string));
  const storedIds = stored.map((o) => o.orderId as string);
  const dead = await receiveAll(sqs, deadLetter.url);
  const events = eventsFor(await receiveAll(sqs, baristaTickets.url), idSet);
  const eventIds = events.map((e: { orderId: string }) => e.orderId);
  const report = {
    sent: messages.length,
    distinctOrders: ids.length,
    stored: storedIds.length,
    duplicatedOrders: storedIds.length - new Set(storedIds).size,
    inDeadLetterQueue: dead.length,
    events: eventIds.length,
    duplicatedEvents: eventIds.length - new Set(eventIds).size,
    lost: ids.filter((id) => !new Set<string>(storedIds).has(id)).length,
    invocations: run.invocations,
    recordsRetried: run.recordsFailed,
  };
  console.log(`orders reliability run: ${JSON.stringify(report)}`);
  expect(report).toMatchObject({
    stored: 1000,
    duplicatedOrders: 0,
    inDeadLetterQueue: 0,
    events: 1000,
    duplicatedEvents: 0,
    lost: 0,
  });
});

describe("the worker's deployed role", () => {
  test('the duplicate path (an order already stored, its idempotency record expired) is refused under the 0.1.0 role, which had no dynamodb:GetItem: the message ends in the DLQ and no event is published', async () => {
    const orderId = randomUUID();
    const message = orderMessage(orderId);
    let deadLetter: LocalQueue;
    const released = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'releases', '0.1.0', 'sandbox', 'CoffeeShop-Orders-sandbox.template.json'), 'utf8'),
    );
    const oldRole = await deployedRole('decoupled-orders', released, WORKER_ENTRY, workerEnv());
    // The SDK reads the endpoint variables at a client's first call, so they stay set while the old handler runs.
    const current = { ...role.env };
    Object.assign(process.env, oldRole.env);
    let run: Awaited<ReturnType<typeof runEventSourceMapping>>;
    try {
      let oldHandler: Handler | undefined;
      await jest.isolateModulesAsync(async () => {
        oldHandler = (await import('../../lambda/decoupled-orders/process-orders')).handler as Handler;
      });
      const { queue, deadLetter: dlq } = await freshQueues();
      deadLetter = dlq;
      const drainWith = (h: Handler) => runEventSourceMapping(sqs, { queue, handler: h, batchSize: 1, concurrency: 1, timeoutMs: 60_000 });
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...message }));
      await drainWith(oldHandler!);
      expect(eventsFor(await receiveAll(sqs, baristaTickets.url), new Set([orderId]))).toHaveLength(1);
      // Its idempotency record expires (every record goes, as after 5 days).
      for (const item of await scanAll(documentClient, idempotencyTable)) {
        await documentClient.send(new DeleteCommand({ TableName: idempotencyTable, Key: { id: item.id } }));
      }
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, ...message }));
      run = await drainWith(oldHandler!);
    } finally {
      Object.assign(process.env, current);
      await oldRole.stop();
    }

    expect(run!.recordsFailed).toBe(maxReceiveCount);
    expect(oldRole.denied()).toEqual(
      Array(maxReceiveCount).fill(
        expect.stringMatching(
          new RegExp(
            `not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${ordersTable} because no identity-based policy allows`,
          ),
        ),
      ),
    );
    expect((await receiveAll(sqs, deadLetter!.url)).map((m) => m.MessageAttributes?.orderId?.StringValue)).toEqual([orderId]);
    expect(eventsFor(await receiveAll(sqs, baristaTickets.url), new Set([orderId]))).toEqual([]);
  });

  test('under the deployed role of today, nothing the worker did in this file was refused', () => {
    expect(role.allowed.length).toBeGreaterThan(0);
    expect(role.denied()).toEqual([]);
  });
});
