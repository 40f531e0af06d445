import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_REGION } from '../scripts/local/intrinsics';
import { Sha256 } from './signed-request';

/** The credentials `npm run local` prints; a request signed with them is verified in full. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** curl's flags that sign a request with the local credentials (curl 7.75 or newer). */
export const LOCAL_CURL_SIGV4 = `--aws-sigv4 "aws:amz:${LOCAL_REGION}:execute-api" --user ${LOCAL_CREDENTIALS.accessKeyId}:${LOCAL_CREDENTIALS.secretAccessKey}`;

/** Why API Gateway would refuse the request's signature (its gateway response type and message), or undefined if it would not. */
export interface SignatureProblem {
  readonly responseType: 'MISSING_AUTHENTICATION_TOKEN' | 'INCOMPLETE_SIGNATURE' | 'INVALID_SIGNATURE' | 'EXPIRED_TOKEN';
  readonly message: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Parses SigV4's basic date format, 20261123T101500Z. */
function amzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/**
 * What API Gateway checks of an IAM-authorized request, locally: a SigV4
 * Authorization header for execute-api in this region, signing host and
 * x-amz-date, a date within 15 minutes. Any access key is accepted (there is
 * no IAM here); for the local credentials the signature itself is recomputed
 * and must match.
 */
export async function checkSignature(request: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** The body's bytes as sent: a signature over bytes that are not UTF-8 must still match. */
  body: string | Uint8Array;
}): Promise<SignatureProblem | undefined> {
  const authorization = request.headers.authorization;
  if (!authorization) return { responseType: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' };
  const parsed = AUTHORIZATION.exec(authorization);
  if (!parsed) {
    return {
      responseType: 'INCOMPLETE_SIGNATURE',
      message: `Authorization header requires AWS4-HMAC-SHA256 Credential, SignedHeaders and Signature`,
    };
  }
  const [, accessKeyId, , region, service, signedHeaders, signature] = parsed as unknown as string[];
  if (service !== 'execute-api' || region !== LOCAL_REGION) {
    return {
      responseType: 'INVALID_SIGNATURE',
      message: `Credential should be scoped to a valid region (${LOCAL_REGION}) and service (execute-api)`,
    };
  }
  const headerNames = signedHeaders!.split(';');
  const signedAt = amzDate(request.headers['x-amz-date'] ?? '');
  if (!headerNames.includes('host') || !signedAt) {
    return { responseType: 'INCOMPLETE_SIGNATURE', message: 'The signature must cover the host header and carry X-Amz-Date' };
  }
  if (Math.abs(Date.now() - signedAt.getTime()) > 15 * 60_000) {
    return { responseType: 'INVALID_SIGNATURE', message: 'Signature expired: X-Amz-Date is more than 15 minutes from the server time' };
  }
  if (accessKeyId !== LOCAL_CREDENTIALS.accessKeyId) return undefined;
  const resigned = await new SignatureV4({
    service: 'execute-api',
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS, sessionToken: request.headers['x-amz-security-token'] },
    sha256: Sha256,
    // Sign exactly the headers the client signed: no x-amz-content-sha256 of our own.
    applyChecksum: false,
  }).sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined,
      path: request.url.pathname,
      query: Object.fromEntries(request.url.searchParams),
      headers: Object.fromEntries(headerNames.map((name) => [name, request.headers[name] ?? ''])),
      body: request.body,
    },
    { signingDate: signedAt },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1];
  return expected === signature
    ? undefined
    : {
        responseType: 'INVALID_SIGNATURE',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      };
}
