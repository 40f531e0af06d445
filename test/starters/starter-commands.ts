import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/starter/create-starter';

/**
 * What the starters suite's files share: running a starter's tools, its
 * `cdk synth`, its files. The suite is split in files (each starter's own
 * checks; the standalone installs) so that Jest keeps both cores busy.
 */

export const bin = (tool: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', tool);

/** Runs a command in `cwd`; fails the test with its output if it fails. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status}):\n${result.stdout}\n${result.stderr}`.slice(-8000),
    );
  }
  return `${result.stdout}${result.stderr}`;
}

/**
 * `cdk synth` of the app in `dir` into `out` with `-c` pairs (key=value), as
 * quiet as a snapshot wants (construct paths stay: they feed an API
 * deployment's logical id, and normalizedTemplate drops them); what it printed.
 */
export function cdkSynth(dir: string, out: string, pairs: readonly string[]): string {
  const flags = ['-q', '--no-version-reporting', '--no-asset-metadata', '-o', out];
  return run(bin('cdk'), ['synth', ...flags, ...pairs.flatMap((pair) => ['-c', pair])], dir);
}

/** Every file under `dir`, relative to it, without node_modules. */
export function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? filesOf(dir, relative) : [relative];
  });
}

/** A scratch directory for one test file, removed when the file's tests end. */
export function workDirectory(prefix: string): string {
  const work = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return work;
}
