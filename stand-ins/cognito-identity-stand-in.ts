import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the two Cognito Identity calls the browser's unauthenticated
 * (enhanced) flow makes, GetId and GetCredentialsForIdentity, with CORS for
 * the page. There is no local implementation of Cognito Identity to run here;
 * the credentials it hands out are accepted by kinesalite, which does not
 * check signatures. It refuses any other call and any other identity pool,
 * and records what it was asked, so the test can check the page's flow.
 */
export class CognitoIdentityStandIn {
  private server?: Server;
  readonly calls: { target: string; body: Record<string, unknown> }[] = [];

  constructor(private readonly identityPoolId: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'POST',
          'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? '*'),
        });
        res.end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        this.calls.push({ target, body });
        const reply = (status: number, payload: object) => {
          res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(payload));
        };
        if (target === 'AWSCognitoIdentityService.GetId') {
          if (body.IdentityPoolId !== this.identityPoolId)
            return reply(400, { __type: 'ResourceNotFoundException', message: 'Unknown identity pool' });
          return reply(200, { IdentityId: `us-east-1:${randomUUID()}` });
        }
        if (target === 'AWSCognitoIdentityService.GetCredentialsForIdentity') {
          return reply(200, {
            IdentityId: body.IdentityId,
            Credentials: {
              AccessKeyId: 'ASIALOCALVISITOR',
              SecretKey: 'local-visitor-secret',
              SessionToken: 'local-visitor-session',
              Expiration: Math.floor(Date.now() / 1000) + 3600,
            },
          });
        }
        return reply(400, { __type: 'InvalidParameterException', message: `Not supported here: ${target}` });
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
