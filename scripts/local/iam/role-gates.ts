import { type CfnTemplate, resourcesOfType } from '../../template/template';
import { LOCAL_ACCOUNT, type LocalResources } from '../intrinsics';
import { IamGate } from './gate';
import { decide, type PolicyStatement } from './policy';
import { type LocalPrincipal, localRoleArn, type ResourceRules, rolePrincipal } from './template-policies';

/** The local backends a role's calls may go to: DynamoDB, SQS with SNS (one server), Kinesis, and the CloudFormation and Scheduler stand-ins. */
export interface Upstreams {
  readonly dynamodb?: string;
  readonly sqsSns?: string;
  readonly kinesis?: string;
  readonly cloudformation?: string;
  readonly scheduler?: string;
}

/**
 * Starts an IAM gate for the template's role `roleLogicalId` in front of each
 * backend, and returns the endpoint variables that send a client's calls
 * through them, with the gates (to stop, and to read what they refused).
 */
export async function startRoleGates(
  template: CfnTemplate,
  roleLogicalId: string,
  resources: LocalResources,
  rules: ReadonlyMap<string, ResourceRules>,
  upstreams: Upstreams,
  name: string,
  logicalIdOf?: (arn: string) => string | undefined,
): Promise<{ env: Record<string, string>; gates: IamGate[]; principal: LocalPrincipal }> {
  const principal = rolePrincipal(template, roleLogicalId, resources, name);
  const env: Record<string, string> = {};
  const gates: IamGate[] = [];
  const variables: [keyof Upstreams, string[]][] = [
    ['dynamodb', ['AWS_ENDPOINT_URL_DYNAMODB']],
    ['sqsSns', ['AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_SNS']],
    ['kinesis', ['AWS_ENDPOINT_URL_KINESIS']],
    ['cloudformation', ['AWS_ENDPOINT_URL_CLOUDFORMATION']],
    ['scheduler', ['AWS_ENDPOINT_URL_SCHEDULER']],
  ];
  for (const [backend, names] of variables) {
    const upstream = upstreams[backend];
    if (!upstream) continue;
    const gate = new IamGate({ upstream, principal, resources: rules, logicalIdOf });
    gates.push(gate);
    const url = await gate.start();
    for (const variable of names) env[variable] = url;
  }
  return { env, gates, principal };
}

/**
 * The role an identity pool gives its unauthenticated visitors
 * (IdentityPoolRoleAttachment), checked as AWS STS checks it when Cognito
 * asks for the visitor's credentials: the role's trust policy must let
 * cognito-identity.amazonaws.com's web identities of `identityPoolId`, signed
 * in as unauthenticated, assume it (AssumeRoleWithWebIdentity).
 */
export function unauthenticatedRole(template: CfnTemplate, identityPoolId: string): string {
  const [, attachment] = resourcesOfType(template, 'AWS::Cognito::IdentityPoolRoleAttachment')[0] ?? [];
  const roleId = attachment?.Properties?.Roles?.unauthenticated?.['Fn::GetAtt']?.[0];
  if (typeof roleId !== 'string') throw new Error('The template attaches no unauthenticated role to its identity pool');
  const trust = template.Resources[roleId]!.Properties?.AssumeRolePolicyDocument?.Statement as PolicyStatement[];
  // The pool's id in the trust policy is a Ref to the pool: stand it in with the local id.
  const [poolId] = resourcesOfType(template, 'AWS::Cognito::IdentityPool')[0] ?? [];
  const resolved = JSON.parse(
    JSON.stringify(trust).replaceAll(JSON.stringify({ Ref: poolId }), JSON.stringify(identityPoolId)),
  ) as PolicyStatement[];
  const decision = decide(
    { arn: 'cognito-identity.amazonaws.com', account: LOCAL_ACCOUNT, federated: 'cognito-identity.amazonaws.com' },
    [],
    {
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: localRoleArn(roleId),
      context: { 'cognito-identity.amazonaws.com:aud': identityPoolId, 'cognito-identity.amazonaws.com:amr': ['unauthenticated'] },
    },
    resolved.map((s) => ({ ...s, Resource: localRoleArn(roleId) })),
  );
  if (decision !== 'allow')
    throw new Error(`The trust policy of ${roleId} does not let the guests of ${identityPoolId} assume it (${decision})`);
  return roleId;
}
