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
