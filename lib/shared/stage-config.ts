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
  readonly natGateways?: unknown;
  readonly amiId?: unknown;
  readonly amiParameter?: unknown;
  readonly sshKeyName?: unknown;
  readonly sshCidr?: unknown;
  readonly databaseReadReplica?: unknown;
  readonly databaseNetwork?: unknown;
}

/** Which machine image the container instances boot. */
export type ContainerHostImage =
  | { readonly kind: 'ecs-optimized' }
  | { readonly kind: 'ami-id'; readonly amiId: string }
  | { readonly kind: 'ssm-parameter'; readonly parameterName: string };

/** Settings of the containers-on-EC2 architecture. */
export interface ContainersConfig {
  /** NAT gateways of the VPC: one per AZ in production, one in a sandbox, unless set by context. */
  readonly natGateways: number;
  readonly hostImage: ContainerHostImage;
  /** SSH to the instances, only when a key pair and a source CIDR are both named. */
  readonly ssh?: { readonly keyName: string; readonly sourceCidr: string };
}

/** Where the database lives: its own VPC, or the containers architecture's VPC so the sample service can reach it. */
export const DATABASE_NETWORKS = ['own', 'containers'] as const;
export type DatabaseNetwork = (typeof DATABASE_NETWORKS)[number];

/** Settings of the relational-database architecture. */
export interface DatabaseConfig {
  /** Instance class without the `db.` prefix, e.g. `t4g.micro`. */
  readonly instanceType: string;
  /** Memory of that class, for the freeable-memory and connection alarms. */
  readonly instanceMemoryMiB: number;
  readonly allocatedStorageGiB: number;
  /** Ceiling of storage auto scaling. */
  readonly maxAllocatedStorageGiB: number;
  /** Days of automated backups (point-in-time restore window). */
  readonly backupRetentionDays: number;
  /** Enhanced monitoring interval. */
  readonly monitoringIntervalSeconds: number;
  /** A read replica for read-heavy work (`-c databaseReadReplica=true`). */
  readonly readReplica: boolean;
  /** `-c databaseNetwork=containers` puts the database in the containers VPC. */
  readonly network: DatabaseNetwork;
}

/** Settings of the clickstream architecture, by stage. */
export interface ClickstreamConfig {
  /**
   * Kinesis capacity: one provisioned shard is the cheapest at rest (about
   * $11 a month against about $29 for an on-demand stream); on demand
   * follows the traffic without shard management.
   */
  readonly streamCapacity: { readonly mode: 'provisioned'; readonly shards: number } | { readonly mode: 'on-demand' };
  readonly streamRetentionHours: number;
  /** Firehose buffering: format conversion needs at least 64 MiB; the interval decides how soon data is queryable. */
  readonly bufferIntervalSeconds: number;
  readonly bufferSizeMiB: number;
  /** Athena's per-query scan cutoff, in bytes (a query that would scan more is cancelled). */
  readonly bytesScannedCutoffPerQuery: number;
}

/** The validated application configuration. */
export interface AppConfig {
  readonly stage: StageConfig;
  /** Browser origins allowed to call the APIs (CORS). Empty disables CORS. */
  readonly corsOrigins: readonly string[];
  readonly containers: ContainersConfig;
  readonly database: DatabaseConfig;
  readonly clickstream: ClickstreamConfig;
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

  return {
    stage: stageDefaults(stageName as StageName, alarmEmail),
    corsOrigins,
    containers: parseContainersConfig(raw, stageName as StageName),
    database: parseDatabaseConfig(raw, stageName as StageName),
    clickstream: clickstreamDefaults(stageName as StageName),
  };
}

