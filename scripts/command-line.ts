import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { type ArchitectureName, parseArchitectureNames, UnknownArchitectureError } from '../lib/app/architectures';
import { STAGE_NAMES, type StageName } from '../lib/shared/stage-config';

/**
 * How every command of this project reads its arguments: `node:util`
 * `parseArgs` (strict), `--help`/`-h` printing the usage, and a mistake
 * refused in one line that names what is valid, with exit code 2.
 */

/** Our commands, as package.json runs them: each script that starts a TypeScript entry through the loader, with that entry. */
export function ourCommands(): [script: string, entry: string][] {
  const packageJson = path.join(__dirname, '..', 'package.json');
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: Record<string, string> };
  return Object.entries(scripts).flatMap(([script, command]) => {
    const entry = /register-typescript\.cjs (\S+\.ts)/.exec(command)?.[1];
    return entry ? [[script, entry] as [string, string]] : [];
  });
}

/** A request the command cannot carry out, in one sentence. */
export class UsageError extends Error {}

/** What `parseArgs` returns for these options, positionals allowed. */
export type ParsedArgs<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O & { help: { type: 'boolean'; short: 'h' } }; allowPositionals: true; strict: true }>
>;

/** Parses `argv`; 'help' when asked for it. An unknown option or a value missing throws a UsageError naming the valid options. */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O): ParsedArgs<O> | 'help' {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } };
  let parsed: ParsedArgs<O>;
  try {
    parsed = parseArgs({ args: [...argv], options: all, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const flag = /'(-[^']+)'/.exec((error as Error).message)?.[1];
    const valid = Object.entries(all).map(([name, option]) => `--${name}${option.short ? `/-${option.short}` : ''}`);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`Unknown option ${flag} (the options are ${valid.join(', ')})`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${flag ?? 'An option'} needs a value`);
    throw new UsageError(String((error as Error).message).split('\n')[0]);
  }
  return (parsed.values as { help?: boolean }).help ? 'help' : parsed;
}

/** Architecture names from the positionals, checked against the registry (every one, when none is given and `allWhenNone`). */
export function architecturesOf(positionals: readonly string[], allWhenNone: readonly ArchitectureName[] = []): ArchitectureName[] {
  try {
    return positionals.length > 0 ? parseArchitectureNames(positionals) : [...allWhenNone];
  } catch (error) {
    if (error instanceof UnknownArchitectureError) throw new UsageError(error.message);
    throw error;
  }
}

/** The `--stage` value, sandbox by default. */
export function stageOf(value: string | undefined): StageName {
  const stage = value ?? 'sandbox';
  if (!(STAGE_NAMES as readonly string[]).includes(stage)) throw new UsageError(`--stage is ${STAGE_NAMES.join(' or ')}, not ${stage}`);
  return stage as StageName;
}

/** An IAM role ARN, as --role-arn takes it. */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** `--role-arn`'s value, checked: an IAM role ARN, or undefined when the option is not given. */
export function roleArnOf(value: string | undefined): string | undefined {
  if (value !== undefined && !ROLE_ARN.test(value))
    throw new UsageError(`--role-arn takes an IAM role ARN such as arn:aws:iam::111111111111:role/name, not ${value}`);
  return value;
}

/** `-c key=value` pairs as a context object. */
export function contextOf(pairs: readonly string[] | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`-c takes key=value, not ${pair}`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

/**
 * Runs a command's main: a UsageError is printed as its one line (with a
 * pointer to --help) and exits 2; any other error is printed as its first
 * line and exits 1.
 */
export function runCommand(main: () => void | Promise<void>): void {
  const report = (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${String((error as Error)?.message ?? error).split('\n')[0]}\n`);
    process.exit(1);
  };
  try {
    const result = main();
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}

/** Prints the usage to stdout (for --help). */
export const printUsage = (usage: string): void => {
  process.stdout.write(`${usage}\n`);
};
