import { readFileSync } from 'node:fs';
import * as path from 'node:path';
/** The sandbox time to live as the templates hold it (lib/shared/sandbox-expiry.ts), and the deadline's rules on their own. */
import { Match } from 'aws-cdk-lib/assertions';
import { afterDeletion, atDeadline, atExpression, checkTimeToLiveHours, planFrom, timeOfAt } from '../../lambda/sandbox-expiry/deadline';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { SANDBOX_EXPIRY_ID } from '../../lib/shared/sandbox-expiry';
import { parseStage, timeToLiveSummary } from '../../lib/shared/stage-config';
import { timeToLiveCost } from '../../scripts/cost/report';
import { readerOf, STAGE_CONTEXTS } from '../../scripts/template/synth';
import type { CfnTemplate } from '../../scripts/template/template';
import { architecturesWithSnapshots, snapshotTemplate } from '../helpers/sandbox-templates';
import { synthArchitecture } from '../helpers/synth';

const HOUR = 60 * 60 * 1000;
const ofType = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe.each(architecturesWithSnapshots())('the %s stack', (architecture) => {
  const sandbox = snapshotTemplate(architecture, 'sandbox').template as CfnTemplate & {
    Resources: Record<string, { DependsOn?: string[] }>;
    Outputs: Record<string, unknown>;
  };
  const production = snapshotTemplate(architecture, 'production').template;
  const [deadlineId, deadline] = ofType(sandbox, 'Custom::SandboxExpiry')[0]!;

  test('in the sandbox: one time to live of 24 hours, its schedule group, and the ExpiresAt output', () => {
    expect(ofType(sandbox, 'Custom::SandboxExpiry')).toHaveLength(1);
    expect(deadline.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^SandboxExpiryHandlerFunction/), 'Arn'] },
      TimeToLiveHours: 24,
      StackRevision: '[ASSET-HASH]',
    });
    expect(ofType(sandbox, 'AWS::Scheduler::ScheduleGroup')).toHaveLength(1);
    expect(sandbox.Outputs.ExpiresAt).toEqual(expect.objectContaining({ Value: { 'Fn::GetAtt': [deadlineId, 'ExpiresAt'] } }));
  });

  test('never in production', () => {
    expect(Object.keys(production.Resources).filter((id) => id.startsWith(SANDBOX_EXPIRY_ID))).toEqual([]);
    expect(ofType(production, 'Custom::SandboxExpiry')).toEqual([]);
    expect(ofType(production, 'AWS::Scheduler::ScheduleGroup')).toEqual([]);
  });

  test('every other resource depends on it, so CloudFormation deletes the expiry last', () => {
    for (const [id, resource] of Object.entries(sandbox.Resources)) {
      if (id.startsWith(SANDBOX_EXPIRY_ID)) continue;
      expect([id, resource.DependsOn ?? []]).toEqual([id, expect.arrayContaining([deadlineId])]);
    }
  });

  test('the expiry refers to nothing outside itself (no cycle, and nothing it needs is deleted before it)', () => {
    const own = Object.entries(sandbox.Resources).filter(([id]) => id.startsWith(SANDBOX_EXPIRY_ID));
    for (const [id, resource] of own) {
      const text = JSON.stringify(resource);
      const referenced = [...text.matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"([A-Za-z0-9]+)"/g)]
        .map((m) => m[1]!)
        .filter((r) => !r.startsWith('AWS'));
      expect([id, referenced.filter((r) => !r.startsWith(SANDBOX_EXPIRY_ID))]).toEqual([id, []]);
    }
  });

  test('its role may delete only this stack, pass only the deployment and scheduler roles, and touch only its own schedules', () => {
    const [, fn] = ofType(sandbox, 'AWS::Lambda::Function').find(([id]) => id.startsWith(`${SANDBOX_EXPIRY_ID}Handler`))!;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = ofType(sandbox, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement) as { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(byAction('cloudformation:DeleteStack').map((s) => s.Resource)).toEqual([{ Ref: 'AWS::StackId' }]);
    expect(byAction('iam:PassRole')).toEqual([
      expect.objectContaining({
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::',
              { Ref: 'AWS::AccountId' },
              ':role/cdk-hnb659fds-cfn-exec-role-',
              { Ref: 'AWS::AccountId' },
              '-',
              { Ref: 'AWS::Region' },
            ],
          ],
        },
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SandboxExpirySchedulerRole/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ]);
    const [groupId] = ofType(sandbox, 'AWS::Scheduler::ScheduleGroup')[0]!;
    expect(byAction('scheduler:CreateSchedule').map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringContaining(`":scheduler:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":schedule/",{"Ref":"${groupId}"},"/*"`),
    ]);
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(
      [
        'cloudformation:DeleteStack',
        'cloudformation:DescribeStacks',
        'iam:PassRole',
        'iam:PassRole',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:GetSchedule',
        'scheduler:UpdateSchedule',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  test('the scheduler role may only invoke the expiry function, for this account', () => {
    const [roleId, role] = ofType(sandbox, 'AWS::IAM::Role').find(([id]) => id.startsWith(`${SANDBOX_EXPIRY_ID}SchedulerRole`))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
    const [, policy] = ofType(sandbox, 'AWS::IAM::Policy').find(([, p]) => p.Properties.Roles[0].Ref === roleId)!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SandboxExpiryHandlerFunction/), 'Arn'] },
      },
    ]);
  });

  test("its doc's Destroy section says when the stack deletes itself and how to keep it", () => {
    const doc = path.join(__dirname, '..', '..', 'docs', `${architecture}.md`);
    const destroy = readFileSync(doc, 'utf8').split('\n## Destroy')[1]!.split('\n## ')[0]!;
    const flat = destroy.replace(/\s+/g, ' ');
    expect(flat).toContain(`${deadline.Properties.TimeToLiveHours} hours after its last deployment that changed it`);
    expect(flat).toContain(`npm run sandbox -- extend ${architecture} --hours`);
    expect(flat).toContain('an hour before');
  });

  test('costs cents at most, and nothing at rest', () => {
    expect(timeToLiveCost(sandbox)!.usd).toBeLessThan(0.01);
    expect(timeToLiveCost(production)).toBeUndefined();
  });
});

