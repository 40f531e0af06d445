import type { LocalResources } from '../intrinsics';
import { IamGate } from './gate';
import type { ResourceRules } from './template-policies';
import { type PolicyTemplate, rolePrincipal } from './template-policies';

/** The local backends a role's calls may go to: DynamoDB, and SQS with SNS (one server). */
export interface Upstreams {
  readonly dynamodb?: string;
  readonly sqsSns?: string;
  readonly kinesis?: string;
}

/**
 * Starts an IAM gate for the template's role `roleLogicalId` in front of each
 * backend, and returns the endpoint variables that send a client's calls
 * through them, with the gates (to stop, and to read what they refused).
 */
export async function startRoleGates(
  template: PolicyTemplate,
  roleLogicalId: string,
  resources: LocalResources,
  rules: ReadonlyMap<string, ResourceRules>,
  upstreams: Upstreams,
  name: string,
): Promise<{ env: Record<string, string>; gates: IamGate[] }> {
  const principal = rolePrincipal(template, roleLogicalId, resources, name);
  const env: Record<string, string> = {};
  const gates: IamGate[] = [];
  const variables: [keyof Upstreams, string[]][] = [
    ['dynamodb', ['AWS_ENDPOINT_URL_DYNAMODB']],
    ['sqsSns', ['AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_SNS']],
    ['kinesis', ['AWS_ENDPOINT_URL_KINESIS']],
  ];
  for (const [backend, names] of variables) {
    const upstream = upstreams[backend];
    if (!upstream) continue;
    const gate = new IamGate({ upstream, principal, resources: rules });
    gates.push(gate);
    const url = await gate.start();
    for (const variable of names) env[variable] = url;
  }
  return { env, gates };
}
