import type { StageName } from '../shared/stage-config';

/** Settings of the clickstream architecture, by stage. */
export interface ClickstreamConfig {
  /**
   * Kinesis capacity: one provisioned shard is the cheapest at rest (about
   * $11 a month against about $29 for an on-demand stream); on demand
   * follows the traffic without shard management.
   */
  readonly streamCapacity: { readonly mode: 'provisioned'; readonly shards: number } | { readonly mode: 'on-demand' };
  readonly streamRetentionHours: number;
  /** Firehose buffering: format conversion needs at least 64 MiB; the interval decides how soon data is queryable. */
  readonly bufferIntervalSeconds: number;
  readonly bufferSizeMiB: number;
  /** Athena's per-query scan cutoff, in bytes (a query that would scan more is cancelled). */
  readonly bytesScannedCutoffPerQuery: number;
}

const GIB = 1024 ** 3;

/** The clickstream reads no context of its own: its settings follow the stage. */
export const CLICKSTREAM_CONFIG: Record<StageName, ClickstreamConfig> = {
  sandbox: {
    streamCapacity: { mode: 'provisioned', shards: 1 },
    streamRetentionHours: 24,
    // Data is queryable a minute after the buffer opens: quick to try.
    bufferIntervalSeconds: 60,
    bufferSizeMiB: 64,
    bytesScannedCutoffPerQuery: 1 * GIB,
  },
  production: {
    streamCapacity: { mode: 'on-demand' },
    streamRetentionHours: 168,
    bufferIntervalSeconds: 300,
    bufferSizeMiB: 128,
    bytesScannedCutoffPerQuery: 100 * GIB,
  },
};
