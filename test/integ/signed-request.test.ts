import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256, sendRequest } from '../../stand-ins/signed-request';

/** What the local stand-in for API Gateway received. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];
const CREDENTIALS = { accessKeyId: 'AKIDPROBE', secretAccessKey: 'probe-secret', sessionToken: 'probe-session' };

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = CREDENTIALS.sessionToken;
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      response.writeHead(request.headers.authorization ? 201 : 403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'item-1' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});

afterAll(() => {
  server.close();
  // Back to the dummy credentials every test process uses (test/setup/aws-env.ts).
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_SESSION_TOKEN;
});

test('a signed request carries a SigV4 signature for execute-api that the same credentials reproduce', async () => {
  const response = await sendRequest(
    { method: 'POST', path: 'menu-items?dryRun=false', body: { name: 'Flat white' }, headers: { 'Idempotency-Key': 'k-1' }, signed: true },
    baseUrl,
    'eu-west-1',
  );
  expect(response).toEqual({ status: 201, body: { id: 'item-1' } });

  const request = received.at(-1)!;
  expect(request.method).toBe('POST');
  expect(request.url).toBe('/v1/menu-items?dryRun=false');
  expect(JSON.parse(request.body)).toEqual({ name: 'Flat white' });
  expect(request.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
  const authorization = String(request.headers.authorization);
  expect(authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDPROBE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=.*idempotency-key/,
  );

  // Sign what arrived again, at the time it was signed: the signature must be the same.
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(';');
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    Date.UTC(
      +amzDate.slice(0, 4),
      +amzDate.slice(4, 6) - 1,
      +amzDate.slice(6, 8),
      +amzDate.slice(9, 11),
      +amzDate.slice(11, 13),
      +amzDate.slice(13, 15),
    ),
  );
  const url = new URL(request.url, baseUrl);
  const resigned = await new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials: CREDENTIALS, sha256: Sha256 }).sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name])])),
      body: request.body,
    },
    { signingDate },
  );
  expect(resigned.headers.authorization).toBe(authorization);
});

test('an unsigned request carries no credentials, and a refusal is a result, not an error', async () => {
  const response = await sendRequest({ method: 'POST', path: 'menu-items', body: {}, signed: false }, baseUrl, 'eu-west-1');
  expect(response.status).toBe(403);
  const request = received.at(-1)!;
  expect(request.headers.authorization).toBeUndefined();
  expect(request.headers['x-amz-security-token']).toBeUndefined();
});
