import { type CfnResource, Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { cdkNag } from '../shared/validation';

/** A shape of AwsSolutions-IAM5 finding (`Resource::...` or `Action::...`) and why it is bounded. */
export interface WildcardShape {
  readonly finding: RegExp;
  readonly why: string;
}

/**
 * The wildcards CDK Pipelines and CodeBuild write into the roles they make,
 * each with why it is bounded. A role's policy is acknowledged for exactly
 * the shapes given; any other wildcard still fails synth.
 */
export const PIPELINE_WILDCARDS: readonly WildcardShape[] = [
  {
    finding: /^Resource::arn:[^:]+:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/(<[\w.]+>:\*|\*)$/,
    why: "the log streams of this pipeline's CodeBuild projects (/aws/codebuild/<project>:*)",
  },
  {
    finding: /^Resource::arn:[^:]+:codebuild:[a-z0-9-]+:\d{12}:report-group\/(<[\w.]+>-\*|\*)$/,
    why: "the report groups of this pipeline's CodeBuild projects (<project>-*)",
  },
  { finding: /^Resource::<Artifacts[\dA-F]{8}\.Arn>\/\*$/, why: "the artifact bucket's objects (this pipeline's runs)" },
  {
    finding: /^Action::(s3:(GetBucket|GetObject|List|Abort|DeleteObject)|kms:(GenerateDataKey|ReEncrypt))\*$/,
    why: 'the action families CDK grants on the artifact bucket and its key alone',
  },
];

/** The self-update step's own. */
export const SELF_UPDATE_WILDCARDS: readonly WildcardShape[] = [
  ...PIPELINE_WILDCARDS,
  {
    finding: /^Resource::arn:\*:iam::\d{12}:role\/\*$/,
    why: "`cdk deploy` of this stack assumes the tools account's bootstrap roles (their names carry the qualifier, not a fixed prefix)",
  },
  {
    finding: /^Resource::\*$/,
    why: 'cloudformation:DescribeStacks and s3:ListBucket, which `cdk deploy` calls and which take no resource',
  },
];

/** The asset publishing step's own. */
export const ASSET_PUBLISHING_WILDCARDS: readonly WildcardShape[] = [
  ...PIPELINE_WILDCARDS,
  {
    finding: /^Resource::\*$/,
    why: 'codebuild:BatchGetBuilds/StartBuild/StopBuild on the asset projects, which CDK Pipelines names only at deploy time',
  },
];

/** What a stack's checks role (lib/pipeline/delivery-stage.ts) holds: reads and calls of that stack's own resources. */
export const SMOKE_CHECK_WILDCARDS: readonly WildcardShape[] = [
  {
    finding: /^Resource::\*$/,
    why: 'cloudformation:DescribeStacks (the smoke finds the stack by its tags) and elasticloadbalancing:DescribeTargetHealth take no resource',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<\w+>\/[*\w]+\/[*A-Z]+\/[*\w/]+$/,
    why: "the methods of this stack's own API",
  },
  { finding: /^Resource::<\w+\.Arn>\/\*$/, why: "the objects of this stack's own buckets" },
  {
    finding: /^Action::(s3:(GetBucket|GetObject|List|Abort|DeleteObject)|kms:(GenerateDataKey|ReEncrypt))\*$/,
    why: "the action families CDK's grants name, on this stack's own buckets",
  },
];

/**
 * Acknowledges AwsSolutions-IAM5 on `role`'s policy, finding by finding, for
 * the `shapes` given alone; call it once the policy is complete.
 */
export function acknowledgeWildcards(role: IRole | IConstruct, whose: string, shapes: readonly WildcardShape[]): void {
  const policy = role.node.tryFindChild('DefaultPolicy');
  const cfnPolicy = policy?.node.defaultChild as CfnResource | undefined;
  if (!policy || !cfnPolicy) return;
  const findings = cdkNag().rules.iam.IAMNoWildcardPermissions(cfnPolicy);
  if (!Array.isArray(findings)) return;
  for (const finding of findings) {
    const shape = shapes.find((known) => known.finding.test(finding));
    if (shape) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: `${whose}: ${shape.why}.` });
  }
}
