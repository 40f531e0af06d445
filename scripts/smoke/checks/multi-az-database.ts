import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { Client } from 'pg';
import { loadMigrations } from '../../../lambda/multi-az-database/migration-files';
import { MIGRATIONS_TABLE } from '../../../lambda/multi-az-database/migrator';
import { type Check, expectThat } from '../run-checks';
import type { Smoke } from '../smokes';
import { output, type SmokeTarget } from '../target';

interface Context {
  readonly target: SmokeTarget;
}

const MIGRATION_FILES = loadMigrations(path.resolve(__dirname, '..', '..', '..', 'lambda', 'multi-az-database', 'migrations')).map(
  (m) => m.name,
);

const sameList = (found: readonly string[]) => JSON.stringify([...found].sort()) === JSON.stringify([...MIGRATION_FILES].sort());

/** A connection to the local server that verifies its certificate against the run's CA, as the migration function does on RDS. */
async function connectLocal(target: SmokeTarget): Promise<Client> {
  const { host, port, database, user, password, caFile } = target.local as Record<string, string>;
  const client = new Client({
    host,
    port: Number(port),
    database,
    user,
    password,
    ssl: { ca: readFileSync(caFile!, 'utf8'), rejectUnauthorized: true },
  });
  await client.connect();
  return client;
}

const localChecks: Check<Context>[] = [
  {
    name: 'the server accepts a TLS connection whose certificate chains to the CA',
    async run({ target }) {
      const client = await connectLocal(target);
      try {
        const { rows } = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        expectThat(rows[0]?.ssl === true, 'the connection is not encrypted');
      } finally {
        await client.end();
      }
    },
  },
  {
    name: `the ${MIGRATIONS_TABLE} table lists every migration file`,
    async run({ target }) {
      const client = await connectLocal(target);
      try {
        const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY version`);
        expectThat(sameList(rows.map((r) => r.name)), `table: ${rows.map((r) => r.name).join(', ')}; files: ${MIGRATION_FILES.join(', ')}`);
      } finally {
        await client.end();
      }
    },
  },
];

const deployedChecks: Check<Context>[] = [
  {
    name: 'the instance is available and Multi-AZ',
    readOnly: true,
    async run({ target }) {
      const rds = new RDSClient({ region: target.region, credentials: target.credentials });
      try {
        const { DBInstances = [] } = await rds.send(
          new DescribeDBInstancesCommand({ DBInstanceIdentifier: output(target, 'DatabaseInstanceIdentifier') }),
        );
        const instance = DBInstances[0];
        expectThat(instance?.DBInstanceStatus === 'available', `status ${instance?.DBInstanceStatus}`);
        expectThat(instance.MultiAZ === true, 'the instance is not Multi-AZ');
      } finally {
        rds.destroy();
      }
    },
  },
  {
    // The database is in isolated subnets: what the migrator last reported is read from its log.
    name: "the last deployment left every migration file applied (the migration function's report)",
    readOnly: true,
    async run({ target }) {
      const logs = new CloudWatchLogsClient({ region: target.region, credentials: target.credentials });
      try {
        const { events = [] } = await logs.send(
          new FilterLogEventsCommand({ logGroupName: output(target, 'MigrationsLogGroup'), filterPattern: '"Schema is up to date"' }),
        );
        const last = events.at(-1);
        expectThat(last !== undefined, 'the migration function has not reported a run');
        const report = JSON.parse(last.message!) as { applied?: string[]; alreadyApplied?: string[] };
        const names = [...(report.applied ?? []), ...(report.alreadyApplied ?? [])];
        expectThat(sameList(names), `reported: ${names.join(', ')}; files: ${MIGRATION_FILES.join(', ')}`);
      } finally {
        logs.destroy();
      }
    },
  },
];

export const smoke: Smoke = {
  checks: (target: SmokeTarget) => (target.mode === 'local' ? localChecks : deployedChecks),
  context: (target: SmokeTarget): Context => ({ target }),
  async cleanUp(): Promise<void> {},
};
