import type { Stack } from 'aws-cdk-lib';
import { clickstream } from '../clickstream/architecture';
import { containersOnEc2 } from '../containers-on-ec2/architecture';
import { decoupledOrders } from '../decoupled-orders/architecture';
import { multiAzDatabase } from '../multi-az-database/architecture';
import { serverlessApi } from '../serverless-api/architecture';
import type { Architecture } from '../shared/architecture';
import type { ContextKey } from '../shared/context';
import { STAGE_CONTEXT_KEYS } from '../shared/stage-config';

/** Every architecture of this app, in the order the README lists them. */
export const ARCHITECTURES: readonly Architecture<Stack>[] = [
  serverlessApi,
  decoupledOrders,
  clickstream,
  containersOnEc2,
  multiAzDatabase,
];

/** Every context key the app reads: the stage's and each architecture's (a key two architectures share is listed once). */
export const CONTEXT_KEYS: readonly ContextKey[] = [
  ...new Map([...STAGE_CONTEXT_KEYS, ...ARCHITECTURES.flatMap((a) => a.contextKeys)].map((key) => [key.name, key])).values(),
];
