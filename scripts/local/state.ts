import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Where a running `npm run local` leaves what `npm run smoke -- <architecture> --local` needs. */
export const STATE_DIR = path.resolve(__dirname, '..', '..', '.local');

/**
 * What a local run publishes: the stack's outputs as the local stand-ins
 * resolve them (the same names the deployed stack's outputs have, so one set
 * of smoke checks reads both), the local endpoints of the AWS APIs, and
 * anything only the local form has (a database password, a CA file).
 */
export interface LocalState {
  readonly architecture: string;
  readonly pid: number;
  readonly stackName: string;
  readonly outputs: Record<string, string>;
  readonly endpoints: Record<string, string>;
  readonly local: Record<string, string>;
}

const stateFile = (architecture: string) => path.join(STATE_DIR, `${architecture}.json`);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of a live run of `architecture`, if there is one. */
export function runningState(architecture: string): LocalState | undefined {
  const file = stateFile(architecture);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  return isRunning(state.pid) ? state : undefined;
}

export function writeState(state: LocalState): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(stateFile(state.architecture), `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the state file if it is this process's. */
export function removeState(architecture: string, pid = process.pid): void {
  const file = stateFile(architecture);
  if (!existsSync(file)) return;
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as LocalState).pid !== pid) return;
  } catch {
    // An unreadable file is no one's.
  }
  rmSync(file, { force: true });
}

/** The template's outputs that resolve locally (the others name resources with no local form). */
export function localOutputs(
  outputs: Record<string, { Value: unknown }> | undefined,
  resolve: (value: unknown) => unknown,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, output] of Object.entries(outputs ?? {})) {
    try {
      resolved[name] = String(resolve(output.Value));
    } catch {
      // No local stand-in for what this output names.
    }
  }
  return resolved;
}
