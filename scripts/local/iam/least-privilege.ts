import { HANDLER_ENTRY_METADATA } from '../../../lib/shared/observed-function';
import { UNTESTED_GRANTS_METADATA } from '../../../lib/shared/untested-grants';
import type { CfnTemplate } from '../../template/template';
import { wildcardMatch } from './policy';

/**
 * Least privilege both ways: what each role grants on this project's own
 * resources, against what the tests' calls through the IAM gates used. A
 * grant no test exercised is either tightened away or carries a one-line
 * reason in its role's metadata (UNTESTED_GRANTS_METADATA).
 */

/** A grant a role holds: an action (or pattern) on one resource of the template. */
export interface Grant {
  readonly action: string;
  readonly resource: string;
  readonly resourceType: string;
}

export interface RoleGrants {
  /** `<architecture>/<role logical id>`, as the gates record it. */
  readonly principal: string;
  readonly roleLogicalId: string;
  readonly grants: readonly Grant[];
  /** Reasons for grants no test exercises, by `<action> <resource>`. */
  readonly reasons: Readonly<Record<string, string>>;
}

/** A call a gate let through, as recorded. */
export interface RecordedUse {
  readonly principal: string;
  readonly action: string;
  /** Logical id of the template resource the call reached, when the gate knew it. */
  readonly logicalId?: string;
}

/** Types whose grants the Lambda service uses, not the handler's code: no handler test can reach them. */
const USED_BY_THE_SERVICE = new Set(['AWS::Logs::LogGroup']);

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** The logical ids a policy resource element refers to (Ref, GetAtt, inside a Join). */
function referencedIds(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return [object.Ref];
  if (Array.isArray(object['Fn::GetAtt'])) return [String(object['Fn::GetAtt'][0])];
  return Object.values(object).flatMap(referencedIds);
}

/**
 * The roles whose grants are checked: the execution roles of this project's
 * functions (those that name a handler file) and the roles that other
 * principals of the template assume to call the backends the tests run
 * (API Gateway's integration role, Cognito's visitor role), given by id.
 */
export function checkedRoles(template: CfnTemplate, architecture: string, extraRoles: readonly string[] = []): RoleGrants[] {
  const roleIds = new Set(extraRoles);
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || !resource.Metadata?.[HANDLER_ENTRY_METADATA]) continue;
    const id = resource.Properties?.Role?.['Fn::GetAtt']?.[0];
    if (typeof id === 'string') roleIds.add(id);
  }
  return [...roleIds].map((roleLogicalId) => {
    const grants: Grant[] = [];
    const documents = [
      ...(template.Resources[roleLogicalId]?.Properties?.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument),
      ...Object.values(template.Resources)
        .filter(
          (r) =>
            (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') &&
            (r.Properties?.Roles ?? []).some((ref: { Ref?: string }) => ref.Ref === roleLogicalId),
        )
        .map((r) => r.Properties.PolicyDocument),
    ];
    for (const document of documents) {
      for (const statement of list((document as { Statement?: unknown }).Statement) as Record<string, unknown>[]) {
        if (statement.Effect !== 'Allow') continue;
        for (const resourceId of new Set(list(statement.Resource).flatMap(referencedIds))) {
          const resourceType = template.Resources[resourceId]?.Type;
          if (!resourceType || USED_BY_THE_SERVICE.has(resourceType)) continue;
          for (const action of list(statement.Action) as string[]) grants.push({ action, resource: resourceId, resourceType });
        }
      }
    }
    const reasons = Object.fromEntries(
      (
        (template.Resources[roleLogicalId]?.Metadata?.[UNTESTED_GRANTS_METADATA] ?? []) as {
          action: string;
          resource: string;
          reason: string;
        }[]
      ).map((entry) => [`${entry.action} ${entry.resource}`, entry.reason]),
    );
    return { principal: `${architecture}/${roleLogicalId}`, roleLogicalId, grants, reasons };
  });
}

export interface GrantVerdict extends Grant {
  readonly principal: string;
  readonly exercised: boolean;
  readonly reason?: string;
}

/** Each grant of each role with whether a recorded call used it, and its reason if none did. */
export function grantVerdicts(roles: readonly RoleGrants[], uses: readonly RecordedUse[]): GrantVerdict[] {
  return roles.flatMap((role) =>
    role.grants.map((grant) => {
      const exercised = uses.some(
        (use) => use.principal === role.principal && use.logicalId === grant.resource && wildcardMatch(grant.action, use.action, true),
      );
      const reason = role.reasons[`${grant.action} ${grant.resource}`];
      return { ...grant, principal: role.principal, exercised, ...(reason ? { reason } : {}) };
    }),
  );
}

/** The per-role summary `npm test` prints: each role, its grants on project resources, which tests used, which carry a reason. */
export function summaryLines(verdicts: readonly GrantVerdict[]): string[] {
  const byRole = new Map<string, GrantVerdict[]>();
  for (const verdict of verdicts) byRole.set(verdict.principal, [...(byRole.get(verdict.principal) ?? []), verdict]);
  const lines: string[] = [];
  for (const [principal, grants] of byRole) {
    const used = grants.filter((g) => g.exercised).length;
    const reasoned = grants.filter((g) => !g.exercised && g.reason).length;
    lines.push(`${principal}: ${grants.length} grants on project resources, ${used} exercised, ${reasoned} untested with a reason`);
    for (const g of grants.filter((v) => !v.exercised)) {
      lines.push(`  ${g.reason ? 'untested' : 'UNEXERCISED'} ${g.action} on ${g.resource}${g.reason ? `: ${g.reason}` : ''}`);
    }
  }
  return lines;
}
