import { Match, type Template } from 'aws-cdk-lib/assertions';
import { orderBodyJsonSchema } from '../../lambda/decoupled-orders/order-schema';
import { decoupledOrders } from '../../lib/decoupled-orders/architecture';
import { ORDERS_LOGICAL_IDS } from '../../lib/decoupled-orders/decoupled-orders-stack';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import { resourcesOfType } from '../../scripts/template/template';
import { describeAlarmDocs } from '../helpers/alarm-docs';
import { stageTemplates } from '../helpers/template-queries';
import { describeTemplateSnapshots } from '../helpers/template-snapshot';

const { sandbox, production, stages } = stageTemplates(decoupledOrders);
const queues = (t: Template) => resourcesOfType(t, 'AWS::SQS::Queue').map(([, q]) => q);
const orderQueue = (t: Template) => queues(t).find((q) => q.Properties.VisibilityTimeout === 180)!;
const worker = (t: Template) =>
  resourcesOfType(t, 'AWS::Lambda::Function').find(([, f]) => String(f.Properties.Description).startsWith('Orders worker'))![1];

describe('order queue', () => {
  test.each(stages)('%s: every queue is encrypted and TLS-only', (_, template) => {
    // order queue, its DLQ, barista tickets, their DLQ (+ undelivered alarms in production)
    expect(queues(template).length).toBeGreaterThanOrEqual(4);
    for (const queue of queues(template)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies.filter((p) => p.includes('"aws:SecureTransport":"false"')).length).toBe(queues(template).length);
  });

  test('has a DLQ after 5 receives, survives a weekend, and outlasts six worker timeouts', () => {
    const queue = orderQueue(sandbox);
    expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: expect.anything(), maxReceiveCount: 5 });
    expect(queue.Properties.MessageRetentionPeriod).toBe(4 * 24 * 3600);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker(sandbox).Properties.Timeout);
    const dlqRetention = queues(sandbox).filter((q) => q.Properties.MessageRetentionPeriod === 14 * 24 * 3600);
    expect(dlqRetention).toHaveLength(2);
  });

  test('queues are deleted with a sandbox and kept in production', () => {
    for (const q of queues(sandbox)) expect(q.DeletionPolicy).toBe('Delete');
    for (const q of queues(production)) expect(q.DeletionPolicy).toBe('Retain');
  });
});

