import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Registers the rule packs every synth runs. aws-cdk-lib's own template
 * validation (CloudFormation Validate) runs by default; the
 * `@aws-cdk/core:validateAgainstDefaultRules` flag in cdk.json makes its
 * findings errors rather than warnings.
 */
export function addValidationPlugins(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
