import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { type App, Duration, Stack } from 'aws-cdk-lib';
import { clickstream } from '../../lib/clickstream/architecture';
import { EVENTS_FOLDER, PARTITION_KEY } from '../../lib/clickstream/partitioning';
import type { ClickEvent } from '../../web/clickstream/event-schema';
import { addIntegTest, synthWhenRun } from './integ-app';

const BATCH_SIZE = 5;
const SESSION_ID = '0b9c6e1a-2f4d-4c8b-9a7e-5d3c2b1a0f9e';
const ITEM = { menu_item_id: 'integ-espresso', menu_section: 'coffee' };

/** A known batch: BATCH_SIZE clicks on one item in one visit, at the run's start. */
export function integBatch(runAt: number): ClickEvent[] {
  return Array.from({ length: BATCH_SIZE }, (_, i) => ({
    event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    event_type: 'menu_item_click',
    occurred_at: runAt + i,
    session_id: SESSION_ID,
    page_path: '/',
    viewport_width: 1280,
    ...ITEM,
  }));
}

/**
 * The analytics path deployed as the sandbox deploys it: a batch put on the
 * stream is converted by Firehose into Parquet under the Hive prefix (no
 * record in the error prefix), and the saved "most viewed items" query run
 * in the workgroup counts exactly that batch.
 */
export function integTest(app: App) {
  return addIntegTest(app, {
    architecture: clickstream,
    assert: (test) => {
      const { stack } = test;
      const { assertions } = test.integ;
      const lake = stack.dataLake.bucket;
      const results = stack.analytics.resultsBucket;
      const database = stack.dataLake.database.ref;

      const put = assertions.awsApiCall('Kinesis', 'putRecords', {
        StreamName: stack.ingestion.stream.streamName,
        Records: integBatch(test.runAt).map((event) => ({ Data: JSON.stringify(event), PartitionKey: event.session_id })),
      });
      put.expect(ExpectedResult.objectLike({ FailedRecordCount: 0 }));

      // Firehose flushes after its buffer interval (60 s in the sandbox).
      const parquet = assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: lake.bucketName, Prefix: EVENTS_FOLDER });
      parquet.expect(
        ExpectedResult.objectLike({
          Contents: Match.arrayWith([
            Match.objectLike({ Key: Match.stringLikeRegexp(`^${EVENTS_FOLDER}${PARTITION_KEY}=\\d{4}-\\d{2}-\\d{2}-\\d{2}/`) }),
          ]),
        }),
      );
      parquet.waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
      // integ-tests-alpha grants s3:ListObjectsV2, which IAM does not know; listing is s3:ListBucket (granted below).
      const noErrors = assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: lake.bucketName, Prefix: 'errors/' });
      noErrors.expect(ExpectedResult.objectLike({ KeyCount: 0 }));

      const saved = assertions.awsApiCall('Athena', 'getNamedQuery', {
        NamedQueryId: stack.analytics.namedQueries['most-viewed-menu-items-last-hour']!.attrNamedQueryId,
      });
      const start = assertions.awsApiCall('Athena', 'startQueryExecution', {
        QueryString: saved.getAttString('NamedQuery.QueryString'),
        WorkGroup: stack.analytics.workGroup.ref,
        QueryExecutionContext: { Database: database },
      });
      const queryExecutionId = start.getAttString('QueryExecutionId');
      const finished = assertions.awsApiCall('Athena', 'getQueryExecution', { QueryExecutionId: queryExecutionId });
      finished.expect(ExpectedResult.objectLike({ QueryExecution: { Status: { State: 'SUCCEEDED' } } }));
      finished.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });
      const counted = assertions.awsApiCall('Athena', 'getQueryResults', { QueryExecutionId: queryExecutionId });
      counted.expect(
        ExpectedResult.objectLike({
          ResultSet: {
            Rows: [
              { Data: [{ VarCharValue: 'menu_item_id' }, { VarCharValue: 'menu_section' }, { VarCharValue: 'clicks' }] },
              { Data: [{ VarCharValue: ITEM.menu_item_id }, { VarCharValue: ITEM.menu_section }, { VarCharValue: String(BATCH_SIZE) }] },
            ],
          },
        }),
      );

      // What an analyst needs to run a saved query: the workgroup, the Glue
      // table, the data lake (read) and the results bucket (write).
      const region = Stack.of(stack).region;
      const account = Stack.of(stack).account;
      const partition = Stack.of(stack).partition;
      start.provider.addToRolePolicy({
        Effect: 'Allow',
        Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        Resource: [
          `arn:${partition}:glue:${region}:${account}:catalog`,
          `arn:${partition}:glue:${region}:${account}:database/${database}`,
          `arn:${partition}:glue:${region}:${account}:table/${database}/*`,
        ],
      });
      start.provider.addToRolePolicy({
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:GetObject'],
        Resource: [lake.bucketArn, lake.arnForObjects('*')],
      });
      start.provider.addToRolePolicy({
        Effect: 'Allow',
        Action: [
          's3:GetBucketLocation',
          's3:ListBucket',
          's3:GetObject',
          's3:PutObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
        ],
        Resource: [results.bucketArn, results.arnForObjects('*')],
      });

      put.next(parquet).next(noErrors).next(saved).next(start).next(finished).next(counted);
    },
  });
}

synthWhenRun(module, integTest);
