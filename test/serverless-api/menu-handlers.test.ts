/**
 * The real menu API handlers, driven with API Gateway proxy events against
 * DynamoDB Local (started once per run by test/setup/global-setup.ts). Every
 * rejected request is checked twice: by its response and by the table.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../../lambda/serverless-api/menu-item-schema';
import { tableKeyedBy } from '../../scripts/template/template';
import { type ApiRequest, apiGatewayEvent, lambdaContext } from '../../stand-ins/api-gateway-event';
import { createTableFromTemplate, deleteTable, dynamoDbClients, scanAll } from '../../stand-ins/dynamodb-tables';
import { type DeployedRole, deployedRole, loadUnderRole } from '../helpers/deployed-role';
import { sandboxTemplate } from '../helpers/sandbox-templates';

const template = sandboxTemplate('serverless-api');

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const { client, documentClient } = dynamoDbClients();
let tableName: string;
let readHandler: Handler;
let writeHandler: Handler;

const ALLOWED_ORIGIN = 'https://menu.example.com';
const flatWhite = { name: 'Flat white', description: 'Double ristretto, steamed milk', category: 'coffee', priceCents: 380 };

const READ_ENTRY = 'lambda/serverless-api/read-menu-items.ts';
const WRITE_ENTRY = 'lambda/serverless-api/write-menu-items.ts';
let readRole: DeployedRole;
let writeRole: DeployedRole;

/** A first call of each handler, which touches the table (and binds its client to its role's gate). */
const firstRead = (handler: Handler) =>
  handler(apiGatewayEvent({ method: 'GET', resource: '/menu-items/{id}', pathParameters: { id: randomUUID() } }), lambdaContext());
const firstWrite = (handler: Handler) =>
  handler(
    apiGatewayEvent({ method: 'DELETE', resource: '/menu-items/{id}', pathParameters: { id: randomUUID() }, query: { version: '1' } }),
    lambdaContext(),
  );

beforeAll(async () => {
  tableName = await createTableFromTemplate(client, template, tableKeyedBy(template, 'id'));
  process.env.TABLE_NAME = tableName;
  process.env.ALLOWED_ORIGINS = ALLOWED_ORIGIN;
  // Each handler under its own deployed role: reads may only read, writes only write.
  readRole = await deployedRole('serverless-api', template, READ_ENTRY, { TABLE_NAME: tableName });
  writeRole = await deployedRole('serverless-api', template, WRITE_ENTRY, { TABLE_NAME: tableName });
  readHandler = (
    await loadUnderRole(
      readRole,
      () => import('../../lambda/serverless-api/read-menu-items'),
      (m) => firstRead(m.handler),
    )
  ).handler;
  writeHandler = (
    await loadUnderRole(
      writeRole,
      () => import('../../lambda/serverless-api/write-menu-items'),
      (m) => firstWrite(m.handler),
    )
  ).handler;
});

afterAll(async () => {
  expect([...readRole.denied(), ...writeRole.denied()]).toEqual([]);
  await readRole.stop();
  await writeRole.stop();
  await deleteTable(client, tableName);
  client.destroy();
});

async function call(request: ApiRequest) {
  const handler = request.method === 'GET' ? readHandler : writeHandler;
  const result = await handler(apiGatewayEvent(request), lambdaContext());
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
}

const create = (body: unknown, headers?: Record<string, string>) => call({ method: 'POST', resource: '/menu-items', body, headers });
const replace = (id: string, body: unknown) => call({ method: 'PUT', resource: '/menu-items/{id}', pathParameters: { id }, body });
const stored = async (id: string) => (await documentClient.send(new GetCommand({ TableName: tableName, Key: { id } }))).Item;
const itemCount = async () => (await scanAll(documentClient, tableName)).length;

async function createdItem(body: unknown = flatWhite) {
  const response = await create(body);
  expect(response.statusCode).toBe(201);
  return response.json as { id: string; version: number } & Record<string, unknown>;
}

/** Sends a request that must be rejected and proves the table did not change. */
async function expectRejected(request: ApiRequest, status: number) {
  const before = await scanAll(documentClient, tableName);
  const response = await call(request);
  expect(response.statusCode).toBe(status);
  expect(await scanAll(documentClient, tableName)).toEqual(before);
  return response.json as { error: string; message: string; details?: { field: string; message: string }[] };
}

