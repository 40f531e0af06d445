import { Grant } from 'aws-cdk-lib/aws-iam';
import { architectureStack, defineArchitecture } from '../shared/architecture';
import { CORS_ORIGINS_KEY, parseCorsOrigins } from '../shared/cors-origins';

/** Its stack's module, loaded when the stack is added, not when a command reads the registry (see defineArchitecture). */
const stackModule = (): typeof import('./decoupled-orders-stack') => require('./decoupled-orders-stack');

/** Architecture 2: storage-first orders (API Gateway -> SQS -> worker Lambda -> DynamoDB, SNS events). */
export const decoupledOrders = defineArchitecture({
  name: 'decoupled-orders',
  summary: 'Decoupled orders: storage-first API -> SQS -> worker Lambda -> DynamoDB, SNS fan-out, DLQ',
  contextKeys: [CORS_ORIGINS_KEY],
  integRun: { minutes: '25-35', note: 'most of it waiting for a poison message to reach the DLQ (5 receives x 180 s)' },
  loadStack: stackModule,
  add: (scope) =>
    architectureStack(
      scope,
      {
        name: 'Orders',
        description: 'Coffee shop orders: API Gateway -> SQS -> worker Lambda -> DynamoDB, SNS events',
      },
      (id, props) =>
        new (stackModule().DecoupledOrdersStack)(scope.app, id, {
          ...props,
          stage: scope.stage,
          corsOrigins: parseCorsOrigins(scope.read, scope.stage),
        }),
    ),
  // Read-only: signed GETs of the order status. Every check: an order placed, its barista
  // ticket taken off the queue, and the test order deleted again.
  grantSmoke: (stack, grantee, { readOnly }) => {
    const api = stack.api.gateway.api;
    Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: readOnly ? [api.arnForExecuteApi('GET', '/orders/*')] : [api.arnForExecuteApi()],
    });
    if (readOnly) return;
    stack.events.baristaTickets.queue.grantConsumeMessages(grantee);
    stack.ordersTable.grant(grantee, 'dynamodb:DeleteItem');
  },
});
