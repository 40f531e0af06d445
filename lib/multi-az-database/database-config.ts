import { AVAILABILITY_ZONES } from '../shared/availability-zones';
import { type ContextKey, type ContextReader, optionalBoolean, optionalChoice } from '../shared/context';
import type { StageConfig, StageName } from '../shared/stage-config';

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
  /** Whether automated backups go with the instance (a sandbox) or stay for their retention (production). */
  readonly deleteAutomatedBackups: boolean;
  /** Enhanced monitoring interval. */
  readonly monitoringIntervalSeconds: number;
  /**
   * AZs the Secrets Manager endpoint has a network interface in ($7.30 a
   * month each). Clients in the other AZ reach it across AZs; with one, an
   * outage of that AZ stops secret reads (deployments' migrations) until it
   * recovers, which a sandbox can accept.
   */
  readonly secretsEndpointAzs: number;
  /** A read replica for read-heavy work (`-c databaseReadReplica=true`). */
  readonly readReplica: boolean;
  /** `"databaseNetwork": "containers"` (in cdk.json) puts the database in the containers VPC. */
  readonly network: DatabaseNetwork;
  /**
   * `"databaseExplicitPort": true` (in cdk.json) states `Port: 5432` on the
   * instance, as the templates of main between the production hardening
   * (87fc62f) and 0.2.0 did. `Port` is create-only: a database created with
   * it keeps it, one created without it (0.1.0, 0.2.0 and later) never gets it.
   */
  readonly explicitPort: boolean;
}

/** The context keys this architecture reads. */
export const DATABASE_CONTEXT_KEYS: readonly ContextKey[] = [
  { name: 'databaseReadReplica', description: 'true adds a read replica (default false)' },
  {
    name: 'databaseNetwork',
    description:
      "own (default: a VPC of its own) or containers (the containers-on-ec2 VPC, whose sample service may connect); set in cdk.json's context, not with -c",
    persistent: true,
    requires: 'containers-on-ec2',
  },
  {
    name: 'databaseExplicitPort',
    description:
      "true states Port 5432 on the database instance, for a database first deployed from main between 87fc62f and 0.2.0 (changing it replaces the database; see CHANGELOG.md 0.2.0); set in cdk.json's context, not with -c",
    persistent: true,
  },
];

const STAGE_DEFAULTS: Record<StageName, Omit<DatabaseConfig, 'readReplica' | 'network' | 'explicitPort'>> = {
  sandbox: {
    // The smallest Graviton burstable class: the cheapest that runs PostgreSQL Multi-AZ.
    instanceType: 't4g.micro',
    instanceMemoryMiB: 1024,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    // One day, not zero: zero disables automated backups, which a read replica needs.
    backupRetentionDays: 1,
    deleteAutomatedBackups: true,
    monitoringIntervalSeconds: 60,
    secretsEndpointAzs: 1,
  },
  production: {
    instanceType: 'm7g.large',
    instanceMemoryMiB: 8192,
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 1000,
    backupRetentionDays: 14,
    deleteAutomatedBackups: false,
    monitoringIntervalSeconds: 15,
    secretsEndpointAzs: AVAILABILITY_ZONES,
  },
};

/** Reads this architecture's context keys into its settings for `stage`. */
export function parseDatabaseConfig(read: ContextReader, stage: StageConfig): DatabaseConfig {
  return {
    ...STAGE_DEFAULTS[stage.name],
    readReplica: optionalBoolean(read, 'databaseReadReplica', false),
    network: optionalChoice(read, 'databaseNetwork', DATABASE_NETWORKS, 'own'),
    explicitPort: optionalBoolean(read, 'databaseExplicitPort', false),
  };
}
