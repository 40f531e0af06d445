import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { toRecord } from '../../stand-ins/sqs-local';
import type { LocalResources } from './intrinsics';
import type { LocalFunction } from './lambda-host';

export interface MappingOptions {
  readonly sqs: SQSClient;
  /** The template's AWS::Lambda::EventSourceMapping properties. */
  readonly mapping: any;
  readonly resources: LocalResources;
  readonly functions: ReadonlyMap<string, LocalFunction>;
}

/**
 * The SQS event source mapping, run until stopped: long-poll the queue for up
 * to BatchSize messages (waiting up to MaximumBatchingWindowInSeconds to fill
 * a batch), invoke the function, delete what it did not report in
 * batchItemFailures (all of the batch if it threw), and leave the rest to the
 * queue: visible again after the visibility timeout and moved to the DLQ after
 * maxReceiveCount, as the queue's redrive policy says. MaximumConcurrency
 * pollers run at once.
 */
export class LocalEventSourceMapping {
  private running = true;
  private readonly pollers: Promise<void>[] = [];
  /** Batches handed to the function, and records it reported failed (or threw on). */
  invocations = 0;
  failedRecords = 0;

  constructor(private readonly options: MappingOptions) {}

  start(): void {
    const { mapping, resources, functions, sqs } = this.options;
    const queueArn = resources.resolveString(mapping.EventSourceArn);
    const queue = resources.find((attributes) => attributes.Arn === queueArn);
    const functionId = (mapping.FunctionName as { Ref: string }).Ref;
    const fn = functions.get(functionId);
    if (!queue?.QueueUrl || !fn) throw new Error(`Event source mapping ${queueArn} -> ${functionId} has no local queue or function`);
    const batchSize = Math.min(Number(mapping.BatchSize ?? 10), 10);
    const windowMs = Number(mapping.MaximumBatchingWindowInSeconds ?? 0) * 1000;
    const reportsFailures = (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures');
    const concurrency = Number(mapping.ScalingConfig?.MaximumConcurrency ?? 2);

    const poll = async () => {
      while (this.running) {
        const batch: Message[] = [];
        const windowEnds = Date.now() + windowMs;
        do {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queue.QueueUrl,
              MaxNumberOfMessages: batchSize - batch.length,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['All'],
            }),
          );
          batch.push(...Messages);
        } while (this.running && batch.length > 0 && batch.length < batchSize && Date.now() < windowEnds);
        if (batch.length === 0 || !this.running) continue;
        this.invocations += 1;
        let failed: Set<string>;
        try {
          const response = (await fn.invoke({ Records: batch.map((m) => toRecord(m, queueArn)) })) as SQSBatchResponse | null;
          failed = new Set(reportsFailures ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
        } catch (error) {
          process.stderr.write(`[local event source] ${(error as Error).message}: the batch returns to the queue\n`);
          failed = new Set(batch.map((m) => m.MessageId!));
        }
        this.failedRecords += failed.size;
        const done = batch.filter((m) => !failed.has(m.MessageId!));
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queue.QueueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      }
    };
    for (let i = 0; i < concurrency; i++) {
      this.pollers.push(
        poll().catch((error) => {
          if (this.running) process.stderr.write(`[local event source] poller stopped: ${(error as Error).message}\n`);
        }),
      );
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.pollers);
  }
}