describe('POST /menu-items', () => {
  test('stores a valid item with a generated id, version 1 and timestamps', async () => {
    const response = await create(flatWhite, { origin: ALLOWED_ORIGIN });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toMatchObject({
      Location: `/menu-items/${response.json.id}`,
      'Access-Control-Allow-Origin': ALLOWED_ORIGIN,
    });
    expect(response.json).toMatchObject({ ...flatWhite, available: true, version: 1 });
    expect(await stored(response.json.id)).toEqual(response.json);
  });

  test('trims the name before storing it', async () => {
    const item = await createdItem({ ...flatWhite, name: '  Cortado  ' });
    expect((await stored(item.id))?.name).toBe('Cortado');
  });

  test('malformed JSON is a 400 naming the body, and nothing is written', async () => {
    const error = await expectRejected({ method: 'POST', resource: '/menu-items', body: '{"name": "Latte",' }, 400);
    expect(error).toEqual({
      error: 'BadRequest',
      message: 'Request body is not valid JSON',
      details: [{ field: 'body', message: 'is not valid JSON' }],
    });
  });

  test.each(['text/plain', 'application/x-www-form-urlencoded; charset=utf-8'])(
    'a body sent as %s (which API Gateway passes on unvalidated: its model is for application/json) is a 415, and nothing is written',
    async (contentType) => {
      const error = await expectRejected(
        { method: 'POST', resource: '/menu-items', body: { ...flatWhite, name: 'Sent as text' }, headers: { 'content-type': contentType } },
        415,
      );
      expect(error).toMatchObject({
        error: 'UnsupportedMediaType',
        details: [{ field: 'header.Content-Type', message: 'must be application/json' }],
      });
    },
  );

  test('application/json with a charset is read as JSON', async () => {
    expect((await create(flatWhite, { 'Content-Type': 'application/json; charset=UTF-8' })).statusCode).toBe(201);
  });

  test('a missing body is a 400', async () => {
    const error = await expectRejected({ method: 'POST', resource: '/menu-items' }, 400);
    expect(error.details).toEqual([{ field: 'body', message: 'is required' }]);
  });

  test('wrong types are reported field by field', async () => {
    const error = await expectRejected(
      { method: 'POST', resource: '/menu-items', body: { ...flatWhite, priceCents: '380', available: 'yes' } },
      400,
    );
    expect(error.message).toBe('Invalid request body');
    expect(error.details?.map((d) => d.field).sort()).toEqual(['body.available', 'body.priceCents']);
    expect(error.details?.find((d) => d.field === 'body.priceCents')?.message).toBe('Invalid input: expected number, received string');
  });

  test('missing required fields are each named', async () => {
    const error = await expectRejected({ method: 'POST', resource: '/menu-items', body: {} }, 400);
    expect(error.details?.map((d) => d.field).sort()).toEqual(['body.category', 'body.name', 'body.priceCents']);
  });

  test('unknown fields are rejected, not silently dropped', async () => {
    const error = await expectRejected(
      { method: 'POST', resource: '/menu-items', body: { ...flatWhite, id: randomUUID(), discount: 10 } },
      400,
    );
    expect(error.details).toEqual(
      expect.arrayContaining([
        { field: 'body.id', message: 'is not an allowed field' },
        { field: 'body.discount', message: 'is not an allowed field' },
      ]),
    );
  });

  test.each([
    ['a negative price', { priceCents: -1 }, 'body.priceCents'],
    ['a fractional price', { priceCents: 3.5 }, 'body.priceCents'],
    ['an unknown category', { category: 'smoothie' }, 'body.category'],
    ['an empty name', { name: '   ' }, 'body.name'],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'body.name'],
    ['a description over 500 characters', { description: 'x'.repeat(501) }, 'body.description'],
  ])('%s is a 400 on that field', async (_, change, field) => {
    const error = await expectRejected({ method: 'POST', resource: '/menu-items', body: { ...flatWhite, ...change } }, 400);
    expect(error.details?.map((d) => d.field)).toEqual([field]);
  });

  test('a body over the size limit is a 413, and nothing is written', async () => {
    const body = JSON.stringify({ ...flatWhite, description: 'x'.repeat(MAX_BODY_BYTES) });
    const error = await expectRejected({ method: 'POST', resource: '/menu-items', body }, 413);
    expect(error).toMatchObject({ error: 'PayloadTooLarge', details: [{ field: 'body' }] });
  });

  test('a JSON array or scalar body is a 400', async () => {
    for (const body of ['[]', '42', 'null']) {
      await expectRejected({ method: 'POST', resource: '/menu-items', body }, 400);
    }
  });
});

