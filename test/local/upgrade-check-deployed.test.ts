/**
 * `npm run upgrade-check -- --deployed` against a CloudFormation stand-in:
 * the deployed stacks found by their tags, their templates read with
 * GetTemplate, and the one-line errors without credentials.
 */
import { synthTemplates } from '../../scripts/template/synth';
import { resourcesOfType } from '../../scripts/template/template';
import { CloudFormationStandIn, type StandInStack } from '../../stand-ins/cloudformation-stand-in';
import { cleanEnv, runSmoke } from './local-process';

const KEYS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'eu-west-1' };
// Bundled, as the command synthesizes (a deployed function's code has its bundle's hash).
const sandbox = synthTemplates('sandbox', {}, { bundle: true });
const deployedAs = (architecture: string, template: unknown, extra: Partial<StandInStack> = {}): StandInStack => ({
  name: sandbox.find((s) => s.architecture === architecture)!.stack,
  status: 'UPDATE_COMPLETE',
  tags: { architecture, stage: 'sandbox', project: 'coffee-shop-platform' },
  outputs: {},
  template,
  ...extra,
});
const current = (architecture: string) => sandbox.find((s) => s.architecture === architecture)!.template;

describe('npm run upgrade-check -- --deployed', () => {
  let standIn: CloudFormationStandIn;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    standIn = new CloudFormationStandIn([]);
    env = cleanEnv({ ...KEYS, AWS_ENDPOINT_URL_CLOUDFORMATION: await standIn.start() });
  });
  afterAll(() => standIn.stop());
  const check = (args: string[], environment = env) => runSmoke(['--deployed', ...args], environment, 'upgrade-check');

  test('without credentials: one line, exit 2, nothing listed', async () => {
    const before = standIn.actions.length;
    const result = await check(['--region', 'eu-west-1'], cleanEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:9' }));
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^No AWS credentials \(.*\): run `aws sso login` or `aws configure`, or pass --profile\.$/),
    ]);
    expect(standIn.actions.length).toBe(before);
  });

  test('nothing deployed: says so in one line and puts nothing at risk', async () => {
    standIn.stacks = [];
    const result = await check([]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^No sandbox stack of any architecture is deployed in eu-west-1: a first deploy puts no data at risk\.$/m,
    );
    expect(result.stdout).toMatch(/^0 stacks compared: 0 data at risk/m);
  });

  test('a deployed database created with another port: exit 1, naming the database and Port; the other deployed stack is compared too', async () => {
    const database = structuredClone(current('multi-az-database'));
    const [id, instance] = resourcesOfType(database, 'AWS::RDS::DBInstance')[0]!;
    instance.Properties.Port = '6543';
    standIn.stacks = [
      deployedAs('multi-az-database', database),
      deployedAs('decoupled-orders', current('decoupled-orders')),
      // An integ test's copy and another stage are not the user's stacks.
      deployedAs('serverless-api', {}, { name: 'Integ-CoffeeShop-MenuApi-sandbox' }),
      deployedAs('clickstream', {}, { tags: { architecture: 'clickstream', stage: 'production' } }),
    ];
    const result = await check([]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^upgrade-check: sandbox as this checkout synthesizes it, against the deployed sandbox stacks in eu-west-1$/m,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `^DATA AT RISK +CoffeeShop-Database-sandbox +${id} \\(AWS::RDS::DBInstance\\) +RDS database instance replaced: Port changes`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(/^2 stacks compared: 1 data at risk/m);
    expect(standIn.actions.filter((a) => a === 'GetTemplate').length).toBeGreaterThanOrEqual(2);
  });

  test('deployed as this checkout synthesizes it: no data at risk, exit 0; a stack still deploying is refused in one line', async () => {
    standIn.stacks = [deployedAs('decoupled-orders', current('decoupled-orders'))];
    const same = await check(['decoupled-orders']);
    expect(same.stdout).toMatch(
      /^1 stack compared: 0 data at risk, 0 interruption, 0 security \(0 permission and network rules\), 0 update\.$/m,
    );
    expect(same.status).toBe(0);
    standIn.stacks = [deployedAs('decoupled-orders', current('decoupled-orders'), { status: 'UPDATE_IN_PROGRESS' })];
    const busy = await check(['decoupled-orders']);
    expect(busy.status).toBe(2);
    expect(busy.stderr.trim()).toBe(
      'CoffeeShop-Orders-sandbox in eu-west-1 is UPDATE_IN_PROGRESS: wait for (or fix) its deployment first.',
    );
  });
});
