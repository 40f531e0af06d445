import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
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
}

/** The stage's own context keys. */
export const STAGE_CONTEXT_KEYS: readonly ContextKey[] = [
  { name: 'stage', description: 'sandbox (default) or production' },
  { name: 'alarmEmail', description: 'Address that alarm notifications are emailed to (required in production)' },
  {
    name: 'monthlyBudgetUsd',
    description: "A monthly cost budget in USD for each architecture's stack, alerting alarmEmail on forecast and actual spend",
  },
];

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
  // 0 stands for absent: the smallest budget accepted is $1.
  const budgetUsd = optionalWholeNumber(read, 'monthlyBudgetUsd', { min: 1, max: 100_000, meaning: 'US dollars a month' }, 0);
  if (budgetUsd === 0) return { ...STAGES[name], alarmEmail };
  if (alarmEmail === undefined) {
    throw new ConfigError(
      'alarmEmail',
      read('alarmEmail'),
      `${emailAccepted} (required with monthlyBudgetUsd: the budget's alerts go there)`,
    );
  }
  return { ...STAGES[name], alarmEmail, monthlyBudget: { usd: budgetUsd, email: alarmEmail } };
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
  },
};
