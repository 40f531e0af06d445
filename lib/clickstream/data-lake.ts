import { type CfnElement, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import {
  DeliveryStream,
  EnableLogging,
  S3Bucket as FirehoseS3Destination,
  HiveJsonInputFormat,
  KinesisStreamSource,
  ParquetCompression,
  ParquetOutputFormat,
  SchemaConfiguration,
  TimestampParser,
} from 'aws-cdk-lib/aws-kinesisfirehose';
import { type Bucket, ObjectOwnership, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { glueColumns } from '../../web/clickstream/event-schema';
import { acknowledgeDefaultPolicy } from '../shared/acknowledge';
import { controlTower } from '../shared/control-tower';
import { acknowledgeBucketCompliance, PrivateBucket } from '../shared/private-bucket';
import type { StageConfig } from '../shared/stage-config';
import { StageLogGroup } from '../shared/stage-log-group';
import type { ClickstreamConfig } from './clickstream-config';
import {
  EVENTS_FOLDER,
  FIREHOSE_ERROR_PREFIX,
  FIREHOSE_EVENTS_PREFIX,
  PARTITION_FORMAT,
  PARTITION_KEY,
  projectionLocationTemplate,
} from './partitioning';

/** The Glue table Athena queries. */
export const EVENTS_TABLE = 'menu_clicks';

export interface DataLakeProps {
  readonly stage: StageConfig;
  readonly config: ClickstreamConfig;
  readonly stream: IStream;
}

/**
 * The data lake: Firehose reads the stream, converts each JSON event to
 * columnar Parquet (Snappy) with the Glue table's schema, and writes it to S3
 * under hourly Hive partitions. The Glue table's partition projection derives
 * partitions from the same layout, so new hours are queryable at once, with
 * no crawler and no MSCK REPAIR.
 */
export class DataLake extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  readonly database: CfnDatabase;
  readonly table: CfnTable;
  readonly deliveryStream: DeliveryStream;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const { stage, config } = props;

    // Server access logs of every bucket of the architecture, and CloudFront's (which needs ACLs).
    this.accessLogs = new PrivateBucket(this, 'AccessLogs', {
      stage,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });

    acknowledgeBucketCompliance(this.accessLogs, {
      singleRegion:
        "Access logs of this stack's buckets and distribution, kept 90 days for investigation; they describe requests to data that is itself single-region.",
      s3ManagedKey:
        'S3 server access log delivery writes only to buckets encrypted with S3 managed keys (SSE-S3); SSE-KMS is not supported for the target bucket.',
      noObjectLock:
        'Access logs expire after 90 days by a lifecycle rule; Object Lock would keep every log version past that, and block emptying the bucket when a sandbox is destroyed.',
      noEventNotifications: 'Access logs are read when investigating, by Athena or by hand; nothing acts on each new log object.',
    });
    Validations.of(this.accessLogs).acknowledge(
      controlTower(
        'CT.S3.PR.2',
        "This is the stack's access-log bucket: the other buckets and the distribution log into it, and logging access to it would need yet another log bucket.",
      ),
    );
    this.bucket = new PrivateBucket(this, 'Bucket', {
      stage,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data-lake/',
      lifecycleRules: [
        {
          id: 'events-to-intelligent-tiering',
          prefix: EVENTS_FOLDER,
          // Old hours are rarely read: S3 moves untouched objects to cheaper tiers by itself.
          transitions: [{ storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) }],
        },
        { id: 'expire-error-output', prefix: 'errors/', expiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledgeBucketCompliance(this.bucket, {
      singleRegion:
        "Anonymous click analytics, not business records: a copy in a second region would double storage for data whose loss costs history, not orders. Versioning (production) covers deletion mistakes, and Firehose's errors/ prefix keeps failed records.",
      s3ManagedKey:
        'Anonymous click events with no personal data. S3 managed keys encrypt at rest; a customer managed key would add a KMS request to every Firehose write and Athena read and key grants for Firehose, Glue and Athena, while IAM and the bucket policy already decide who reads.',
      noObjectLock:
        "Click events are analytics, not records a regulation makes immutable; failed records under errors/ expire after 30 days, and versioning (production) already keeps a deleted or overwritten object's previous version for 30 days.",
      noEventNotifications:
        'Glue partition projection finds new hourly folders by their names, so nothing needs an event per object Firehose writes.',
    });

    const stack = Stack.of(this);
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: `${stack.stackName.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`,
        description: 'Coffee shop menu-page clickstream',
      },
    });
    this.table = new CfnTable(this, 'EventsTable', {
      catalogId: stack.account,
      databaseName: this.database.ref,
      tableInput: {
        name: EVENTS_TABLE,
        description: 'Menu-page click events, Parquet, one partition per hour of arrival (UTC)',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: PARTITION_KEY, type: 'string', comment: `Arrival hour, ${PARTITION_FORMAT} UTC` }],
        parameters: {
          classification: 'parquet',
          'parquet.compression': 'SNAPPY',
          'projection.enabled': 'true',
          [`projection.${PARTITION_KEY}.type`]: 'date',
          [`projection.${PARTITION_KEY}.format`]: PARTITION_FORMAT,
          [`projection.${PARTITION_KEY}.interval`]: '1',
          [`projection.${PARTITION_KEY}.interval.unit`]: 'HOURS',
          [`projection.${PARTITION_KEY}.range`]: 'NOW-2YEARS,NOW',
          'storage.location.template': projectionLocationTemplate(this.bucket.bucketName),
        },
        storageDescriptor: {
          location: `s3://${this.bucket.bucketName}/${EVENTS_FOLDER}`,
          columns: glueColumns(),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });

    const logGroup = new StageLogGroup(this, 'DeliveryLogs', { stage });
    const role = new Role(this, 'DeliveryRole', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com'),
      description: 'Firehose: read the click stream, read the Glue schema, write the data lake',
    });
    this.grantDelivery(role, props.stream, logGroup.logGroupArn);
    // The L2 would grant read-write on the whole bucket (deletes included) and
    // more Kinesis and Glue actions than Firehose uses; it gets a view of the
    // role it cannot add to, and the role holds exactly the statements above.
    const fixedRole = role.withoutPolicyUpdates();
    this.deliveryStream = new DeliveryStream(this, 'Delivery', {
      source: new KinesisStreamSource(props.stream),
      role: fixedRole,
      destination: new FirehoseS3Destination(this.bucket, {
        role: fixedRole,
        dataOutputPrefix: FIREHOSE_EVENTS_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        // Format conversion requires a buffer of at least 64 MiB; the interval bounds the wait.
        bufferingInterval: Duration.seconds(config.bufferIntervalSeconds),
        bufferingSize: Size.mebibytes(config.bufferSizeMiB),
        loggingConfig: new EnableLogging(logGroup),
        dataFormatConversion: {
          schemaConfiguration: SchemaConfiguration.fromCfnTable(this.table),
          // occurred_at arrives as epoch milliseconds.
          inputFormat: new HiveJsonInputFormat({ timestampParsers: [TimestampParser.EPOCH_MILLIS] }),
          outputFormat: new ParquetOutputFormat({ compression: ParquetCompression.SNAPPY }),
        },
      }),
    });
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'A delivery stream whose source is a Kinesis data stream cannot take server-side encryption of its own (Firehose refuses it); the records are encrypted in the source stream and in S3.',
    });
    // Firehose checks its access when the delivery stream is created: the policy must exist first.
    this.deliveryStream.node.addDependency(role);
    acknowledgeDefaultPolicy(role, {
      id: `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnElement))}.Arn>/*]`,
      reason: 'Firehose writes objects under generated names in this one bucket: object actions need the bucket/* resource.',
    });
  }

  /** The Glue catalog, the database and the events table, as IAM names them: a read of the table's definition needs all three. */
  catalogArns(): string[] {
    const stack = Stack.of(this);
    return [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.database.ref }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.database.ref}/${EVENTS_TABLE}` }),
    ];
  }

  /** What Firehose needs, as AWS documents it for a Kinesis source, S3 destination and format conversion. */
  private grantDelivery(role: Role, stream: IStream, logGroupArn: string): void {
    role.addToPolicy(
      new PolicyStatement({
        actions: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
          'kinesis:ListShards',
        ],
        resources: [stream.streamArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: this.catalogArns(),
      }),
    );
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn] }));
  }
}
