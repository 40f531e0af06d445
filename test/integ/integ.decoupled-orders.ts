import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { type App, Duration } from 'aws-cdk-lib';
import { decoupledOrders } from '../../lib/decoupled-orders/architecture';
import { addIntegTest, probeRequest, signedRequestProbe, synthWhenRun } from './integ-app';

/** Fixed: each run deploys fresh tables and queues. */
const ORDER_ID = '6f1c2b9e-8d4a-4c6b-9e2f-1a2b3c4d5e6f';
const ORDER = { customerName: 'Integ', items: [{ menuItemId: '3f1c2b9e-8d4a-4c6b-9e2f-1a2b3c4d5e6f', quantity: 2, size: 'large' }] };

/**
 * The storage-first path deployed as the sandbox deploys it: a signed order
 * with an Idempotency-Key is accepted (202), stored as PLACED by the worker,
 * and announced as one ticket on the barista queue; the same order sent
 * again leaves one order and one ticket; a poison message reaches the
 * dead-letter queue after maxReceiveCount receives.
 */
export function integTest(app: App) {
  return addIntegTest(app, {
    architecture: decoupledOrders,
    assert: (test) => {
      const { stack } = test;
      const { api } = stack.api.gateway;
      const probe = signedRequestProbe(test, api.url, [api.arnForExecuteApi('POST', '/orders', '*')]);
      const { assertions } = test.integ;
      const placeOrder = () =>
        assertions.invokeFunction({
          functionName: probe.functionName,
          payload: probeRequest({ method: 'POST', path: 'orders', headers: { 'Idempotency-Key': ORDER_ID }, body: ORDER, signed: true }),
        });
      const queueAttributes = (queueUrl: string) =>
        assertions.awsApiCall('SQS', 'getQueueAttributes', {
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        });

      const placed = placeOrder();
      placed.assertAtPath('Payload.status', ExpectedResult.exact(202));

      const stored = assertions.awsApiCall('DynamoDB', 'getItem', {
        TableName: stack.ordersTable.tableName,
        Key: { orderId: { S: ORDER_ID } },
      });
      stored.expect(ExpectedResult.objectLike({ Item: { orderId: { S: ORDER_ID }, status: { S: 'PLACED' } } }));
      stored.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

      const again = placeOrder();
      again.assertAtPath('Payload.status', ExpectedResult.exact(202));

      // Both messages processed (the queue is drained), and still one order and one ticket.
      const drained = queueAttributes(stack.intake.queue.queueUrl);
      drained.expect(
        ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } }),
      );
      drained.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
      const oneOrder = assertions.awsApiCall('DynamoDB', 'scan', { TableName: stack.ordersTable.tableName, Select: 'COUNT' });
      oneOrder.expect(ExpectedResult.objectLike({ Count: 1 }));
      const oneTicket = queueAttributes(stack.events.baristaTickets.queue.queueUrl);
      oneTicket.expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '1' } }));
      oneTicket.waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(15) });

      // Not an order: fails on every receive, then the redrive policy moves it
      // (maxReceiveCount receives, each after the visibility timeout).
      const poison = assertions.awsApiCall('SQS', 'sendMessage', { QueueUrl: stack.intake.queue.queueUrl, MessageBody: 'not an order' });
      const deadLettered = queueAttributes(stack.intake.deadLetterQueue.queueUrl);
      deadLettered.expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '1' } }));
      const redriveAfter = stack.intake.visibilityTimeout.toSeconds() * stack.intake.maxReceiveCount;
      deadLettered.waitForAssertions({ totalTimeout: Duration.seconds(redriveAfter + 600), interval: Duration.seconds(60) });

      placed.next(stored).next(again).next(drained).next(oneOrder).next(oneTicket).next(poison).next(deadLettered);
    },
  });
}

synthWhenRun(module, integTest);
