/**
 * The sandbox expiry function, run for real under its deployed role (an IAM
 * gate in front of each stand-in): against the Scheduler and CloudFormation
 * stand-ins, fauxqs for the notice topic, and a local server standing for
 * CloudFormation's custom resource response URL.
 */

import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { timeOfAt } from '../../lambda/sandbox-expiry/deadline';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { functionOfEntry, localRoleArn } from '../../scripts/local/iam/template-policies';
import { LOCAL_ACCOUNT, localStackId } from '../../scripts/local/intrinsics';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import type { CfnTemplate } from '../../scripts/template/template';
import { CloudFormationStandIn } from '../../stand-ins/cloudformation-stand-in';
import { LoopbackServer } from '../../stand-ins/loopback-server';
import { SchedulerStandIn } from '../../stand-ins/scheduler-stand-in';
import { createQueue, sqsClient } from '../../stand-ins/sqs-local';
import { type DeployedRole, deployedRole } from '../helpers/deployed-role';
import { architecturesWithSnapshots, snapshotTemplate } from '../helpers/sandbox-templates';
import { synthArchitecture } from '../helpers/synth';

const ENTRY = 'lambda/sandbox-expiry/expire-sandbox.ts';
const HOUR = 60 * 60 * 1000;
/** The CloudFormation execution role `cdk bootstrap` creates, as the template's policy names it locally. */
const DEPLOYMENT_ROLE = `arn:aws:iam::${LOCAL_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${LOCAL_ACCOUNT}-us-east-1`;

type Handler = (event: unknown, context: { invokedFunctionArn: string }) => Promise<void>;

/** Stands for the pre-signed URL CloudFormation gives a custom resource: keeps each answer PUT to it. */
class ResponseUrl {
  readonly answers: Record<string, any>[] = [];
  private readonly server = new LoopbackServer((req, res, body) => {
    this.answers.push({ method: req.method, ...JSON.parse(body) });
    res.end();
  });
  async start(): Promise<string> {
    return `${await this.server.start()}/response`;
  }
  stop(): Promise<void> {
    return this.server.stop();
  }
}

