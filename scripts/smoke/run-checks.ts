/** One smoke check: a name that says what must hold, and the work that proves it (it throws to fail). */
export interface Check<Context> {
  readonly name: string;
  /**
   * The check changes nothing and needs no permission to write: it runs with
   * `--read-only`, as the delivery pipeline checks production.
   */
  readonly readOnly?: true;
  run(context: Context): Promise<void>;
}

export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly ms: number;
  readonly reason?: string;
}

/** A failed expectation, with what was expected and what came. */
export function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * Runs the checks in order, each timed, printing one line per check as it
 * ends (PASS or FAIL, its time, and for a failure the reason), then a summary.
 * A failed check does not stop the rest: a later check that needs its result
 * fails with its own reason.
 */
export async function runChecks<Context>(
  checks: readonly Check<Context>[],
  context: Context,
  print: (line: string) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = Date.now();
    try {
      await check.run(context);
      results.push({ name: check.name, passed: true, ms: Date.now() - started });
    } catch (error) {
      const reason = String((error as Error)?.message ?? error).split('\n')[0];
      results.push({ name: check.name, passed: false, ms: Date.now() - started, reason });
    }
    const result = results.at(-1)!;
    print(`${result.passed ? 'PASS' : 'FAIL'}  ${result.name}  (${result.ms} ms)${result.reason ? `\n      ${result.reason}` : ''}`);
  }
  const failed = results.filter((r) => !r.passed).length;
  print(`\n${results.length - failed} passed, ${failed} failed`);
  return results;
}

/** Retries `probe` until it returns a value or `timeoutMs` passes (then the last reason is the failure). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} within ${Math.round(timeoutMs / 1000)} s${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
