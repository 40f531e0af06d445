import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, STAGE_CONTEXTS } from '../helpers/synth';
import { type RunningBackend, startDynamoDbLocal, startFauxqs, startPostgres } from './local-backends';

declare global {
  // eslint-disable-next-line no-var
  var __LOCAL_BACKENDS__: RunningBackend[] | undefined;
}

/**
 * Starts the local AWS backends once for the whole run. Test workers inherit
 * the endpoint variables set here.
 */
export default async function globalSetup(): Promise<void> {
  const [dynamoDb, fauxqs, postgres] = await Promise.all([startDynamoDbLocal(), startFauxqs(), startPostgres()]);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = fauxqs.endpoint;
  process.env.AWS_ENDPOINT_URL_SNS = fauxqs.endpoint;
  process.env.LOCAL_POSTGRES = JSON.stringify(postgres.connection);
  globalThis.__LOCAL_BACKENDS__ = [dynamoDb, fauxqs, postgres];

  // Handler tests build their local tables and queues from the sandbox
  // templates; synthesizing once here spares every such file loading the CDK.
  const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-templates-'));
  for (const [name, stack] of Object.entries(buildTestApp(STAGE_CONTEXTS.sandbox).stacks)) {
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(Template.fromStack(stack).toJSON()));
  }
  process.env.SANDBOX_TEMPLATES_DIR = dir;
}
