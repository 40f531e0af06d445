import type { StageName } from '../shared/stage-config';

/** Settings of the clickstream architecture, by stage. */
export interface ClickstreamConfig {
  /**
   * Kinesis capacity. Provisioned shards are the cheapest at rest (about $11
   * a month each against about $29 for an on-demand stream) and, because
   * anonymous visitors write to the stream directly, they are also the
   * ceiling on what a script holding visitor credentials can make the
   * account pay: each shard takes at most 1 MiB/s and 1,000 records/s, and
   * refuses the rest. An on-demand stream would scale (and bill) with the
   * abuse. docs/clickstream.md has the arithmetic.
   */
  readonly streamCapacity: { readonly mode: 'provisioned'; readonly shards: number } | { readonly mode: 'on-demand' };
  /**
   * Click data a busy hour brings, in bytes per second: more than this over
   * five minutes raises the incoming-bytes alarm (where the stage has abuse
   * alarms).
   */
  readonly expectedPeakBytesPerSecond: number;
  readonly streamRetentionHours: number;
  /** Firehose buffering: format conversion needs at least 64 MiB; the interval decides how soon data is queryable. */
  readonly bufferIntervalSeconds: number;
  readonly bufferSizeMiB: number;
  /** Athena's per-query scan cutoff, in bytes (a query that would scan more is cancelled). */
  readonly bytesScannedCutoffPerQuery: number;
}

const KIB = 1024;
const GIB = 1024 ** 3;

/** The clickstream reads no context of its own: its settings follow the stage. */
export const CLICKSTREAM_CONFIG: Record<StageName, ClickstreamConfig> = {
  sandbox: {
    streamCapacity: { mode: 'provisioned', shards: 1 },
    expectedPeakBytesPerSecond: 16 * KIB,
    streamRetentionHours: 24,
    // Data is queryable a minute after the buffer opens: quick to try.
    bufferIntervalSeconds: 60,
    bufferSizeMiB: 64,
    bytesScannedCutoffPerQuery: 1 * GIB,
  },
  production: {
    // 2 MiB/s and 2,000 records/s: about six times the expected peak.
    streamCapacity: { mode: 'provisioned', shards: 2 },
    // About 1,000 events a second of some 330 bytes: a busy lunch hour with thousands of visitors on the menu.
    expectedPeakBytesPerSecond: 320 * KIB,
    streamRetentionHours: 168,
    bufferIntervalSeconds: 300,
    bufferSizeMiB: 128,
    bytesScannedCutoffPerQuery: 100 * GIB,
  },
};
