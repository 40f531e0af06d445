/**
 * The storage-first write path has no Lambda: what keeps bad orders out of
 * the queue is the API Gateway model and the mapping templates. Both are taken
 * from the synthesized template and exercised here: the model with a JSON
 * Schema draft-04 validator (API Gateway's dialect), the templates with a VTL
 * engine, and the message they produce is sent to a real local queue and
 * processed by the real worker.
 */
import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import Ajv from 'ajv-draft-04';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { IDEMPOTENCY_HEADER, MAX_ORDER_BYTES, PlaceOrderBody } from '../../lambda/decoupled-orders/order-schema';
import { eventSourceBatchSize, resourcesOfType, tableKeyedBy } from '../../scripts/template/template';
import { SQS_REFUSED_CHARACTER } from '../../stand-ins/backends/fauxqs';
import { createTableFromTemplate, deleteTable, dynamoDbClients, scanAll } from '../../stand-ins/dynamodb-tables';
import { createQueueWithDeadLetter, runEventSourceMapping, sqsClient } from '../../stand-ins/sqs-local';
import { renderMappingTemplate } from '../../stand-ins/vtl';
import { deployedRole } from '../helpers/deployed-role';
import { sandboxTemplate } from '../helpers/sandbox-templates';

const template = sandboxTemplate('decoupled-orders');
const resources = template.Resources;
const postOrders = Object.values(resources).find(
  (r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'POST',
)!.Properties;
const model = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Model')!.Properties.Schema;
const requestTemplate: string = postOrders.Integration.RequestTemplates['application/json'];
const acceptedTemplate: string = postOrders.Integration.IntegrationResponses.find((r: any) => r.StatusCode === '202').ResponseTemplates[
  'application/json'
];

// Formats off: the uuid check must come from the schema's pattern, which API Gateway enforces.
const validateBody = new Ajv({ allErrors: true, validateFormats: false, strict: false }).compile(model);
const validOrder = {
  customerName: 'Ada',
  items: [{ menuItemId: randomUUID(), quantity: 2, size: 'large' }],
  pickupNotes: 'oat milk',
};

describe('the gateway model (what API Gateway validates before anything reaches the queue)', () => {
  test('accepts a valid order', () => {
    expect(validateBody(validOrder)).toBe(true);
    expect(validateBody({ customerName: 'Ada', items: [{ menuItemId: randomUUID(), quantity: 1 }] })).toBe(true);
  });

  test.each([
    ['missing customer name', { items: validOrder.items }],
    ['missing items', { customerName: 'Ada' }],
    ['no items', { ...validOrder, items: [] }],
    ['zero quantity', { ...validOrder, items: [{ menuItemId: randomUUID(), quantity: 0 }] }],
    ['negative quantity', { ...validOrder, items: [{ menuItemId: randomUUID(), quantity: -2 }] }],
    ['fractional quantity', { ...validOrder, items: [{ menuItemId: randomUUID(), quantity: 1.5 }] }],
    ['quantity as a string', { ...validOrder, items: [{ menuItemId: randomUUID(), quantity: '2' }] }],
    ['menu item id not a UUID', { ...validOrder, items: [{ menuItemId: 'latte', quantity: 1 }] }],
    ['unknown size', { ...validOrder, items: [{ menuItemId: randomUUID(), quantity: 1, size: 'venti' }] }],
    ['unknown top-level field', { ...validOrder, discount: 100 }],
    ['unknown field in an item', { ...validOrder, items: [{ menuItemId: randomUUID(), quantity: 1, price: 0 }] }],
    ['more than 20 lines', { ...validOrder, items: Array.from({ length: 21 }, () => ({ menuItemId: randomUUID(), quantity: 1 })) }],
    ['over-long notes', { ...validOrder, pickupNotes: 'x'.repeat(201) }],
    ['a name of spaces only (the worker would refuse it: one contract)', { ...validOrder, customerName: '   ' }],
    ['a name with a space at either end', { ...validOrder, customerName: ' Ada ' }],
    ['a name with NUL', { ...validOrder, customerName: 'A\u0000da' }],
    ['a name with a right-to-left override', { ...validOrder, customerName: 'Ada\u202Enhoj' }],
    ['a name with U+FFFE (SQS refuses it)', { ...validOrder, customerName: 'Ada\uFFFE' }],
    ['a name with a lone surrogate', { ...validOrder, customerName: 'Ada\uD800' }],
    ['notes with a control character', { ...validOrder, pickupNotes: 'oat\u0007milk' }],
    ['a name of 61 characters', { ...validOrder, customerName: 'x'.repeat(61) }],
    ['a JSON array', [validOrder]],
  ])('rejects %s', (_, body) => {
    expect(validateBody(body)).toBe(false);
  });

  test('a name of 60 emoji is 60 characters, as the worker counts them', () => {
    expect(validateBody({ ...validOrder, customerName: '\u{1F600}'.repeat(60) })).toBe(true);
    expect(PlaceOrderBody.safeParse({ ...validOrder, customerName: '\u{1F600}'.repeat(60) }).success).toBe(true);
  });

  test('one contract: every body the gateway accepts the worker accepts, and SQS can carry; every body it refuses the worker refuses too (property-based)', () => {
    // Text from every Unicode code point and lone surrogates, weighted towards the characters that broke the contract before.
    const tricky = fc.constantFrom(
      ' ',
      '\u00A0',
      '\u3000',
      '\u0000',
      '\t',
      '\n',
      '\u007F',
      '\u0085',
      '\u202E',
      '\u2066',
      '\uFFFE',
      '\uFFFF',
      '\uD800',
      '\uDC00',
      '\u{1F600}',
      'é',
    );
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 3 }), tricky, fc.string({ maxLength: 5 })), { maxLength: 25 })
      .map((parts) => parts.join(''));
    const line = fc.record(
      {
        menuItemId: fc.oneof(fc.uuid(), fc.constant('latte')),
        quantity: fc.oneof(fc.integer({ min: -1, max: 21 }), fc.double()),
        size: fc.constantFrom('small', 'large', 'venti'),
      },
      { requiredKeys: ['menuItemId', 'quantity'] },
    );
    const body = fc.record({ customerName: text, items: fc.array(line, { maxLength: 3 }), pickupNotes: text }, { requiredKeys: ['items'] });
    // What SQS takes in a message body (the rule the local queue is given too).
    const sqsCarries = (raw: string) => !SQS_REFUSED_CHARACTER.test(raw);
    fc.assert(
      fc.property(body, (candidate) => {
        const gateway = validateBody(candidate) as boolean;
        const worker = PlaceOrderBody.safeParse(candidate).success;
        expect([gateway, worker]).toEqual([worker, worker]);
        if (gateway) expect(sqsCarries(JSON.stringify(candidate))).toBe(true);
      }),
      { numRuns: 3000, seed: 20261202 },
    );
  });

  test('requires the Idempotency-Key header and validates body and parameters', () => {
    expect(postOrders.RequestParameters).toEqual({ [`method.request.header.${IDEMPOTENCY_HEADER}`]: true });
    const validator = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::RequestValidator')!.Properties;
    expect(validator).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
  });
});

