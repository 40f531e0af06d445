import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Registers the rule packs every synth runs. aws-cdk-lib's own template
 * validation (CloudFormation Validate) runs by default; the
 * `@aws-cdk/core:validateAgainstDefaultRules` flag in cdk.json makes its
 * findings errors rather than warnings.
 */
export function addValidationPlugins(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/** The rule packs `addValidationPlugins` registers, and the id prefix of their rules. */
const PACKS = [
  { name: 'cdk-nag AwsSolutions', prefix: 'AwsSolutions-' },
  { name: 'cdk-nag Serverless', prefix: 'Serverless-' },
  // aws-cdk-lib's own, on by default.
  { name: 'aws-cdk-lib CloudFormation Validate', prefix: 'CloudFormation-Validate::' },
];

/**
 * One line per rule pack that ran, for `bin/app.ts` to print after a
 * synth that passed: the pack, and how many acknowledgements of its findings
 * the stacks carry (each with its reason, on the narrowest construct; the
 * architecture pages list them).
 */
export function validationSummary(app: App): string[] {
  const acknowledged = acknowledgedRuleIds(app);
  return PACKS.map((pack) => {
    // aws-cdk-lib records a plugin's ids as they are, and other ids (cdk-nag's) under `Annotation::`.
    const count = acknowledged.filter((id) => id.replace(/^Annotation::/, '').startsWith(pack.prefix)).length;
    return `Validation passed: ${pack.name}, ${count} acknowledged finding${count === 1 ? '' : 's'}`;
  });
}

/** Every rule id acknowledged anywhere in the tree, once per construct that acknowledges it. */
function acknowledgedRuleIds(root: IConstruct): string[] {
  const own = root.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>));
  return [...own, ...root.node.children.flatMap((child) => acknowledgedRuleIds(child))];
}
