import { PRICES } from './prices';

/**
 * The most a writer holding anonymous visitor credentials can make the
 * clickstream cost in one hour, when the stream has `shards` provisioned
 * shards: every shard written at its limit (1 MiB/s and 1,000 records/s)
 * for the whole hour, by records of the size that costs most downstream.
 *
 * Firehose bills each record rounded up to 5 KB, so many small records
 * cost more than few large ones: 1,000 records of up to 1,048 bytes per
 * shard-second (the records limit reached just as the bytes limit is)
 * are billed as 1,000 × 5 KB. The same records are the most PUT payload
 * units (one each). Storage is what the hour adds to S3 for a month, at the
 * raw size (Parquet is smaller).
 */
export interface WriteCeiling {
  readonly shards: number;
  readonly lines: readonly { readonly item: string; readonly quantity: number; readonly unit: string; readonly usd: number }[];
  readonly usdPerHour: number;
}

const SECONDS_PER_HOUR = 3600;
const GB = 1024 ** 3;
/** Kinesis per-shard write limits. */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;
export const SHARD_RECORDS_PER_SECOND = 1000;
/** Firehose's billing increment per record. */
const FIREHOSE_RECORD_INCREMENT = 5 * 1024;

export function clickWriteCeiling(shards: number): WriteCeiling {
  const records = shards * SHARD_RECORDS_PER_SECOND * SECONDS_PER_HOUR;
  const billedGb = (records * FIREHOSE_RECORD_INCREMENT) / GB;
  const storedGb = (shards * SHARD_BYTES_PER_SECOND * SECONDS_PER_HOUR) / GB;
  const lines = [
    { item: 'Kinesis shard-hours (paid at rest anyway)', quantity: shards, unit: 'shard-hours', usd: shards * PRICES.kinesisShardHour.usd },
    {
      item: 'Kinesis PUT payload units (one per record)',
      quantity: records / 1e6,
      unit: 'million units',
      usd: (records / 1e6) * PRICES.kinesisPutUnitMillion.usd,
    },
    {
      item: 'Firehose ingestion (records rounded up to 5 KB)',
      quantity: billedGb,
      unit: 'GB billed',
      usd: billedGb * PRICES.firehoseGb.usd,
    },
    { item: 'Firehose conversion to Parquet', quantity: billedGb, unit: 'GB billed', usd: billedGb * PRICES.firehoseConversionGb.usd },
    { item: 'S3 storage for the month after', quantity: storedGb, unit: 'GB-months', usd: storedGb * PRICES.s3StandardGbMonth.usd },
  ];
  return { shards, lines, usdPerHour: lines.reduce((sum, line) => sum + line.usd, 0) };
}