describe('the mapping templates (what the gateway sends to SQS and answers)', () => {
  const key = randomUUID().toUpperCase();
  const body = JSON.stringify(validOrder);

  test('a valid request becomes SendMessage with the body and the order id, lower-cased', () => {
    const { output } = renderMappingTemplate(requestTemplate, { body, headers: { [IDEMPOTENCY_HEADER]: key } });
    const form = new URLSearchParams(output);
    expect(form.get('Action')).toBe('SendMessage');
    expect(form.get('MessageBody')).toBe(body);
    expect(form.get('MessageAttribute.1.Name')).toBe('orderId');
    expect(form.get('MessageAttribute.1.Value.StringValue')).toBe(key.toLowerCase());
    expect(form.get('MessageAttribute.2.Name')).toBe('acceptedAt');
  });

  test.each([
    ['an Idempotency-Key that is not a UUID', { [IDEMPOTENCY_HEADER]: 'order-1' }, body],
    ['a body over the size limit', { [IDEMPOTENCY_HEADER]: key }, `${body}${' '.repeat(MAX_ORDER_BYTES)}`],
  ])('%s sends nothing to the queue', (_, headers, requestBody) => {
    const { output } = renderMappingTemplate(requestTemplate, { body: requestBody, headers });
    expect(new URLSearchParams(output).get('Action')).toBe('GetQueueAttributes');
    expect(output).not.toContain('SendMessage');
  });

  /** A valid order whose pickup notes pad its JSON to exactly `bytes` UTF-8 bytes with `filler`. */
  function orderOfBytes(bytes: number, filler: string): string {
    const base = JSON.stringify({ ...validOrder, pickupNotes: '' });
    const fillerBytes = Buffer.byteLength(filler);
    const count = Math.floor((bytes - Buffer.byteLength(base)) / fillerBytes);
    const notes = filler.repeat(count) + 'x'.repeat(bytes - Buffer.byteLength(base) - count * fillerBytes);
    const json = JSON.stringify({ ...validOrder, pickupNotes: notes });
    expect(Buffer.byteLength(json)).toBe(bytes);
    return json;
  }
  const actionFor = (requestBody: string) =>
    new URLSearchParams(renderMappingTemplate(requestTemplate, { body: requestBody, headers: { [IDEMPOTENCY_HEADER]: key } }).output).get(
      'Action',
    );

  test.each([
    ['ASCII', 'a'],
    ['2-byte letters (é)', 'é'],
    ['3-byte characters (€)', '€'],
    ['4-byte emoji, 2 UTF-16 units each (☕️ is 6 bytes, 🥐 4)', '🥐'],
  ])('the size limit counts UTF-8 bytes, not characters: %s', (_, filler) => {
    for (const extra of [0, 1, 2]) {
      // Each padding case of the base64 arithmetic, at the limit and just past it.
      expect(actionFor(orderOfBytes(MAX_ORDER_BYTES - extra, filler))).toBe('SendMessage');
      expect(actionFor(orderOfBytes(MAX_ORDER_BYTES + 1 + extra, filler))).toBe('GetQueueAttributes');
    }
  });

  test('a multi-byte body under the limit in characters but over it in bytes is refused (what a character count let through)', () => {
    const body = orderOfBytes(2 * MAX_ORDER_BYTES, '€');
    expect(body.length).toBeLessThan(MAX_ORDER_BYTES);
    expect(actionFor(body)).toBe('GetQueueAttributes');
  });

  test('an accepted order answers 202 with its id', () => {
    const result = renderMappingTemplate(acceptedTemplate, {
      body: '<SendMessageResponse><SendMessageResult><MessageId>m</MessageId></SendMessageResult></SendMessageResponse>',
      headers: { [IDEMPOTENCY_HEADER]: key },
    });
    expect(result.statusOverride).toBeUndefined();
    expect(JSON.parse(result.output)).toEqual({ orderId: key.toLowerCase(), status: 'ACCEPTED' });
    expect(postOrders.Integration.IntegrationResponses.find((r: any) => r.StatusCode === '202').SelectionPattern).toBeUndefined();
  });

  test('a rejected key answers 400 naming the header', () => {
    const result = renderMappingTemplate(acceptedTemplate, {
      body: '<GetQueueAttributesResponse/>',
      headers: { [IDEMPOTENCY_HEADER]: 'order-1' },
    });
    expect(result.statusOverride).toBe(400);
    expect(JSON.parse(result.output)).toMatchObject({ error: 'BadRequest', details: [{ field: `header.${IDEMPOTENCY_HEADER}` }] });
  });

  test('an oversize body answers 413', () => {
    const result = renderMappingTemplate(acceptedTemplate, {
      body: '<GetQueueAttributesResponse/>',
      headers: { [IDEMPOTENCY_HEADER]: key },
    });
    expect(result.statusOverride).toBe(413);
    expect(JSON.parse(result.output)).toMatchObject({ error: 'PayloadTooLarge' });
  });

  const failedTemplate = () => {
    const failed = postOrders.Integration.IntegrationResponses.find((r: any) => r.StatusCode === '503');
    expect(failed.SelectionPattern).toBe('4\\d{2}|5\\d{2}');
    return failed.ResponseTemplates['application/json'] as string;
  };

  test.each([
    ['throttled', '<ErrorResponse><Error><Type>Sender</Type><Code>RequestThrottled</Code></Error></ErrorResponse>'],
    ['KMS unavailable', '<ErrorResponse><Error><Type>Sender</Type><Code>KmsThrottled</Code></Error></ErrorResponse>'],
    ['failed', '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code></Error></ErrorResponse>'],
  ])('SQS %s: 503, and a retry with the same key is invited', (_, body) => {
    const result = renderMappingTemplate(failedTemplate(), { body, headers: { [IDEMPOTENCY_HEADER]: key } });
    expect(result.statusOverride).toBeUndefined();
    expect(JSON.parse(result.output)).toMatchObject({
      error: 'ServiceUnavailable',
      message: expect.stringMatching(/retry with the same Idempotency-Key/),
    });
  });

  test.each([
    ['characters outside its set', 'InvalidMessageContents'],
    ['a parameter it refuses', 'InvalidParameterValue'],
  ])('SQS refusing %s for good: 400, and no invitation to retry', (_, code) => {
    const body = `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code></Error></ErrorResponse>`;
    const result = renderMappingTemplate(failedTemplate(), { body, headers: { [IDEMPOTENCY_HEADER]: key } });
    expect(result.statusOverride).toBe(400);
    expect(JSON.parse(result.output)).toMatchObject({ error: 'BadRequest', message: expect.stringMatching(/retry will not help/) });
  });

  test('the local queue refuses what SQS refuses, with the code the template maps to 400', async () => {
    const sqs = sqsClient();
    try {
      const { queue } = await createQueueWithDeadLetter(sqs, 5);
      for (const text of ['Ada\uFFFE', 'Ada\uD800']) {
        await expect(sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: text }))).rejects.toMatchObject({
          name: expect.stringMatching(/InvalidMessageContents$/),
          $metadata: { httpStatusCode: 400 },
        });
      }
    } finally {
      sqs.destroy();
    }
  });
});

