import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { MAX_TIME_TO_LIVE_HOURS, MIN_TIME_TO_LIVE_HOURS } from '../../lambda/sandbox-expiry/deadline';
import { ConfigError, type ContextKey, type ContextReader, optionalChoice, optionalString, optionalWholeNumber } from './context';

/** The stages a stack can be synthesized for. */
export const STAGE_NAMES = ['sandbox', 'production'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * Everything that differs between a throwaway sandbox and production, decided
 * once here and passed to every stack as props. This file is the only one
 * that tests the stage's name: constructs read these fields, and an
 * architecture's own per-stage settings are a table keyed by stage name.
 */
export interface StageConfig {
  readonly name: StageName;
  /** Tables, buckets, streams, log groups: destroyed with a sandbox, kept in production. */
  readonly statefulRemovalPolicy: RemovalPolicy;
  /** For resources whose service can take a final snapshot (RDS, EBS). */
  readonly snapshotRemovalPolicy: RemovalPolicy;
  /** Whether S3 buckets empty themselves when the stack is destroyed. */
  readonly autoDeleteObjects: boolean;
  /** Deletion protection on tables and databases. */
  readonly deletionProtection: boolean;
  /** Point-in-time recovery on DynamoDB tables. */
  readonly pointInTimeRecovery: boolean;
  /** Retention of every log group. */
  readonly logRetention: RetentionDays;
  /** Whether the stack itself refuses `cdk destroy`. */
  readonly terminationProtection: boolean;
  /** Where alarms send notifications; none means alarms only change state (CloudWatch console). */
  readonly alarmEmail?: string;
  /** A monthly AWS Budgets budget per architecture stack and who hears about it (`-c monthlyBudgetUsd=<n>`, sent to `alarmEmail`). */
  readonly monthlyBudget?: { readonly usd: number; readonly email: string };
  /** A web application firewall in front of public endpoints (costs a fixed monthly fee). */
  readonly webApplicationFirewall: boolean;
  /**
   * API Gateway execution logging: every request's steps in a sandbox (to
   * learn and debug), errors only in production (volume and cost).
   */
  readonly apiExecutionLogLevel: 'INFO' | 'ERROR';
  /** Whether `*` may be given as the allowed CORS origin (never in production). */
  readonly anyCorsOriginAllowed: boolean;
  /**
   * A CloudWatch dashboard per architecture ($3 a month each). A sandbox
   * goes without: its alarms and the services' own metric pages show the
   * same metrics, and five dashboards would be a sixth of its idle cost.
   */
  readonly dashboards: boolean;
  /**
   * Whether synth also runs cdk-nag's NIST 800-53 rev 5 pack. Production is
   * what teams copy into regulated accounts; a sandbox skips the controls
   * that cost money at rest (keys, backups), so the pack would only repeat
   * acknowledgements there.
   */
  readonly nist80053Checks: boolean;
  /**
   * Whether synth also runs AWS Control Tower's proactive controls (the
   * CloudFormation Guard rules a landing zone enforces as deploy-time
   * hooks). Production is what teams deploy into governed accounts; the
   * controls that cost money are production fields, so in a sandbox the
   * pack would mostly repeat acknowledgements.
   */
  readonly controlTowerChecks: boolean;
  /** A customer managed KMS key per stack for its log groups ($1 a month per key); none means CloudWatch Logs' own encryption. */
  readonly logEncryptionKey: boolean;
  /** An AWS Backup plan and encrypted vault for the stack's tables and databases, and what it keeps; none in a sandbox. */
  readonly backup?: BackupSchedule;
  /** Versioning on every bucket, and how long a replaced or deleted object's old version is kept; none means unversioned. */
  readonly noncurrentVersionExpiration?: Duration;
  /** Access logs of load balancers, to an S3 bucket of their own (storage costs per GB). */
  readonly loadBalancerAccessLogs: boolean;
  /**
   * Whether functions get their reserved concurrency: a runaway function
   * can then neither exhaust the account's concurrency nor flood what it
   * calls. Off in a sandbox: a new account's concurrency quota (10) leaves
   * nothing to reserve.
   */
  readonly reservedConcurrency: boolean;
  /**
   * Alarms on signs of misuse rather than failure (an order key reused for
   * another order, click traffic above its expected rate): $0.10 a month
   * each, so production only; a sandbox still records the metrics.
   */
  readonly abuseAlarms: boolean;
  /**
   * Hours from each deployment after which a sandbox stack deletes itself,
   * with a warning an hour before (`-c sandboxTtlHours=<n>`, 24 by default;
   * 0 turns it off). Production stacks never have one.
   */
  readonly timeToLiveHours?: number;
}

/** What an AWS Backup plan keeps: a daily and a monthly recovery point, with their retention in days. */
export interface BackupSchedule {
  /** UTC hour at which the daily backup window opens. */
  readonly startHourUtc: number;
  readonly dailyRetentionDays: number;
  readonly monthlyRetentionDays: number;
}

/** The stage's own context keys. */
export const STAGE_CONTEXT_KEYS: readonly ContextKey[] = [
  { name: 'stage', description: 'sandbox (default) or production' },
  { name: 'alarmEmail', description: 'Address that alarm notifications are emailed to (required in production)' },
  {
    name: 'monthlyBudgetUsd',
    description: "A monthly cost budget in USD for each architecture's stack, alerting alarmEmail on forecast and actual spend",
  },
  {
    name: 'sandboxTtlHours',
    description: 'Hours after its last deployment that a sandbox stack deletes itself, warning an hour before (default 24; 0 turns it off)',
  },
];

/** A sandbox stack's time to live when `sandboxTtlHours` is not given. */
export const DEFAULT_SANDBOX_TTL_HOURS = 24;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads `stage` and `alarmEmail` and returns the stage's settings. */
export function parseStage(read: ContextReader): StageConfig {
  const name = optionalChoice(read, 'stage', STAGE_NAMES, 'sandbox');
  const emailAccepted = 'an email address such as ops@example.com';
  const alarmEmail = optionalString(read, 'alarmEmail', emailAccepted);
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new ConfigError('alarmEmail', read('alarmEmail'), emailAccepted);
  }
  if (name === 'production' && alarmEmail === undefined) {
    throw new ConfigError('alarmEmail', read('alarmEmail'), `${emailAccepted} (required when stage=production)`);
  }
  const timeToLiveHours = parseTimeToLive(read, name);
  const base = { ...STAGES[name], alarmEmail, ...(timeToLiveHours ? { timeToLiveHours } : {}) };
  // 0 stands for absent: the smallest budget accepted is $1.
  const budgetUsd = optionalWholeNumber(read, 'monthlyBudgetUsd', { min: 1, max: 100_000, meaning: 'US dollars a month' }, 0);
  if (budgetUsd === 0) return base;
  if (alarmEmail === undefined) {
    throw new ConfigError(
      'alarmEmail',
      read('alarmEmail'),
      `${emailAccepted} (required with monthlyBudgetUsd: the budget's alerts go there)`,
    );
  }
  return { ...base, monthlyBudget: { usd: budgetUsd, email: alarmEmail } };
}

