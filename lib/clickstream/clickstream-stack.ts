import { Aws, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  type AlarmText,
  ArchitectureMonitoring,
  METRIC_PERIOD,
  ON_FIRST_FIVE_MINUTES,
  ON_FIRST_MINUTE,
  SUSTAINED_TEN_MINUTES,
} from '../shared/architecture-monitoring';
import type { StageConfig } from '../shared/stage-config';
import { AnalyticsWorkgroup } from './analytics-workgroup';
import { ClickIngestion } from './click-ingestion';
import type { ClickstreamConfig } from './clickstream-config';
import { DataLake, EVENTS_TABLE } from './data-lake';
import { MenuSite } from './menu-site';

export interface ClickstreamStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly config: ClickstreamConfig;
}

/**
 * Architecture 3: menu-page clickstream analytics. Browser -> Kinesis Data
 * Streams (Cognito unauthenticated identities) -> Firehose -> S3 as hourly
 * partitioned Parquet -> Glue table with partition projection -> Athena.
 */
export class ClickstreamStack extends Stack {
  readonly ingestion: ClickIngestion;
  readonly dataLake: DataLake;
  readonly analytics: AnalyticsWorkgroup;
  readonly site: MenuSite;
  readonly monitoring: ArchitectureMonitoring;

  constructor(scope: Construct, id: string, props: ClickstreamStackProps) {
    super(scope, id, props);
    const { stage, config } = props;

    this.ingestion = new ClickIngestion(this, 'Ingestion', { stage, config });
    this.dataLake = new DataLake(this, 'DataLake', { stage, config, stream: this.ingestion.stream });
    this.analytics = new AnalyticsWorkgroup(this, 'Analytics', {
      stage,
      config,
      database: this.dataLake.database,
      accessLogs: this.dataLake.accessLogs,
    });
    this.site = new MenuSite(this, 'MenuSite', {
      stage,
      accessLogs: this.dataLake.accessLogs,
      siteConfig: {
        region: Aws.REGION,
        identityPoolId: this.ingestion.identityPool.ref,
        streamName: this.ingestion.stream.streamName,
      },
    });

    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason:
        "aws-cdk-lib's Firehose module always adds a mapping of Firehose's CIDR blocks per Region, used only by destinations that allow-list Firehose's addresses; the S3 destination references none.",
    });

    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });
    const { stream } = this.ingestion;
    const alarm = (text: AlarmText) => this.monitoring.alarm(text);
    const staleAfterSeconds = config.bufferIntervalSeconds * 3;
    this.monitoring.facade
      .monitorKinesisDataStream({
        streamName: stream.streamName,
        alarmFriendlyName: 'ClickStream',
        humanReadableName: 'Click events stream',
        // Firehose reads continuously: records waiting more than 5 minutes mean delivery has stalled.
        addIteratorMaxAgeAlarm: {
          Warning: {
            maxAgeInMillis: 5 * 60_000,
            ...alarm({
              name: 'ClickStream-DeliveryStalled',
              description: `Click events have waited in the stream for more than 5 minutes: Firehose is not reading it, and after the stream's retention (${config.streamRetentionHours} h) they are lost. First check: the delivery stream in the Firehose console (its source and role).`,
              timing: ON_FIRST_MINUTE,
            }),
          },
        },
        addWriteProvisionedThroughputExceededAlarm: {
          Warning: {
            maxRecordsThrottledThreshold: 0,
            ...alarm({
              name: 'ClickStream-WritesThrottled',
              description:
                "Kinesis refused click events for lack of throughput; the page keeps them and retries, but a visitor who leaves loses them. First check: the stream's IncomingRecords metric (a burst, or a script writing with visitor credentials).",
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
      })
      .monitorKinesisFirehose({
        deliveryStreamName: this.dataLake.deliveryStream.deliveryStreamName,
        alarmFriendlyName: 'ClickDelivery',
        humanReadableName: 'Click events delivery to S3',
      });
    this.monitoring.metricAboveThreshold({
      alarmFriendlyName: 'ClickDeliveryFreshness',
      humanReadableName: 'Age of the oldest record not yet in S3',
      title: 'Delivery to S3: data freshness (s)',
      metric: new Metric({
        namespace: 'AWS/Firehose',
        metricName: 'DeliveryToS3.DataFreshness',
        dimensionsMap: { DeliveryStreamName: this.dataLake.deliveryStream.deliveryStreamName },
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

    if (stage.abuseAlarms) this.alarmOnIncomingBytes(config);

    new CfnOutput(this, 'MenuPageUrl', {
      value: `https://${this.site.distribution.distributionDomainName}/`,
      description: 'The menu page (CloudFront); its clicks go to the stream',
    });
    new CfnOutput(this, 'StreamName', { value: stream.streamName, description: 'Kinesis data stream of click events' });
    new CfnOutput(this, 'IdentityPoolId', {
      value: this.ingestion.identityPool.ref,
      description: 'Cognito identity pool whose guest identities may only put records to the stream',
    });
    new CfnOutput(this, 'DataLakeBucket', {
      value: this.dataLake.bucket.bucketName,
      description: 'Parquet click events under events/ (Hive partitions), failed records under errors/',
    });
    new CfnOutput(this, 'AccessLogBucket', {
      value: this.dataLake.accessLogs.bucketName,
      description: 'Access logs of the buckets and of CloudFront; empty it if a late log blocks cdk destroy',
    });
    new CfnOutput(this, 'GlueDatabase', { value: this.dataLake.database.ref, description: 'Glue database of the events table' });
    new CfnOutput(this, 'EventsTable', { value: EVENTS_TABLE, description: 'Glue table of the click events (partition projection)' });
    new CfnOutput(this, 'AthenaWorkGroup', {
      value: this.analytics.workGroup.ref,
      description: 'Athena workgroup (encrypted results, bytes-scanned limit) for the saved queries',
    });
    new CfnOutput(this, 'MostViewedItemsQueryId', {
      value: this.analytics.namedQueries['most-viewed-menu-items-last-hour']!.attrNamedQueryId,
      description: 'Saved query: menu items clicked most in the last hour',
    });
  }

  /**
   * More click data than the busiest expected hour: a script writing with
   * visitor credentials, or growth the shard count should follow. The shards
   * bound what it costs; this says that it is happening.
   */
  private alarmOnIncomingBytes(config: ClickstreamConfig): void {
    const kibPerSecond = config.expectedPeakBytesPerSecond / 1024;
    this.monitoring.metricAboveThreshold({
      alarmFriendlyName: 'ClickStreamIncomingBytes',
      humanReadableName: 'Bytes written to the click stream',
      title: 'Click stream: bytes written per 5 minutes',
      metric: new Metric({
        namespace: 'AWS/Kinesis',
        metricName: 'IncomingBytes',
        dimensionsMap: { StreamName: this.ingestion.stream.streamName },
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
}