/** The role API Gateway's SQS integration sends orders with (assumed by apigateway.amazonaws.com, granted sqs:SendMessage). */
function sendToQueueRole(): string {
  const policies = resourcesOfType(template, 'AWS::IAM::Policy');
  const [id] = resourcesOfType(template, 'AWS::IAM::Role').find(
    ([roleId, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('apigateway.amazonaws.com') &&
      policies.some(
        ([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId) && JSON.stringify(p.Properties).includes('sqs:SendMessage'),
      ),
  )!;
  return id;
}

describe('from mapping template to stored order', () => {
  const { client: dynamoDb, documentClient } = dynamoDbClients();
  const sqs = sqsClient();
  const tables: string[] = [];
  // Each test points the SDK at its own role gates; the next starts from the environment before them.
  const environment = { ...process.env };
  afterEach(() => {
    process.env = { ...environment };
  });

  afterAll(async () => {
    await Promise.all(tables.map((t) => deleteTable(dynamoDb, t)));
    sqs.destroy();
  });

  // The local queue carries emoji as SQS does (fauxqs alone refuses every character above U+FFFF).
  test.each([
    ['a plain order', validOrder],
    ['an order with emoji', { ...validOrder, customerName: 'Ada 🧁', pickupNotes: 'oat milk ☕🥛' }],
  ])('the message the request template produces from %s is stored by the real worker under the client key', async (_, order) => {
    const ordersTable = await createTableFromTemplate(dynamoDb, template, tableKeyedBy(template, 'orderId'));
    const idempotencyTable = await createTableFromTemplate(dynamoDb, template, tableKeyedBy(template, 'id'));
    tables.push(ordersTable, idempotencyTable);
    const sns = new SNSClient({});
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `events-${randomUUID()}` }));
    sns.destroy();
    const workerEnv = { ORDERS_TABLE_NAME: ordersTable, IDEMPOTENCY_TABLE_NAME: idempotencyTable, ORDER_EVENTS_TOPIC_ARN: TopicArn! };
    Object.assign(process.env, workerEnv);
    const { queue } = await createQueueWithDeadLetter(sqs, 5);
    // The API's integration role sends the message; the worker runs under its own role.
    const [queueId] = resourcesOfType(template, 'AWS::SQS::Queue').find(([, r]) => r.Properties.VisibilityTimeout === 180)!;
    const apiRole = await deployedRole(
      'decoupled-orders',
      template,
      { role: sendToQueueRole() },
      {},
      { standIns: { [queueId]: queue.url } },
    );
    const workerRole = await deployedRole('decoupled-orders', template, 'lambda/decoupled-orders/process-orders.ts', workerEnv);
    // Loaded afresh: the SDK keeps the endpoints (this test's role gates) its clients first called.
    let handler!: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;
    await jest.isolateModulesAsync(async () => {
      ({ handler } = await import('../../lambda/decoupled-orders/process-orders'));
    });
    const apiSqs = new SQSClient({ endpoint: apiRole.env.AWS_ENDPOINT_URL_SQS });
    const key = randomUUID();
    const { output } = renderMappingTemplate(requestTemplate, {
      body: JSON.stringify(order),
      headers: { [IDEMPOTENCY_HEADER]: key },
      requestTimeEpoch: Date.parse('2026-11-22T08:00:00Z'),
    });
    const form = new URLSearchParams(output);
    const attributes: Record<string, { DataType: string; StringValue: string }> = {};
    for (let i = 1; form.has(`MessageAttribute.${i}.Name`); i += 1) {
      attributes[form.get(`MessageAttribute.${i}.Name`)!] = {
        DataType: form.get(`MessageAttribute.${i}.Value.DataType`)!,
        StringValue: form.get(`MessageAttribute.${i}.Value.StringValue`)!,
      };
    }
    await apiSqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: form.get('MessageBody')!, MessageAttributes: attributes }),
    );
    apiSqs.destroy();
    Object.assign(process.env, workerRole.env);
    await runEventSourceMapping(sqs, { queue, handler, batchSize: eventSourceBatchSize(template) });
    await Promise.all([apiRole.stop(), workerRole.stop()]);
    expect(apiRole.allowed.map((a) => a.action)).toEqual(['sqs:SendMessage']);
    expect([...apiRole.denied(), ...workerRole.denied()]).toEqual([]);

    expect(await scanAll(documentClient, ordersTable)).toEqual([
      expect.objectContaining({ orderId: key, status: 'PLACED', acceptedAt: '2026-11-22T08:00:00.000Z', ...order }),
    ]);
  });
});