describe('worker', () => {
  test.each(stages)('%s: batches, waits, caps concurrency and reports partial failures', (_, template) => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(worker(template).Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 30 });
  });

  test('may publish to its topic, put and read orders, and use its idempotency records: exactly what its code calls', () => {
    const [roleId] = worker(sandbox).Properties.Role['Fn::GetAtt'];
    const statements = resourcesOfType(sandbox, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(actions).toContain('sns:Publish');
    expect(actions.filter((a: string) => a.startsWith('kms:'))).toEqual([]);
    const on = (id: string) =>
      statements
        .filter((s: any) => JSON.stringify(s.Resource).includes(id))
        .flatMap((s: { Action: string | string[] }) => [s.Action].flat())
        .sort();
    // putIfAbsent, and the read of an order already stored (process-orders.ts compares it with the message).
    expect(on(ORDERS_LOGICAL_IDS.ordersTable)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    // Powertools' DynamoDB persistence layer: put, get, update, delete of its own records; no scans, queries or batches.
    expect(on(ORDERS_LOGICAL_IDS.idempotencyTable)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });
});

describe('tables', () => {
  test.each(stages)('%s: pinned logical ids, on demand, encrypted, PITR', (_, template) => {
    for (const id of Object.values(ORDERS_LOGICAL_IDS)) {
      const table = template.toJSON().Resources[id];
      expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
      expect(table.Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', SSESpecification: { SSEEnabled: true } });
      expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  test('idempotency records expire by TTL', () => {
    expect(sandbox.toJSON().Resources[ORDERS_LOGICAL_IDS.idempotencyTable].Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiration',
      Enabled: true,
    });
  });
});

describe('events', () => {
  test.each(stages)('%s: encrypted TLS-only topic; the barista queue gets OrderPlaced only, with its own DLQ', (_, template) => {
    const topics = resourcesOfType(template, 'AWS::SNS::Topic').map(([, t]) => JSON.stringify(t.Properties.KmsMasterKeyId));
    expect(topics.some((k) => k.includes('alias/aws/sns'))).toBe(true);
    const topicPolicies = resourcesOfType(template, 'AWS::SNS::TopicPolicy').map(([, p]) => JSON.stringify(p.Properties));
    expect(topicPolicies.some((p) => p.includes('"aws:SecureTransport":"false"'))).toBe(true);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      FilterPolicy: { eventType: ['OrderPlaced'] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
  });
});

describe('orders API', () => {
  test('POST /orders integrates directly with SQS, signed, model-validated', () => {
    const post = resourcesOfType(sandbox, 'AWS::ApiGateway::Method').find(([, m]) => m.Properties.HttpMethod === 'POST')![1];
    expect(post.Properties.AuthorizationType).toBe('AWS_IAM');
    expect(post.Properties.Integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      PassthroughBehavior: 'NEVER',
      Uri: { 'Fn::Join': ['', expect.arrayContaining([':sqs:path/'])] },
    });
    sandbox.hasResourceProperties('AWS::ApiGateway::Model', { Schema: orderBodyJsonSchema() });
  });

  test('the gateway role may send to the order queue only', () => {
    const role = resourcesOfType(sandbox, 'AWS::IAM::Role').find(([, r]) =>
      String(r.Properties.Description).startsWith('API Gateway: send'),
    )!;
    const statements = resourcesOfType(sandbox, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role[0]))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements.flatMap((s: any) => [s.Action].flat()).sort()).toEqual(
      expect.arrayContaining(['sqs:SendMessage', 'sqs:GetQueueAttributes']),
    );
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });

  test.each(stages)('%s: GET /orders/{id} is signed and served by a read-only handler', (_, template) => {
    const get = resourcesOfType(template, 'AWS::ApiGateway::Method').find(([, m]) => m.Properties.HttpMethod === 'GET')![1];
    expect(get.Properties.AuthorizationType).toBe('AWS_IAM');
    expect(get.Properties.Integration.Type).toBe('AWS_PROXY');
  });
});

describe('alarms', () => {
  test.each(stages)('%s: DLQ depth, message age, worker errors and throttles, API 4XX and 5XX', (stage, template) => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties));
    const count = (pattern: RegExp) => alarms.filter((a) => pattern.test(a)).length;
    expect(count(/"MetricName":"ApproximateNumberOfMessagesVisible"/)).toBeGreaterThanOrEqual(2);
    expect(count(/"MetricName":"ApproximateAgeOfOldestMessage"/)).toBe(1);
    expect(count(/"MetricName":"Errors","Namespace":"AWS\/Lambda"/)).toBe(2);
    expect(count(/"MetricName":"Throttles","Namespace":"AWS\/Lambda"/)).toBe(1);
    expect(count(/"MetricName":"4XXError"/)).toBe(1);
    expect(count(/"MetricName":"5XXError"/)).toBe(1);
    // A dashboard costs $3 a month: production only.
    template.resourceCountIs('AWS::CloudWatch::Dashboard', stage === 'production' ? 1 : 0);
  });

  test.each(stages)('%s: a message in either dead-letter queue fires its alarm on the first one-minute datapoint', (_, template) => {
    const dlqAlarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => /DeadLetterQueue/.test(a.Properties.AlarmName));
    expect(dlqAlarms).toHaveLength(2);
    for (const [, alarm] of dlqAlarms) {
      expect(alarm.Properties).toMatchObject({
        Metrics: [{ MetricStat: { Metric: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' }, Period: 60 } }],
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });
});

describeTemplateSnapshots(decoupledOrders, __dirname);
describeAlarmDocs(decoupledOrders, [STAGE_CONTEXTS.sandbox, STAGE_CONTEXTS.production]);
