import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './api-gateway-event';

/** An SQS client for the fauxqs server global-setup started. */
export function sqsClient(): SQSClient {
  if (!process.env.AWS_ENDPOINT_URL_SQS) {
    throw new Error('AWS_ENDPOINT_URL_SQS is not set: fauxqs is started by test/setup/global-setup.ts');
  }
  // An explicit endpoint: with only the environment variable, the SDK sends to
  // the queue URL's host (sqs.<region>.localhost), which glibc does not resolve.
  return new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });
}

export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
}

export async function createQueue(sqs: SQSClient, attributes: Record<string, string> = {}): Promise<LocalQueue> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `q-${randomUUID()}`, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** A queue and its dead-letter queue, with the redrive the stack defines. */
export async function createQueueWithDeadLetter(sqs: SQSClient, maxReceiveCount: number, visibilityTimeoutSeconds = 1) {
  const deadLetter = await createQueue(sqs);
  const queue = await createQueue(sqs, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount }),
  });
  return { queue, deadLetter };
}

/** Messages visible plus in flight. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Receives and deletes everything currently in a queue. */
export async function receiveAll(sqs: SQSClient, url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0 && (await queueDepth(sqs, url)) === 0) return all;
    all.push(...Messages);
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    } else {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A received message as the event source mapping hands it to the function. */
export function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType!, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceMappingOptions {
  readonly queue: LocalQueue;
  readonly handler: SqsHandler;
  readonly batchSize: number;
  /** Concurrent pollers, like the mapping's maxConcurrency. @default 1 */
  readonly concurrency?: number;
  /** Give up after this long. @default 60 s */
  readonly timeoutMs?: number;
}

export interface MappingRun {
  readonly invocations: number;
  readonly recordsDelivered: number;
  readonly recordsFailed: number;
}

/**
 * What the Lambda SQS event source mapping does, against a real queue: receive
 * a batch, invoke the handler, delete the records it did not report as failed,
 * and leave the failed ones to reappear after the visibility timeout (and move
 * to the DLQ after maxReceiveCount, which the queue itself does). Runs until
 * the queue is empty.
 */
export async function runEventSourceMapping(sqs: SQSClient, options: EventSourceMappingOptions): Promise<MappingRun> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let invocations = 0;
  let recordsDelivered = 0;
  let recordsFailed = 0;

  const poller = async () => {
    while (Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queue.url,
          MaxNumberOfMessages: options.batchSize,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) {
        if ((await queueDepth(sqs, options.queue.url)) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      invocations += 1;
      recordsDelivered += Messages.length;
      let failed: Set<string>;
      try {
        const response = await options.handler(
          { Records: Messages.map((m) => toRecord(m, options.queue.arn)) },
          lambdaContext('orders-worker'),
        );
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        // A thrown error fails the whole batch: every record is retried.
        failed = new Set(Messages.map((m) => m.MessageId!));
      }
      recordsFailed += failed.size;
      const done = Messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queue.url,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
    throw new Error(`The queue did not drain within ${options.timeoutMs ?? 60_000} ms`);
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, poller));
  return { invocations, recordsDelivered, recordsFailed };
}
