import {
  type App,
  Aspects,
  type IAspect,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Stack,
  type Stage,
  Validations,
} from 'aws-cdk-lib';
import { Policy } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { CONTROL_TOWER_PLUGIN_NAME, controlTowerPlugin } from './control-tower';
import type { StageConfig } from './stage-config';

/**
 * cdk-nag, loaded when a pack is registered: its rules load most of
 * aws-cdk-lib's resource classes (about a quarter of a second), which a
 * command that only reads the registry or synthesizes without the packs
 * (`npm run cost`, `upgrade-check`) never needs.
 */
export const cdkNag = (): typeof import('cdk-nag') => require('cdk-nag');

/**
 * Registers the rule packs a synth runs: AwsSolutions and Serverless always,
 * NIST 800-53 rev 5 and AWS Control Tower's proactive controls where the
 * stage asks for them (production). aws-cdk-lib's
 * own template validation (CloudFormation Validate) runs by default; the
 * `@aws-cdk/core:validateAgainstDefaultRules` flag in cdk.json makes its
 * findings errors rather than warnings.
 */
export function addValidationPlugins(
  app: Stage,
  stage: Pick<StageConfig, 'nist80053Checks' | 'controlTowerChecks'>,
  options: {
    /**
     * False where an enclosing app registers AwsSolutions and Serverless
     * already (a Stage in the delivery pipeline's app): a plugin checks the
     * stacks of nested stages too.
     */
    readonly basePacks?: boolean;
  } = {},
): void {
  if (options.basePacks !== false) {
    const { AwsSolutionsChecks, ServerlessChecks } = cdkNag();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  if (stage.nist80053Checks) addNist80053Checks(app);
  if (stage.controlTowerChecks) Validations.of(app).addPlugins(controlTowerPlugin());
  register(app, { controlTower: stage.controlTowerChecks });
}

/**
 * Registers cdk-nag's NIST 800-53 rev 5 pack for the constructs under `scope`
 * alone. A cdk-nag pack walks the whole app whichever stage registers it; the
 * delivery pipeline's app holds a sandbox stage that this pack must not check.
 */
export function addNist80053Checks(scope: Stage | Stack): void {
  const pack = new (cdkNag().NIST80053R5Checks)(scope);
  const scoped: IPolicyValidationPlugin = {
    name: pack.name,
    version: pack.version,
    validate: (_context: IPolicyValidationContext): PolicyValidationPluginReport => pack.validateScope(scope),
  };
  Validations.of(scope instanceof Stack ? scope.node.scope! : scope).addPlugins(scoped);
  Aspects.of(scope).add(new AcknowledgeGrantPolicies());
  register(scope, { nist: true });
}

/**
 * NIST 800-53's IAMNoInlinePolicy flags every AWS::IAM::Policy. Those are
 * the policies CDK's grant methods write (`<role>/DefaultPolicy`): each
 * holds one role's statements for this stack's own resources and is
 * attached to that role alone. Moving them into customer managed policies
 * would make the same permissions attachable to other principals, which
 * widens rather than narrows who holds them. Each is acknowledged on
 * itself, naming its role; any other inline policy still fails synth.
 */
class AcknowledgeGrantPolicies implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof Policy) || node.node.id !== 'DefaultPolicy' || !node.node.scope) return;
    Validations.of(node).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: `The grants CDK generated for ${node.node.scope.node.path} alone, scoped to this stack's resources; a managed policy could be attached to other principals as well, widening who holds them.`,
    });
  }
}

/** The optional packs registered anywhere in an app (a nested stage or one stack included), by the app's root. */
const registered = new WeakMap<IConstruct, { nist: boolean; controlTower: boolean }>();

function register(scope: IConstruct, packs: { readonly nist?: boolean; readonly controlTower?: boolean }): void {
  const root = scope.node.root;
  const current = registered.get(root) ?? { nist: false, controlTower: false };
  registered.set(root, { nist: current.nist || !!packs.nist, controlTower: current.controlTower || !!packs.controlTower });
}

/** The rule packs `addValidationPlugins` can register, and the id prefix of their rules. */
const PACKS = [
  { name: 'cdk-nag AwsSolutions', prefix: 'AwsSolutions-' },
  { name: 'cdk-nag Serverless', prefix: 'Serverless-' },
  { name: 'cdk-nag NIST 800-53 rev 5', prefix: 'NIST.800.53.R5-', only: 'nist' },
  { name: 'AWS Control Tower proactive controls (cfn-guard)', prefix: `${CONTROL_TOWER_PLUGIN_NAME}::`, only: 'controlTower' },
  // aws-cdk-lib's own, on by default.
  { name: 'aws-cdk-lib CloudFormation Validate', prefix: 'CloudFormation-Validate::' },
] as const;

/**
 * One line per rule pack that ran, for `bin/app.ts` to print after a
 * synth that passed: the pack, and how many acknowledgements of its findings
 * the stacks carry (each with its reason, on the narrowest construct; the
 * architecture pages list them).
 */
export function validationSummary(app: App): string[] {
  const acknowledged = acknowledgedRuleIds(app);
  const packs = registered.get(app.node.root) ?? { nist: false, controlTower: false };
  return PACKS.filter((pack) => !('only' in pack) || packs[pack.only]).map((pack) => {
    // aws-cdk-lib records a plugin's ids as they are, and other ids (cdk-nag's) under `Annotation::`.
    const count = acknowledged.filter((id) => id.replace(/^Annotation::/, '').startsWith(pack.prefix)).length;
    return `Validation passed: ${pack.name}, ${count} acknowledged finding${count === 1 ? '' : 's'}`;
  });
}

/** Every rule id acknowledged anywhere in the tree, once per construct that acknowledges it. */
export function acknowledgedRuleIds(root: IConstruct): string[] {
  const own = root.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>));
  return [...own, ...root.node.children.flatMap((child) => acknowledgedRuleIds(child))];
}
