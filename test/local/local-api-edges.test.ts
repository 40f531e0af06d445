/**
 * What a careless or hostile client does to `npm run local`'s REST API: a
 * request aborted mid-body, a payload over API Gateway's 10 MB limit (by its
 * length, and streamed without one), a malformed percent-encoding in the
 * path, a body that is not JSON by its Content-Type, bytes that are not
 * UTF-8 under a valid signature. Each gets what API Gateway (and, where API
 * Gateway passes the request on, the handler) gives it, and the server keeps
 * serving.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_REGION } from '../../scripts/local/intrinsics';
import { Sha256 } from '../../stand-ins/signed-request';
import { LOCAL_CREDENTIALS } from '../../stand-ins/sigv4-check';
import { type LocalProcess, startLocal } from './local-process';

/** `npm run local -- <architecture>` for the enclosing block: started before its tests, stopped cleanly (exit 0) after them. */
function localRunFor(architecture: string, apiLabel: string): { readonly run: LocalProcess; readonly api: URL } {
  const current = {} as { run: LocalProcess; api: URL };
  beforeAll(async () => {
    current.run = await startLocal([architecture]);
    current.api = new URL(new RegExp(`${apiLabel}: (\\S+)`).exec(current.run.output())![1]!);
  });
  afterAll(async () => {
    expect(await current.run.stop()).toBe(0);
  });
  return current;
}

const menu = localRunFor('serverless-api', 'Menu API');

/** One raw HTTP exchange: what the server answered, or that it closed the connection. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | (() => AsyncIterable<Buffer>),
  base: URL = menu.api,
) {
  return new Promise<{ status?: number; headers: Record<string, unknown>; body: string; closed?: boolean }>((resolve) => {
    const req = request({ host: base.hostname, port: base.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      res.on('error', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', () => resolve({ headers: {}, body: '', closed: true }));
    if (typeof body === 'function') {
      void (async () => {
        for await (const chunk of body()) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(() => undefined);
    } else req.end(body);
  });
}

/** Sends `body` (bytes as given) signed for execute-api with the local credentials, as a SigV4 client would. */
async function sendSigned(base: URL, method: string, path: string, headers: Record<string, string>, body: Buffer) {
  const url = new URL(path, base);
  const signed = await new SignatureV4({
    service: 'execute-api',
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    sha256: Sha256,
  }).sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, ...headers },
    body,
  });
  return send(method, url.pathname, signed.headers as Record<string, string>, body, base);
}

const stillServing = async () => {
  const list = await send('GET', `${menu.api.pathname}menu-items`, {});
  expect(list.status).toBe(200);
};

test('a client that sends part of a body and hangs up is dropped; the server keeps serving', async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => {
      const socket = connect(Number(menu.api.port), menu.api.hostname, () => {
        socket.write(
          `POST ${menu.api.pathname}menu-items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
  }
  await new Promise((r) => setTimeout(r, 200));
  expect(menu.run.child.exitCode).toBeNull();
  await stillServing();
});

test('a payload over 10 MB is a 413 from the gateway before it is read, by Content-Length or as it streams', async () => {
  const declared = await send('POST', `${menu.api.pathname}menu-items`, {
    'Content-Type': 'application/json',
    'Content-Length': String(11 * 1024 * 1024),
  });
  expect(declared.status).toBe(413);
  expect(declared.headers['x-amzn-errortype']).toBe('REQUEST_TOO_LARGE');
  const streamed = await send(
    'POST',
    `${menu.api.pathname}menu-items`,
    { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    async function* () {
      for (let i = 0; i < 12; i++) yield Buffer.alloc(1024 * 1024, 0x20);
    },
  );
  // Either the 413 arrives, or the connection is cut while the client is still sending: nothing past 10 MB is read.
  if (!streamed.closed) expect(streamed.status).toBe(413);
  await stillServing();
});

test('a malformed percent-encoding in the path is a 400, not a 500', async () => {
  const response = await send('GET', `${menu.api.pathname}menu-items/%E0%A4%A`, {});
  expect(response.status).toBe(400);
  await stillServing();
});

test('a JSON body sent as text/plain is refused with 415 by the handler (API Gateway validates no model for it) and nothing is stored', async () => {
  const name = `Plain text ${randomUUID()}`;
  const body = Buffer.from(JSON.stringify({ name, priceCents: 350, category: 'coffee' }));
  const response = await sendSigned(menu.api, 'POST', 'menu-items', { 'content-type': 'text/plain' }, body);
  expect(response.status).toBe(415);
  expect(JSON.parse(response.body)).toMatchObject({ error: 'UnsupportedMediaType' });
  const list = await send('GET', `${menu.api.pathname}menu-items?limit=100`, {});
  expect(list.body).not.toContain(name);
});

test('bytes that are not UTF-8 under a valid signature pass the signature check and are refused as a bad body, not a bad signature', async () => {
  const body = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"\xff\xfe"}
  const response = await sendSigned(menu.api, 'POST', 'menu-items', { 'content-type': 'application/json' }, body);
  expect(response.status).toBe(400);
  expect(response.headers['x-amzn-errortype']).not.toMatch(/SIGNATURE/);
  await stillServing();
});

describe('the orders API (an SQS integration, no Lambda)', () => {
  const orders = localRunFor('decoupled-orders', 'Orders API');

  test('a body sent as text/plain is 415 Unsupported Media Type from the gateway (passthrough NEVER, no template for it)', async () => {
    const body = Buffer.from(JSON.stringify({ customerName: 'Ada', items: [{ menuItemId: randomUUID(), quantity: 1 }] }));
    const response = await sendSigned(
      orders.api,
      'POST',
      'orders',
      { 'content-type': 'text/plain', 'idempotency-key': randomUUID() },
      body,
    );
    expect(response.status).toBe(415);
    expect(response.headers['x-amzn-errortype']).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
