import { LocalProxy, relay, replyJson } from './local-proxy';

export interface Fault {
  /** The `X-Amz-Target` operation to fail, e.g. `DynamoDB_20120810.PutItem`. */
  readonly target: string;
  /** Fail only requests whose body contains this text. */
  readonly bodyIncludes: string;
  /** How many matching requests fail before they pass again. */
  times: number;
}

/**
 * A proxy in front of a real local backend that answers chosen requests
 * with a 500 InternalServerError, as the real service occasionally does. The
 * code under test runs its real SDK calls against the real backend; only the
 * injected failures are synthetic.
 */
export class FaultInjectingProxy {
  private readonly faults: Fault[] = [];
  private readonly proxy: LocalProxy;
  injected = 0;

  constructor(targetEndpoint: string) {
    this.proxy = new LocalProxy(targetEndpoint, async (req, body, res, forward) => {
      const operation = String(req.headers['x-amz-target'] ?? '');
      const fault = this.faults.find((f) => f.times > 0 && f.target === operation && body.includes(f.bodyIncludes));
      if (!fault) return relay(res, await forward(body));
      fault.times -= 1;
      this.injected += 1;
      replyJson(res, 500, 'application/x-amz-json-1.0', {
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Injected fault',
      });
    });
  }

  start(): Promise<string> {
    return this.proxy.start();
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  stop(): Promise<void> {
    return this.proxy.stop();
  }
}
