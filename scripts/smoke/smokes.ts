import { LOCAL_RUNS } from '../local/runs';
import { clickstreamSmoke } from './checks/clickstream';
import { containersSmoke } from './checks/containers-on-ec2';
import { decoupledOrdersSmoke } from './checks/decoupled-orders';
import { multiAzDatabaseSmoke } from './checks/multi-az-database';
import { serverlessApiSmoke } from './checks/serverless-api';
import type { Check } from './run-checks';
import type { SmokeTarget } from './target';

/** One architecture's smoke: its checks (they may depend on the target's mode), their shared context, and the clean-up of test data. */
export interface Smoke {
  readonly checks: readonly Check<any>[] | ((target: SmokeTarget) => readonly Check<any>[]);
  context(target: SmokeTarget): object;
  cleanUp(context: any): Promise<void>;
}

export const SMOKES: Record<string, Smoke> = {
  'serverless-api': serverlessApiSmoke,
  'decoupled-orders': decoupledOrdersSmoke,
  clickstream: clickstreamSmoke,
  'containers-on-ec2': containersSmoke,
  'multi-az-database': multiAzDatabaseSmoke,
};

/** Architectures `npm run local` runs; the others are smoke-checked deployed only. */
export const LOCAL_SMOKES: ReadonlySet<string> = new Set(Object.keys(LOCAL_RUNS));
