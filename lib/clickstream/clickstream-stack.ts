import { Aws, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import type { StageConfig } from '../shared/stage-config';
import { AnalyticsWorkgroup } from './analytics-workgroup';
import { ClickIngestion } from './click-ingestion';
import type { ClickstreamConfig } from './clickstream-config';
import { monitorClickstream } from './clickstream-monitoring';
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
    monitorClickstream(this.monitoring, { stage, config, ingestion: this.ingestion, dataLake: this.dataLake });
    const { stream } = this.ingestion;

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
}
