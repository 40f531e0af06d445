import { type KinesisClient, PutRecordsCommand, type PutRecordsCommandOutput, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { type ClickEvent, eventProblems } from './event-schema';

export interface TrackerOptions {
  /** A Kinesis client with credentials (Cognito unauthenticated identities in the browser). */
  readonly client: Pick<KinesisClient, 'send'>;
  readonly streamName: string;
  /** Records per PutRecords call. @default 100 (the API takes up to 500) */
  readonly maxBatchSize?: number;
  /** How long an event may wait for others to share its request. @default 1000 ms */
  readonly flushIntervalMs?: number;
  /** Attempts per record before it is put back in the queue for a later flush. @default 5 */
  readonly maxAttempts?: number;
  /** First retry delay; doubles each attempt, with full jitter. @default 100 ms */
  readonly baseDelayMs?: number;
  /** @default 5000 ms */
  readonly maxDelayMs?: number;
  /** Events kept while the stream cannot be reached; beyond this the oldest are dropped. @default 1000 */
  readonly maxQueuedEvents?: number;
  /** Reports problems without ever throwing into the page. @default console.warn */
  readonly warn?: (message: string, detail?: unknown) => void;
}

/** Counters for the page (and the tests) to see what the tracker did. */
export interface TrackerStats {
  tracked: number;
  sent: number;
  retriedRecords: number;
  failedRequests: number;
  dropped: number;
  rejected: number;
}

interface Pending {
  readonly entry: PutRecordsRequestEntry;
  attempts: number;
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends click events to Kinesis Data Streams in batches. `track()` only
 * queues and returns: the page never waits for the network and never sees an
 * exception. A flush sends up to `maxBatchSize` records per PutRecords call;
 * when Kinesis rejects some records of a call (throttling, internal errors)
 * only those are sent again, after an exponential backoff with full jitter.
 * The SDK's own retries cover whole-request failures; if those run out, the
 * batch goes back to the front of the queue for the next flush. Each event
 * carries an event_id, so a record that is stored twice (a request that
 * timed out after Kinesis accepted it) is counted once by the queries.
 */
export class Tracker {
  readonly stats: TrackerStats = { tracked: 0, sent: 0, retriedRecords: 0, failedRequests: 0, dropped: 0, rejected: 0 };
  private queue: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly options: Required<Omit<TrackerOptions, 'client' | 'streamName'>>;

  constructor(private readonly base: TrackerOptions) {
    this.options = {
      maxBatchSize: Math.min(base.maxBatchSize ?? 100, 500),
      flushIntervalMs: base.flushIntervalMs ?? 1000,
      maxAttempts: base.maxAttempts ?? 5,
      baseDelayMs: base.baseDelayMs ?? 100,
      maxDelayMs: base.maxDelayMs ?? 5000,
      maxQueuedEvents: base.maxQueuedEvents ?? 1000,
      warn: base.warn ?? ((message, detail) => console.warn(`[clickstream] ${message}`, detail ?? '')),
    };
  }

  /** Queues one event. Never throws, never blocks; invalid events are refused and counted. */
  track(event: ClickEvent): void {
    try {
      const problems = eventProblems(event as unknown as Record<string, unknown>);
      if (problems.length > 0) {
        this.stats.rejected += 1;
        this.options.warn('Event refused', problems);
        return;
      }
      this.stats.tracked += 1;
      this.queue.push({
        entry: { Data: encoder.encode(JSON.stringify(event)), PartitionKey: event.session_id },
        attempts: 0,
      });
      this.trimQueue();
      if (this.queue.length >= this.options.maxBatchSize) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    } catch (error) {
      this.options.warn('Event not tracked', error);
    }
  }

  /** Events waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Sends everything queued, one request at a time. Resolves when the queue
   * is empty or a request has failed for good (its records wait for the next
   * flush); never rejects.
   */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.inFlight ??= this.drain().finally(() => {
      this.inFlight = undefined;
      if (this.queue.length > 0 && this.timer === undefined) {
        this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
      }
    });
    return this.inFlight;
  }

  /**
   * Sends what is queued and stops the flush timer (for `pagehide`, or a
   * test's teardown). Tracking again afterwards starts it again.
   */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      const delivered = await this.sendBatch(batch);
      if (!delivered) return;
    }
  }

  /** Sends one batch until every record is accepted; false if it gave up for now. */
  private async sendBatch(batch: Pending[]): Promise<boolean> {
    let remaining = batch;
    for (let round = 0; remaining.length > 0; round += 1) {
      if (round > 0) await sleep(this.backoff(round));
      let result: PutRecordsCommandOutput;
      try {
        result = await this.base.client.send(
          new PutRecordsCommand({ StreamName: this.base.streamName, Records: remaining.map((p) => p.entry) }),
        );
      } catch (error) {
        // The SDK already retried with backoff; keep the records for the next flush.
        this.stats.failedRequests += 1;
        this.options.warn('PutRecords failed; events kept for the next flush', error);
        this.queue.unshift(...remaining);
        this.trimQueue();
        return false;
      }
      const failed: Pending[] = [];
      (result.Records ?? []).forEach((record, index) => {
        const pending = remaining[index]!;
        if (record.ErrorCode) failed.push(pending);
        else this.stats.sent += 1;
      });
      for (const pending of failed) pending.attempts += 1;
      this.stats.retriedRecords += failed.length;
      const exhausted = failed.filter((p) => p.attempts >= this.options.maxAttempts);
      if (exhausted.length > 0) {
        // Still not lost: back to the queue, sent again on the next flush.
        this.queue.unshift(...exhausted.map((p) => ({ ...p, attempts: 0 })));
        this.trimQueue();
      }
      remaining = failed.filter((p) => p.attempts < this.options.maxAttempts);
    }
    return true;
  }

  /** Exponential backoff with full jitter: random in [0, min(max, base * 2^round)). */
  private backoff(round: number): number {
    return Math.random() * Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** round);
  }

  /** Keeps memory bounded when the stream is unreachable for long: the oldest events go first. */
  private trimQueue(): void {
    const excess = this.queue.length - this.options.maxQueuedEvents;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.stats.dropped += excess;
      this.options.warn(`Queue full: dropped the ${excess} oldest events`);
    }
  }
}
