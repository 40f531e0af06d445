import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The directory where a test run keeps what is built once per run (each
 * stage's synthesis): test/setup/global-setup.ts sets it, so every worker
 * reads the same result, and global-teardown removes it.
 */
export const RUN_RESULTS_ENV = 'TEST_RUN_RESULTS_DIR';

/** How long a worker waits for another one's result before it gives up. */
const WAIT_MS = 10 * 60 * 1000;

/**
 * `build()`'s result (JSON) under `name`, made once per test run: the first
 * worker to ask builds it and writes it to the run's directory
 * (global-setup sets it; a process outside a Jest run gets one of its own),
 * and every other worker waits for that file and reads it. A failed build
 * fails every suite that waits for it, with the builder's error.
 */
export function oncePerRun<T>(name: string, build: () => T): T {
  const file = path.join(runDirectory(), `${name}.json`);
  const failure = `${file}.error`;
  if (!existsSync(file)) {
    if (claim(`${file}.lock`)) {
      let result: T;
      try {
        result = build();
      } catch (error) {
        writeFileSync(failure, (error as Error).stack ?? String(error));
        throw error;
      }
      // Written whole, then renamed: a reader in another worker never sees half a file.
      writeFileSync(`${file}.${process.pid}`, JSON.stringify(result));
      renameSync(`${file}.${process.pid}`, file);
    } else {
      waitFor(file, failure);
    }
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function runDirectory(): string {
  const dir = process.env[RUN_RESULTS_ENV] ?? mkdtempSync(path.join(tmpdir(), 'run-results-'));
  process.env[RUN_RESULTS_ENV] = dir;
  return dir;
}

/** Whether this process is the one to build (a directory is made by one process only). */
function claim(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Waits, blocking (suites read a result while Jest collects their tests), for another worker's result. */
function waitFor(file: string, failure: string): void {
  const tick = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(file)) {
    if (existsSync(failure)) throw new Error(`What this suite reads failed to build in another worker:\n${readFileSync(failure, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`Nothing at ${file} after ${WAIT_MS / 60_000} minutes: the worker building it stopped`);
    Atomics.wait(tick, 0, 0, 100);
  }
}
