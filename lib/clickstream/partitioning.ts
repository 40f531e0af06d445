/**
 * One description of how events are laid out in S3, read by both Firehose
 * (where it writes) and the Glue table's partition projection (where Athena
 * looks). Hive style, one partition per hour: a query that filters on `dt`
 * reads only the hours it names.
 */
export const PARTITION_KEY = 'dt';

/** Java date pattern; Firehose and Athena partition projection both speak it. */
export const PARTITION_FORMAT = 'yyyy-MM-dd-HH';

/** Where the Parquet files go, under the data lake bucket. */
export const EVENTS_FOLDER = 'events/';

/** Firehose's prefix: the arrival hour (UTC) fills the partition value. */
export const FIREHOSE_EVENTS_PREFIX = `${EVENTS_FOLDER}${PARTITION_KEY}=!{timestamp:${PARTITION_FORMAT}}/`;

/** Records Firehose could not convert or deliver, kept with the reason in the path. */
export const FIREHOSE_ERROR_PREFIX = `errors/!{firehose:error-output-type}/${PARTITION_KEY}=!{timestamp:${PARTITION_FORMAT}}/`;

/** The projection's location template for a bucket: the Firehose prefix with the partition value as a variable. */
export function projectionLocationTemplate(bucketName: string): string {
  return `s3://${bucketName}/${EVENTS_FOLDER}${PARTITION_KEY}=\${${PARTITION_KEY}}/`;
}
