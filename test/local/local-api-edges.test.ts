/**
 * What a careless or hostile client does to `npm run local`'s REST API: a
 * request aborted mid-body, a payload over API Gateway's 10 MB limit (by its
 * length, and streamed without one), a malformed percent-encoding in the
 * path. Each gets what API Gateway gives it, and the server keeps serving.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { type LocalProcess, startLocal } from './local-process';

let run: LocalProcess;
let api: URL;

beforeAll(async () => {
  run = await startLocal(['serverless-api']);
  api = new URL(/Menu API: (\S+)/.exec(run.output())![1]!);
});

afterAll(async () => {
  expect(await run.stop()).toBe(0);
});

/** One raw HTTP exchange: what the server answered, or that it closed the connection. */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer | (() => AsyncIterable<Buffer>)) {
  return new Promise<{ status?: number; headers: Record<string, unknown>; body: string; closed?: boolean }>((resolve) => {
    const req = request({ host: api.hostname, port: api.port, method, path, headers }, (res) => {
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

const stillServing = async () => {
  const list = await send('GET', `${api.pathname}menu-items`, {});
  expect(list.status).toBe(200);
};

test('a client that sends part of a body and hangs up is dropped; the server keeps serving', async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => {
      const socket = connect(Number(api.port), api.hostname, () => {
        socket.write(
          `POST ${api.pathname}menu-items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
  }
  await new Promise((r) => setTimeout(r, 200));
  expect(run.child.exitCode).toBeNull();
  await stillServing();
});

test('a payload over 10 MB is a 413 from the gateway before it is read, by Content-Length or as it streams', async () => {
  const declared = await send('POST', `${api.pathname}menu-items`, {
    'Content-Type': 'application/json',
    'Content-Length': String(11 * 1024 * 1024),
  });
  expect(declared.status).toBe(413);
  expect(declared.headers['x-amzn-errortype']).toBe('REQUEST_TOO_LARGE');
  const streamed = await send(
    'POST',
    `${api.pathname}menu-items`,
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
  const response = await send('GET', `${api.pathname}menu-items/%E0%A4%A`, {});
  expect(response.status).toBe(400);
  await stillServing();
});
