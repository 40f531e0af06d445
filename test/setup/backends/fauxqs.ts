import type { LocalBackend, RunningBackend } from './backend';

/**
 * fauxqs: SQS, SNS (with filter policies and SQS fan-out) and S3 in one
 * in-memory Node server on an ephemeral loopback port. It is ESM-only, so it
 * is loaded with a real dynamic import, which TypeScript's CommonJS output
 * would otherwise turn into require().
 */
export async function startFauxqs(): Promise<RunningBackend> {
  const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;
  const { startFauxqs: start } = await importEsm('fauxqs');
  // Queue URLs name sqs.<region>.localhost; SDK clients with an explicit endpoint
  // send to the endpoint and never resolve that host.
  const server = await start({ port: 0, logger: false });
  const endpoint = server.address as string;
  return {
    name: 'fauxqs',
    endpoint,
    env: { AWS_ENDPOINT_URL_SQS: endpoint, AWS_ENDPOINT_URL_SNS: endpoint },
    stop: () => server.stop(),
  };
}

export const fauxqs: LocalBackend = { name: 'fauxqs', start: startFauxqs };