describe('GET /menu-items/{id}', () => {
  test('returns a stored item', async () => {
    const item = await createdItem();
    const response = await call({ method: 'GET', resource: '/menu-items/{id}', pathParameters: { id: item.id } });
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual(item);
  });

  test('an unknown id is a 404', async () => {
    const response = await call({ method: 'GET', resource: '/menu-items/{id}', pathParameters: { id: randomUUID() } });
    expect(response.statusCode).toBe(404);
    expect(response.json.error).toBe('NotFound');
  });

  test('an id that is not a UUID is a 400 on path.id', async () => {
    const response = await call({ method: 'GET', resource: '/menu-items/{id}', pathParameters: { id: 'latte' } });
    expect(response.statusCode).toBe(400);
    expect(response.json.details).toEqual([{ field: 'path.id', message: expect.stringMatching(/UUID/) }]);
  });

  test('a browser origin that is not allowed gets no CORS header', async () => {
    const item = await createdItem();
    const response = await call({
      method: 'GET',
      resource: '/menu-items/{id}',
      pathParameters: { id: item.id },
      headers: { origin: 'https://evil.example.com' },
    });
    expect(response.headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });
});

describe('GET /menu-items', () => {
  test('pages through every item exactly once', async () => {
    for (let i = 0; i < 5; i += 1) await createdItem({ ...flatWhite, name: `Pour-over ${i}` });
    const total = await itemCount();
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const response = await call({
        method: 'GET',
        resource: '/menu-items',
        query: { limit: '2', ...(nextToken ? { nextToken } : {}) },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...response.json.items.map((item: { id: string }) => item.id));
      nextToken = response.json.nextToken;
      pages += 1;
    } while (nextToken && pages < 100);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(total / 2));
  });

  test.each([
    ['a limit of 0', { limit: '0' }, 'query.limit'],
    ['a limit over 100', { limit: '101' }, 'query.limit'],
    ['a non-numeric limit', { limit: 'ten' }, 'query.limit'],
    ['a hexadecimal limit (Number() would read 16)', { limit: '0x10' }, 'query.limit'],
    ['a limit in exponent form', { limit: '1e1' }, 'query.limit'],
    ['a limit with spaces', { limit: ' 16' }, 'query.limit'],
    ['a forged next token', { nextToken: Buffer.from('{"id":"x","admin":true}').toString('base64url') }, 'query.nextToken'],
    ['a next token that is not base64 JSON', { nextToken: '%%%' }, 'query.nextToken'],
    ['an unknown query parameter', { sort: 'price' }, 'query.sort'],
  ])('%s is a 400 on that parameter', async (_, query, field) => {
    const response = await call({ method: 'GET', resource: '/menu-items', query });
    expect(response.statusCode).toBe(400);
    expect(response.json.details.map((d: { field: string }) => d.field)).toEqual([field]);
  });
});

describe('PUT /menu-items/{id}', () => {
  test('replaces the item at the expected version and bumps the version', async () => {
    const item = await createdItem();
    const response = await replace(item.id, { name: 'Flat white', category: 'coffee', priceCents: 400, version: 1 });
    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ id: item.id, priceCents: 400, version: 2, createdAt: item.createdAt });
    const after = await stored(item.id);
    expect(after).toEqual(response.json);
    // A full replacement drops the optional field the new body left out.
    expect(after).not.toHaveProperty('description');
  });

  test('a stale version is a 409 and leaves the item as it was', async () => {
    const item = await createdItem();
    await replace(item.id, { ...flatWhite, priceCents: 390, version: 1 });
    const before = await stored(item.id);
    const response = await replace(item.id, { ...flatWhite, priceCents: 999, version: 1 });
    expect(response.statusCode).toBe(409);
    expect(response.json).toMatchObject({
      error: 'Conflict',
      details: [{ field: 'version', message: expect.stringMatching(/current version is 2/) }],
    });
    expect(await stored(item.id)).toEqual(before);
  });

  test('an unknown id is a 404 and does not create the item', async () => {
    const id = randomUUID();
    const response = await replace(id, { ...flatWhite, version: 1 });
    expect(response.statusCode).toBe(404);
    expect(await stored(id)).toBeUndefined();
  });

  test('a body without a version is a 400 and changes nothing', async () => {
    const item = await createdItem();
    const error = await expectRejected(
      { method: 'PUT', resource: '/menu-items/{id}', pathParameters: { id: item.id }, body: flatWhite },
      400,
    );
    expect(error.details).toEqual([{ field: 'body.version', message: expect.any(String) }]);
  });

  test('of two concurrent replacements of the same version, exactly one wins', async () => {
    const item = await createdItem();
    const contenders = Array.from({ length: 8 }, (_, i) => ({ ...flatWhite, priceCents: 500 + i, version: 1 }));
    const responses = await Promise.all(contenders.map((body) => replace(item.id, body)));
    const winners = responses.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(contenders.length - 1);
    const after = await stored(item.id);
    expect(after).toMatchObject({ version: 2, priceCents: winners[0]!.json.priceCents });
  });
});

