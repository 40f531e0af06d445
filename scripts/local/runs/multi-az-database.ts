import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Client } from 'pg';
import { createSchemaMigrationsHandler } from '../../../lambda/multi-az-database/schema-migrations-handler';
import { startAll } from '../../../stand-ins/backends/backend';
import { postgres } from '../../../stand-ins/backends/postgres';
import { synthesizeArchitecture } from '../../template/synth';
import { resourcesOfType } from '../../template/template';
import { LocalResources } from '../intrinsics';
import { localOutputs } from '../state';
import type { LocalRun, LocalRunOptions } from './run';

const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', 'lambda', 'multi-az-database', 'migrations');

/**
 * The customer database: a real PostgreSQL server of the RDS engine's major
 * version, serving TLS with a certificate from a throwaway CA, the
 * database the template names, and the schema migrations applied by the same
 * migrator the deployment's custom resource runs. Multi-AZ, the managed
 * secret and its rotation have no local form.
 */
export async function localRun(_options: LocalRunOptions, log: (line: string) => void = () => undefined): Promise<LocalRun> {
  const { stack: stackName, template } = synthesizeArchitecture('multi-az-database');
  const [instanceId, instance] = resourcesOfType(template, 'AWS::RDS::DBInstance')[0]!;
  const database = String(instance.Properties.DBName);
  const [server] = await startAll([postgres]);
  const { connection } = server!;
  try {
    const admin = new Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: connection.password,
      database: 'postgres',
    });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();

    const migrate = createSchemaMigrationsHandler({
      log: {
        info: (message, extra) => log(`[migrations] ${message} ${JSON.stringify(extra ?? {})}`),
        warn: (message) => log(`[migrations] ${message}`),
      },
      endpoint: { host: connection.host, port: connection.port, database, caBundleFile: connection.caFile },
      credentials: async () => ({ username: connection.user, password: connection.password }),
      migrationsDir: MIGRATIONS_DIR,
    });
    const result = await migrate({ RequestType: 'Create', LogicalResourceId: 'SchemaMigrations' } as CloudFormationCustomResourceEvent);

    const resources = new LocalResources(stackName);
    resources.set(instanceId, { Ref: 'local-customers', 'Endpoint.Address': connection.host, 'Endpoint.Port': String(connection.port) });
    const connectionString =
      `postgresql://${connection.user}:${encodeURIComponent(connection.password)}@${connection.host}:${connection.port}/${database}` +
      `?sslmode=verify-full&sslrootcert=${encodeURIComponent(connection.caFile)}`;
    return {
      state: {
        stackName,
        outputs: localOutputs(template.Outputs, (v) => resources.resolve(v)),
        endpoints: {},
        local: {
          connectionString,
          host: connection.host,
          port: String(connection.port),
          database,
          user: connection.user,
          password: connection.password,
          caFile: connection.caFile,
        },
      },
      instructions: [
        `PostgreSQL ${database} on ${connection.host}:${connection.port}, TLS with a certificate from a throwaway CA (RDS also refuses plaintext through its parameter group; this local server does not), migrations applied: latest version ${result.Data?.LatestVersion}.`,
        'Connect (verifying the server certificate, as the migration function does on RDS):',
        `  psql '${connectionString}'`,
        `  then: SELECT version, name FROM schema_migrations ORDER BY version;`,
        'Check it at once: npm run smoke -- multi-az-database --local',
      ],
      stop: () => server!.stop(),
    };
  } catch (error) {
    await server!.stop();
    throw error;
  }
}
