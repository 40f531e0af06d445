import { rmSync } from 'node:fs';
import { CONTROL_TOWER_RESULTS_ENV } from '../../lib/shared/control-tower-results';

/** Stops every backend global-setup started, and removes the run's Control Tower results. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__LOCAL_BACKENDS__ ?? []).map((backend) => backend.stop()));
  const results = process.env[CONTROL_TOWER_RESULTS_ENV];
  if (results) rmSync(results, { recursive: true, force: true });
}
