import { Validations } from 'aws-cdk-lib';
import { type IPrincipal, ManagedPolicy, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface ManagedPolicyRoleProps {
  readonly assumedBy: IPrincipal;
  readonly description: string;
  /** The AWS managed policy the service documents for this role, e.g. `service-role/AmazonRDSEnhancedMonitoringRole`. */
  readonly managedPolicyName: string;
  /** Why this managed policy rather than an own one: acknowledges AwsSolutions-IAM4 for it, on this role only. */
  readonly reason: string;
}

/**
 * A role that carries one AWS managed policy which the service documents as
 * the way to grant it (Session Manager's agent, RDS enhanced monitoring), with
 * the AwsSolutions-IAM4 finding for exactly that policy acknowledged on the
 * role, so the reason sits next to the choice.
 */
export class ManagedPolicyRole extends Role {
  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id, {
      assumedBy: props.assumedBy,
      description: props.description,
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName(props.managedPolicyName)],
    });
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${props.managedPolicyName}]`,
      reason: props.reason,
    });
  }
}
