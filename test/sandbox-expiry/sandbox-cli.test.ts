/** `npm run sandbox`: status and extend against the CloudFormation and Scheduler stand-ins (no AWS account). */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { planFrom, timeOfAt } from '../../lambda/sandbox-expiry/deadline';
import { armExpiry } from '../../lambda/sandbox-expiry/schedules';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { awsAccess } from '../../scripts/aws/deployed-stacks';
import { extendSandbox, sandboxStates, stateLine } from '../../scripts/sandbox/sandbox-expiry';
import { CloudFormationStandIn } from '../../stand-ins/cloudformation-stand-in';
import { SchedulerStandIn } from '../../stand-ins/scheduler-stand-in';

const ROOT = path.resolve(__dirname, '..', '..');
const HOUR = 60 * 60 * 1000;
/** A registered architecture for the command (a starter has one); the others are stand-in tags the functions take as they are. */
const REGISTERED = ARCHITECTURES[0]!.name;
const tags = (architecture: string) => ({ architecture, stage: 'sandbox', project: 'coffee-shop-platform' });
const GROUP = 'CoffeeShop-MenuApi-sandbox-schedules';
const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:expiry';
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';

const scheduler = new SchedulerStandIn(new Set([GROUP, 'orders-schedules']));
const cloudFormation = new CloudFormationStandIn([
  { name: 'CoffeeShop-MenuApi-sandbox', status: 'UPDATE_COMPLETE', tags: tags(REGISTERED), outputs: { ExpirySchedules: GROUP } },
  { name: 'CoffeeShop-Orders-sandbox', status: 'CREATE_COMPLETE', tags: tags('without-ttl'), outputs: {} },
  {
    name: 'CoffeeShop-Clickstream-sandbox',
    status: 'DELETE_IN_PROGRESS',
    tags: tags('deleting'),
    outputs: { ExpirySchedules: 'orders-schedules' },
  },
]);
let env: Record<string, string>;

beforeAll(async () => {
  env = { AWS_ENDPOINT_URL_CLOUDFORMATION: await cloudFormation.start(), AWS_ENDPOINT_URL_SCHEDULER: await scheduler.start() };
  Object.assign(process.env, env);
  const client = new SchedulerClient({ region: 'us-east-1' });
  const now = new Date();
  await armExpiry(
    client,
    { group: GROUP, functionArn: FUNCTION, roleArn: ROLE, stackName: 'CoffeeShop-MenuApi-sandbox' },
    planFrom(now, 24),
    now,
  );
  client.destroy();
});
afterAll(async () => {
  for (const key of Object.keys(env)) delete process.env[key];
  await Promise.all([scheduler.stop(), cloudFormation.stop()]);
});

const access = () => awsAccess({ region: 'us-east-1' });

test('status tells each sandbox: its deadline, no time to live, no deadline armed, or not deployed', async () => {
  const now = new Date();
  const states = await sandboxStates(await access(), [REGISTERED, 'without-ttl', 'deleting', 'not-deployed']);
  const armed = states.get(REGISTERED)!;
  expect(armed.kind).toBe('expires');
  expect(stateLine(REGISTERED, armed, now)).toMatch(
    new RegExp(
      `^${REGISTERED} +CoffeeShop-MenuApi-sandbox: deleted at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(in 2[34] h \\d+ min\\)$`,
    ),
  );
  expect(stateLine('without-ttl', states.get('without-ttl')!)).toContain('no time to live (deployed with -c sandboxTtlHours=0)');
  expect(stateLine('deleting', states.get('deleting')!)).toContain('no deadline armed (DELETE_IN_PROGRESS)');
  expect(stateLine('not-deployed', states.get('not-deployed')!)).toMatch(/not-deployed +not deployed$/);
});

test('extend moves the deadline and its warning without a deployment, keeping the function and role they invoke', async () => {
  const now = new Date();
  const { stackName, deadline } = await extendSandbox(await access(), REGISTERED, 48, now);
  expect(stackName).toBe('CoffeeShop-MenuApi-sandbox');
  expect(deadline).toEqual(new Date(now.getTime() + 48 * HOUR));
  const armed = scheduler.get(GROUP, 'expiry-deadline')!;
  expect(Math.abs(timeOfAt(armed.ScheduleExpression).getTime() - deadline.getTime())).toBeLessThan(1000);
  expect(armed.Target).toMatchObject({ Arn: FUNCTION, RoleArn: ROLE });
  expect(timeOfAt(scheduler.get(GROUP, 'expiry-warning')!.ScheduleExpression).getTime()).toBe(
    timeOfAt(armed.ScheduleExpression).getTime() - HOUR,
  );
});

test.each([
  ['not-deployed', 'No sandbox stack of not-deployed is deployed in us-east-1: nothing to extend.'],
  ['without-ttl', 'CoffeeShop-Orders-sandbox has no time to live (it was deployed with -c sandboxTtlHours=0): nothing to extend.'],
  [
    'deleting',
    'CoffeeShop-Clickstream-sandbox has no deadline armed (it is DELETE_IN_PROGRESS; its deletion may have begun): redeploy it to start again.',
  ],
])('extend %s is refused in one sentence', async (architecture, message) => {
  await expect(extendSandbox(await access(), architecture, 24)).rejects.toThrow(message);
});

describe('the command', () => {
  // Asynchronous: the stand-ins answer from this process while the command runs.
  const run = (args: string[], extra: Record<string, string | undefined> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', './scripts/register-typescript.cjs', 'scripts/sandbox/cli.ts', ...args],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env, AWS_REGION: 'us-east-1', ...extra } },
        (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  test('status prints one line per architecture', async () => {
    const { status, stdout } = await run(['status', REGISTERED]);
    expect(status).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'Sandbox stacks in us-east-1:',
      expect.stringMatching(new RegExp(`^${REGISTERED} +CoffeeShop-MenuApi-sandbox: deleted at `)),
      '',
    ]);
  });

  test('without credentials: one line, exit 1', async () => {
    const { status, stderr } = await run(['status'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', HOME: '/nonexistent' });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^No AWS credentials .*: run `aws sso login` or `aws configure`, or pass --profile\.$/),
    ]);
  });

  test('a stack that is not there: one line, exit 1', async () => {
    const deployed = cloudFormation.stacks.shift()!;
    const { status, stderr } = await run(['extend', REGISTERED]).finally(() => cloudFormation.stacks.unshift(deployed));
    expect(status).toBe(1);
    expect(stderr).toBe(`No sandbox stack of ${REGISTERED} is deployed in us-east-1: nothing to extend.\n`);
  });

  test.each([
    [['extend', 'menu'], new RegExp(`^Unknown architecture menu \\(one of: ${REGISTERED}`)],
    [['extend', REGISTERED, '--hours', '1'], /^--hours is a whole number from 2 to 720, not 1/],
    [['status', '--ttl', '3'], /^Unknown option --ttl \(the options are --hours, --region, --profile, --help\/-h\)$/m],
    [[], /^Name a command: status or extend/],
  ])('%j is a usage error naming what is valid', async (args, message) => {
    const { status, stderr } = await run(args as string[]);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
  });
});
