import { type CfnElement, CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** Role metadata the least-privilege check reads (scripts/local/iam/least-privilege.ts). */
export const UNTESTED_GRANTS_METADATA = 'coffee-shop:untested-grants';

/**
 * Says why a role holds grants no local test exercises (a call the Lambda
 * service makes with the role, a library's fallback, a read only a deployed
 * function can make), so the least-privilege check in `npm test` accepts
 * them. The reason is one line and specific to the grant; everything else a
 * role grants on this project's resources must be used by a test.
 */
export function untestedGrant(role: IRole | undefined, resource: IConstruct, actions: readonly string[], reason: string): void {
  const cfnRole = role?.node.defaultChild;
  if (!(cfnRole instanceof CfnResource)) throw new Error(`untestedGrant: ${role?.node.path ?? 'the role'} is not a role of this app`);
  const target = (resource.node.defaultChild ?? resource) as CfnElement;
  const stack = Stack.of(target);
  const existing = (cfnRole.getMetadata(UNTESTED_GRANTS_METADATA) as unknown[] | undefined) ?? [];
  cfnRole.addMetadata(UNTESTED_GRANTS_METADATA, [
    ...existing,
    ...actions.map((action) => ({ action, resource: Lazy.string({ produce: () => stack.resolve(target.logicalId) }), reason })),
  ]);
}
