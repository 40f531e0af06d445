import type { IamGate, UsedGrant } from '../../scripts/local/iam/gate';
import { startRoleGates, type Upstreams } from '../../scripts/local/iam/role-gates';
import { standInOf } from '../../scripts/local/iam/stand-ins';
import { functionOfEntry, type LocalPrincipal, resourceRules, roleOfFunction } from '../../scripts/local/iam/template-policies';
import { LocalResources } from '../../scripts/local/intrinsics';
import type { CfnTemplate } from '../../scripts/template/template';

/** A handler's deployed role, enforced in front of the local backends. */
export interface DeployedRole {
  readonly principal: LocalPrincipal;
  /** The endpoint variables to set before the handler module is loaded (its clients read them then). */
  readonly env: Readonly<Record<string, string>>;
  readonly gates: readonly IamGate[];
  /** Every call let through so far. */
  readonly allowed: readonly UsedGrant[];
  /** Every refusal so far, in AWS's words. */
  denied(): string[];
  stop(): Promise<void>;
}

export interface DeployedRoleOptions {
  /** The backends the gates forward to (only these are gated). @default the run's AWS_ENDPOINT_URL_* */
  readonly upstreams?: Upstreams;
  /** Local values of resources the handler's environment does not name, by logical id and type's value. */
  readonly standIns?: Readonly<Record<string, string>>;
  /** Replaces the template's role policies, for the proof that a missing statement is refused. */
  readonly editTemplate?: (template: CfnTemplate) => CfnTemplate;
}

/**
 * The handler `entry` (its path from the project root, as lambda/<architecture>/<handler>.ts) of
 * `template` runs under its deployed execution role (or, given `{ role }`,
 * the calls of another principal of the template, such as API Gateway's
 * integration role): its environment's
 * values (`env`, as the test sets them: table names, topic ARNs, queue URLs)
 * say which local resource stands for each template resource it names, and
 * every call it makes to DynamoDB, SQS, SNS, Kinesis, CloudFormation or
 * EventBridge Scheduler passes an IAM gate
 * that allows only what that role's policies allow.
 */
export async function deployedRole(
  architecture: string,
  source: CfnTemplate,
  entry: string | { readonly role: string },
  env: Readonly<Record<string, string>>,
  options: DeployedRoleOptions = {},
): Promise<DeployedRole> {
  const template = options.editTemplate ? options.editTemplate(structuredClone(source)) : source;
  const fn = typeof entry === 'string' ? functionOfEntry(template, entry) : undefined;
  const resources = new LocalResources(architecture);
  const variables: Record<string, unknown> = (fn && template.Resources[fn]!.Properties?.Environment?.Variables) ?? {};
  const standIns: Record<string, string> = { ...options.standIns };
  for (const [name, value] of Object.entries(variables)) {
    const id = (value as { Ref?: string })?.Ref ?? roleOfArn(template, value);
    if (id && template.Resources[id] && env[name] !== undefined) standIns[id] = env[name]!;
  }
  for (const [id, value] of Object.entries(standIns)) resources.set(id, standInOf(template.Resources[id]!.Type, value));
  const upstreams = options.upstreams ?? {
    dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    sqsSns: process.env.AWS_ENDPOINT_URL_SQS,
    kinesis: process.env.AWS_ENDPOINT_URL_KINESIS,
  };
  // A local ARN (or one under it, such as a table's index) back to the template resource it stands for.
  const arns = Object.keys(standIns).flatMap((id) => Object.values(resources.get(id) ?? {}).map((value) => [value, id] as const));
  const logicalIdOf = (arn: string) => arns.find(([value]) => arn === value || arn.startsWith(`${value}/`))?.[1];
  const roleId = fn ? roleOfFunction(template, fn) : (entry as { role: string }).role;
  const {
    env: endpoints,
    gates,
    principal,
  } = await startRoleGates(template, roleId, resources, resourceRules(template, resources), upstreams, architecture, logicalIdOf);
  return {
    principal,
    env: endpoints,
    gates,
    get allowed() {
      return gates.flatMap((g) => g.allowed);
    },
    denied: () => gates.flatMap((g) => g.denied),
    stop: async () => {
      await Promise.all(gates.map((g) => g.stop()));
    },
  };
}

/** The role whose ARN a value is (`Fn::GetAtt: [role, Arn]`), if it is one. */
function roleOfArn(template: CfnTemplate, value: unknown): string | undefined {
  const [id, attribute] = ((value as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt'] ?? []) as [string?, string?];
  return id && attribute === 'Arn' && template.Resources[id]?.Type === 'AWS::IAM::Role' ? id : undefined;
}

/**
 * Loads a handler module afresh (its own SDK clients) under `role`, and
 * makes its first AWS call while the role's endpoints are set: the SDK reads
 * the AWS_ENDPOINT_URL_* variables at a client's first call and keeps them,
 * so two handlers in one test file can each run under their own role.
 */
export async function loadUnderRole<T>(role: DeployedRole, load: () => Promise<T>, firstCall: (loaded: T) => Promise<unknown>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(role.env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, role.env);
  try {
    let loaded: T | undefined;
    await jest.isolateModulesAsync(async () => {
      loaded = await load();
    });
    await firstCall(loaded!);
    return loaded!;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
