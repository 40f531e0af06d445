/** `GET /orders/{id}` against DynamoDB Local. */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { tableKeyedBy } from '../../scripts/template/template';
import { apiGatewayEvent, lambdaContext } from '../../stand-ins/api-gateway-event';
import { createTableFromTemplate, deleteTable, dynamoDbClients } from '../../stand-ins/dynamodb-tables';
import { type DeployedRole, deployedRole } from '../helpers/deployed-role';
import { sandboxTemplate } from '../helpers/sandbox-templates';

const template = sandboxTemplate('decoupled-orders');

const { client, documentClient } = dynamoDbClients();
let table: string;
let role: DeployedRole;
let handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

beforeAll(async () => {
  table = await createTableFromTemplate(client, template, tableKeyedBy(template, 'orderId'));
  process.env.ORDERS_TABLE_NAME = table;
  // Under its deployed role: reads of the orders table only.
  role = await deployedRole('decoupled-orders', template, 'lambda/decoupled-orders/get-order.ts', { ORDERS_TABLE_NAME: table });
  Object.assign(process.env, role.env);
  handler = (await import('../../lambda/decoupled-orders/get-order')).handler;
});

afterAll(async () => {
  expect(role.allowed.length).toBeGreaterThan(0);
  expect(role.denied()).toEqual([]);
  await role.stop();
  await deleteTable(client, table);
  client.destroy();
});

const getOrder = async (id: string) => {
  const result = await handler(apiGatewayEvent({ method: 'GET', resource: '/orders/{id}', pathParameters: { id } }), lambdaContext());
  return { status: result.statusCode, body: JSON.parse(result.body) };
};

test('returns a stored order', async () => {
  const order = {
    orderId: randomUUID(),
    status: 'PLACED',
    customerName: 'Ada',
    items: [{ menuItemId: randomUUID(), quantity: 1 }],
    acceptedAt: '2026-11-22T08:00:00.000Z',
    placedAt: '2026-11-22T08:00:00.300Z',
  };
  await documentClient.send(new PutCommand({ TableName: table, Item: order }));
  expect(await getOrder(order.orderId)).toEqual({ status: 200, body: order });
});

test('an order not stored yet is a 404', async () => {
  expect(await getOrder(randomUUID())).toMatchObject({ status: 404, body: { error: 'NotFound' } });
});

test('an id that is not a UUID is a 400 on path.id', async () => {
  expect(await getOrder('latest')).toMatchObject({ status: 400, body: { details: [{ field: 'path.id' }] } });
});
