import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  type KinesisClientConfig,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { LocalBackend } from './backends/backend';
import { LocalProxy, relay, replyJson } from './local-proxy';

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

/** kinesalite as a backend that sets the standard endpoint variable (for `npm run local`). */
export const kinesalite: LocalBackend = {
  name: 'kinesalite',
  start: async () => {
    const server = await startKinesalite();
    return { name: 'kinesalite', endpoint: server.endpoint, env: { AWS_ENDPOINT_URL_KINESIS: server.endpoint }, stop: server.stop };
  },
};

/**
 * A Kinesis client for `endpoint`. kinesalite speaks HTTP/1.1 only, so the
 * client gets the HTTP/1.1 handler (the browser's fetch handler is HTTP/1.1 too).
 */
export function kinesisClient(endpoint: string, config: Pick<KinesisClientConfig, 'region' | 'credentials'> = {}): KinesisClient {
  return new KinesisClient({ endpoint, requestHandler: new NodeHttpHandler(), maxAttempts: 3, ...config });
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
  private readonly proxy: LocalProxy;
  putRecordsCalls = 0;
  /** Records received in PutRecords calls, resends included. */
  recordsReceived = 0;
  withheldRecords = 0;
  failedRequests = 0;
  /** Whole PutRecords requests to answer with a 500 before passing again. */
  failNextRequests = 0;

  constructor(upstream: string, shouldFail: (record: { Data: string; PartitionKey: string }) => boolean = () => false) {
    this.proxy = new LocalProxy(upstream, async (req, body, res, forward) => {
      if (req.headers['x-amz-target'] !== 'Kinesis_20131202.PutRecords') return relay(res, await forward(body));
      this.putRecordsCalls += 1;
      if (this.failNextRequests > 0) {
        this.failNextRequests -= 1;
        this.failedRequests += 1;
        return replyJson(res, 500, JSON_1_1, { __type: 'InternalFailure', message: 'Injected fault' });
      }
      const request = JSON.parse(body.toString('utf8')) as { Records: { Data: string; PartitionKey: string }[] };
      this.recordsReceived += request.Records.length;
      const withheld = request.Records.map((record) => shouldFail(record));
      const failedCount = withheld.filter(Boolean).length;
      this.withheldRecords += failedCount;
      if (failedCount === request.Records.length) {
        return replyJson(res, 200, JSON_1_1, { FailedRecordCount: failedCount, Records: withheld.map(throttled) });
      }
      const upstreamAnswer = await forward(
        Buffer.from(JSON.stringify({ ...request, Records: request.Records.filter((_, i) => !withheld[i]) })),
      );
      if (upstreamAnswer.status !== 200) return relay(res, upstreamAnswer);
      const accepted = JSON.parse(upstreamAnswer.body.toString('utf8')) as { FailedRecordCount: number; Records: object[] };
      let next = 0;
      replyJson(res, 200, JSON_1_1, {
        FailedRecordCount: accepted.FailedRecordCount + failedCount,
        Records: withheld.map((isWithheld) => (isWithheld ? throttled() : accepted.Records[next++]!)),
      });
    });
  }

  start(): Promise<string> {
    return this.proxy.start();
  }

  stop(): Promise<void> {
    return this.proxy.stop();
  }
}

const JSON_1_1 = 'application/x-amz-json-1.1';

const throttled = () => ({
  ErrorCode: 'ProvisionedThroughputExceededException',
  ErrorMessage: 'Rate exceeded for shard shardId-000000000000 (injected)',
});
