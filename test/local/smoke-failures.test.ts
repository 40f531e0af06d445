/**
 * The smoke checks can fail: a broken handler makes them fail, a second run
 * starts with no data, and the deployed mode (stack lookup by tags, outputs,
 * signing with the caller's credentials, one-line errors) works against a
 * CloudFormation stand-in that points at a local run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationStandIn } from '../../stand-ins/cloudformation-stand-in';
import { sendRequest } from '../../stand-ins/signed-request';
import { checkLines, cleanEnv, runSmoke, startLocal } from './local-process';

const WRITE_HANDLER = 'lambda/serverless-api/write-menu-items.ts';
const BROKEN = path.join(__dirname, 'fixtures', 'write-accepts-anything.ts');

const LOCAL_KEYS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

test('a write handler that accepts anything and stores nothing fails the smoke, and a new run starts empty', async () => {
  // Leave an item behind in one run...
  const first = await startLocal(['serverless-api']);
  const firstUrl = /Menu API: (\S+)/.exec(first.output())![1]!;
  const credentials = async () => ({ accessKeyId: 'local', secretAccessKey: 'local' });
  const created = await sendRequest(
    { method: 'POST', path: 'menu-items', body: { name: 'Left behind', category: 'tea', priceCents: 100 }, signed: true },
    firstUrl,
    'us-east-1',
    credentials,
  );
  expect(created.status).toBe(201);
  expect(await first.stop()).toBe(0);

  const broken = await startLocal(['serverless-api', '--replace-handler', `${WRITE_HANDLER}=${BROKEN}`]);
  try {
    // ...and the next run has none of it.
    const url = /Menu API: (\S+)/.exec(broken.output())![1]!;
    expect((await sendRequest({ method: 'GET', path: 'menu-items', signed: false }, url, 'us-east-1')).body).toEqual({ items: [] });

    const smoke = await runSmoke(['serverless-api', '--local']);
    expect(smoke.status).toBe(1);
    const { failed } = checkLines(smoke.stdout);
    expect(failed).toEqual([
      'GET /menu-items/{id} reads the new item back',
      'signed PUT with the current version updates it (200, version 2)',
      'PUT with a stale version is refused (409) and changes nothing',
    ]);
    // What the gateway answers before the handler (the model, the signature) still passes.
    expect(checkLines(smoke.stdout).passed).toEqual(
      expect.arrayContaining(['signed POST with bad input is refused (400)', 'unsigned POST is refused (403)']),
    );
    expect(smoke.stdout).toMatch(/\d+ passed, [1-9]\d* failed/);
  } finally {
    await broken.stop();
  }
});

describe('the deployed mode, against a CloudFormation stand-in', () => {
  let standIn: CloudFormationStandIn;
  let endpoint: string;
  beforeAll(async () => {
    standIn = new CloudFormationStandIn([]);
    endpoint = await standIn.start();
  });
  afterAll(() => standIn.stop());

  test('without a region it says so in one line', async () => {
    const smoke = await runSmoke(['serverless-api'], cleanEnv(LOCAL_KEYS));
    expect({ status: smoke.status, stderr: smoke.stderr.trim() }).toEqual({
      status: 1,
      stderr: 'No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or give your profile a region.',
    });
  });

  test('without credentials it says so in one line', async () => {
    const smoke = await runSmoke(['serverless-api', '--region', 'eu-west-1'], cleanEnv());
    expect(smoke.status).toBe(1);
    expect(smoke.stderr.trim().split('\n')).toHaveLength(1);
    expect(smoke.stderr).toMatch(/^No AWS credentials \(.*\): run `aws sso login` or `aws configure`, or pass --profile\.$/m);
  });

  test('a stack that is not there (or in another region) is named in one line', async () => {
    standIn.stacks = [
      {
        name: 'CoffeeShop-MenuApi-production',
        status: 'CREATE_COMPLETE',
        tags: { architecture: 'serverless-api', stage: 'production' },
        outputs: {},
      },
      {
        name: 'Integ-CoffeeShop-MenuApi-sandbox',
        status: 'CREATE_COMPLETE',
        tags: { architecture: 'serverless-api', stage: 'sandbox' },
        outputs: {},
      },
    ];
    const smoke = await runSmoke(
      ['serverless-api', '--region', 'us-east-1'],
      cleanEnv({ ...LOCAL_KEYS, AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint }),
    );
    expect({ status: smoke.status, stderr: smoke.stderr.trim() }).toEqual({
      status: 1,
      stderr:
        'No sandbox stack of serverless-api in us-east-1: deploy it with `npx cdk deploy CoffeeShop-MenuApi-sandbox`, or pass the --region it is in.',
    });
  });

  test("a profile's region and credentials (~/.aws/config and credentials) are used", async () => {
    standIn.stacks = [];
    const env = cleanEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint });
    mkdirSync(path.join(env.HOME!, '.aws'));
    writeFileSync(path.join(env.HOME!, '.aws', 'config'), '[profile smoke]\nregion = eu-north-1\n');
    writeFileSync(path.join(env.HOME!, '.aws', 'credentials'), '[smoke]\naws_access_key_id = local\naws_secret_access_key = local\n');
    const smoke = await runSmoke(['decoupled-orders', '--profile', 'smoke', '--stage', 'production'], env);
    expect({ status: smoke.status, stderr: smoke.stderr.trim() }).toEqual({
      status: 1,
      stderr:
        'No production stack of decoupled-orders in eu-north-1: deploy it with `npx cdk deploy CoffeeShop-Orders-production -c stage=production ...` (the production context: docs/decoupled-orders.md), or pass the --region it is in.',
    });
    expect(standIn.actions.at(-1)).toBe('DescribeStacks');
  });

  test("a found stack's outputs lead the same checks, signed with the caller's credentials, to a pass", async () => {
    const local = await startLocal(['serverless-api']);
    try {
      const apiUrl = /Menu API: (\S+)/.exec(local.output())![1]!;
      standIn.stacks = [
        {
          name: 'CoffeeShop-MenuApi-sandbox',
          status: 'UPDATE_COMPLETE',
          tags: { architecture: 'serverless-api', stage: 'sandbox', project: 'coffee-shop-platform' },
          outputs: { ApiUrl: apiUrl, TableName: 'MenuItemsTable' },
        },
      ];
      const smoke = await runSmoke(
        ['serverless-api', '--region', 'us-east-1'],
        cleanEnv({ ...LOCAL_KEYS, AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint }),
      );
      expect(smoke.stdout).toContain('Smoke checks of serverless-api: CoffeeShop-MenuApi-sandbox in us-east-1');
      expect({ status: smoke.status, failed: checkLines(smoke.stdout).failed }).toEqual({ status: 0, failed: [] });
      expect(checkLines(smoke.stdout).passed).toHaveLength(8);

      // Signed with other credentials, the local API (which verifies the key "local" in full) refuses the writes.
      const wrongKey = await runSmoke(
        ['serverless-api', '--region', 'us-east-1'],
        cleanEnv({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'not-the-secret', AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint }),
      );
      expect(wrongKey.status).toBe(1);
      expect(checkLines(wrongKey.stdout).failed).toContain('signed POST /menu-items creates an item (201, version 1)');
    } finally {
      await local.stop();
    }
  });
});
