import type { ResourceDifference } from '@aws-cdk/cloudformation-diff';
import type { CfnTemplate } from '../template/template';

/**
 * What an upgrade does to a deployed stack, per resource, in the classes the
 * README's "Upgrading" section explains. The engine is the one `cdk diff`
 * uses (@aws-cdk/cloudformation-diff): it knows, per resource type, which
 * properties are create-only and what CloudFormation does on removal.
 */
export type ChangeClass = 'data-at-risk' | 'interruption' | 'security' | 'update';

/** The classes in the order they are printed and counted. */
export const CHANGE_CLASSES: readonly ChangeClass[] = ['data-at-risk', 'interruption', 'security', 'update'];

/**
 * Resource types whose replacement or removal loses data or the identity
 * clients hold (a key's ciphertexts, a secret's value, a pool's users): a
 * new physical resource starts empty.
 */
export const DATA_BEARING: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'DynamoDB table',
  'AWS::DynamoDB::GlobalTable': 'DynamoDB table',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::RDS::DBInstance': 'RDS database instance',
  'AWS::RDS::DBCluster': 'RDS database cluster',
  'AWS::KMS::Key': 'KMS key',
  'AWS::Logs::LogGroup': 'log group',
  'AWS::Kinesis::Stream': 'Kinesis stream',
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::Backup::BackupVault': 'backup vault',
  'AWS::Cognito::UserPool': 'Cognito user pool',
  'AWS::Cognito::IdentityPool': 'Cognito identity pool',
  'AWS::Glue::Database': 'Glue database',
  'AWS::Glue::Table': 'Glue table',
  'AWS::EFS::FileSystem': 'EFS file system',
  'AWS::EC2::Volume': 'EBS volume',
  'AWS::ECR::Repository': 'ECR repository',
};

/** Types whose changes are permissions or network access (`cdk diff` prints them as security changes). */
const SECURITY_TYPES = /^AWS::(IAM::|EC2::SecurityGroup|Lambda::Permission$|SQS::QueuePolicy$|SNS::TopicPolicy$|S3::BucketPolicy$)/;
/** Properties that hold a resource's own policy (a key policy, a bucket's inline policy). */
const SECURITY_PROPERTIES = /Polic(y|ies)|^(ManagedPolicyArns|SecurityGroupIngress|SecurityGroupEgress|SecurityGroups|SecurityGroupIds)$/;

/** One resource's change in one stack. */
export interface UpgradeChange {
  readonly class: ChangeClass;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** What happens to it, in words: "replaced: Port changes (create-only)". */
  readonly what: string;
  /** The properties that cause a replacement, or that change in place. */
  readonly properties: readonly string[];
}

/** One permission or network-access change, as `cdk diff` lists it. */
export interface SecurityDetail {
  readonly stack: string;
  readonly line: string;
}

export interface UpgradeReport {
  readonly changes: readonly UpgradeChange[];
  readonly security: readonly SecurityDetail[];
  /** Stacks compared, and stacks of the new app with nothing deployed to compare with. */
  readonly compared: readonly string[];
  readonly firstDeploys: readonly string[];
}

/** The CLI's version report (`cdk synth` adds it, an in-process synth does not): nothing of the user's. */
const CDK_VERSION_REPORT = 'AWS::CDK::Metadata';

/** The diff engine, loaded when stacks are compared (not by a command that only reads its arguments). */
const diffEngine = (): typeof import('@aws-cdk/cloudformation-diff') => require('@aws-cdk/cloudformation-diff');
// Colour codes chalk may add to the diff engine's summary rows.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Compares each stack of `current` (the new app) with the same stack in
 * `baseline` (what is deployed, or a release's templates). A stack only in
 * `baseline` is reported as a whole: the app no longer deploys it, so its
 * resources would be created anew under another stack.
 */
export function compareStacks(
  baseline: Readonly<Record<string, CfnTemplate>>,
  current: Readonly<Record<string, CfnTemplate>>,
): UpgradeReport {
  const changes: UpgradeChange[] = [];
  const security: SecurityDetail[] = [];
  const compared: string[] = [];
  const firstDeploys: string[] = [];
  for (const [stack, template] of Object.entries(current)) {
    const old = baseline[stack];
    if (!old) {
      firstDeploys.push(stack);
      continue;
    }
    compared.push(stack);
    const diff = diffEngine().fullDiff(old, template);
    const added = new Map<string, string[]>();
    diff.resources.forEachDifference((logicalId, change) => {
      if (change.isAddition) added.set(change.newResourceType!, [...(added.get(change.newResourceType!) ?? []), logicalId]);
    });
    diff.resources.forEachDifference((logicalId, change) => {
      if (!change.isDifferent || onlyMetadata(change) || CDK_VERSION_REPORT === (change.newResourceType ?? change.oldResourceType)) return;
      changes.push(classify(stack, logicalId, change, added));
    });
    for (const row of diff.iamChanges.summarizeStatements().slice(1)) security.push({ stack, line: securityRow(row) });
    for (const row of diff.iamChanges.summarizeManagedPolicies().slice(1)) security.push({ stack, line: securityRow(row) });
    for (const row of diff.securityGroupChanges.summarize().slice(1)) security.push({ stack, line: securityRow(row) });
  }
  for (const [stack, template] of Object.entries(baseline)) {
    if (current[stack]) continue;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (!DATA_BEARING[resource.Type]) continue;
      changes.push({
        class: 'data-at-risk',
        stack,
        logicalId,
        type: resource.Type,
        what: `its stack ${stack} is no longer in the app (renamed or removed): a new stack would start with a new, empty ${DATA_BEARING[resource.Type]}`,
        properties: [],
      });
    }
  }
  return { changes, security, compared, firstDeploys };
}

