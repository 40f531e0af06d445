import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
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
    this.monitoring.facade
      .monitorKinesisDataStream({
        streamName: stream.streamName,
        alarmFriendlyName: 'ClickStream',
        humanReadableName: 'Click events stream',
        // Firehose reads continuously: records waiting more than 5 minutes mean delivery has stalled.
        addIteratorMaxAgeAlarm: { Warning: { maxAgeInMillis: 5 * 60_000 } },
        addWriteProvisionedThroughputExceededAlarm: { Warning: { maxRecordsThrottledThreshold: 0 } },
      })
      .monitorKinesisFirehose({
        deliveryStreamName: this.dataLake.deliveryStream.deliveryStreamName,
        alarmFriendlyName: 'ClickDelivery',
        humanReadableName: 'Click events delivery to S3',
      })
      .monitorCustom({
        alarmFriendlyName: 'ClickDeliveryFreshness',
        humanReadableName: 'Age of the oldest record not yet in S3',
        metricGroups: [
          {
            title: 'Delivery to S3: data freshness (s)',
            metrics: [
              {
                metric: new Metric({
                  namespace: 'AWS/Firehose',
                  metricName: 'DeliveryToS3.DataFreshness',
                  dimensionsMap: { DeliveryStreamName: this.dataLake.deliveryStream.deliveryStreamName },
                  statistic: 'Maximum',
                  period: stage.alarmPeriod,
                }),
                alarmFriendlyName: 'DataFreshness',
                addAlarm: {
                  Warning: {
                    // Three buffer intervals behind means delivery (or format conversion) is failing.
                    threshold: Duration.seconds(config.bufferIntervalSeconds * 3).toSeconds(),
                    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  },
                },
              },
            ],
          },
        ],
      });

    new CfnOutput(this, 'MenuPageUrl', { value: `https://${this.site.distribution.distributionDomainName}/` });
    new CfnOutput(this, 'StreamName', { value: stream.streamName });
    new CfnOutput(this, 'IdentityPoolId', { value: this.ingestion.identityPool.ref });
    new CfnOutput(this, 'DataLakeBucket', { value: this.dataLake.bucket.bucketName });
    new CfnOutput(this, 'GlueDatabase', { value: this.dataLake.database.ref });
    new CfnOutput(this, 'EventsTable', { value: EVENTS_TABLE });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.analytics.workGroup.ref });
    new CfnOutput(this, 'MostViewedItemsQueryId', {
      value: this.analytics.namedQueries['most-viewed-menu-items-last-hour']!.attrNamedQueryId,
      description: 'Saved query: menu items clicked most in the last hour',
    });
  }
}
