import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import packageJson from '../../package.json';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The command line of an npm script, run with this Node (what `npm run <script> --` runs, without npm in between for signals). */
function scriptCommand(script: 'local' | 'smoke' | 'upgrade-check', args: readonly string[]): [string, string[]] {
  const [node, ...rest] = packageJson.scripts[script].split(' ');
  if (node !== 'node') throw new Error(`npm run ${script} is expected to start node, not ${node}`);
  return [process.execPath, [...rest, ...args]];
}

/** A running `npm run local -- <architecture>`. */
export interface LocalProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Ctrl-C, as a user stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `npm run local -- <args>` and waits until it says it is running (or fails with its output). */
export async function startLocal(
  args: readonly string[],
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalProcess> {
  const [command, argv] = scriptCommand('local', args);
  const child = spawn(command, argv, { cwd: ROOT, env: { ...env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm run local -- ${args.join(' ')} did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const watch = setInterval(() => {
      // Its last line: the lines before it (the work directory, the state file) may arrive in a later chunk.
      if (/is running locally[\s\S]*Stop with Ctrl-C\./.test(output)) {
        clearInterval(watch);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(watch);
      clearTimeout(timer);
      reject(new Error(`npm run local -- ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}

/**
 * Runs `npm run smoke -- <args>` to the end. Asynchronously: a stand-in
 * server in this process must keep answering while it runs.
 */
export function runSmoke(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  script: 'smoke' | 'upgrade-check' = 'smoke',
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const [command, argv] = scriptCommand(script, args);
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** An environment with no AWS settings of the machine's (no ~/.aws, no instance metadata). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return { ...env, HOME: mkdtempSync(path.join(tmpdir(), 'smoke-home-')), AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

/** The PASS and FAIL lines of a smoke run, by check name. */
export function checkLines(stdout: string): { passed: string[]; failed: string[] } {
  const lines = stdout.split('\n');
  const name = (line: string) => line.slice(6).replace(/\s+\(\d+ ms\)$/, '');
  return {
    passed: lines.filter((line) => line.startsWith('PASS  ')).map(name),
    failed: lines.filter((line) => line.startsWith('FAIL  ')).map(name),
  };
}

/** The state file a local run leaves for the smoke (gone once the run stops). */
export const stateFile = (architecture: string) => path.join(ROOT, '.local', `${architecture}.json`);
export const stateExists = (architecture: string) => existsSync(stateFile(architecture));
