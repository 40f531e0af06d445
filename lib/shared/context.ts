import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
/**
 * Reading context (`-c key=value` or cdk.json) into typed settings. The core
 * knows how to read and reject values; each architecture names its own keys.
 */

/** Reads one raw context value; `bin/app.ts` is the only place that makes one. */
export type ContextReader = (key: string) => unknown;

/** A context key the app understands, for `--help`-style listings and unknown-key checks. */
export interface ContextKey {
  readonly name: string;
  /** What it does and what it accepts, in one sentence. */
  readonly description: string;
  /**
   * A setting that must be the same on every later deploy and destroy (it
   * moves resources between networks): it is read only from `cdk.json` or
   * `cdk.context.json`, never from a one-off `-c`.
   */
  readonly persistent?: boolean;
  /**
   * Another architecture this setting works with (its VPC, its service): an
   * app without that architecture offers only the default, and a starter's
   * README does not list the key.
   */
  readonly requires?: string;
}

const isAbsent = (value: unknown) => value === undefined || value === null || value === '';

/** Context the app cannot synthesize from; its message is what the user reads, alone. */
export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

/**
 * A missing or invalid context value. The message is one sentence that names
 * the key, the value given (or that none was) and what is accepted.
 */
export class ConfigError extends ContextError {
  constructor(key: string, value: unknown, accepted: string) {
    super(
      isAbsent(value)
        ? `Missing context value ${key}: expected ${accepted}.`
        : `Invalid context value ${key}=${JSON.stringify(value)}: expected ${accepted}.`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Context keys that belong to the CDK itself, not to this app: feature flags
 * and namespaced keys (`@aws-cdk/...:...`, `aws:cdk:...`, lookup caches such
 * as `availability-zones:account=...`) all contain a colon; these do not.
 */
const CDK_OWN_KEYS = new Set(['acknowledged-issue-numbers', 'cli-telemetry']);

/**
 * Refuses context keys that nothing reads (a misspelled `-c Stage=production`
 * would otherwise synthesize a sandbox), naming the nearest known key, and
 * persistent keys whose value differs from the one stored in the project's
 * context files (`stored`: what `cdk.json` and `cdk.context.json` hold).
 */
export function checkContextKeys(
  given: Readonly<Record<string, unknown>>,
  known: readonly ContextKey[],
  stored: Readonly<Record<string, unknown>>,
): void {
  const names = known.map((key) => key.name);
  const unknown = Object.keys(given).filter(
    (key) => !key.includes(':') && !key.startsWith('@') && !CDK_OWN_KEYS.has(key) && !names.includes(key),
  );
  if (unknown.length > 0) {
    const lines = unknown.map((key) => {
      const nearest = nearestName(key, names);
      return `Unknown context key ${key}${nearest ? ` (did you mean ${nearest}?)` : ''}.`;
    });
    throw new ContextError(`${lines.join(' ')} Known keys: ${names.join(', ')}.`);
  }
  for (const key of known.filter((k) => k.persistent)) {
    if (!isAbsent(given[key.name]) && JSON.stringify(given[key.name]) !== JSON.stringify(stored[key.name])) {
      throw new ContextError(
        `Context key ${key.name} must be set in cdk.json's "context" (or cdk.context.json), not with -c: ` +
          'it decides which network resources are created in, so every later deploy and destroy must read the same value.',
      );
    }
  }
}

/** The known name closest to `key` (case-insensitive edit distance of at most 3), if any. */
function nearestName(key: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Runs the app's construction; a context problem ends the process with its
 * one-sentence message and exit code 1 (no stack trace), anything else is
 * thrown as it is.
 */
export function exitOnConfigError(build: () => void): void {
  try {
    build();
  } catch (error) {
    if (!(error instanceof ContextError)) throw error;
    process.stderr.write(`Error: ${error.message}\n`);
    process.exit(1);
  }
}

/** A trimmed string, or undefined when the key is absent or empty. */
export function optionalString(read: ContextReader, key: string, accepted: string): string | undefined {
  const value = read(key);
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw new ConfigError(key, value, accepted);
  return value.trim();
}

/** One of `choices`, or `fallback` when absent. */
export function optionalChoice<T extends string>(read: ContextReader, key: string, choices: readonly T[], fallback: T): T {
  const accepted = `one of ${choices.join(', ')}`;
  const text = optionalString(read, key, accepted) ?? fallback;
  if (!(choices as readonly string[]).includes(text)) throw new ConfigError(key, read(key), accepted);
  return text as T;
}

/** `true` or `false` (as text from `-c`, or a JSON boolean from cdk.json), or `fallback` when absent. */
export function optionalBoolean(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (isAbsent(value)) return fallback;
  const text = String(value).trim();
  if (text !== 'true' && text !== 'false') throw new ConfigError(key, value, 'true or false');
  return text === 'true';
}

/** A whole number from `min` to `max`, or `fallback` when absent. */
export function optionalWholeNumber(
  read: ContextReader,
  key: string,
  range: { readonly min: number; readonly max: number; readonly meaning: string },
  fallback: number,
): number {
  const value = read(key);
  if (isAbsent(value)) return fallback;
  const text = String(value).trim();
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < range.min || count > range.max) {
    throw new ConfigError(key, value, `a whole number from ${range.min} to ${range.max} (${range.meaning})`);
  }
  return count;
}

/** What a project's context files hold: cdk.json's `context`, then cdk.context.json over it. */
export function storedContext(projectDir: string): Record<string, unknown> {
  const read = (file: string, select: (json: Record<string, unknown>) => unknown) => {
    const full = path.join(projectDir, file);
    return existsSync(full) ? (select(JSON.parse(readFileSync(full, 'utf8'))) as Record<string, unknown>) : {};
  };
  return { ...read('cdk.json', (json) => json.context ?? {}), ...read('cdk.context.json', (json) => json) };
}
