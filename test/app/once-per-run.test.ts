import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RUN_RESULTS_ENV } from '../helpers/once-per-run';

/**
 * The mechanism that makes each stage's synthesis once per `npm test` run
 * (test/helpers/stage-synthesis.ts), proved with processes that race for a
 * result as Jest's workers do, over a build that is slow on purpose.
 */
const ROOT = path.join(__dirname, '..', '..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'once-per-run-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A process that asks for the result `name`; its build logs a line, waits `buildMs`, then returns its pid or throws. */
function worker(name: string, buildMs: number, fails = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `
    const { appendFileSync } = require('node:fs');
    const { oncePerRun } = require('./test/helpers/once-per-run');
    const result = oncePerRun(${JSON.stringify(name)}, () => {
      appendFileSync(${JSON.stringify(path.join(dir, 'builds.log'))}, process.pid + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${buildMs});
      if (${fails}) throw new Error('the build broke');
      return { builtBy: process.pid };
    });
    process.stdout.write(JSON.stringify(result));
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './scripts/register-typescript.cjs', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, [RUN_RESULTS_ENV]: dir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const builds = () => readFileSync(path.join(dir, 'builds.log'), 'utf8').trim().split('\n');

test('three workers asking at once: one builds, the others wait for it and read the same result', async () => {
  const results = await Promise.all([worker('stage', 1500), worker('stage', 1500), worker('stage', 1500)]);
  expect(results.map((r) => [r.code, r.stderr])).toEqual([
    [0, ''],
    [0, ''],
    [0, ''],
  ]);
  expect(builds()).toHaveLength(1);
  const [builder] = builds();
  for (const { stdout } of results) expect(JSON.parse(stdout)).toEqual({ builtBy: Number(builder) });
  // A worker that asks later reads it without building.
  expect(JSON.parse((await worker('stage', 0)).stdout)).toEqual({ builtBy: Number(builder) });
  expect(builds()).toHaveLength(1);
}, 60_000);

test('a failed build fails the worker waiting for it with the builder error, and nothing is kept', async () => {
  const [first, second] = await Promise.all([worker('broken', 1500, true), worker('broken', 1500, true)]);
  expect(builds()).toHaveLength(1);
  const [failedBuilder, waiter] = first!.stderr.includes('another worker') ? [second!, first!] : [first!, second!];
  expect([failedBuilder.code, waiter.code]).toEqual([1, 1]);
  expect(failedBuilder.stderr).toContain('the build broke');
  expect(waiter.stderr).toMatch(/What this suite reads failed to build in another worker:\nError: the build broke/);
  expect(existsSync(path.join(dir, 'broken.json'))).toBe(false);
}, 60_000);

test('results of different names are built apart', async () => {
  await Promise.all([worker('sandbox', 200), worker('production', 200)]);
  expect(builds()).toHaveLength(2);
}, 60_000);
