import { createServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The backend's answer to a forwarded request, read whole. */
export interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Decides what to do with one request: answer it directly, or `forward` it
 * (optionally with another body) and answer with what came back, changed or not.
 */
export type ProxyHandler = (
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  forward: (body: Buffer) => Promise<Upstream>,
) => void | Promise<void>;

/**
 * An HTTP proxy on an ephemeral loopback port in front of a real local
 * backend, for injecting the failures real AWS services produce. The code
 * under test makes its real SDK calls; only what the handler changes is
 * synthetic.
 */
export class LocalProxy {
  private server?: Server;

  constructor(
    private readonly upstream: string,
    private readonly handler: ProxyHandler,
  ) {}

  async start(): Promise<string> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const forward = (body: Buffer) =>
          new Promise<Upstream>((resolve, reject) => {
            const upstream = request(
              {
                host: target.hostname,
                port: target.port,
                path: req.url,
                method: req.method,
                headers: { ...req.headers, 'content-length': String(body.length) },
              },
              (upstreamRes) => {
                const parts: Buffer[] = [];
                upstreamRes.on('data', (part: Buffer) => parts.push(part));
                upstreamRes.on('end', () =>
                  resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: Buffer.concat(parts) }),
                );
              },
            );
            upstream.on('error', reject);
            upstream.end(body);
          });
        Promise.resolve(this.handler(req, Buffer.concat(chunks), res, forward)).catch((error) => {
          res.writeHead(502);
          res.end(String(error));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Answers with the backend's response as it came. */
export function relay(res: ServerResponse, upstream: Upstream): void {
  res.writeHead(upstream.status, upstream.headers);
  res.end(upstream.body);
}

/** Answers with a JSON body of an AWS JSON protocol. */
export function replyJson(res: ServerResponse, status: number, contentType: string, payload: object): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
