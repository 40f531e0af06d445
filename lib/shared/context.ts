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
}

/** An invalid context value: the message names the key, the value and what is accepted. */
export class ConfigError extends Error {
  constructor(key: string, value: unknown, accepted: string) {
    super(`Invalid context value ${key}=${JSON.stringify(value)}: expected ${accepted}`);
    this.name = 'ConfigError';
  }
}

/** A trimmed string, or undefined when the key is absent or empty. */
export function optionalString(read: ContextReader, key: string, accepted: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
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
  if (value === undefined || value === null || value === '') return fallback;
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
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value).trim();
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < range.min || count > range.max) {
    throw new ConfigError(key, value, `a whole number from ${range.min} to ${range.max} (${range.meaning})`);
  }
  return count;
}
