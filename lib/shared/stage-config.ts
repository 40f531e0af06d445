import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The stages a stack can be synthesized for. */
export const STAGE_NAMES = ['sandbox', 'production'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * Everything that differs between a throwaway sandbox and production, decided
 * once here and passed to every stack as props. Constructs never branch on the
 * stage name; they read these settings.
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
  /** Where alarms send notifications; none means alarms only change state on the dashboard. */
  readonly alarmEmail?: string;
  /** A web application firewall in front of public endpoints (costs a fixed monthly fee). */
  readonly webApplicationFirewall: boolean;
  /** Default alarm evaluation period. */
  readonly alarmPeriod: Duration;
}

/** Context keys read by `bin/app.ts`. */
export interface RawAppContext {
  readonly stage?: unknown;
  readonly alarmEmail?: unknown;
  readonly corsOrigins?: unknown;
}

/** The validated application configuration. */
export interface AppConfig {
  readonly stage: StageConfig;
  /** Browser origins allowed to call the APIs (CORS). Empty disables CORS. */
  readonly corsOrigins: readonly string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/** An invalid context value: the message names the key, the value and what is accepted. */
export class ConfigError extends Error {
  constructor(key: string, value: unknown, accepted: string) {
    super(`Invalid context value ${key}=${JSON.stringify(value)}: expected ${accepted}`);
    this.name = 'ConfigError';
  }
}

function optionalString(key: string, value: unknown, accepted: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(key, value, accepted);
  return value.trim();
}

/**
 * Turns raw context (strings from `-c key=value` or values from cdk.json) into
 * the typed configuration, rejecting anything it does not understand.
 */
export function parseAppConfig(raw: RawAppContext): AppConfig {
  const stageAccepted = `one of ${STAGE_NAMES.join(', ')}`;
  const stageName = optionalString('stage', raw.stage, stageAccepted) ?? 'sandbox';
  if (!(STAGE_NAMES as readonly string[]).includes(stageName)) {
    throw new ConfigError('stage', raw.stage, stageAccepted);
  }

  const emailAccepted = 'an email address such as ops@example.com';
  const alarmEmail = optionalString('alarmEmail', raw.alarmEmail, emailAccepted);
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new ConfigError('alarmEmail', raw.alarmEmail, emailAccepted);
  }
  if (stageName === 'production' && alarmEmail === undefined) {
    throw new ConfigError('alarmEmail', raw.alarmEmail, `${emailAccepted} (required when stage=production)`);
  }

  const originsAccepted =
    stageName === 'production'
      ? 'a comma-separated list of origins such as https://menu.example.com (* is not allowed in production)'
      : 'a comma-separated list of origins such as https://menu.example.com, or *';
  const originsText = optionalString('corsOrigins', raw.corsOrigins, originsAccepted);
  const corsOrigins =
    originsText === undefined
      ? stageName === 'production'
        ? []
        : ['*']
      : originsText.split(',').map((origin) => origin.trim().replace(/\/$/, ''));
  for (const origin of corsOrigins) {
    const wildcardAllowed = stageName !== 'production' && origin === '*' && corsOrigins.length === 1;
    if (!wildcardAllowed && !ORIGIN.test(origin)) {
      throw new ConfigError('corsOrigins', raw.corsOrigins, originsAccepted);
    }
  }

  return { stage: stageDefaults(stageName as StageName, alarmEmail), corsOrigins };
}

function stageDefaults(name: StageName, alarmEmail: string | undefined): StageConfig {
  const common = { name, alarmEmail, alarmPeriod: Duration.minutes(5) };
  if (name === 'production') {
    return {
      ...common,
      statefulRemovalPolicy: RemovalPolicy.RETAIN,
      snapshotRemovalPolicy: RemovalPolicy.SNAPSHOT,
      autoDeleteObjects: false,
      deletionProtection: true,
      pointInTimeRecovery: true,
      logRetention: RetentionDays.ONE_YEAR,
      terminationProtection: true,
      webApplicationFirewall: true,
    };
  }
  return {
    ...common,
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
  };
}
