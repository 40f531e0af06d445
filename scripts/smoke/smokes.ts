import type { Check } from './run-checks';
import type { SmokeTarget } from './target';

/**
 * One architecture's smoke: its checks (they may depend on the target's
 * mode), their shared context, and the clean-up of test data. Each
 * architecture exports one as `smoke` from `scripts/smoke/checks/<name>.ts`
 * (found by scripts/architecture-parts.ts).
 */
export interface Smoke {
  readonly checks: readonly Check<any>[] | ((target: SmokeTarget) => readonly Check<any>[]);
  context(target: SmokeTarget): object;
  cleanUp(context: any): Promise<void>;
}
