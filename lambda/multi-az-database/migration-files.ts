import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One versioned SQL migration, read from `NNNN_name.sql`. */
export interface Migration {
  /** The number the file name starts with; migrations run in its order. */
  readonly version: number;
  /** The file name without `.sql`, e.g. `0001_create_customers`. */
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of the SQL: a migration edited after it ran is detected, not silently skipped. */
  readonly checksum: string;
}

/** Migration file names: four or more digits, an underscore, lowercase words. */
export const MIGRATION_FILE = /^(\d{4,})_([a-z0-9_]+)\.sql$/;

/** A migrations directory that cannot be applied safely as it is. */
export class MigrationFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationFilesError';
  }
}

/**
 * Reads every `.sql` file of `dir` as a migration, in version order. Rejects
 * what would make the order ambiguous or a file silently ignored: a `.sql`
 * name that does not match {@link MIGRATION_FILE}, two files with one
 * version, an empty file. The stack calls this at synth, so a bad directory
 * fails `cdk synth`, not the deployment.
 */
export function loadMigrations(dir: string): Migration[] {
  const migrations: Migration[] = [];
  const seen = new Map<number, string>();
  for (const file of readdirSync(dir)
    .filter((entry) => entry.endsWith('.sql'))
    .sort()) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) {
      throw new MigrationFilesError(
        `Migration file ${file} is not named like 0001_create_customers.sql (digits, underscore, lowercase words)`,
      );
    }
    const version = Number(match[1]);
    const name = file.slice(0, -'.sql'.length);
    const other = seen.get(version);
    if (other !== undefined) throw new MigrationFilesError(`Migrations ${other} and ${name} have the same version ${version}`);
    seen.set(version, name);
    const sql = readFileSync(path.join(dir, file), 'utf8');
    if (sql.trim() === '') throw new MigrationFilesError(`Migration ${name} is empty`);
    migrations.push({ version, name, sql, checksum: sha256(sql) });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

/** One hash over every migration: changes whenever a file is added or edited. */
export function migrationsFingerprint(migrations: readonly Migration[]): string {
  return sha256(migrations.map((m) => `${m.name}:${m.checksum}`).join('\n'));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
