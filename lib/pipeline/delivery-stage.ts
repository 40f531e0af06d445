import { Stage } from 'aws-cdk-lib';
import { ArnPrincipal, Grant, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { type ArchitectureName, grantSmoke } from '../app/architectures';
import { addArchitectureStacks, type CoffeeShopStacks } from '../app/coffee-shop-app';
import type { DeployTarget } from '../shared/architecture';
import type { ContextReader } from '../shared/context';
import { parseStage } from '../shared/stage-config';
import { addValidationPlugins } from '../shared/validation';
import { acknowledgeWildcards, SMOKE_CHECK_WILDCARDS } from './wildcard-acknowledgements';

export interface DeliveryStageProps {
  /** The stage's name in the pipeline, where its construct id is not it. */
  readonly stageName?: string;
  /** Reads the context of this stage (its `stage` key answered by the pipeline). */
  readonly read: ContextReader;
  readonly target: DeployTarget;
  readonly architectures: readonly ArchitectureName[];
  /** The tools-account role the pipeline's check steps run as; the stage's checks roles trust it alone. */
  readonly checksPrincipalArn: string;
  /** Production: the checks roles may only read (`npm run smoke -- --read-only`). */
  readonly readOnlyChecks: boolean;
  /**
   * The stage's own rule packs. False only where the templates are read and
   * never deployed (the cost report's synth of the pipeline).
   * @default true
   */
  readonly packs?: boolean;
}

/** The name of the role the pipeline's smoke step assumes in a target account to check one stack. */
export const checksRoleName = (stackName: string) => `${stackName}-checks`;

/**
 * Some architectures' stacks in one target account, as the delivery pipeline
 * deploys them: the stacks `cdk deploy` makes (the same templates, under the
 * same names), checked with the stage's rule packs, plus in each stack a role
 * the pipeline's smoke step assumes to check it (what that architecture's
 * `grantSmoke` gives, and reading the stack's outputs).
 */
export class DeliveryStage extends Stage {
  readonly stacks: Partial<CoffeeShopStacks>;

  constructor(scope: Construct, id: string, props: DeliveryStageProps) {
    super(scope, id, { stageName: props.stageName });
    this.stacks = addArchitectureStacks(this, props.read, { only: props.architectures, deployTo: props.target });
    for (const name of props.architectures) {
      const stack = this.stacks[name]!;
      const role = new Role(stack, 'PipelineChecksRole', {
        roleName: checksRoleName(stack.stackName),
        description: `Assumed by the delivery pipeline's smoke step to check ${stack.stackName}${props.readOnlyChecks ? ' (read-only checks)' : ''}`,
        assumedBy: new ArnPrincipal(props.checksPrincipalArn),
      });
      // The smoke finds its stack by its tags among all stacks: DescribeStacks without a name takes no resource.
      Grant.addToPrincipal({ grantee: role, actions: ['cloudformation:DescribeStacks'], resourceArns: ['*'] });
      grantSmoke(name, stack, role, { readOnly: props.readOnlyChecks });
      acknowledgeWildcards(role, `The smoke's checks role for ${stack.stackName}`, SMOKE_CHECK_WILDCARDS);
    }
    // AwsSolutions and Serverless come from the app (they check nested stages too); production adds its own packs here.
    if (props.packs !== false) addValidationPlugins(this, parseStage(props.read), { basePacks: false });
  }
}