describe('DELETE /menu-items/{id}', () => {
  const remove = (id: string, query?: Record<string, string>) =>
    call({ method: 'DELETE', resource: '/menu-items/{id}', pathParameters: { id }, ...(query ? { query } : {}) });

  test('deletes the item', async () => {
    const item = await createdItem();
    const response = await remove(item.id);
    expect(response.statusCode).toBe(204);
    expect(await stored(item.id)).toBeUndefined();
  });

  test('an unknown id is a 404', async () => {
    expect((await remove(randomUUID())).statusCode).toBe(404);
  });

  test('a stale expected version is a 409 and the item stays', async () => {
    const item = await createdItem();
    await replace(item.id, { ...flatWhite, version: 1 });
    const response = await remove(item.id, { version: '1' });
    expect(response.statusCode).toBe(409);
    expect(await stored(item.id)).toMatchObject({ version: 2 });
    expect((await remove(item.id, { version: '2' })).statusCode).toBe(204);
  });
});

describe('failures', () => {
  test('a DynamoDB failure is a 500 that names only the request id: no SDK message, no stack trace', async () => {
    const before = process.env.TABLE_NAME;
    process.env.TABLE_NAME = `missing-${randomUUID()}`;
    let handler: Handler | undefined;
    await jest.isolateModulesAsync(async () => {
      handler = (await import('../../lambda/serverless-api/write-menu-items')).handler;
    });
    process.env.TABLE_NAME = before;
    // Straight to DynamoDB Local (not under the role, whose policy does not name that table): its ResourceNotFound is the failure.
    const context = lambdaContext();
    const result = await handler!(apiGatewayEvent({ method: 'POST', resource: '/menu-items', body: flatWhite }), context);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: 'InternalServerError',
      message: 'Internal server error',
      requestId: context.awsRequestId,
    });
    expect(result.body).not.toMatch(/ResourceNotFound|non-existent|at .*\.ts|dynamodb/i);
  });

  test('a handler without TABLE_NAME fails at cold start, not on the first request', async () => {
    const before = process.env.TABLE_NAME;
    delete process.env.TABLE_NAME;
    try {
      await expect(
        jest.isolateModulesAsync(async () => {
          await import('../../lambda/serverless-api/read-menu-items');
        }),
      ).rejects.toThrow(/Environment variable TABLE_NAME is required/);
    } finally {
      process.env.TABLE_NAME = before;
    }
  });

  test('an id in upper case finds the same item (ids are stored in lower case)', async () => {
    const item = await createdItem();
    const response = await call({ method: 'GET', resource: '/menu-items/{id}', pathParameters: { id: item.id.toUpperCase() } });
    expect(response.statusCode).toBe(200);
    expect(response.json.id).toBe(item.id);
  });

  test('an item stored outside the API is still served as stored', async () => {
    const id = randomUUID();
    const item = { id, ...flatWhite, available: false, version: 3, createdAt: 'x', updatedAt: 'y' };
    await documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
    const response = await call({ method: 'GET', resource: '/menu-items/{id}', pathParameters: { id } });
    expect(response.json).toEqual(item);
  });
});

describe('each handler runs under its deployed role', () => {
  test("the read role's policy allows GetItem on the table and refuses PutItem", async () => {
    const gate = readRole.gates[0]!;
    expect(
      gate.authorize({ action: 'dynamodb:PutItem', resource: `arn:aws:dynamodb:us-east-1:000000000000:table/${tableName}` }).decision,
    ).toBe('implicit-deny');
    expect(
      gate.authorize({ action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:000000000000:table/${tableName}` }).decision,
    ).toBe('allow');
  });

  test('a write role without its PutItem statement (a copy of the template) refuses the create: the handler answers 500 and stores nothing', async () => {
    const withoutPut = await deployedRole(
      'serverless-api',
      template,
      WRITE_ENTRY,
      { TABLE_NAME: tableName },
      { editTemplate: removeAction('dynamodb:PutItem') },
    );
    try {
      const before = await itemCount();
      let response: APIGatewayProxyResult | undefined;
      await loadUnderRole(
        withoutPut,
        () => import('../../lambda/serverless-api/write-menu-items'),
        async (m) => {
          response = await m.handler(apiGatewayEvent({ method: 'POST', resource: '/menu-items', body: flatWhite }), lambdaContext());
        },
      );
      expect(response!.statusCode).toBe(500);
      expect(withoutPut.denied()).toEqual([
        expect.stringMatching(
          /not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/.* because no identity-based policy allows the dynamodb:PutItem action$/,
        ),
      ]);
      expect(await itemCount()).toBe(before);
    } finally {
      await withoutPut.stop();
    }
  });
});

/** A copy of the template whose policies no longer grant `action` (removed from every statement that lists it). */
function removeAction(action: string) {
  return (copy: any) => {
    for (const resource of Object.values(copy.Resources) as any[]) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      for (const statement of resource.Properties.PolicyDocument.Statement) {
        if (Array.isArray(statement.Action)) statement.Action = statement.Action.filter((a: string) => a !== action);
        else if (statement.Action === action) statement.Action = [];
      }
    }
    return copy;
  };
}
