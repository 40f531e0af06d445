import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CONTROL_TOWER_RESULTS_ENV } from '../../lib/shared/control-tower-results';
import { type LocalBackend, type RunningBackend, startAll } from '../../stand-ins/backends/backend';
import { RUN_RESULTS_ENV } from '../helpers/once-per-run';

declare global {
  // eslint-disable-next-line no-var
  var __LOCAL_BACKENDS__: RunningBackend[] | undefined;
}

/**
 * The local backends the architectures' tests need: each architecture lists
 * its own in `test/<architecture>/local-backends.ts` (found by looking, so a
 * starter with one architecture starts only what it needs, and the CDK is not
 * loaded here); one shared by several architectures starts once.
 */
function neededBackends(): LocalBackend[] {
  const byName = new Map<string, LocalBackend>();
  const testRoot = path.join(__dirname, '..');
  for (const folder of readdirSync(testRoot)) {
    const file = path.join(testRoot, folder, 'local-backends.ts');
    if (!existsSync(file)) continue;
    const { localBackends } = require(file) as { localBackends: readonly LocalBackend[] };
    for (const backend of localBackends) byName.set(backend.name, backend);
  }
  return [...byName.values()];
}

/**
 * Starts the local AWS backends once for the whole run; test workers inherit
 * the endpoint variables set here. If one fails to start, the ones that did
 * are stopped and the run ends with one message per failure.
 */
export default async function globalSetup(): Promise<void> {
  let running: RunningBackend[];
  try {
    running = await startAll(neededBackends());
  } catch (error) {
    throw new Error(`A local backend did not start, so no test ran:\n${(error as Error).message}`);
  }
  for (const backend of running) Object.assign(process.env, backend.env);
  globalThis.__LOCAL_BACKENDS__ = running;
  // Where the IAM gates of every test worker record the calls they allowed (the least-privilege check reads it).
  process.env.IAM_USAGE_DIR = mkdtempSync(path.join(tmpdir(), 'iam-usage-'));
  // Each stack's Control Tower findings, checked once per template for the whole run (lib/shared/control-tower.ts).
  process.env[CONTROL_TOWER_RESULTS_ENV] = mkdtempSync(path.join(tmpdir(), 'control-tower-results-'));
  // What is built once per run, such as each stage's synthesis, by the first worker that reads it (test/helpers/once-per-run.ts).
  process.env[RUN_RESULTS_ENV] = mkdtempSync(path.join(tmpdir(), 'run-results-'));
}