/** Availability Zones every VPC spans. */
export const AVAILABILITY_ZONES = 2;

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_PARAMETER = /^\/[A-Za-z0-9_.\-/]{1,2047}$/;
const KEY_NAME = /^[\x20-\x7e]{1,255}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function parseContainersConfig(raw: RawAppContext, stage: StageName): ContainersConfig {
  const natAccepted = `a whole number from 0 to ${AVAILABILITY_ZONES} (NAT gateways, at most one per AZ)`;
  let natGateways = stage === 'production' ? AVAILABILITY_ZONES : 1;
  if (raw.natGateways !== undefined && raw.natGateways !== '') {
    const text = String(raw.natGateways).trim();
    const count = Number(text);
    if (!/^\d+$/.test(text) || count > AVAILABILITY_ZONES) throw new ConfigError('natGateways', raw.natGateways, natAccepted);
    natGateways = count;
  }

  const amiId = optionalString('amiId', raw.amiId, 'an AMI id such as ami-0123456789abcdef0');
  const amiParameter = optionalString('amiParameter', raw.amiParameter, 'an SSM parameter name such as /my/ecs/ami');
  if (amiId !== undefined && amiParameter !== undefined) {
    throw new ConfigError('amiParameter', raw.amiParameter, 'either amiId or amiParameter, not both');
  }
  if (amiId !== undefined && !AMI_ID.test(amiId)) {
    throw new ConfigError('amiId', raw.amiId, 'an AMI id: ami- followed by 8 or 17 lowercase hex digits');
  }
  if (amiParameter !== undefined && !SSM_PARAMETER.test(amiParameter)) {
    throw new ConfigError('amiParameter', raw.amiParameter, 'an SSM parameter name starting with / (letters, digits, _ . - /)');
  }
  const hostImage: ContainerHostImage =
    amiId !== undefined
      ? { kind: 'ami-id', amiId }
      : amiParameter !== undefined
        ? { kind: 'ssm-parameter', parameterName: amiParameter }
        : { kind: 'ecs-optimized' };

  const keyName = optionalString('sshKeyName', raw.sshKeyName, 'the name of an EC2 key pair');
  const sourceCidr = optionalString('sshCidr', raw.sshCidr, 'an IPv4 CIDR such as 203.0.113.10/32');
  if ((keyName === undefined) !== (sourceCidr === undefined)) {
    const [key, value] = keyName === undefined ? ['sshKeyName', raw.sshKeyName] : ['sshCidr', raw.sshCidr];
    throw new ConfigError(key, value, 'set together with ' + (keyName === undefined ? 'sshCidr' : 'sshKeyName') + ': SSH needs both a key pair and a source CIDR');
  }
  if (keyName !== undefined && !KEY_NAME.test(keyName)) {
    throw new ConfigError('sshKeyName', raw.sshKeyName, 'an EC2 key pair name of 1 to 255 printable ASCII characters');
  }
  if (sourceCidr !== undefined && !isNarrowIpv4Cidr(sourceCidr)) {
    throw new ConfigError('sshCidr', raw.sshCidr, 'an IPv4 CIDR with a prefix of /8 or longer, such as 203.0.113.10/32 (never 0.0.0.0/0)');
  }
  return { natGateways, hostImage, ...(keyName && sourceCidr ? { ssh: { keyName, sourceCidr } } : {}) };
}

const GIB = 1024 ** 3;

function clickstreamDefaults(stage: StageName): ClickstreamConfig {
  if (stage === 'production') {
    return {
      streamCapacity: { mode: 'on-demand' },
      streamRetentionHours: 168,
      bufferIntervalSeconds: 300,
      bufferSizeMiB: 128,
      bytesScannedCutoffPerQuery: 100 * GIB,
    };
  }
  return {
    streamCapacity: { mode: 'provisioned', shards: 1 },
    streamRetentionHours: 24,
    // Data is queryable a minute after the buffer opens: quick to try.
    bufferIntervalSeconds: 60,
    bufferSizeMiB: 64,
    bytesScannedCutoffPerQuery: 1 * GIB,
  };
}

function parseDatabaseConfig(raw: RawAppContext, stage: StageName): DatabaseConfig {
  const replicaText = raw.databaseReadReplica === undefined || raw.databaseReadReplica === '' ? 'false' : String(raw.databaseReadReplica).trim();
  if (replicaText !== 'true' && replicaText !== 'false') {
    throw new ConfigError('databaseReadReplica', raw.databaseReadReplica, 'true or false');
  }
  const networkAccepted = `one of ${DATABASE_NETWORKS.join(', ')}`;
  const network = optionalString('databaseNetwork', raw.databaseNetwork, networkAccepted) ?? 'own';
  if (!(DATABASE_NETWORKS as readonly string[]).includes(network)) {
    throw new ConfigError('databaseNetwork', raw.databaseNetwork, networkAccepted);
  }
  const common = { readReplica: replicaText === 'true', network: network as DatabaseNetwork };
  if (stage === 'production') {
    return {
      ...common,
      instanceType: 'm7g.large',
      instanceMemoryMiB: 8192,
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 1000,
      backupRetentionDays: 14,
      monitoringIntervalSeconds: 15,
    };
  }
  return {
    ...common,
    // The smallest Graviton burstable class: the cheapest that runs PostgreSQL Multi-AZ.
    instanceType: 't4g.micro',
    instanceMemoryMiB: 1024,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    // One day, not zero: zero disables automated backups, which a read replica needs.
    backupRetentionDays: 1,
    monitoringIntervalSeconds: 60,
  };
}

/** A well-formed IPv4 CIDR that is not the whole internet (prefix /8 to /32). */
function isNarrowIpv4Cidr(cidr: string): boolean {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  return octets.every((o) => o <= 255) && prefix >= 8 && prefix <= 32;
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
