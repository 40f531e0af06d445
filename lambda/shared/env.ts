/** Environment variables, read once at init by every handler. */
/** Reads a required environment variable at init, failing the cold start loudly if it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is required`);
  }
  return value;
}

/** Comma-separated list from the environment; empty when unset. */
export function listEnv(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}