/** `sandboxTtlHours`: the sandbox's time to live in hours, 0 for none; refused in production, whose stacks never expire. */
function parseTimeToLive(read: ContextReader, stage: StageName): number {
  if (stage === 'production') {
    if (read('sandboxTtlHours') !== undefined)
      throw new ConfigError('sandboxTtlHours', read('sandboxTtlHours'), 'nothing with stage=production (production stacks never expire)');
    return 0;
  }
  const hours = optionalWholeNumber(
    read,
    'sandboxTtlHours',
    { min: 0, max: MAX_TIME_TO_LIVE_HOURS, meaning: 'hours after each deployment; 0 turns the time to live off' },
    DEFAULT_SANDBOX_TTL_HOURS,
  );
  if (hours !== 0 && hours < MIN_TIME_TO_LIVE_HOURS)
    throw new ConfigError(
      'sandboxTtlHours',
      read('sandboxTtlHours'),
      `0 (off) or a whole number from ${MIN_TIME_TO_LIVE_HOURS} to ${MAX_TIME_TO_LIVE_HOURS} (the warning comes an hour before the deadline)`,
    );
  return hours;
}

/** The line `cdk synth` prints about the time to live that applies. */
export function timeToLiveSummary(stage: StageConfig): string {
  if (stage.name === 'production') return 'Time to live: none (production stacks never expire)';
  if (!stage.timeToLiveHours) return 'Sandbox time to live: off (-c sandboxTtlHours=0): the stacks stay until you destroy them';
  return `Sandbox time to live: ${stage.timeToLiveHours} hours after each deployment, warned an hour before (-c sandboxTtlHours=<hours> to change, 0 to turn off)`;
}

const STAGES: Record<StageName, Omit<StageConfig, 'alarmEmail'>> = {
  sandbox: {
    name: 'sandbox',
    statefulRemovalPolicy: RemovalPolicy.DESTROY,
    snapshotRemovalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    deletionProtection: false,
    // PITR costs cents for a sandbox-sized table and removes a difference
    // between the stages that would otherwise hide restore problems.
    pointInTimeRecovery: true,
    logRetention: RetentionDays.ONE_WEEK,
    terminationProtection: false,
    webApplicationFirewall: false,
    apiExecutionLogLevel: 'INFO',
    anyCorsOriginAllowed: true,
    dashboards: false,
    nist80053Checks: false,
    controlTowerChecks: false,
    logEncryptionKey: false,
    loadBalancerAccessLogs: false,
    reservedConcurrency: false,
    abuseAlarms: false,
  },
  production: {
    name: 'production',
    statefulRemovalPolicy: RemovalPolicy.RETAIN,
    snapshotRemovalPolicy: RemovalPolicy.SNAPSHOT,
    autoDeleteObjects: false,
    deletionProtection: true,
    pointInTimeRecovery: true,
    logRetention: RetentionDays.ONE_YEAR,
    terminationProtection: true,
    webApplicationFirewall: true,
    apiExecutionLogLevel: 'ERROR',
    anyCorsOriginAllowed: false,
    dashboards: true,
    nist80053Checks: true,
    controlTowerChecks: true,
    logEncryptionKey: true,
    // Daily for 35 days (as far back as point-in-time recovery reaches, but
    // kept outside the table or instance), monthly for a year.
    backup: { startHourUtc: 5, dailyRetentionDays: 35, monthlyRetentionDays: 365 },
    // A month to notice an overwrite or deletion and restore the old version.
    noncurrentVersionExpiration: Duration.days(30),
    loadBalancerAccessLogs: true,
    reservedConcurrency: true,
    abuseAlarms: true,
  },
};
