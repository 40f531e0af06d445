import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Client } from 'pg';
import { clientConfig, type DatabaseCredentials, type DatabaseEndpoint } from './database-connection';
import { loadMigrations } from './migration-files';
import { applyMigrations, type MigrationLog } from './migrator';

export interface SchemaMigrationsDependencies {
  readonly log: MigrationLog;
  readonly endpoint: DatabaseEndpoint;
  /** Read on every run, so a rotated password is picked up. */
  readonly credentials: () => Promise<DatabaseCredentials>;
  /** Directory of the `NNNN_name.sql` files bundled with the function. */
  readonly migrationsDir: string;
}

/** What the CDK Provider framework expects back from an onEvent handler. */
export interface ProviderResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/**
 * The onEvent handler of the schema-migrations custom resource. Create and
 * Update apply pending migrations; any error propagates, so the Provider
 * framework reports FAILED with the message (the failing migration and the
 * SQL error) and CloudFormation rolls the deployment back. Delete changes
 * nothing: the data belongs to the database, which has its own removal policy.
 */
export function createSchemaMigrationsHandler(deps: SchemaMigrationsDependencies) {
  return async (event: CloudFormationCustomResourceEvent): Promise<ProviderResponse> => {
    const physicalResourceId = event.RequestType === 'Create' ? `schema-migrations:${deps.endpoint.database}` : event.PhysicalResourceId;
    if (event.RequestType === 'Delete') {
      deps.log.info('Stack deletion: the schema is left to the database');
      return { PhysicalResourceId: physicalResourceId };
    }

    const migrations = loadMigrations(deps.migrationsDir);
    const client = new Client(clientConfig(deps.endpoint, await deps.credentials(), 'schema-migrations'));
    await client.connect();
    try {
      const report = await applyMigrations(client, migrations, deps.log);
      deps.log.info('Schema is up to date', { ...report });
      return {
        PhysicalResourceId: physicalResourceId,
        Data: {
          LatestVersion: String(report.latestVersion),
          AppliedCount: String(report.applied.length),
        },
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
