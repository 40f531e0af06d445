import type { CfnTemplate } from '../../template/template';
import { BYTES_PER_MILLION_IN_GB, KB_PER_MILLION_IN_GB, line, type PerUnitCost, propsOfType, result } from '../per-unit';
import { PRICES } from '../prices';

/** What a million units of the clickstream architecture's work cost, read from its template. */
export function perUnit(template: CfnTemplate): PerUnitCost {
  const onDemand = propsOfType(template, 'AWS::Kinesis::Stream').some((props) => props.StreamModeDetails?.StreamMode === 'ON_DEMAND');
  const eventsGb = 300 * BYTES_PER_MILLION_IN_GB;
  const firehoseGb = 5 * KB_PER_MILLION_IN_GB;
  const lines = [
    ...(onDemand
      ? [
          line('Kinesis data written (on demand)', eventsGb, PRICES.kinesisOnDemandGbIn),
          line('Kinesis data read by Firehose (on demand)', eventsGb, PRICES.kinesisOnDemandGbOut),
        ]
      : [line('Kinesis PUT payload units (one per event)', 1, PRICES.kinesisPutUnitMillion)]),
    line('Firehose ingestion (each record billed as 5 KB)', firehoseGb, PRICES.firehoseGb),
    line('Firehose conversion to Parquet', firehoseGb, PRICES.firehoseConversionGb),
  ];
  return result(
    'click events',
    'events of about 300 bytes; S3 storage of the Parquet files (about 40 MB) and Athena scans are cents',
    lines,
  );
}
