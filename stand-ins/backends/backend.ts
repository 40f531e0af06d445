import type { ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/** A backend process started for the test run. */
export interface RunningBackend {
  readonly name: string;
  readonly endpoint: string;
  /** Variables test workers need to reach it (the standard AWS_ENDPOINT_URL_* where there is one). */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** A local backend an architecture's tests need; global-setup starts each one once per run. */
export interface LocalBackend {
  readonly name: string;
  start(): Promise<RunningBackend>;
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

export async function waitForPort(port: number, process: ChildProcess, name: string, timeoutMs: number): Promise<void> {
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

/**
 * Starts the backends together. If any fails, the ones that started are
 * stopped again and the error has one line per failed backend: its name and
 * why (global-setup and `npm run local` both start theirs this way).
 */
export async function startAll<T extends RunningBackend>(backends: readonly { name: string; start(): Promise<T> }[]): Promise<T[]> {
  const results = await Promise.allSettled(backends.map((backend) => backend.start()));
  const running = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = results.flatMap((result, i) =>
    result.status === 'rejected'
      ? [`${backends[i]!.name} did not start: ${String((result.reason as Error)?.message ?? result.reason)}`]
      : [],
  );
  if (failures.length > 0) {
    await Promise.allSettled(running.map((backend) => backend.stop()));
    throw new Error(failures.join('\n'));
  }
  return running;
}