/** One architecture's expiry function, loaded under its deployed role, with its stand-ins. */
interface Harness {
  readonly role: DeployedRole;
  readonly scheduler: SchedulerStandIn;
  readonly cloudFormation: CloudFormationStandIn;
  readonly response: ResponseUrl;
  readonly group: string;
  readonly stackName: string;
  readonly schedulerRoleArn: string;
  readonly functionArn: string;
  run(event: unknown): Promise<void>;
  deployment(type: 'Create' | 'Update' | 'Delete'): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

async function harness(architecture: string, template: CfnTemplate, stackName: string, topicArn?: string): Promise<Harness> {
  const fnId = functionOfEntry(template, ENTRY);
  const variables = template.Resources[fnId]!.Properties.Environment.Variables;
  const schedulerRoleId: string = variables.SCHEDULER_ROLE_ARN['Fn::GetAtt'][0];
  const group = `${stackName}-schedules`;
  const scheduler = new SchedulerStandIn(new Set([group]));
  const cloudFormation = new CloudFormationStandIn([
    { name: stackName, id: localStackId(architecture), status: 'UPDATE_COMPLETE', roleArn: DEPLOYMENT_ROLE, tags: {}, outputs: {} },
  ]);
  const response = new ResponseUrl();
  const [schedulerUrl, cloudFormationUrl, responseUrl] = await Promise.all([scheduler.start(), cloudFormation.start(), response.start()]);
  const env: Record<string, string> = {
    STACK_ID: localStackId(architecture),
    STACK_NAME: stackName,
    ARCHITECTURE: architecture,
    TIME_TO_LIVE_HOURS: String(variables.TIME_TO_LIVE_HOURS),
    SCHEDULE_GROUP: group,
    SCHEDULER_ROLE_ARN: localRoleArn(schedulerRoleId),
    ...(topicArn ? { NOTICE_TOPIC_ARN: topicArn } : {}),
  };
  const role = await deployedRole(architecture, template, ENTRY, env, {
    upstreams: { cloudformation: cloudFormationUrl, scheduler: schedulerUrl, sqsSns: process.env.AWS_ENDPOINT_URL_SQS },
  });
  // The function's clients read their endpoints at their first call: the variables stay set while its tests run.
  const saved = { ...process.env };
  Object.assign(process.env, env, role.env);
  let handler: Handler | undefined;
  await jest.isolateModulesAsync(async () => {
    handler = (await import('../../lambda/sandbox-expiry/expire-sandbox')).handler as Handler;
  });
  const functionArn = `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:${fnId}`;
  const run = (event: unknown) => handler!(event, { invokedFunctionArn: functionArn });
  return {
    role,
    scheduler,
    cloudFormation,
    response,
    group,
    stackName,
    schedulerRoleArn: env.SCHEDULER_ROLE_ARN!,
    functionArn,
    run,
    async deployment(type) {
      const event = {
        RequestType: type,
        ResponseURL: responseUrl,
        StackId: localStackId(architecture),
        RequestId: `request-${response.answers.length}`,
        LogicalResourceId: 'SandboxExpiryDeadline',
        ResourceType: 'Custom::SandboxExpiry',
        ServiceToken: functionArn,
        ResourceProperties: { ServiceToken: functionArn, TimeToLiveHours: variables.TIME_TO_LIVE_HOURS },
        ...(type === 'Create' ? {} : { PhysicalResourceId: `${stackName}-time-to-live`, OldResourceProperties: {} }),
      } as unknown as CloudFormationCustomResourceEvent;
      await run(event);
      return response.answers.at(-1)!;
    },
    async stop() {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await role.stop();
      await Promise.all([scheduler.stop(), cloudFormation.stop(), response.stop()]);
    },
  };
}

/** What a schedule would hand the function when it fires (and then, ActionAfterCompletion DELETE, the schedule is gone). */
async function fire(h: Harness, name: string): Promise<void> {
  const schedule = h.scheduler.get(h.group, name);
  if (!schedule) throw new Error(`No schedule ${name}`);
  h.scheduler.schedules.delete(`${h.group}/${name}`);
  await h.run(JSON.parse(schedule.Target.Input!));
}

const closeTo = (actual: Date, expected: number) => expect(Math.abs(actual.getTime() - expected)).toBeLessThan(60_000);

describe.each(architecturesWithSnapshots())('the %s sandbox stack, under its expiry role', (architecture) => {
  const { stackName, template } = snapshotTemplate(architecture, 'sandbox');
  let h: Harness;
  beforeAll(async () => {
    h = await harness(architecture, template as CfnTemplate, stackName);
  });
  afterAll(async () => {
    expect(h.role.denied()).toEqual([]);
    await h.stop();
  });

  test('a deployment arms the deadline 24 hours out, the warning an hour before, and answers ExpiresAt', async () => {
    const answer = await h.deployment('Create');
    expect(answer).toMatchObject({ method: 'PUT', Status: 'SUCCESS', PhysicalResourceId: `${stackName}-time-to-live` });
    closeTo(new Date(answer.Data.ExpiresAt), Date.now() + 24 * HOUR);
    const deadline = h.scheduler.get(h.group, 'expiry-deadline')!;
    const warning = h.scheduler.get(h.group, 'expiry-warning')!;
    expect(deadline).toMatchObject({
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: h.functionArn, RoleArn: h.schedulerRoleArn, Input: JSON.stringify({ action: 'expire', attempt: 0 }) },
    });
    expect(timeOfAt(deadline.ScheduleExpression).toISOString()).toBe(`${new Date(answer.Data.ExpiresAt).toISOString().slice(0, 19)}.000Z`);
    expect(timeOfAt(deadline.ScheduleExpression).getTime() - timeOfAt(warning.ScheduleExpression).getTime()).toBe(HOUR);
    expect(JSON.parse(warning.Target.Input!)).toEqual({ action: 'warn' });
  });

  test('a later deployment that changes the stack counts the time to live from itself', async () => {
    // As if the stack had been deployed 20 hours ago.
    const armed = h.scheduler.get(h.group, 'expiry-deadline')!;
    h.scheduler.schedules.set(`${h.group}/expiry-deadline`, {
      ...armed,
      ScheduleExpression: `at(${new Date(Date.now() + 4 * HOUR).toISOString().slice(0, 19)})`,
    });
    const answer = await h.deployment('Update');
    expect(answer.Status).toBe('SUCCESS');
    closeTo(timeOfAt(h.scheduler.get(h.group, 'expiry-deadline')!.ScheduleExpression), Date.now() + 24 * HOUR);
  });

  test('the warning reads the deadline it warns of', async () => {
    const before = h.role.allowed.length;
    await fire(h, 'expiry-warning');
    expect(h.role.allowed.slice(before).map((use) => use.action)).toContain('scheduler:GetSchedule');
  });

  test('at the deadline it deletes this stack with the role its deployments used, then checks an hour later', async () => {
    await fire(h, 'expiry-deadline');
    expect(h.cloudFormation.deletions).toEqual([{ stack: stackName, roleArn: DEPLOYMENT_ROLE }]);
    const check = h.scheduler.get(h.group, 'expiry-check')!;
    expect(JSON.parse(check.Target.Input!)).toEqual({ action: 'check', attempt: 1 });
    closeTo(timeOfAt(check.ScheduleExpression), Date.now() + HOUR);
  });

  test('a deletion still running is checked again, and the stack deleting itself removes the schedules', async () => {
    await fire(h, 'expiry-check');
    expect(JSON.parse(h.scheduler.get(h.group, 'expiry-check')!.Target.Input!)).toEqual({ action: 'check', attempt: 2 });
    const answer = await h.deployment('Delete');
    expect(answer.Status).toBe('SUCCESS');
    expect([...h.scheduler.schedules.keys()]).toEqual([]);
  });
});

