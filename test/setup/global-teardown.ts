import { rmSync } from 'node:fs';
import { CONTROL_TOWER_RESULTS_ENV } from '../../lib/shared/control-tower-results';
import { RUN_RESULTS_ENV } from '../helpers/once-per-run';

/** Stops every backend global-setup started, and removes the run's Control Tower results and what it built once (each stage's synthesis). */
export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__LOCAL_BACKENDS__ ?? []).map((backend) => backend.stop()));
  for (const dir of [process.env[CONTROL_TOWER_RESULTS_ENV], process.env[RUN_RESULTS_ENV]]) {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
