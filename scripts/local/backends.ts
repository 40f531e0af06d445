import { LOCAL_CREDENTIALS } from '../../stand-ins/sigv4-check';
import { LOCAL_REGION } from './intrinsics';

/** What a local SDK client or function needs besides its endpoint: the local region and credentials. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
} as const;

/** SDK client settings for a local backend at `endpoint`. */
export const localClientConfig = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