function classify(stack: string, logicalId: string, change: ResourceDifference, added: Map<string, string[]>): UpgradeChange {
  const type = change.newResourceType ?? change.oldResourceType ?? 'unknown';
  const dataBearing = DATA_BEARING[type];
  const base = { stack, logicalId, type };
  const addedOrRemoved: ChangeClass = SECURITY_TYPES.test(type) ? 'security' : 'update';
  if (change.isAddition) return { ...base, class: addedOrRemoved, what: 'added', properties: [] };
  if (change.isRemoval) {
    const policy = change.oldValue?.DeletionPolicy as string | undefined;
    const fate =
      policy === 'Retain' || policy === 'RetainExceptOnCreate'
        ? 'orphaned (DeletionPolicy Retain: left in the account, no longer managed by the stack)'
        : policy === 'Snapshot'
          ? 'deleted after a final snapshot'
          : 'deleted';
    if (!dataBearing) return { ...base, class: addedOrRemoved, what: `removed: ${fate}`, properties: [] };
    const sameType = added.get(type) ?? [];
    const moved = sameType.length
      ? `; the template adds ${sameType.join(', ')} of the same type: if it is this one under a new construct id, keep the old logical id (overrideLogicalId) or move it with cdk refactor`
      : '';
    return { ...base, class: 'data-at-risk', what: `${dataBearing} removed from the template: ${fate}${moved}`, properties: [] };
  }
  const updated = Object.entries(change.propertyUpdates);
  const { ResourceImpact } = diffEngine();
  const replacing = new Set([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE]);
  if (replacing.has(change.changeImpact)) {
    const causes = updated.filter(([, property]) => property.changeImpact && replacing.has(property.changeImpact)).map(([name]) => name);
    const properties = causes;
    const verb = change.changeImpact === ResourceImpact.WILL_REPLACE ? 'replaced' : 'possibly replaced';
    const because = properties.length ? `: ${properties.join(', ')} ${properties.length > 1 ? 'change' : 'changes'} (create-only)` : '';
    return dataBearing
      ? { ...base, class: 'data-at-risk', what: `${dataBearing} ${verb}${because}: the new one starts empty`, properties }
      : { ...base, class: 'interruption', what: `${verb}${because}`, properties };
  }
  const properties = [...updated.map(([name]) => name), ...Object.keys(change.otherChanges).filter((name) => name !== 'Metadata')];
  const isSecurity = SECURITY_TYPES.test(type) || properties.some((name) => SECURITY_PROPERTIES.test(name));
  return { ...base, class: isSecurity ? 'security' : 'update', what: `updated in place: ${properties.join(', ')}`, properties };
}

/**
 * A change of the resource's Metadata alone (construct paths, rule-pack
 * acknowledgements): CloudFormation records it and changes nothing deployed.
 */
function onlyMetadata(change: ResourceDifference): boolean {
  return (
    !change.isAddition &&
    !change.isRemoval &&
    Object.keys(change.propertyUpdates).length === 0 &&
    Object.keys(change.otherChanges).every((name) => name === 'Metadata')
  );
}

/** A summary row of the diff engine ([sign, resource, effect, action, principal, condition]) as one line. */
function securityRow(row: string[]): string {
  return row
    .map((cell) => cell.replace(ANSI, '').replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join(' ');
}
