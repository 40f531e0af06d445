import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** The `X-Amz-Target` operation to fail, e.g. `DynamoDB_20120810.PutItem`. */
  readonly target: string;
  /** Fail only requests whose body contains this text. */
  readonly bodyIncludes: string;
  /** How many matching requests fail before they pass again. */
  times: number;
}

/**
 * An HTTP proxy in front of a real local backend that answers chosen requests
 * with a 500 InternalServerError, as the real service occasionally does. The
 * code under test runs its real SDK calls against the real backend; only the
 * injected failures are synthetic.
 */
export class FaultInjectingProxy {
  private readonly faults: Fault[] = [];
  private server?: Server;
  injected = 0;

  constructor(private readonly targetEndpoint: string) {}

  async start(): Promise<string> {
    const target = new URL(this.targetEndpoint);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation = String(req.headers['x-amz-target'] ?? '');
        const fault = this.faults.find((f) => f.times > 0 && f.target === operation && body.includes(f.bodyIncludes));
        if (fault) {
          fault.times -= 1;
          this.injected += 1;
          res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Injected fault' }));
          return;
        }
        const upstream = request(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
          (upstreamRes) => {
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            upstreamRes.pipe(res);
          },
        );
        upstream.on('error', (error) => {
          res.writeHead(502);
          res.end(String(error));
        });
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
