import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { CfnDatabase } from 'aws-cdk-lib/aws-glue';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { controlTower } from '../shared/control-tower';
import { acknowledgeBucketCompliance, PrivateBucket } from '../shared/private-bucket';
import type { StageConfig } from '../shared/stage-config';
import { SAVED_QUERIES } from './analytics-queries';
import type { ClickstreamConfig } from './clickstream-config';

export interface AnalyticsWorkgroupProps {
  readonly stage: StageConfig;
  readonly config: ClickstreamConfig;
  readonly database: CfnDatabase;
  readonly accessLogs: IBucket;
}

/**
 * The Athena workgroup analysts use, with its settings enforced (a client
 * cannot override them): results encrypted in their own bucket and expired
 * after a week, a per-query scan cutoff, and query metrics in CloudWatch.
 * The course's questions are saved as named queries.
 */
export class AnalyticsWorkgroup extends Construct {
  readonly workGroup: CfnWorkGroup;
  readonly resultsBucket: Bucket;
  /** Saved queries by name. */
  readonly namedQueries: Record<string, CfnNamedQuery> = {};

  constructor(scope: Construct, id: string, props: AnalyticsWorkgroupProps) {
    super(scope, id);
    const { stage, config } = props;

    this.resultsBucket = new PrivateBucket(this, 'Results', {
      stage,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [{ expiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    acknowledgeBucketCompliance(this.resultsBucket, {
      singleRegion:
        'Query results expire after 7 days and are re-created by running the query again; nothing here exists only in this bucket.',
      s3ManagedKey:
        'The workgroup enforces SSE-S3 on results of queries over anonymous click data; a customer managed key would add a KMS request per result object and key grants for every analyst role, while IAM decides who reads.',
      noObjectLock:
        'Query results expire after 7 days by a lifecycle rule and are re-created by running the query again; Object Lock would keep them past that.',
      noEventNotifications: 'Athena returns each result to the analyst who ran the query; nothing else reads new result objects.',
    });

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${Stack.of(this).stackName}-analysts`.toLowerCase(),
      description: 'Menu-page clickstream analysis',
      state: 'ENABLED',
      // Lets `cdk destroy` delete the workgroup with its saved queries and history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.bytesScannedCutoffPerQuery,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: Stack.of(this).account,
        },
      },
    });

    Validations.of(this.workGroup).acknowledge(
      controlTower(
        'CT.ATHENA.PR.2',
        'The workgroup enforces SSE-S3 on the results of queries over anonymous click data, which expire after 7 days; a customer managed key would add a key ($1 a month), a KMS request per result object and key grants for every analyst role, while IAM decides who reads.',
      ),
    );
    for (const query of SAVED_QUERIES) {
      this.namedQueries[query.name] = new CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: props.database.ref,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
    }
  }
}
