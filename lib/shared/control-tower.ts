import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { Acknowledgment } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';

/**
 * AWS Control Tower's proactive controls are CloudFormation Guard rules that
 * a landing zone runs as CloudFormation hooks: an enabled control stops a
 * stack that fails it at deploy time. `@cdklabs/cdk-validator-cfnguard`
 * ships them with the cfn-guard binary, so production runs them at synth,
 * next to cdk-nag's packs (lib/shared/validation.ts).
 */
export const CONTROL_TOWER_PLUGIN_NAME = 'cdk-validator-cfnguard';

/** The plugin, with its bundled Control Tower rules; the output buffer fits five stacks' findings. */
export function controlTowerPlugin(): CfnGuardValidator {
  return new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 });
}

const RULES_DIRECTORY = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

/** Control id (`CT.KMS.PR.3`) → the Guard rule name the plugin reports (`kms_create_grant_aws_service_check`), read from the rule files. */
let ruleNames: ReadonlyMap<string, string> | undefined;

function controlRuleNames(): ReadonlyMap<string, string> {
  if (ruleNames) return ruleNames;
  const names = new Map<string, string>();
  for (const entry of readdirSync(RULES_DIRECTORY, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.guard')) continue;
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1];
    const rule = /^rule (\w+) when is_cfn_template/m.exec(text)?.[1];
    if (control && rule) names.set(control, rule);
  }
  ruleNames = names;
  return names;
}

/** The Guard rule a Control Tower control is, e.g. `ruleOfControl('CT.SQS.PR.1')` is `sqs_dlq_check`. */
export function ruleOfControl(control: string): string {
  const rule = controlRuleNames().get(control);
  if (!rule) throw new Error(`${control} is not a Control Tower proactive control that ${CONTROL_TOWER_PLUGIN_NAME} ships`);
  return rule;
}

/** The control a reported rule name belongs to (`sqs_dlq_check` → `CT.SQS.PR.1`), for the docs and the summary. */
export function controlOfRule(rule: string): string | undefined {
  for (const [control, name] of controlRuleNames()) if (name === rule) return control;
  return undefined;
}

/**
 * An acknowledgement of one Control Tower control's finding, for
 * `Validations.of(construct).acknowledge(...)` on the construct it is about.
 * aws-cdk-lib's validation framework matches it to the plugin's findings by
 * the plugin's name and the rule name. The reason should say what a team
 * whose landing zone enables the control would change.
 */
export function controlTower(control: string, reason: string): Acknowledgment {
  return { id: `${CONTROL_TOWER_PLUGIN_NAME}::${ruleOfControl(control)}`, reason };
}

/**
 * CT.KMS.PR.3: a key's grants may be created only for AWS resources. An
 * integrated service (RDS, AWS Backup, Secrets Manager) that creates a grant
 * on a caller's behalf sets `kms:GrantIsForAWSResource`, and a service
 * principal (CloudWatch Logs, SNS, CloudWatch) sets
 * `aws:PrincipalIsAWSService`; any other `kms:CreateGrant`, however broad
 * the caller's IAM permissions, is denied, so no one can hand the key's use
 * to a principal the key policy does not name.
 */
export function limitGrantsToAwsServices(key: Key): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'GrantsOnlyForAwsResources',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}
