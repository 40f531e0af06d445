import type { ClientBase } from 'pg';
import type { Migration } from './migration-files';

/** The table that records which migrations ran, when, and with which SQL. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * Key of the PostgreSQL advisory lock that serialises migration runs on one
 * database. Any constant works, as long as every runner uses the same one.
 */
export const MIGRATION_LOCK_KEY = 4_210_773_091;

/** Where the migrator reports progress (Powertools Logger fits). */
export interface MigrationLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface MigrationReport {
  /** Migrations this run applied, in order. */
  readonly applied: readonly string[];
  /** Migrations an earlier run had applied already. */
  readonly alreadyApplied: readonly string[];
  /** Highest version now recorded; 0 when there are no migrations. */
  readonly latestVersion: number;
}

/** A migration's SQL failed; its transaction was rolled back, so the schema is as before it. */
export class MigrationFailedError extends Error {
  constructor(
    readonly migration: string,
    readonly sqlState: string | undefined,
    databaseMessage: string,
  ) {
    super(
      `Migration ${migration} failed and was rolled back: ${databaseMessage}` +
        (sqlState ? ` (SQLSTATE ${sqlState})` : '') +
        '. The migrations before it stay applied; nothing of this one was kept.',
    );
    this.name = 'MigrationFailedError';
  }
}

/** A migration that already ran has different SQL now: editing history is refused, not skipped. */
export class MigrationChangedError extends Error {
  constructor(readonly migration: string) {
    super(
      `Migration ${migration} was changed after it was applied (checksum differs). ` +
        'Restore its original SQL and add the change as a new migration.',
    );
    this.name = 'MigrationChangedError';
  }
}

interface RecordedMigration {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Applies the migrations that have not run yet, in version order, each in
 * its own transaction together with the row that records it, so a migration
 * is either applied and recorded or neither. A session-level advisory lock
 * makes concurrent runs (two deployments, a retried custom resource) take
 * turns: the second waits, then finds the work done.
 *
 * Migrations must be transactional SQL: statements that refuse to run in a
 * transaction (CREATE INDEX CONCURRENTLY, VACUUM) belong in a separate
 * operational step.
 */
export async function applyMigrations(
  client: ClientBase,
  migrations: readonly Migration[],
  log: MigrationLog,
  options: { lockTimeoutMs?: number } = {},
): Promise<MigrationReport> {
  // A run stuck behind another for longer than this fails instead of hanging the deployment.
  await client.query("SELECT set_config('lock_timeout', $1, false)", [`${options.lockTimeoutMs ?? 60_000}ms`]);
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version      bigint      PRIMARY KEY,
        name         text        NOT NULL,
        checksum     text        NOT NULL,
        applied_at   timestamptz NOT NULL DEFAULT now(),
        execution_ms integer     NOT NULL
      )`);
    const { rows } = await client.query<RecordedMigration>(
      `SELECT version::integer AS version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`,
    );
    const recorded = new Map(rows.map((row) => [row.version, row]));
    const known = new Set(migrations.map((m) => m.version));
    for (const row of rows.filter((r) => !known.has(r.version))) {
      // Not an error: a rollback of the stack redeploys an older set of files.
      log.warn('Database has a migration that is not in this deployment', { migration: row.name });
    }

    const applied: string[] = [];
    const alreadyApplied: string[] = [];
    for (const migration of migrations) {
      const prior = recorded.get(migration.version);
      if (prior) {
        if (prior.checksum !== migration.checksum) throw new MigrationChangedError(migration.name);
        alreadyApplied.push(migration.name);
        continue;
      }
      const started = Date.now();
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)`, [
          migration.version,
          migration.name,
          migration.checksum,
          Date.now() - started,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const { message, code } = error as { message: string; code?: string };
        throw new MigrationFailedError(migration.name, code, message);
      }
      applied.push(migration.name);
      log.info('Migration applied', { migration: migration.name, durationMs: Date.now() - started });
    }

    const latestVersion = Math.max(0, ...migrations.map((m) => m.version), ...rows.map((r) => r.version));
    return { applied, alreadyApplied, latestVersion };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}
