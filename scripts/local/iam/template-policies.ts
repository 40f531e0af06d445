import { HANDLER_ENTRY_METADATA } from '../../../lib/shared/observed-function';
import { type CfnTemplate, resourcesOfType } from '../../template/template';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalResources } from '../intrinsics';
import type { Caller, PolicyStatement } from './policy';

/** A statement of a role's identity policies, with the policy resource it came from. */
export interface GrantedStatement extends PolicyStatement {
  /** Logical id of the AWS::IAM::Policy or role that holds it. */
  readonly source: string;
}

/** A role as the gate enforces it: who it is and what its policies say, resolved to the local resources. */
export interface LocalPrincipal {
  /** `<stack>/<role logical id>`, the name the usage record and summary use. */
  readonly name: string;
  readonly roleLogicalId: string;
  readonly caller: Caller;
  readonly statements: readonly GrantedStatement[];
}

/** The ARN a role has locally. */
export const localRoleArn = (roleLogicalId: string) => `arn:aws:iam::${LOCAL_ACCOUNT}:role/${roleLogicalId}`;
/** The ARN a KMS key of the template has locally. */
export const localKeyArn = (keyLogicalId: string) => `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${keyLogicalId}`;

/**
 * Gives the template's roles and keys their local ARNs, so the policies that
 * name them (a key policy's principal, a role's ARN in a condition) resolve.
 */
export function addIdentityStandIns(template: CfnTemplate, resources: LocalResources): void {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resources.get(id)) continue;
    if (resource.Type === 'AWS::IAM::Role') resources.set(id, { Ref: id, Arn: localRoleArn(id) });
    if (resource.Type === 'AWS::KMS::Key') resources.set(id, { Ref: id, Arn: localKeyArn(id), KeyId: id });
  }
}

/**
 * A value of a policy resolved against the local resources. A reference to
 * a resource without a local stand-in (a log group, an X-Ray resource, a
 * bucket the test does not create) becomes a string no local request ever
 * matches, so the statement stays in place without granting anything here.
 */
function resolveLeniently(resources: LocalResources, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveLeniently(resources, item));
  if (value !== null && typeof value === 'object' && Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'))) {
    try {
      return resources.resolve(value);
    } catch {
      return `unresolved:${JSON.stringify(value)}`;
    }
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveLeniently(resources, item)]));
  }
  return value;
}

const statementsOf = (document: { Statement?: unknown } | undefined): PolicyStatement[] => {
  const statements = document?.Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []) as PolicyStatement[];
};

const refersTo = (value: unknown, logicalId: string) => JSON.stringify(value) === JSON.stringify({ Ref: logicalId });

/** The logical id of the function whose handler file is `entry` (its path from the project root, as lambda/<architecture>/<handler>.ts). */
export function functionOfEntry(template: CfnTemplate, entry: string): string {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, r]) => r.Metadata?.[HANDLER_ENTRY_METADATA] === entry);
  if (found.length !== 1) throw new Error(`Expected one function with the handler ${entry}, found ${found.length}`);
  return found[0]![0];
}

/** The logical id of a function's execution role. */
export function roleOfFunction(template: CfnTemplate, functionLogicalId: string): string {
  const role = template.Resources[functionLogicalId]?.Properties?.Role;
  const id = role?.['Fn::GetAtt']?.[0];
  if (typeof id !== 'string') throw new Error(`${functionLogicalId} has no role of this template`);
  return id;
}

/**
 * A role's identity policies as deployed: its inline `Policies`, and every
 * AWS::IAM::Policy and customer managed policy attached to it, resolved to
 * the local resources. AWS managed policies (ManagedPolicyArns) are not
 * known locally and grant nothing here; none of this project's grants that
 * its handlers call come from one.
 */
export function rolePrincipal(template: CfnTemplate, roleLogicalId: string, resources: LocalResources, stackName: string): LocalPrincipal {
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role of the template`);
  addIdentityStandIns(template, resources);
  const statements: GrantedStatement[] = [];
  for (const policy of role.Properties?.Policies ?? []) {
    for (const s of statementsOf(policy.PolicyDocument))
      statements.push({ ...(resolveLeniently(resources, s) as PolicyStatement), source: roleLogicalId });
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    if (!(resource.Properties?.Roles ?? []).some((r: unknown) => refersTo(r, roleLogicalId))) continue;
    for (const s of statementsOf(resource.Properties.PolicyDocument))
      statements.push({ ...(resolveLeniently(resources, s) as PolicyStatement), source: id });
  }
  return {
    name: `${stackName}/${roleLogicalId}`,
    roleLogicalId,
    caller: { arn: localRoleArn(roleLogicalId), account: LOCAL_ACCOUNT },
    statements,
  };
}

/** What AWS consults besides the caller's policies when a request reaches one resource. */
export interface ResourceRules {
  /** The resource's own policy (queue or topic policy, key policy). */
  readonly policy: readonly PolicyStatement[];
  /** The customer managed key that encrypts it (a send or publish needs it), as its local ARN. */
  readonly key?: string;
}

/**
 * The resource-based policies and encryption keys of the template's queues,
 * topics and keys, by their local ARNs.
 */
export function resourceRules(template: CfnTemplate, resources: LocalResources): Map<string, ResourceRules> {
  addIdentityStandIns(template, resources);
  const rules = new Map<string, { policy: PolicyStatement[]; key?: string }>();
  const entry = (arn: string) => {
    if (!rules.has(arn)) rules.set(arn, { policy: [] });
    return rules.get(arn)!;
  };
  const arnOf = (logicalId: string, attribute: string) => resources.get(logicalId)?.[attribute];
  const keyOf = (value: unknown): string | undefined => {
    const id =
      (value as { 'Fn::GetAtt'?: [string, string]; Ref?: string } | undefined)?.['Fn::GetAtt']?.[0] ?? (value as { Ref?: string })?.Ref;
    return id && template.Resources[id]?.Type === 'AWS::KMS::Key' ? localKeyArn(id) : undefined;
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::SQS::QueuePolicy' || resource.Type === 'AWS::SNS::TopicPolicy') {
      const targets: unknown[] = props.Queues ?? props.Topics ?? [];
      for (const target of targets) {
        const targetId = (target as { Ref?: string }).Ref;
        const arn = targetId && (arnOf(targetId, 'Arn') ?? arnOf(targetId, 'TopicArn'));
        if (!arn) continue;
        entry(arn).policy.push(...statementsOf(resolveLeniently(resources, props.PolicyDocument) as { Statement?: unknown }));
      }
    }
    if (resource.Type === 'AWS::KMS::Key') {
      const arn = localKeyArn(id);
      entry(arn).policy.push(
        ...statementsOf(resolveLeniently(resources, props.KeyPolicy) as { Statement?: unknown }).map((s) =>
          // In a key policy, Resource "*" means this key.
          ({ ...s, Resource: s.Resource === '*' ? arn : s.Resource }),
        ),
      );
    }
    if ((resource.Type === 'AWS::SQS::Queue' || resource.Type === 'AWS::SNS::Topic') && props.KmsMasterKeyId) {
      const arn = arnOf(id, resource.Type === 'AWS::SQS::Queue' ? 'Arn' : 'TopicArn');
      const key = keyOf(props.KmsMasterKeyId);
      if (arn && key) entry(arn).key = key;
    }
  }
  return rules;
}
