/** The schema-migrations custom resource handler against a real PostgreSQL server (TLS verified). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Client } from 'pg';
import { parseCredentials } from '../../lambda/multi-az-database/database-connection';
import { loadMigrations, MigrationFilesError, migrationsFingerprint } from '../../lambda/multi-az-database/migration-files';
import { applyMigrations, MIGRATION_LOCK_KEY, MIGRATIONS_TABLE } from '../../lambda/multi-az-database/migrator';
import { createSchemaMigrationsHandler } from '../../lambda/multi-az-database/schema-migrations-handler';
import { createScratchDatabase, type ScratchDatabase } from './postgres-local';

const PROJECT_MIGRATIONS = path.resolve(__dirname, '../../lambda/multi-az-database/migrations');
const silent = { info: () => undefined, warn: () => undefined };

const cfnEvent = (requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent =>
  ({
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/CoffeeShop-Database-sandbox/1',
    RequestId: 'request-1',
    LogicalResourceId: 'SchemaMigrations',
    ResourceType: 'Custom::SchemaMigrations',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider', Fingerprint: 'x' },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'schema-migrations:existing', OldResourceProperties: {} }),
  }) as CloudFormationCustomResourceEvent;

/** A directory of migration files, from name -> SQL. */
function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

const dirs: string[] = [];
const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function scratch(): Promise<ScratchDatabase> {
  const db = await createScratchDatabase();
  databases.push(db);
  return db;
}

function handlerFor(db: ScratchDatabase, dir: string, credentials = jest.fn(async () => db.credentials)) {
  return { credentials, handler: createSchemaMigrationsHandler({ log: silent, endpoint: db.endpoint, credentials, migrationsDir: dir }) };
}

