import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type ArchitectureMonitoring,
  METRIC_PERIOD,
  ON_FIRST_FIVE_MINUTES,
  SUSTAINED_TEN_MINUTES,
} from '../shared/architecture-monitoring';
import type { StageConfig } from '../shared/stage-config';
import type { ClickIngestion } from './click-ingestion';
import type { ClickstreamConfig } from './clickstream-config';
import type { DataLake } from './data-lake';

/** The parts of the clickstream architecture that are watched. */
export interface ClickstreamMonitoredParts {
  readonly stage: StageConfig;
  readonly config: ClickstreamConfig;
  readonly ingestion: ClickIngestion;
  readonly dataLake: DataLake;
}

/**
 * What is watched in the clickstream, and what each alarm tells on-call
 * (docs/clickstream.md, "Alarms", is held to these by a test).
 */
export function monitorClickstream(monitoring: ArchitectureMonitoring, parts: ClickstreamMonitoredParts): void {
  const { config } = parts;
  const { deliveryStreamName } = parts.dataLake.deliveryStream;
  monitoring.stream(parts.ingestion.stream.streamName, {
    name: 'ClickStream',
    humanReadableName: 'Click events stream',
    // Firehose reads continuously: records waiting more than 5 minutes mean delivery has stalled.
    deliveryStalled: {
      maxAge: Duration.minutes(5),
      description: `Click events have waited in the stream for more than 5 minutes: Firehose is not reading it, and after the stream's retention (${config.streamRetentionHours} h) they are lost. First check: the delivery stream in the Firehose console (its source and role).`,
    },
    writesThrottled:
      "Kinesis refused click events for lack of throughput; the page keeps them and retries, but a visitor who leaves loses them. First check: the stream's IncomingRecords metric (a burst, or a script writing with visitor credentials).",
  });
  monitoring.facade.monitorKinesisFirehose({
    deliveryStreamName,
    alarmFriendlyName: 'ClickDelivery',
    humanReadableName: 'Click events delivery to S3',
  });
  const staleAfterSeconds = config.bufferIntervalSeconds * 3;
  monitoring.metricAboveThreshold({
    alarmFriendlyName: 'ClickDeliveryFreshness',
    humanReadableName: 'Age of the oldest record not yet in S3',
    title: 'Delivery to S3: data freshness (s)',
    metric: new Metric({
      namespace: 'AWS/Firehose',
      metricName: 'DeliveryToS3.DataFreshness',
      dimensionsMap: { DeliveryStreamName: deliveryStreamName },
      statistic: 'Maximum',
      period: METRIC_PERIOD,
    }),
    metricFriendlyName: 'DataFreshness',
    // Three buffer intervals behind means delivery (or format conversion) is failing.
    threshold: staleAfterSeconds,
    severity: 'Warning',
    alarm: {
      name: 'ClickDelivery-S3Behind',
      description: `The oldest click event not yet in the data lake is more than ${staleAfterSeconds} s old (three buffer intervals): delivery to S3 or the Parquet conversion is failing, and failed records go under errors/ in the bucket. First check: the errors/ prefix of the DataLakeBucket output and the delivery stream's log group.`,
      timing: SUSTAINED_TEN_MINUTES,
    },
  });
  if (parts.stage.abuseAlarms) alarmOnIncomingBytes(monitoring, config, parts.ingestion.stream.streamName);
}

/**
 * More click data than the busiest expected hour: a script writing with
 * visitor credentials, or growth the shard count should follow. The shards
 * bound what it costs; this says that it is happening.
 */
function alarmOnIncomingBytes(monitoring: ArchitectureMonitoring, config: ClickstreamConfig, streamName: string): void {
  const kibPerSecond = config.expectedPeakBytesPerSecond / 1024;
  monitoring.metricAboveThreshold({
    alarmFriendlyName: 'ClickStreamIncomingBytes',
    humanReadableName: 'Bytes written to the click stream',
    title: 'Click stream: bytes written per 5 minutes',
    metric: new Metric({
      namespace: 'AWS/Kinesis',
      metricName: 'IncomingBytes',
      dimensionsMap: { StreamName: streamName },
      statistic: 'Sum',
      period: METRIC_PERIOD,
    }),
    metricFriendlyName: 'AboveExpected',
    threshold: config.expectedPeakBytesPerSecond * METRIC_PERIOD.toSeconds(),
    severity: 'Warning',
    alarm: {
      name: 'ClickStream-IncomingBytesAboveExpected',
      description: `More than ${kibPerSecond} KiB/s of click events over five minutes, above the busiest expected hour: a script writing with visitor credentials, or real growth. The shards cap what it can cost (docs/clickstream.md). First check: the stream's IncomingRecords and IncomingBytes per shard, and whether one session_id dominates (the partition key) in the last hour's events.`,
      timing: ON_FIRST_FIVE_MINUTES,
    },
  });
}
