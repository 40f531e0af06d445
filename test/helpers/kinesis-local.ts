import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A kinesalite server (a real Kinesis Data Streams API in memory) on an ephemeral loopback port. */
export async function startKinesalite(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const kinesalite = require('kinesalite');
  const server: Server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A Kinesis client for `endpoint`. kinesalite speaks HTTP/1.1 only, so the
 * client gets the HTTP/1.1 handler (the browser's fetch handler is HTTP/1.1 too).
 */
export function kinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({ endpoint, requestHandler: new NodeHttpHandler(), maxAttempts: 3 });
}

/** Creates a provisioned stream (kinesalite rejects on-demand mode) and returns its name. */
export async function createStream(client: KinesisClient, name: string, shards = 2): Promise<string> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  return name;
}

/** Every record in the stream, from every shard, decoded as JSON. */
export async function readAllRecords(client: KinesisClient, streamName: string): Promise<Record<string, unknown>[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const records: Record<string, unknown>[] = [];
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    // Until an empty page: a page may stop short of the shard's end.
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) records.push(JSON.parse(Buffer.from(record.Data!).toString('utf8')));
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/**
 * A proxy in front of kinesalite that makes Kinesis behave as it does under
 * load: for PutRecords it withholds the records `shouldFail` picks, forwards
 * the rest, and answers with a partial failure (`FailedRecordCount` and an
 * `ErrorCode` per withheld record), so a withheld record is really not in the
 * stream. It can also fail whole requests with a 500. Everything else passes
 * through untouched.
 */
export class KinesisFaultProxy {
  private server?: Server;
  putRecordsCalls = 0;
  /** Records received in PutRecords calls, resends included. */
  recordsReceived = 0;
  withheldRecords = 0;
  failedRequests = 0;
  /** Whole PutRecords requests to answer with a 500 before passing again. */
  failNextRequests = 0;

  constructor(
    private readonly upstream: string,
    private readonly shouldFail: (record: { Data: string; PartitionKey: string }) => boolean = () => false,
  ) {}

  async start(): Promise<string> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const cors: Record<string, string> = req.headers.origin ? { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'x-amzn-RequestId,x-amzn-ErrorType' } : {};
        const isPutRecords = req.headers['x-amz-target'] === 'Kinesis_20131202.PutRecords';
        if (isPutRecords) this.putRecordsCalls += 1;
        if (isPutRecords && this.failNextRequests > 0) {
          this.failNextRequests -= 1;
          this.failedRequests += 1;
          res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1', ...cors });
          res.end(JSON.stringify({ __type: 'InternalFailure', message: 'Injected fault' }));
          return;
        }
        let forwardBody = body;
        let withheld: boolean[] = [];
        if (isPutRecords) {
          const parsed = JSON.parse(body.toString('utf8')) as { Records: { Data: string; PartitionKey: string }[]; StreamName: string };
          this.recordsReceived += parsed.Records.length;
          withheld = parsed.Records.map((record) => this.shouldFail(record));
          this.withheldRecords += withheld.filter(Boolean).length;
          forwardBody = Buffer.from(JSON.stringify({ ...parsed, Records: parsed.Records.filter((_, i) => !withheld[i]) }));
          if (withheld.every(Boolean)) {
            return this.reply(res, cors, { FailedRecordCount: withheld.length, Records: withheld.map(() => throttled()) });
          }
        }
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: { ...req.headers, 'content-length': String(forwardBody.length) },
          },
          (upstreamRes) => {
            if (!isPutRecords || upstreamRes.statusCode !== 200) {
              res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
              upstreamRes.pipe(res);
              return;
            }
            const parts: Buffer[] = [];
            upstreamRes.on('data', (part: Buffer) => parts.push(part));
            upstreamRes.on('end', () => {
              const accepted = JSON.parse(Buffer.concat(parts).toString('utf8')) as { FailedRecordCount: number; Records: object[] };
              let next = 0;
              const records = withheld.map((isWithheld) => (isWithheld ? throttled() : accepted.Records[next++]!));
              this.reply(res, cors, { FailedRecordCount: accepted.FailedRecordCount + withheld.filter(Boolean).length, Records: records });
            });
          },
        );
        upstream.on('error', (error) => {
          res.writeHead(502);
          res.end(String(error));
        });
        upstream.end(forwardBody);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private reply(res: import('node:http').ServerResponse, cors: Record<string, string>, payload: object): void {
    const text = JSON.stringify(payload);
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(text), ...cors });
    res.end(text);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const throttled = () => ({
  ErrorCode: 'ProvisionedThroughputExceededException',
  ErrorMessage: 'Rate exceeded for shard shardId-000000000000 (injected)',
});
