/**
 * A small IAM policy evaluator for what this project's templates use, after
 * the evaluation logic AWS documents for a principal and a resource in one
 * account: an explicit Deny in any applicable policy wins; otherwise the call
 * is allowed when an identity-based policy or a resource-based policy allows
 * it; otherwise it is implicitly denied. KMS is the exception AWS makes: a
 * key's own policy must allow the call, directly or by delegating to the
 * account's IAM policies (a statement for the account root).
 *
 * Supported: Action/NotAction and Resource/NotResource with `*` and `?`
 * wildcards, Principal/NotPrincipal, and the condition operators the
 * templates use (String*, Arn*, Bool, Null, Numeric*, with ForAnyValue: and
 * ForAllValues: and the IfExists suffix). An operator it does not know is an
 * error, never silently true or false. Not modelled: service control
 * policies, permission boundaries, session policies, VPC endpoint policies.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Who calls: the role, its session, and the service principal when a service calls on its own behalf. */
export interface Caller {
  /** e.g. arn:aws:iam::000000000000:role/WorkerRole, or a service principal such as sns.amazonaws.com. */
  readonly arn: string;
  readonly account: string;
  /** A service calling (SNS delivering to a queue): matched by `Principal: { Service }`. */
  readonly service?: string;
  /** A web identity assuming a role (Cognito's guests): matched by `Principal: { Federated }`. */
  readonly federated?: string;
}

/** One request as IAM sees it. */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  /** Condition keys with their values (aws:SecureTransport, aws:SourceArn, ...). */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Whether the statement's action part covers `action` (actions are case-insensitive). */
export function coversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((p) => wildcardMatch(p, action, true));
  return list(statement.Action).some((p) => wildcardMatch(p, action, true));
}

/** Whether the statement's resource part covers `resource` (ARNs are case-sensitive). */
export function coversResource(statement: PolicyStatement, resource: string): boolean {
  if (statement.NotResource !== undefined) return !list(statement.NotResource).some((p) => wildcardMatch(p, resource));
  // A resource policy statement may leave Resource out: it means the resource it is attached to.
  if (statement.Resource === undefined) return true;
  return list(statement.Resource).some((p) => wildcardMatch(p, resource));
}

/** Whether a resource-policy statement's principal names the caller. */
export function namesPrincipal(statement: PolicyStatement, caller: Caller): boolean {
  const matches = (principal: unknown): boolean => {
    if (principal === '*') return true;
    if (principal === undefined || principal === null || typeof principal !== 'object') return false;
    const { AWS, Service, Federated } = principal as {
      AWS?: string | string[];
      Service?: string | string[];
      Federated?: string | string[];
    };
    const aws = list(AWS);
    if (caller.federated) return list(Federated).includes(caller.federated);
    if (caller.service) return list(Service).includes(caller.service) || aws.includes('*');
    return aws.some((p) => p === '*' || p === caller.arn);
  };
  if (statement.NotPrincipal !== undefined) return !matches(statement.NotPrincipal);
  return matches(statement.Principal);
}

/** Whether a key policy delegates to the account's IAM policies (a statement for the account root). */
export function delegatesToAccount(statement: PolicyStatement, account: string): boolean {
  const aws = list((statement.Principal as { AWS?: string | string[] } | undefined)?.AWS);
  return aws.some((p) => p === `arn:aws:iam::${account}:root` || p === account);
}

/** Every condition of the statement holds for the request's context. */
export function conditionsHold(statement: PolicyStatement, context: AuthorizationRequest['context']): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (!conditionHolds(operator, list(expected as string | string[]).map(String), context[key])) return false;
    }
  }
  return true;
}

function conditionHolds(operatorName: string, expected: readonly string[], actual: string | readonly string[] | undefined): boolean {
  let operator = operatorName;
  let set: 'single' | 'any' | 'all' = 'single';
  if (operator.startsWith('ForAnyValue:')) [set, operator] = ['any', operator.slice('ForAnyValue:'.length)];
  else if (operator.startsWith('ForAllValues:')) [set, operator] = ['all', operator.slice('ForAllValues:'.length)];
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);
  if (operator === 'Null') {
    const isNull = actual === undefined;
    return expected.some((value) => (value === 'true') === isNull);
  }
  const test = COMPARATORS[operator];
  if (!test) throw new Error(`The local IAM evaluator does not know the condition operator ${operatorName}`);
  const negated = /Not/.test(operator);
  if (actual === undefined) {
    if (ifExists) return true;
    if (set === 'all') return true;
    return negated;
  }
  const values = list(actual);
  const one = (value: string) => (negated ? !expected.some((e) => test(e, value)) : expected.some((e) => test(e, value)));
  if (set === 'any') return values.some(one);
  if (set === 'all') return values.every(one);
  return values.length === 1 && one(values[0]!);
}

const COMPARATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (e, a) => e === a,
  StringNotEquals: (e, a) => e === a,
  StringEqualsIgnoreCase: (e, a) => e.toLowerCase() === a.toLowerCase(),
  StringNotEqualsIgnoreCase: (e, a) => e.toLowerCase() === a.toLowerCase(),
  StringLike: (e, a) => wildcardMatch(e, a),
  StringNotLike: (e, a) => wildcardMatch(e, a),
  ArnEquals: (e, a) => e === a,
  ArnNotEquals: (e, a) => e === a,
  ArnLike: (e, a) => wildcardMatch(e, a),
  ArnNotLike: (e, a) => wildcardMatch(e, a),
  Bool: (e, a) => e.toLowerCase() === a.toLowerCase(),
  NumericEquals: (e, a) => Number(a) === Number(e),
  NumericNotEquals: (e, a) => Number(a) === Number(e),
  NumericLessThan: (e, a) => Number(a) < Number(e),
  NumericLessThanEquals: (e, a) => Number(a) <= Number(e),
  NumericGreaterThan: (e, a) => Number(a) > Number(e),
  NumericGreaterThanEquals: (e, a) => Number(a) >= Number(e),
};

/** The statements among `statements` that apply to the request (action, resource, conditions). */
export function applicable(statements: readonly PolicyStatement[], request: AuthorizationRequest): PolicyStatement[] {
  return statements.filter(
    (s) => coversAction(s, request.action) && coversResource(s, request.resource) && conditionsHold(s, request.context),
  );
}

/**
 * The decision for a caller with `identity` statements on a resource with an
 * optional resource policy. For a KMS key (`keyPolicy: true`), the key policy
 * must allow the caller itself or delegate to the account, and a delegation
 * then needs an identity-policy Allow.
 */
export function decide(
  caller: Caller,
  identity: readonly PolicyStatement[],
  request: AuthorizationRequest,
  resourcePolicy: readonly PolicyStatement[] = [],
  options: { readonly keyPolicy?: boolean } = {},
): Decision {
  const fromIdentity = caller.service || caller.federated ? [] : applicable(identity, request);
  const fromResource = applicable(resourcePolicy, request).filter((s) => namesPrincipal(s, caller));
  if ([...fromIdentity, ...fromResource].some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  const identityAllows = fromIdentity.some((s) => s.Effect === 'Allow');
  const resourceAllows = fromResource.some((s) => s.Effect === 'Allow');
  if (options.keyPolicy) {
    const delegated = applicable(resourcePolicy, request).some((s) => s.Effect === 'Allow' && delegatesToAccount(s, caller.account));
    return resourceAllows || (delegated && identityAllows) ? 'allow' : 'implicit-deny';
  }
  return identityAllows || resourceAllows ? 'allow' : 'implicit-deny';
}
