import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { type AuthorizationRequest, type Decision, decide } from './policy';
import { type MappedRequest, mapRequest, type Protocol, type RequestedAction } from './requests';
import type { LocalPrincipal, ResourceRules } from './template-policies';

/** One authorized call, as the least-privilege record keeps it. */
export interface UsedGrant {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The template resource the call reached, when the gate knows it. */
  readonly logicalId?: string;
}

/**
 * Where every gate of a run appends what it allowed (one JSON line per
 * call, a file per process), when `IAM_USAGE_DIR` is set: the run's
 * least-privilege check and summary read it.
 */
export function recordUse(use: UsedGrant, dir = process.env.IAM_USAGE_DIR): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, `${process.pid}.jsonl`), `${JSON.stringify(use)}\n`);
}

/** Why a call was refused, in the words AWS uses. */
function deniedMessage(principal: LocalPrincipal, requested: RequestedAction, decision: Decision, by: string): string {
  const who = `arn:aws:sts::${principal.caller.account}:assumed-role/${principal.roleLogicalId}/local`;
  const why = decision === 'explicit-deny' ? `with an explicit deny in ${by}` : `because no ${by} allows the ${requested.action} action`;
  return `User: ${who} is not authorized to perform: ${requested.action} on resource: ${requested.resource} ${why}`;
}

/** The service's own AccessDenied answer, shaped as its protocol shapes errors. */
function writeDenied(res: ServerResponse, protocol: Protocol, message: string): void {
  if (protocol === 'sns' || protocol === 'cloudformation') {
    const [namespace, code] = protocol === 'sns' ? ['sns', 'AuthorizationError'] : ['cloudformation', 'AccessDenied'];
    res.writeHead(403, { 'Content-Type': 'text/xml' });
    res.end(
      `<ErrorResponse xmlns="http://${namespace}.amazonaws.com/doc/${protocol === 'sns' ? '2010-03-31' : '2010-05-15'}/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error><RequestId>local-iam</RequestId></ErrorResponse>`,
    );
    return;
  }
  if (protocol === 'scheduler') {
    res.writeHead(403, {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': 'AccessDeniedException',
      'x-amzn-RequestId': 'local-iam',
    });
    res.end(JSON.stringify({ Message: message }));
    return;
  }
  const type: Record<Exclude<Protocol, 'sns' | 'cloudformation' | 'scheduler'>, string> = {
    dynamodb: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
    sqs: 'com.amazon.coral.service#AccessDeniedException',
    kinesis: 'AccessDeniedException',
    secretsmanager: 'AccessDeniedException',
  };
  const headers: Record<string, string> = {
    'Content-Type': protocol === 'kinesis' || protocol === 'secretsmanager' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0',
    'x-amzn-RequestId': 'local-iam',
  };
  // SQS's JSON protocol also names the Query error code, which the SDK reads.
  if (protocol === 'sqs') headers['x-amzn-query-error'] = 'AccessDenied;Sender';
  res.writeHead(protocol === 'sqs' ? 403 : 400, headers);
  res.end(JSON.stringify({ __type: type[protocol], message, Message: message }));
}

export interface IamGateOptions {
  /** The backend the allowed requests go on to. */
  readonly upstream: string;
  readonly principal: LocalPrincipal;
  /** Resource policies and keys of the template's resources, by local ARN (resourceRules). */
  readonly resources: ReadonlyMap<string, ResourceRules>;
  /**
   * Condition keys of every request. In AWS the SDK calls over TLS, so
   * aws:SecureTransport is true (a local endpoint is plain HTTP).
   */
  readonly context?: Readonly<Record<string, string>>;
  /** The template's logical id of a local resource ARN, for the least-privilege record. */
  readonly logicalIdOf?: (arn: string) => string | undefined;
}

/**
 * An HTTP gate on a loopback port in front of a local backend that lets a
 * request through only if the principal's deployed policies allow every
 * action it needs (with the resource's policy, and for a queue or topic
 * encrypted with a customer managed key, the key's kms:GenerateDataKey and
 * kms:Decrypt as AWS requires); otherwise it answers the service's
 * AccessDenied. What it allows is recorded for the least-privilege check.
 */
export class IamGate {
  private server?: Server;
  /** Refusals, for tests and for a local run to print. */
  readonly denied: string[] = [];
  readonly allowed: UsedGrant[] = [];

  constructor(private readonly options: IamGateOptions) {}

  /** The decision on one action, with what decided it. */
  authorize(requested: RequestedAction): { decision: Decision; by: string } {
    const { principal, resources } = this.options;
    const request: AuthorizationRequest = {
      ...requested,
      context: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': principal.caller.arn, ...this.options.context, ...requested.context },
    };
    const rules = resources.get(requested.resource);
    const decision = decide(principal.caller, principal.statements, request, rules?.policy ?? []);
    if (decision !== 'allow')
      return { decision, by: rules?.policy.length ? 'identity-based or resource-based policy' : 'identity-based policy' };
    if (rules?.key && /^(sqs:SendMessage|sns:Publish)$/.test(requested.action)) {
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        const keyRequest = { action, resource: rules.key, context: request.context };
        const keyDecision = decide(principal.caller, principal.statements, keyRequest, resources.get(rules.key)?.policy ?? [], {
          keyPolicy: true,
        });
        if (keyDecision !== 'allow')
          return { decision: keyDecision, by: `the key policy or identity-based policy for ${action} on ${rules.key}` };
      }
    }
    return { decision, by: '' };
  }

  async start(): Promise<string> {
    const target = new URL(this.options.upstream);
    this.server = createServer((req, res) => {
      // A browser's CORS preflight is not an AWS call: IAM never sees it.
      const preflight = req.method === 'OPTIONS';
      if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', '*');
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('error', () => res.destroy());
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (preflight) return this.forward(target, req, res, body);
        let mapped: MappedRequest;
        try {
          mapped = mapRequest(req.headers['x-amz-target'] as string | undefined, req.headers['content-type'], body, {
            method: req.method,
            path: req.url,
          });
        } catch (error) {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ __type: 'LocalIamGateError', message: (error as Error).message }));
          return;
        }
        for (const requested of mapped.actions) {
          const { decision, by } = this.authorize(requested);
          if (decision !== 'allow') {
            const message = deniedMessage(this.options.principal, requested, decision, by);
            this.denied.push(message);
            writeDenied(res, mapped.protocol, message);
            return;
          }
        }
        for (const requested of mapped.actions) {
          const logicalId = this.options.logicalIdOf?.(requested.resource);
          const use = {
            principal: this.options.principal.name,
            action: requested.action,
            resource: requested.resource,
            ...(logicalId ? { logicalId } : {}),
          };
          this.allowed.push(use);
          recordUse(use);
        }
        this.forward(target, req, res, body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private forward(target: URL, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    upstream.end(body);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