describe('with an alarm email: the notices, and what goes wrong', () => {
  // The first architecture of the app stands for all: the expiry is the same construct in every stack.
  const architecture = ARCHITECTURES[0]!;
  const { stackName, template } = synthArchitecture(architecture, { ...STAGE_CONTEXTS.sandbox, alarmEmail: 'learner@example.com' });
  const policyTemplate = template.toJSON() as CfnTemplate;
  const sns = new SNSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });
  const sqs = sqsClient();
  let h: Harness;
  let inbox: string;

  beforeAll(async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `notices-${Date.now()}` }));
    const queue = await createQueue(sqs);
    inbox = queue.url;
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue.arn, Attributes: { RawMessageDelivery: 'false' } }));
    h = await harness(architecture.name, policyTemplate, stackName, TopicArn);
    await h.deployment('Create');
  });
  afterAll(async () => {
    await h.stop();
    sns.destroy();
    sqs.destroy();
  });

  /** The notices the topic delivered since the last call, as { subject, message }. */
  async function notices(): Promise<{ subject: string; message: string }[]> {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: inbox, ReceiptHandle: m.ReceiptHandle }));
    return Messages.map((m) => JSON.parse(m.Body!)).map((n) => ({ subject: n.Subject, message: n.Message }));
  }

  test('the warning names the stack, the deadline and the command that extends it', async () => {
    const deadline = timeOfAt(h.scheduler.get(h.group, 'expiry-deadline')!.ScheduleExpression).toISOString();
    await fire(h, 'expiry-warning');
    const [notice] = await notices();
    expect(notice!.subject).toBe(`${stackName} is deleted at ${deadline}`);
    expect(notice!.message).toContain(`npm run sandbox -- extend ${architecture.name} --hours 24`);
    expect(notice!.message).toContain(deadline);
  });

  test('a stack busy at its deadline is postponed an hour at a time, then reported, never deleted mid-update', async () => {
    h.cloudFormation.stacks[0]!.status = 'UPDATE_IN_PROGRESS';
    for (const attempt of [1, 2, 3]) {
      await fire(h, 'expiry-deadline');
      expect(JSON.parse(h.scheduler.get(h.group, 'expiry-deadline')!.Target.Input!)).toEqual({ action: 'expire', attempt });
    }
    await fire(h, 'expiry-deadline');
    expect(h.scheduler.get(h.group, 'expiry-deadline')).toBeUndefined();
    expect(h.cloudFormation.deletions).toEqual([]);
    const [notice] = await notices();
    expect(notice!.subject).toBe(`${stackName} could not be deleted at its deadline`);
    expect(notice!.message).toContain('still UPDATE_IN_PROGRESS after 3 tries');
    expect(notice!.message).toContain(`npx cdk destroy ${stackName}`);
  });

  test('a stack deployed with another service role is not deleted: the function may pass only the bootstrap role', async () => {
    const standIn = h.cloudFormation.stacks[0]!;
    h.cloudFormation.stacks[0] = { ...standIn, status: 'UPDATE_COMPLETE', roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/Admin` };
    await h.run({ action: 'expire', attempt: 0 });
    expect(h.cloudFormation.deletions).toEqual([]);
    expect(h.role.denied()).toEqual([expect.stringContaining('iam:PassRole on resource: arn:aws:iam::000000000000:role/Admin')]);
    const [notice] = await notices();
    expect(notice!.message).toMatch(/DeleteStack was refused: AccessDenied/);
    h.cloudFormation.stacks[0] = standIn;
  });

  test("a stack deployed without a service role is reported, not deleted with the function's own rights", async () => {
    const standIn = h.cloudFormation.stacks[0]!;
    h.cloudFormation.stacks[0] = { ...standIn, status: 'UPDATE_COMPLETE', roleArn: undefined };
    await h.run({ action: 'expire', attempt: 0 });
    expect(h.cloudFormation.deletions).toEqual([]);
    expect((await notices())[0]!.message).toContain('deployed without a CloudFormation service role');
    h.cloudFormation.stacks[0] = standIn;
  });

  test('a deletion that fails is reported once with its reason, and not retried', async () => {
    h.cloudFormation.stacks[0] = {
      ...h.cloudFormation.stacks[0]!,
      status: 'DELETE_FAILED',
      statusReason: 'The following resource(s) failed to delete: [Vpc]',
    };
    const callsBefore = h.scheduler.calls.length;
    await h.run({ action: 'check', attempt: 1 });
    const [notice] = await notices();
    expect(notice!.message).toContain('the stack is DELETE_FAILED (The following resource(s) failed to delete: [Vpc])');
    // Nothing scheduled again: from here a person decides.
    expect(h.scheduler.calls.slice(callsBefore).filter((call) => /^(POST|PUT) /.test(call))).toEqual([]);
    expect(h.cloudFormation.deletions).toEqual([]);
  });

  test('a deletion still running after three checks is reported', async () => {
    h.cloudFormation.stacks[0]!.status = 'DELETE_IN_PROGRESS';
    await h.run({ action: 'check', attempt: 3 });
    expect((await notices())[0]!.message).toContain('still in progress 3 hours after it began');
  });

  test('a deployment the schedules cannot be armed for fails, with the reason', async () => {
    h.scheduler.groups.delete(h.group);
    const answer = await h.deployment('Update');
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('Sandbox time to live: ResourceNotFoundException') });
  });

  test("the stack's deletion is never held up by its time to live", async () => {
    const answer = await h.deployment('Delete');
    expect(answer.Status).toBe('SUCCESS');
    h.scheduler.groups.add(h.group);
  });
});
