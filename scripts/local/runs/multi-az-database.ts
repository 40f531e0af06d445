import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Client } from 'pg';
import { createSchemaMigrationsHandler } from '../../../lambda/multi-az-database/schema-migrations-handler';
import type { LocalPostgres } from '../../../test/setup/backends/postgres';
import { startBackends } from '../backends';
import { LocalResources } from '../intrinsics';
import { localOutputs } from '../state';
import { resourcesOfType, synthesizeSandbox } from '../synthesized-template';
import type { LocalRun, LocalRunOptions } from './run';

const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', 'lambda', 'multi-az-database', 'migrations');

/**
 * The customer database: a real PostgreSQL server of the RDS engine's major
 * version, serving TLS with a certificate from a throwaway CA, the
 * database the template names, and the schema migrations applied by the same
 * migrator the deployment's custom resource runs. Multi-AZ, the managed
 * secret and its rotation have no local form.
 */
export async function runMultiAzDatabase(_options: LocalRunOptions, log: (line: string) => void = () => undefined): Promise<LocalRun> {
  const template = synthesizeSandbox('multi-az-database');
  const [instanceId, instance] = resourcesOfType(template, 'AWS::RDS::DBInstance')[0]!;
  const database = String(instance.Properties.DBName);
  const { postgres } = await startBackends(['postgres']);
  try {
    const server = JSON.parse(postgres.env.LOCAL_POSTGRES!) as LocalPostgres;
    const admin = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();

    const migrate = createSchemaMigrationsHandler({
      log: {
        info: (message, extra) => log(`[migrations] ${message} ${JSON.stringify(extra ?? {})}`),
        warn: (message) => log(`[migrations] ${message}`),
      },
      endpoint: { host: server.host, port: server.port, database, caBundleFile: server.caFile },
      credentials: async () => ({ username: server.user, password: server.password }),
      migrationsDir: MIGRATIONS_DIR,
    });
    const result = await migrate({ RequestType: 'Create', LogicalResourceId: 'SchemaMigrations' } as CloudFormationCustomResourceEvent);

    const resources = new LocalResources(template.stackName);
    resources.set(instanceId, { Ref: 'local-customers', 'Endpoint.Address': server.host, 'Endpoint.Port': String(server.port) });
    const connectionString =
      `postgresql://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${database}` +
      `?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}`;
    return {
      state: {
        stackName: template.stackName,
        outputs: localOutputs(template.Outputs, (v) => resources.resolve(v)),
        endpoints: {},
        local: {
          connectionString,
          host: server.host,
          port: String(server.port),
          database,
          user: server.user,
          password: server.password,
          caFile: server.caFile,
        },
      },
      instructions: [
        `PostgreSQL ${database} on ${server.host}:${server.port}, TLS with a certificate from a throwaway CA (RDS also refuses plaintext through its parameter group; this local server does not), migrations applied: latest version ${result.Data?.LatestVersion}.`,
        'Connect (verifying the server certificate, as the migration function does on RDS):',
        `  psql '${connectionString}'`,
        `  then: SELECT version, name FROM schema_migrations ORDER BY version;`,
        'Check it at once: npm run smoke -- multi-az-database --local',
      ],
      stop: () => postgres.stop(),
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
