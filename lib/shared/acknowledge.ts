import { type Acknowledgment, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges findings on the policy CDK generates for a role's grants
 * (its `DefaultPolicy`), the narrowest construct that carries them. Does
 * nothing when the role has no generated policy: then there is nothing to
 * acknowledge.
 */
export function acknowledgeDefaultPolicy(role: IConstruct, ...acknowledgments: Acknowledgment[]): void {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) Validations.of(policy).acknowledge(...acknowledgments);
}