describe('-c sandboxTtlHours', () => {
  const synth = (extra: Record<string, unknown>) => synthArchitecture(ARCHITECTURES[0]!, { ...STAGE_CONTEXTS.sandbox, ...extra }).template;

  test('0 turns it off', () => {
    const template = synth({ sandboxTtlHours: '0' });
    template.resourceCountIs('Custom::SandboxExpiry', 0);
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('ExpiresAt');
  });

  test('sets the hours', () => {
    synth({ sandboxTtlHours: '48' }).hasResourceProperties('Custom::SandboxExpiry', { TimeToLiveHours: 48 });
  });

  test('the template is the same from one synth to the next; the stack revision follows a change to the stack', () => {
    const first = synthArchitecture(ARCHITECTURES[0]!, { ...STAGE_CONTEXTS.sandbox, alarmEmail: 'a@example.com' }).template.toJSON();
    const revision = (t: any) =>
      Object.values(t.Resources as Record<string, any>).find((r) => r.Type === 'Custom::SandboxExpiry').Properties.StackRevision;
    // The same context in another key order: a second, separate synth.
    const again = synthArchitecture(ARCHITECTURES[0]!, { alarmEmail: 'a@example.com', ...STAGE_CONTEXTS.sandbox }).template.toJSON();
    expect(again).toEqual(first);
    const changed = synthArchitecture(ARCHITECTURES[0]!, { ...STAGE_CONTEXTS.sandbox, alarmEmail: 'b@example.com' }).template.toJSON();
    expect(revision(changed)).not.toBe(revision(first));
    expect(revision(first)).toMatch(/^[0-9a-f]{64}$/);
  });

  test('with an alarm email, the warning goes to a topic of its own, emailed, that the function may publish to', () => {
    const template = synth({ alarmEmail: 'learner@example.com' });
    const topics = template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: Match.stringLikeRegexp('sandbox expiry') } });
    const [topicId] = Object.keys(topics);
    expect(topicId).toMatch(/^SandboxExpiryNotices/);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'learner@example.com',
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NOTICE_TOPIC_ARN: { Ref: topicId } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } }]) },
    });
  });

  test.each([
    ['1', /0 \(off\) or a whole number from 2 to 720/],
    ['721', /a whole number from 0 to 720/],
    ['a day', /a whole number from 0 to 720/],
  ])('%s is refused with one sentence', (value, message) => {
    expect(() => parseStage(readerOf({ sandboxTtlHours: value }))).toThrow(message);
  });

  test('production refuses it: production stacks never expire', () => {
    expect(() => parseStage(readerOf({ ...STAGE_CONTEXTS.production, sandboxTtlHours: '24' }))).toThrow(/production stacks never expire/);
    expect(parseStage(readerOf(STAGE_CONTEXTS.production)).timeToLiveHours).toBeUndefined();
  });

  test('the synth summary says which applies', () => {
    expect(timeToLiveSummary(parseStage(readerOf({})))).toBe(
      'Sandbox time to live: 24 hours after each deployment, warned an hour before (-c sandboxTtlHours=<hours> to change, 0 to turn off)',
    );
    expect(timeToLiveSummary(parseStage(readerOf({ sandboxTtlHours: '0' })))).toMatch(/^Sandbox time to live: off/);
    expect(timeToLiveSummary(parseStage(readerOf(STAGE_CONTEXTS.production)))).toBe('Time to live: none (production stacks never expire)');
  });
});

