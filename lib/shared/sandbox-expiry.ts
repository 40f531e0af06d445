import { createHash } from 'node:crypto';
import {
  Aspects,
  Aws,
  CfnElement,
  CfnOutput,
  CfnResource,
  CustomResource,
  DefaultStackSynthesizer,
  Duration,
  type IAspect,
  Lazy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import { acknowledgeDefaultPolicy } from './acknowledge';
import { handlerEntry, ObservedFunction } from './observed-function';
import { PROJECT_NAME } from './project-name';
import type { StageConfig } from './stage-config';

const HANDLER_ENTRY = handlerEntry(__dirname, '..', '..', 'lambda', 'sandbox-expiry', 'expire-sandbox.ts');

/** The construct id of a stack's expiry: its resources' logical ids start with it. */
export const SANDBOX_EXPIRY_ID = 'SandboxExpiry';

/** The stack outputs `npm run sandbox` reads. */
export const EXPIRY_OUTPUTS = { expiresAt: 'ExpiresAt', schedules: 'ExpirySchedules' } as const;

export interface SandboxExpiryProps {
  readonly stage: StageConfig;
  /** The architecture the stack belongs to, as `npm run sandbox -- extend <architecture>` names it. */
  readonly architecture: string;
  /** Hours from each deployment to the deletion. */
  readonly hours: number;
}

/**
 * A sandbox stack that deletes itself `hours` after its last deployment, so
 * a sandbox deployed for an afternoon's study is not billed for a month.
 *
 * Every deployment that changes the stack updates the `Custom::SandboxExpiry`
 * resource (its `StackRevision` is a hash of the rest of the template, so the
 * template stays the same from one synth to the next), whose function arms
 * two one-time EventBridge Scheduler schedules: a warning an hour before the
 * deadline (to the notice topic, emailed when the stage has `alarmEmail`)
 * and the deadline itself, at which the function deletes the stack through
 * CloudFormation with the service role its deployments used (the CDK
 * bootstrap's execution role): the role may pass only that role, and delete
 * only this stack. Every other resource of the stack depends on the expiry
 * resource, so CloudFormation deletes the expiry's resources last: if the
 * deletion fails anywhere, the function, its schedules and the topic are
 * still there to report it.
 */
export class SandboxExpiry extends Construct {
  readonly function: LambdaFunction;
  readonly resource: CustomResource;
  readonly scheduleGroup: CfnScheduleGroup;
  readonly schedulerRole: Role;
  /** Where warnings and failed deletions are told; absent without an `alarmEmail`. */
  readonly noticeTopic?: Topic;

  constructor(scope: Stack, id: string, props: SandboxExpiryProps) {
    super(scope, id);
    const stack = scope;

    this.scheduleGroup = new CfnScheduleGroup(this, 'Schedules', {});
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: `Invokes the sandbox expiry function of ${stack.stackName} at its schedules`,
    });

    if (props.stage.alarmEmail !== undefined) {
      // A topic of its own, not the alarm topic: it is part of what is deleted last.
      this.noticeTopic = new Topic(this, 'Notices', {
        displayName: `${stack.stackName} sandbox expiry`,
        masterKey: Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
        enforceSSL: true,
      });
      const subscription = this.noticeTopic.addSubscription(new EmailSubscription(props.stage.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The sandbox expiry notices: one SNS cannot deliver (an unconfirmed or bouncing address) is also in the expiry function log and its ExpiryWarnings/ExpiryFailures metrics; a queue to keep it would be one more resource that must outlast the deletion, for a message the log already holds.',
      });
    }

    const handler = new ObservedFunction(this, 'Handler', {
      invokedBy: 'sandbox-expiry',
      entry: HANDLER_ENTRY,
      description: `Deletes the sandbox stack ${stack.stackName} at the end of its time to live, with a warning an hour before`,
      stage: props.stage,
      serviceName: 'sandbox-expiry',
      metricsNamespace: `${PROJECT_NAME}/SandboxExpiry`,
      timeout: Duration.seconds(30),
      // Applied only where the stage reserves concurrency (production), which never has a time to live.
      reservedConcurrency: 1,
      environment: {
        STACK_ID: Aws.STACK_ID,
        STACK_NAME: stack.stackName,
        ARCHITECTURE: props.architecture,
        TIME_TO_LIVE_HOURS: String(props.hours),
        SCHEDULE_GROUP: this.scheduleGroup.ref,
        SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
        ...(this.noticeTopic ? { NOTICE_TOPIC_ARN: this.noticeTopic.topicArn } : {}),
      },
    });
    this.function = handler.function;
    const fn = this.function;
    const { role } = handler;

    this.schedulerRole.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ThisStackOnly',
        actions: ['cloudformation:DescribeStacks', 'cloudformation:DeleteStack'],
        resources: [Aws.STACK_ID],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'DeleteWithTheDeploymentRole',
        actions: ['iam:PassRole'],
        resources: [deploymentRoleArn(stack)],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'SchedulesInvokeWithTheSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'OwnSchedulesOnly',
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:GetSchedule', 'scheduler:DeleteSchedule'],
        resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.ref}/*` })],
      }),
    );
    // Publishing needs no KMS grant: the AWS managed SNS key lets the account's principals use it through SNS.
    if (this.noticeTopic) role.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.noticeTopic.topicArn] }));
    acknowledgeDefaultPolicy(role, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${stack.resolve((this.scheduleGroup as CfnElement).logicalId)}>/*]`,
      reason:
        "The function creates, rewrites and deletes its own schedules (expiry-warning, expiry-deadline, expiry-check) in the stack's own schedule group; the wildcard covers those three names in that group and no other group.",
    });

    this.resource = new CustomResource(this, 'Deadline', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SandboxExpiry',
      properties: {
        TimeToLiveHours: props.hours,
        // Changes with every deployment that changes the stack, and only then: the deadline counts from it.
        StackRevision: Lazy.string({ produce: () => stackRevision(stack, this.resource.node.defaultChild as CfnResource) }),
      },
    });
    const last = this.resource.node.defaultChild as CfnResource;
    Aspects.of(stack).add(new DeletedBeforeTheExpiry(last, this));

    new CfnOutput(stack, EXPIRY_OUTPUTS.expiresAt, {
      value: this.resource.getAttString('ExpiresAt'),
      description: `When this sandbox stack is deleted (UTC), as its last deployment set it; npm run sandbox -- status shows extensions too`,
    });
    new CfnOutput(stack, EXPIRY_OUTPUTS.schedules, {
      value: this.scheduleGroup.ref,
      description: 'The EventBridge Scheduler group of the time to live (npm run sandbox reads and extends its deadline there)',
    });
  }
}

/**
 * The CloudFormation execution role `cdk deploy` passes to CloudFormation,
 * as `cdk bootstrap` names it: the deletion uses it and nothing broader.
 */
export function deploymentRoleArn(stack: Stack): string {
  const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-${qualifier}-cfn-exec-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** A hash of every element of the stack but `self`, resolved as the template will hold it. */
function stackRevision(stack: Stack, self: CfnResource): string {
  const hash = createHash('sha256');
  for (const element of stack.node.findAll()) {
    if (!(element instanceof CfnElement) || element === self) continue;
    // The same rendering the template gets (an internal of aws-cdk-lib's CfnElement, stable across v2).
    const rendered = (element as unknown as { _toCloudFormation(): object })._toCloudFormation();
    hash.update(JSON.stringify(stack.resolve(rendered)));
  }
  return hash.digest('hex');
}

/**
 * Makes every resource of the stack outside the expiry depend on the expiry
 * resource, so CloudFormation deletes them all before it, and the expiry's
 * function, schedules and topic outlast a deletion that fails.
 */
class DeletedBeforeTheExpiry implements IAspect {
  constructor(
    private readonly last: CfnResource,
    private readonly expiry: Construct,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.node.scopes.includes(this.expiry)) return;
    if (node.cfnResourceType === 'AWS::CDK::Metadata' || Stack.of(node) !== Stack.of(this.last)) return;
    node.addResourceDependency(this.last);
  }
}