/** Runs `work` with a fresh verified connection to `db`, closed afterwards. */
async function withClient<T>(db: ScratchDatabase, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const recorded = (db: ScratchDatabase): Promise<{ version: number; name: string; applied_at: Date }[]> =>
  withClient(
    db,
    async (c) => (await c.query(`SELECT version::integer AS version, name, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`)).rows,
  );

const tableExists = (db: ScratchDatabase, table: string): Promise<boolean> =>
  withClient(db, async (c) => (await c.query('SELECT to_regclass($1) IS NOT NULL AS present', [table])).rows[0].present);

describe('migration files', () => {
  test('the project migrations load in version order with a checksum each', () => {
    const migrations = loadMigrations(PROJECT_MIGRATIONS);
    expect(migrations.map((m) => m.name)).toEqual(['0001_create_customers', '0002_create_loyalty_ledger', '0003_create_application_role']);
    expect(migrations.every((m) => /^[0-9a-f]{64}$/.test(m.checksum))).toBe(true);
  });

  test('order is by version number, not by file listing', () => {
    const dir = migrationsDir({ '0010_later.sql': 'SELECT 10;', '0002_earlier.sql': 'SELECT 2;', 'README.md': 'not a migration' });
    dirs.push(dir);
    expect(loadMigrations(dir).map((m) => m.version)).toEqual([2, 10]);
  });

  test.each([
    [{ 'create_customers.sql': 'SELECT 1;' }, /create_customers\.sql is not named like 0001_create_customers\.sql/],
    [{ '0001_a.sql': 'SELECT 1;', '01_b.sql': 'SELECT 2;' }, /01_b\.sql is not named like/],
    [{ '0001_a.sql': 'SELECT 1;', '00001_b.sql': 'SELECT 2;' }, /same version 1/],
    [{ '0001_empty.sql': '  \n' }, /Migration 0001_empty is empty/],
  ])('a directory that cannot be applied safely is refused: %j', (files, message) => {
    const dir = migrationsDir(files);
    dirs.push(dir);
    expect(() => loadMigrations(dir)).toThrow(MigrationFilesError);
    expect(() => loadMigrations(dir)).toThrow(message);
  });

  test('the fingerprint changes when any migration changes', () => {
    const before = migrationsFingerprint(loadMigrations(PROJECT_MIGRATIONS));
    const dir = migrationsDir({ '0001_create_customers.sql': 'SELECT 1;' });
    dirs.push(dir);
    expect(migrationsFingerprint(loadMigrations(dir))).not.toBe(before);
  });
});

describe('applying migrations on deployment', () => {
  test('Create applies every migration in order, each recorded, and the schema works', async () => {
    const db = await scratch();
    const { handler } = handlerFor(db, PROJECT_MIGRATIONS);

    const response = await handler(cfnEvent('Create'));

    expect(response).toEqual({
      PhysicalResourceId: `schema-migrations:${db.endpoint.database}`,
      Data: { LatestVersion: '3', AppliedCount: '3' },
    });
    expect((await recorded(db)).map((r) => r.name)).toEqual([
      '0001_create_customers',
      '0002_create_loyalty_ledger',
      '0003_create_application_role',
    ]);
    const client = await db.connect();
    try {
      const { rows } = await client.query(
        "INSERT INTO customers (email, display_name) VALUES ('Ada@Example.com', 'Ada') RETURNING customer_id",
      );
      await expect(client.query("INSERT INTO customers (email, display_name) VALUES ('ada@example.com', 'Ada 2')")).rejects.toThrow(
        /customers_email_key/,
      );
      await client.query("INSERT INTO loyalty_ledger (customer_id, points, reason) VALUES ($1, 10, 'welcome')", [rows[0].customer_id]);
      const grants = await client.query(
        "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = 'coffee_app' ORDER BY 1, 2",
      );
      expect(grants.rows.map((g) => `${g.table_name}:${g.privilege_type}`)).toEqual([
        'customers:DELETE',
        'customers:INSERT',
        'customers:SELECT',
        'customers:UPDATE',
        'loyalty_ledger:DELETE',
        'loyalty_ledger:INSERT',
        'loyalty_ledger:SELECT',
        'loyalty_ledger:UPDATE',
      ]);
    } finally {
      await client.end();
    }
  });

  test('a second run is a no-op: nothing re-applied, records unchanged', async () => {
    const db = await scratch();
    const { handler } = handlerFor(db, PROJECT_MIGRATIONS);
    await handler(cfnEvent('Create'));
    const before = await recorded(db);

    const response = await handler(cfnEvent('Update'));

    expect(response).toEqual({ PhysicalResourceId: 'schema-migrations:existing', Data: { LatestVersion: '3', AppliedCount: '0' } });
    expect(await recorded(db)).toEqual(before);
  });

  test('a new migration in a later deployment applies only that one', async () => {
    const db = await scratch();
    await handlerFor(db, PROJECT_MIGRATIONS).handler(cfnEvent('Create'));
    const dir = migrationsDir({});
    dirs.push(dir);
    for (const m of loadMigrations(PROJECT_MIGRATIONS)) writeFileSync(path.join(dir, `${m.name}.sql`), m.sql);
    writeFileSync(path.join(dir, '0004_add_favourite_drink.sql'), 'ALTER TABLE customers ADD COLUMN favourite_drink text;');

    const response = await handlerFor(db, dir).handler(cfnEvent('Update'));

    expect(response.Data).toEqual({ LatestVersion: '4', AppliedCount: '1' });
    expect((await recorded(db)).map((r) => r.version)).toEqual([1, 2, 3, 4]);
  });

  test('a broken migration fails with the SQL error, rolls back entirely and keeps the earlier ones', async () => {
    const db = await scratch();
    const dir = migrationsDir({
      '0001_create_menu.sql': 'CREATE TABLE menu (id int PRIMARY KEY);',
      // The first statement succeeds before the second fails: both must be undone.
      '0002_broken.sql':
        'CREATE TABLE half_done (id int);\nINSERT INTO menu (id) VALUES (1);\nALTER TABLE menu ADD COLUMN price numeric NOT NUL;',
      '0003_never_reached.sql': 'CREATE TABLE never_reached (id int);',
    });
    dirs.push(dir);
    const { handler } = handlerFor(db, dir);

    await expect(handler(cfnEvent('Create'))).rejects.toThrow(
      /^Migration 0002_broken failed and was rolled back: syntax error at or near "NUL" \(SQLSTATE 42601\)/,
    );

    expect((await recorded(db)).map((r) => r.name)).toEqual(['0001_create_menu']);
    expect(await tableExists(db, 'half_done')).toBe(false);
    expect(await tableExists(db, 'never_reached')).toBe(false);
    expect(await withClient(db, async (c) => (await c.query('SELECT count(*)::int AS n FROM menu')).rows[0].n)).toBe(0);

    // Fixing the file and deploying again applies the rest.
    writeFileSync(path.join(dir, '0002_broken.sql'), 'CREATE TABLE half_done (id int);');
    await expect(handler(cfnEvent('Update'))).resolves.toMatchObject({ Data: { LatestVersion: '3', AppliedCount: '2' } });
  });

  test('a migration edited after it was applied is refused, not skipped', async () => {
    const db = await scratch();
    const dir = migrationsDir({ '0001_create_menu.sql': 'CREATE TABLE menu (id int);' });
    dirs.push(dir);
    await handlerFor(db, dir).handler(cfnEvent('Create'));
    writeFileSync(path.join(dir, '0001_create_menu.sql'), 'CREATE TABLE menu (id bigint);');

    await expect(handlerFor(db, dir).handler(cfnEvent('Update'))).rejects.toThrow(
      /Migration 0001_create_menu was changed after it was applied/,
    );
  });

  test('concurrent runs apply each migration exactly once', async () => {
    const db = await scratch();
    // Not idempotent on purpose: a second application would fail or add a row.
    const dir = migrationsDir({
      '0001_create_counter.sql': 'CREATE TABLE applications (migration text NOT NULL);',
      '0002_slow.sql': "SELECT pg_sleep(0.3);\nINSERT INTO applications VALUES ('0002');",
      '0003_third.sql': "CREATE TABLE third (id int);\nINSERT INTO applications VALUES ('0003');",
    });
    dirs.push(dir);
    const migrations = loadMigrations(dir);
    const clients = await Promise.all(Array.from({ length: 4 }, () => db.connect()));
    try {
      const reports = await Promise.all(clients.map((client) => applyMigrations(client, migrations, silent)));

      expect(reports.flatMap((r) => r.applied).sort()).toEqual(['0001_create_counter', '0002_slow', '0003_third']);
      for (const report of reports) expect([...report.applied, ...report.alreadyApplied].sort()).toHaveLength(3);
      const rows = await clients[0]!.query('SELECT migration FROM applications ORDER BY migration');
      expect(rows.rows.map((r) => r.migration)).toEqual(['0002', '0003']);
      expect((await recorded(db)).map((r) => r.version)).toEqual([1, 2, 3]);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  test('a run that cannot get the lock in time fails instead of hanging the deployment', async () => {
    const db = await scratch();
    const migrations = loadMigrations(PROJECT_MIGRATIONS);
    const holder = await db.connect();
    const waiter = await db.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await expect(applyMigrations(waiter, migrations, silent, { lockTimeoutMs: 200 })).rejects.toThrow(/lock timeout/);
    } finally {
      await holder.end();
      await waiter.end();
    }
  });

  test('Delete leaves the database alone and never reads the secret', async () => {
    const db = await scratch();
    const { handler, credentials } = handlerFor(db, PROJECT_MIGRATIONS);

    await expect(handler(cfnEvent('Delete'))).resolves.toEqual({ PhysicalResourceId: 'schema-migrations:existing' });
    expect(credentials).not.toHaveBeenCalled();
  });
});

describe('connection security', () => {
  test('a server certificate that does not chain to the configured CA bundle is refused', async () => {
    const db = await scratch();
    const otherCa = migrationsDir({});
    dirs.push(otherCa);
    // Node's own public CA list: the local server's test CA is not in it, as an impostor's would not be in RDS's bundle.
    writeFileSync(path.join(otherCa, 'public.pem'), require('node:tls').rootCertificates.join('\n'));
    const handler = createSchemaMigrationsHandler({
      log: silent,
      endpoint: { ...db.endpoint, caBundleFile: path.join(otherCa, 'public.pem') },
      credentials: async () => db.credentials,
      migrationsDir: PROJECT_MIGRATIONS,
    });

    await expect(handler(cfnEvent('Create'))).rejects.toThrow(/self[- ]signed certificate|unable to verify/);
    expect(await tableExists(db, MIGRATIONS_TABLE)).toBe(false);
  });

  test('the managed secret is parsed for username and password only, and a bad one is named without its content', () => {
    expect(parseCredentials(JSON.stringify({ username: 'postgres', password: 's3cr3t!', engine: 'postgres' }))).toEqual({
      username: 'postgres',
      password: 's3cr3t!',
    });
    expect(() => parseCredentials('not json s3cr3t')).toThrow(/not a JSON object with username and password \(not JSON\)/);
    expect(() => parseCredentials(JSON.stringify({ username: 'postgres' }))).toThrow(/password: /);
    const missingUser = () => parseCredentials('{"password": "hunter2"}');
    expect(missingUser).toThrow(/username: /);
    expect(missingUser).not.toThrow(/hunter2/);
  });
});
