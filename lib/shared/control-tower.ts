import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type {
  Acknowledgment,
  IPolicyValidationContext,
  IPolicyValidationContextBeta1,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { keepResults, keptResults } from './control-tower-results';

/**
 * AWS Control Tower's proactive controls are CloudFormation Guard rules that
 * a landing zone runs as CloudFormation hooks: an enabled control stops a
 * stack that fails it at deploy time. `@cdklabs/cdk-validator-cfnguard`
 * ships them with the cfn-guard binary, so production runs them at synth,
 * next to cdk-nag's packs (lib/shared/validation.ts).
 */
export const CONTROL_TOWER_PLUGIN_NAME = 'cdk-validator-cfnguard';

const RULES_DIRECTORY = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

/** The output buffer fits a stack's findings. */
const GUARD_OUTPUT_BUFFER = 64 * 1024 * 1024;

/**
 * The plugin's Control Tower rules, run one stack at a time and each stack
 * against only the rules that can select one of its resources.
 *
 * cfn-guard's time grows with rules × template size (about 20 ms per rule
 * per 100 KB template here): the plugin as shipped runs all of its rule
 * files (237) over every template, 38 s for the five production stacks.
 * Every shipped rule selects its resources by type (`Resources.*[ Type ==
 * %S3_BUCKET_TYPE ]`, with `let S3_BUCKET_TYPE = "AWS::S3::Bucket"`), so a
 * rule none of whose types a stack has can only skip; it is not run. A rule
 * file that names no type is always run. The findings are the plugin's own
 * (test/shared/control-tower.test.ts compares them with the plugin run
 * whole); the five production stacks take 13 s.
 */
export class ControlTowerChecks implements IPolicyValidationPlugin {
  readonly name = CONTROL_TOWER_PLUGIN_NAME;
  readonly version?: string;
  readonly ruleIds?: string[];

  constructor() {
    const whole = new CfnGuardValidator({ maxBuffer: GUARD_OUTPUT_BUFFER });
    this.version = whole.version;
    this.ruleIds = whole.ruleIds;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const reports = context.templatePaths.map((templatePath) => this.validateTemplate(templatePath));
    return { success: reports.every((report) => report.success), violations: reports.flatMap((report) => report.violations) };
  }

  /** One stack, from the results directory when the same template was checked before in this run. */
  private validateTemplate(templatePath: string): PolicyValidationPluginReport {
    const text = readFileSync(templatePath, 'utf8');
    const disabledRules = rulesNotSelecting(templateResourceTypes(text));
    const key = [this.version, disabledRules, text];
    const kept = keptResults(key, templatePath);
    if (kept) return kept;
    // One stack per run of the plugin, which reads only the template paths of its context.
    const report = new CfnGuardValidator({ maxBuffer: GUARD_OUTPUT_BUFFER, disabledRules }).validate({
      templatePaths: [templatePath],
    } as unknown as IPolicyValidationContextBeta1);
    keepResults(key, report);
    return report;
  }
}

/** The plugin, with its bundled Control Tower rules (see ControlTowerChecks). */
export function controlTowerPlugin(): IPolicyValidationPlugin {
  return new ControlTowerChecks();
}

function templateResourceTypes(templateText: string): ReadonlySet<string> {
  const template = JSON.parse(templateText) as { Resources?: Record<string, { Type?: string }> };
  return new Set(Object.values(template.Resources ?? {}).map((resource) => String(resource.Type)));
}

/** A rule file the plugin ships, as read once from its text. */
interface ShippedRule {
  /** Its name without `.guard`, as the plugin's `disabledRules` takes it (`ct-s3-pr-1`). */
  readonly file: string;
  /** The Control Tower control it is (`CT.S3.PR.1`) and the rule name the plugin reports for it. */
  readonly control?: string;
  readonly rule?: string;
  /** The CloudFormation resource types its text names. */
  readonly types: readonly string[];
}

let shipped: readonly ShippedRule[] | undefined;

function shippedRules(): readonly ShippedRule[] {
  if (shipped) return shipped;
  const rules: ShippedRule[] = [];
  for (const entry of readdirSync(RULES_DIRECTORY, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.guard')) continue;
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    rules.push({
      file: path.parse(entry.name).name,
      control: /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1],
      rule: /^rule (\w+) when is_cfn_template/m.exec(text)?.[1],
      types: [...new Set([...text.matchAll(/["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g)].map((match) => match[1]!))],
    });
  }
  shipped = rules;
  return rules;
}

/** Each shipped rule file and the CloudFormation resource types its text names. */
export function controlTowerRuleTypes(): ReadonlyMap<string, readonly string[]> {
  return new Map(shippedRules().map(({ file, types }) => [file, types]));
}

/** The rule files that name resource types, none of which is among `present`: they cannot select a resource. */
export function rulesNotSelecting(present: ReadonlySet<string>): string[] {
  return shippedRules()
    .filter(({ types }) => types.length > 0 && !types.some((type) => present.has(type)))
    .map(({ file }) => file);
}

/** Control id (`CT.KMS.PR.3`) → the Guard rule name the plugin reports (`kms_create_grant_aws_service_check`), read from the rule files. */
function controlRuleNames(): ReadonlyMap<string, string> {
  return new Map(shippedRules().flatMap(({ control, rule }) => (control && rule ? [[control, rule] as const] : [])));
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
