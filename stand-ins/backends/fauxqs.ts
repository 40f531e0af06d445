import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalBackend, RunningBackend } from './backend';

/**
 * The characters SQS accepts in a message (its documented set: tab, line
 * feed, carriage return, U+0020 to U+D7FF, U+E000 to U+FFFD and U+10000 to
 * U+10FFFF). fauxqs tests code units instead of code points, so it refuses
 * every character above U+FFFF (emoji) that SQS carries.
 */
export const SQS_REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

/**
 * An installed package's folder, found on disk (fauxqs's package.json
 * exports only its entry, so it cannot be resolved to its files). The
 * starter command reads a call of it with a literal name as a use of that package.
 */
function installedPackageDir(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed (npm ci installs it)`);
  }
}

/**
 * Gives fauxqs SQS's own rule for message characters, so an emoji order can
 * be tried locally. Its check is a shared regular expression that every send
 * action calls `test` on; the module is the one its server imports (same
 * file, same instance), and only that expression's `test` is replaced.
 */
async function acceptWhatSqsAccepts(dir: string): Promise<void> {
  const types = await importEsm(pathToFileURL(path.join(dir, 'dist', 'sqs', 'sqsTypes.js')).href);
  const check = types.INVALID_MESSAGE_BODY_CHAR as RegExp | undefined;
  if (!(check instanceof RegExp)) {
    throw new Error(
      'fauxqs no longer has INVALID_MESSAGE_BODY_CHAR in dist/sqs/sqsTypes.js: update the emoji workaround in stand-ins/backends/fauxqs.ts',
    );
  }
  Object.defineProperty(check, 'test', { value: (text: string) => SQS_REFUSED_CHARACTER.test(text), configurable: true });
}

/**
 * fauxqs: SQS, SNS (with filter policies and SQS fan-out) and S3 in one
 * in-memory Node server on an ephemeral port of 127.0.0.1 only. Its own
 * `startFauxqs` listens on 0.0.0.0 whatever host it is given, so its app is
 * built and listened here instead. It is ESM-only, so it is loaded with a
 * real dynamic import, which TypeScript's CommonJS output would otherwise
 * turn into require().
 */
export async function startFauxqs(): Promise<RunningBackend> {
  const dir = installedPackageDir('fauxqs');
  const { buildApp } = await importEsm(pathToFileURL(path.join(dir, 'dist', 'app.js')).href);
  await acceptWhatSqsAccepts(dir);
  // Queue URLs name sqs.<region>.localhost; SDK clients with an explicit endpoint
  // send to the endpoint and never resolve that host.
  const app = buildApp({ logger: false });
  const endpoint = (await app.listen({ port: 0, host: '127.0.0.1' })) as string;
  return {
    name: 'fauxqs',
    endpoint,
    env: { AWS_ENDPOINT_URL_SQS: endpoint, AWS_ENDPOINT_URL_SNS: endpoint },
    stop: () => app.close(),
  };
}

export const fauxqs: LocalBackend = { name: 'fauxqs', start: startFauxqs };
