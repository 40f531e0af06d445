import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IDEMPOTENCY_HEADER } from '../../../lambda/decoupled-orders/order-schema';
import { apiCall, expectStatus } from '../api';
import { type Check, eventually, expectThat } from '../run-checks';
import type { Smoke } from '../smokes';
import { output, type SmokeTarget } from '../target';

interface Context {
  readonly target: SmokeTarget;
  readonly orderId: string;
  readonly order: object;
  accepted?: boolean;
}

const clientConfig = (target: SmokeTarget, service: string) => ({
  region: target.region,
  credentials: target.credentials,
  ...(target.endpoints[service] ? { endpoint: target.endpoints[service] } : {}),
});

/** How long the worker may take: the event source mapping's batching window plus a cold start, with room. */
const PLACED_WITHIN_MS = 90_000;

/**
 * Takes the barista tickets for `orderId` off the queue (and deletes them);
 * other messages are made visible again at once, untouched.
 */
async function takeTickets(sqs: SQSClient, queueUrl: string, orderId: string): Promise<number> {
  let found = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages.length === 0) return found;
    const others = [];
    for (const message of Messages) {
      let event: { orderId?: string } = {};
      try {
        event = JSON.parse(message.Body ?? '');
      } catch {
        // Not a ticket of ours.
      }
      if (event.orderId === orderId) {
        found += 1;
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      } else others.push(message);
    }
    if (others.length > 0) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: others.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
        }),
      );
      if (others.length === Messages.length) return found;
    }
  }
}

const placeOrder = (context: Context, key: string) =>
  apiCall(context.target, { method: 'POST', path: 'orders', body: context.order, headers: { [IDEMPOTENCY_HEADER]: key }, signed: true });

/** The orders "Try it", as checks: accept, deduplicate, process, fan out, refuse. */
export const decoupledOrdersChecks: Check<Context>[] = [
  {
    name: 'signed POST /orders with an Idempotency-Key is accepted (202, the key as order id)',
    async run(context) {
      const response = await placeOrder(context, context.orderId);
      expectStatus(response, 202, 'POST /orders');
      expectThat((response.body as { orderId: string }).orderId === context.orderId, `answered ${JSON.stringify(response.body)}`);
      context.accepted = true;
    },
  },
  {
    name: 'the same Idempotency-Key again gives the same order id (202)',
    async run(context) {
      const response = await placeOrder(context, context.orderId.toUpperCase());
      expectStatus(response, 202, 'POST /orders again');
      expectThat((response.body as { orderId: string }).orderId === context.orderId, `answered ${JSON.stringify(response.body)}`);
    },
  },
  {
    name: 'GET /orders/{id} reaches PLACED (the worker stored it)',
    async run(context) {
      if (!context.accepted) throw new Error('no order was accepted');
      await eventually(
        async () => {
          const response = await apiCall(context.target, { method: 'GET', path: `orders/${context.orderId}`, signed: true });
          return (response.body as { status?: string }).status === 'PLACED' ? true : undefined;
        },
        PLACED_WITHIN_MS,
        'the order did not reach PLACED',
      );
    },
  },
  {
    name: 'exactly one barista ticket for the order arrives on the barista queue',
    async run(context) {
      const sqs = new SQSClient(clientConfig(context.target, 'sqs'));
      const queueUrl = output(context.target, 'BaristaTicketQueueUrl');
      try {
        let tickets = await eventually(
          async () => (await takeTickets(sqs, queueUrl, context.orderId)) || undefined,
          30_000,
          'no ticket arrived',
        );
        // A duplicate would follow the first within the same moments: look once more.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        tickets += await takeTickets(sqs, queueUrl, context.orderId);
        expectThat(tickets === 1, `expected one ticket for the order, found ${tickets}`);
      } finally {
        sqs.destroy();
      }
    },
  },
  {
    name: 'signed GET /orders/{id} of an order never placed answers 404',
    readOnly: true,
    async run(context) {
      const response = await apiCall(context.target, { method: 'GET', path: `orders/${randomUUID()}`, signed: true });
      expectStatus(response, 404, 'GET /orders/{id} of an unknown order');
    },
  },
  {
    name: 'an Idempotency-Key that is not a UUID is refused (400)',
    async run(context) {
      const response = await placeOrder(context, 'order-1');
      expectStatus(response, 400, 'POST with a malformed key');
    },
  },
];

export const smoke: Smoke = {
  checks: decoupledOrdersChecks,
  context: (target: SmokeTarget): Context => ({
    target,
    orderId: randomUUID(),
    order: {
      customerName: 'Smoke test',
      items: [{ menuItemId: randomUUID(), quantity: 1, size: 'small' }],
      pickupNotes: 'smoke test: ignore',
    },
  }),
  /** Deletes the test order from the orders table (its idempotency record expires by its TTL). */
  async cleanUp(context: Context): Promise<void> {
    if (!context.accepted) return;
    const dynamoDb = new DynamoDBClient(clientConfig(context.target, 'dynamodb'));
    try {
      await dynamoDb.send(
        new DeleteItemCommand({ TableName: output(context.target, 'OrdersTableName'), Key: { orderId: { S: context.orderId } } }),
      );
    } finally {
      dynamoDb.destroy();
    }
  },
};
