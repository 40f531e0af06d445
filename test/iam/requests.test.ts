/** From SDK requests, as the SDK sends them, to the IAM action and resource they need. */
import { mapRequest, queueArnOfUrl } from '../../scripts/local/iam/requests';

const json = (body: unknown) => Buffer.from(JSON.stringify(body));
const table = (name: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;

describe('DynamoDB (X-Amz-Target, JSON 1.0)', () => {
  test('an item operation is dynamodb:<operation> on its table, a query of an index on the index', () => {
    expect(mapRequest('DynamoDB_20120810.GetItem', 'application/x-amz-json-1.0', json({ TableName: 'orders' }))).toEqual({
      protocol: 'dynamodb',
      operation: 'GetItem',
      actions: [{ action: 'dynamodb:GetItem', resource: table('orders') }],
    });
    expect(mapRequest('DynamoDB_20120810.Query', undefined, json({ TableName: 'orders', IndexName: 'byDay' })).actions).toEqual([
      { action: 'dynamodb:Query', resource: `${table('orders')}/index/byDay` },
    ]);
  });

  test('a batch needs its action on every table; a transaction the item action of each part', () => {
    expect(mapRequest('DynamoDB_20120810.BatchWriteItem', undefined, json({ RequestItems: { a: [], b: [] } })).actions).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: table('a') },
      { action: 'dynamodb:BatchWriteItem', resource: table('b') },
    ]);
    const transaction = {
      TransactItems: [{ Put: { TableName: 'a' } }, { ConditionCheck: { TableName: 'b' } }, { Delete: { TableName: 'a' } }],
    };
    expect(mapRequest('DynamoDB_20120810.TransactWriteItems', undefined, json(transaction)).actions).toEqual([
      { action: 'dynamodb:PutItem', resource: table('a') },
      { action: 'dynamodb:ConditionCheckItem', resource: table('b') },
      { action: 'dynamodb:DeleteItem', resource: table('a') },
    ]);
  });
});

describe('SQS (JSON protocol)', () => {
  const url = 'http://sqs.us-east-1.localhost:4566/000000000000/orders';

  test('the queue ARN comes from its URL; a batch is authorized as its single action', () => {
    expect(queueArnOfUrl(url)).toBe('arn:aws:sqs:us-east-1:000000000000:orders');
    expect(mapRequest('AmazonSQS.SendMessageBatch', 'application/x-amz-json-1.0', json({ QueueUrl: url })).actions).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:orders' },
    ]);
    expect(mapRequest('AmazonSQS.DeleteMessageBatch', undefined, json({ QueueUrl: url })).actions[0]!.action).toBe('sqs:DeleteMessage');
    expect(mapRequest('AmazonSQS.GetQueueUrl', undefined, json({ QueueName: 'orders' })).actions[0]!.resource).toBe(
      'arn:aws:sqs:us-east-1:000000000000:orders',
    );
  });
});

describe('SNS (Query protocol)', () => {
  test('Publish and PublishBatch are sns:Publish on the topic', () => {
    const topic = 'arn:aws:sns:us-east-1:000000000000:events';
    for (const action of ['Publish', 'PublishBatch']) {
      const form = Buffer.from(new URLSearchParams({ Action: action, Version: '2010-03-31', TopicArn: topic }).toString());
      expect(mapRequest(undefined, 'application/x-www-form-urlencoded; charset=utf-8', form)).toEqual({
        protocol: 'sns',
        operation: action,
        actions: [{ action: 'sns:Publish', resource: topic }],
      });
    }
  });
});

describe('Kinesis and Secrets Manager (JSON 1.1)', () => {
  test('a stream by name or by ARN; a secret by ARN, or by name as any six-character suffix', () => {
    expect(mapRequest('Kinesis_20131202.PutRecords', undefined, json({ StreamName: 'clicks' })).actions).toEqual([
      { action: 'kinesis:PutRecords', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks' },
    ]);
    expect(mapRequest('secretsmanager.GetSecretValue', undefined, json({ SecretId: 'db' })).actions).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db-??????' },
    ]);
  });

  test('a request of a service or protocol it does not map is an error, never let through unchecked', () => {
    expect(() => mapRequest('AWSLambda.Invoke', undefined, json({}))).toThrow(/No IAM mapping for X-Amz-Target AWSLambda.Invoke/);
    expect(() => mapRequest(undefined, 'application/json', json({}))).toThrow(/No IAM mapping/);
  });
});
