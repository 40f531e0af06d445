import { createHash, createHmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** One request the integ assertions ask the probe to send. */
export interface SignedRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the probe's BASE_URL (the API stage's invoke URL), e.g. `menu-items?limit=1`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sign with SigV4 for execute-api (as an IAM caller); unsigned otherwise. */
  readonly signed: boolean;
}

/** What the assertions read: the status and the parsed JSON body (or the text). */
export interface SignedResponse {
  readonly status: number;
  readonly body: unknown;
}

/** SHA-256 (HMAC when given a secret) in the shape the signer expects, from node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * Sends one request to the API under test and returns its status and body,
 * signed with `credentials` (the environment's, in the probe function).
 * A non-2xx answer is a result, not an error: the assertions expect 400,
 * 403 and 409 where the API must refuse.
 */
export async function sendRequest(
  request: SignedRequest,
  baseUrl: string,
  region: string,
  credentials: AwsCredentialIdentityProvider = fromEnv(),
): Promise<SignedResponse> {
  const url = new URL(request.path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string> = {
    host: url.host,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...request.headers,
  };
  const query = Object.fromEntries(url.searchParams);
  const toSend = request.signed
    ? await new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 }).sign({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        query,
        headers,
        body,
      })
    : { headers };
  const response = await fetch(url, { method: request.method, headers: toSend.headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the text is the body.
  }
  return { status: response.status, body: parsed };
}

export const handler = async (request: SignedRequest): Promise<SignedResponse> => {
  const baseUrl = process.env.BASE_URL;
  const region = process.env.AWS_REGION;
  if (!baseUrl || !region) throw new Error('BASE_URL and AWS_REGION must be set');
  return sendRequest(request, baseUrl, region);
};
