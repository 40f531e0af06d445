import { Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { limitGrantsToAwsServices } from './control-tower';
import type { BackupSchedule, StageConfig } from './stage-config';

export interface StageBackupProps {
  /** Decides whether there is a plan at all (production) and what it keeps. */
  readonly stage: StageConfig;
  /** The resources backed up, as ARNs (a table's, a database instance's). */
  readonly resourceArns: readonly string[];
}

/**
 * AWS Backup for a stack's stateful resources where the stage has a backup
 * schedule (production): a vault encrypted with its own customer managed
 * key, and a plan with a daily and a monthly rule. Point-in-time recovery
 * and automated RDS snapshots live with the resource and go with it; these
 * recovery points live in the vault, survive the resource's deletion and
 * can be restored from the Backup console. In a sandbox it creates nothing.
 */
export class StageBackup extends Construct {
  readonly plan?: BackupPlan;
  readonly vault?: BackupVault;

  constructor(scope: Construct, id: string, props: StageBackupProps) {
    super(scope, id);
    const schedule = props.stage.backup;
    if (!schedule) return;
    checkSchedule(this, schedule);
    const stack = Stack.of(this);
    const key = new Key(this, 'VaultKey', {
      description: `Encrypts the backup vault of ${stack.stackName}`,
      enableKeyRotation: true,
      removalPolicy: props.stage.statefulRemovalPolicy,
    });
    limitGrantsToAwsServices(key);
    this.vault = new BackupVault(this, 'Vault', { encryptionKey: key, removalPolicy: props.stage.statefulRemovalPolicy });
    const at = { hour: String(schedule.startHourUtc), minute: '0' };
    this.plan = new BackupPlan(this, 'Plan', {
      // Plan names are unique per account and region: generated from the path, like the vault's.
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50 }),
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron(at),
          deleteAfter: Duration.days(schedule.dailyRetentionDays),
        }),
        new BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: Schedule.cron({ ...at, day: '1' }),
          deleteAfter: Duration.days(schedule.monthlyRetentionDays),
        }),
      ],
    });
    const selection = this.plan.addSelection('Resources', {
      resources: props.resourceArns.map((arn) => BackupResource.fromArn(arn)),
      allowRestores: true,
    });
    const managedPolicy = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
    Validations.of(selection.node.findChild('Role')).acknowledge(
      {
        id: managedPolicy('AWSBackupServiceRolePolicyForBackup'),
        reason:
          "AWS Backup's documented service role policy: the snapshot and backup actions of every service it supports, which AWS keeps current; an inline copy would drift from it.",
      },
      {
        id: managedPolicy('AWSBackupServiceRolePolicyForRestores'),
        reason: "AWS Backup's documented restore policy, so a recovery point can be restored from the Backup console with this same role.",
      },
    );
  }
}

/** AWS Backup's own rules: an hour of the day, and a retention of at least a day. */
function checkSchedule(scope: Construct, schedule: BackupSchedule): void {
  const { startHourUtc, dailyRetentionDays, monthlyRetentionDays } = schedule;
  if (!Number.isInteger(startHourUtc) || startHourUtc < 0 || startHourUtc > 23) {
    throw new Error(`${scope.node.path}: startHourUtc must be a whole hour from 0 to 23, got ${startHourUtc}`);
  }
  for (const [name, days] of [
    ['dailyRetentionDays', dailyRetentionDays],
    ['monthlyRetentionDays', monthlyRetentionDays],
  ] as const) {
    if (!Number.isInteger(days) || days < 1)
      throw new Error(`${scope.node.path}: ${name} must be a whole number of days of at least 1, got ${days}`);
  }
}