describe('the deadline', () => {
  const deployedAt = new Date('2026-12-06T10:15:30.000Z');

  test('counts from the deployment (or the extension), with the warning an hour before', () => {
    expect(planFrom(deployedAt, 24)).toEqual({
      deadline: new Date('2026-12-07T10:15:30.000Z'),
      warning: new Date('2026-12-07T09:15:30.000Z'),
    });
    // A redeploy (or extend) 20 hours later moves both.
    expect(planFrom(new Date(deployedAt.getTime() + 20 * HOUR), 24).deadline).toEqual(new Date('2026-12-08T06:15:30.000Z'));
  });

  test('is written as a one-time schedule in UTC, and read back', () => {
    expect(atExpression(deployedAt)).toBe('at(2026-12-06T10:15:30)');
    expect(timeOfAt('at(2026-12-06T10:15:30)')).toEqual(deployedAt);
    expect(() => timeOfAt('rate(1 hour)')).toThrow(/Not a one-time schedule expression/);
  });

  test('takes 2 to 720 whole hours', () => {
    expect(checkTimeToLiveHours(2)).toBe(2);
    for (const hours of [0, 1, 1.5, 721]) expect(() => checkTimeToLiveHours(hours)).toThrow(/from 2 to 720, got/);
  });

  test('deletes a settled stack, postpones a busy one three times, and leaves a gone one alone', () => {
    expect(atDeadline('UPDATE_COMPLETE', 0, deployedAt)).toEqual({ kind: 'delete' });
    expect(atDeadline('UPDATE_ROLLBACK_COMPLETE', 0, deployedAt)).toEqual({ kind: 'delete' });
    expect(atDeadline('UPDATE_IN_PROGRESS', 2, deployedAt)).toEqual({
      kind: 'postpone',
      attempt: 3,
      until: new Date(deployedAt.getTime() + HOUR),
    });
    expect(atDeadline('UPDATE_IN_PROGRESS', 3, deployedAt)).toMatchObject({ kind: 'give-up' });
    expect(atDeadline(undefined, 0, deployedAt)).toEqual({ kind: 'gone' });
    expect(atDeadline('DELETE_IN_PROGRESS', 0, deployedAt)).toEqual({ kind: 'gone' });
  });

  test('after DeleteStack: gone is done, in progress is checked up to three times, anything else failed', () => {
    expect(afterDeletion(undefined, 1, deployedAt)).toEqual({ kind: 'deleted' });
    expect(afterDeletion('DELETE_COMPLETE', 1, deployedAt)).toEqual({ kind: 'deleted' });
    expect(afterDeletion('DELETE_IN_PROGRESS', 1, deployedAt)).toEqual({
      kind: 'check-again',
      attempt: 2,
      at: new Date(deployedAt.getTime() + HOUR),
    });
    expect(afterDeletion('DELETE_IN_PROGRESS', 3, deployedAt)).toMatchObject({ kind: 'failed' });
    expect(afterDeletion('DELETE_FAILED', 1, deployedAt)).toEqual({ kind: 'failed', reason: 'the stack is DELETE_FAILED' });
  });
});
