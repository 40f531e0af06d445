import { type RunningBackend, startDynamoDbLocal, startFauxqs } from './local-backends';

declare global {
  // eslint-disable-next-line no-var
  var __LOCAL_BACKENDS__: RunningBackend[] | undefined;
}

/**
 * Starts the local AWS backends once for the whole run. Test workers inherit
 * the endpoint variables set here.
 */
export default async function globalSetup(): Promise<void> {
  const [dynamoDb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = fauxqs.endpoint;
  process.env.AWS_ENDPOINT_URL_SNS = fauxqs.endpoint;
  globalThis.__LOCAL_BACKENDS__ = [dynamoDb, fauxqs];
}
