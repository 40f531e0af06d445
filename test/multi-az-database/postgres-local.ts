import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseCredentials, DatabaseEndpoint } from '../../lambda/multi-az-database/database-connection';
import type { LocalPostgres } from '../../stand-ins/backends/postgres';

/** The PostgreSQL server global-setup started. */
export function localPostgres(): LocalPostgres {
  const text = process.env.LOCAL_POSTGRES;
  if (!text) throw new Error('LOCAL_POSTGRES is not set: PostgreSQL is started by test/setup/global-setup.ts');
  return JSON.parse(text) as LocalPostgres;
}

/** A fresh, empty database on the local server, and how to reach it as the handler does. */
export interface ScratchDatabase {
  readonly endpoint: DatabaseEndpoint;
  readonly credentials: DatabaseCredentials;
  /** A connected client for assertions (TLS verified, like the handler's). */
  connect(): Promise<Client>;
  drop(): Promise<void>;
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const server = localPostgres();
  const database = `test_${randomUUID().replaceAll('-', '')}`;
  const credentials = { username: server.user, password: server.password };
  const admin = () =>
    new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres' });
  const setup = admin();
  await setup.connect();
  await setup.query(`CREATE DATABASE ${database}`);
  await setup.end();
  const endpoint: DatabaseEndpoint = { host: server.host, port: server.port, database, caBundleFile: server.caFile };
  return {
    endpoint,
    credentials,
    async connect() {
      const client = new Client({
        host: server.host,
        port: server.port,
        database,
        user: server.user,
        password: server.password,
        ssl: { ca: require('node:fs').readFileSync(server.caFile, 'utf8'), rejectUnauthorized: true },
      });
      await client.connect();
      return client;
    },
    async drop() {
      const teardown = admin();
      await teardown.connect();
      await teardown.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await teardown.end();
    },
  };
}
