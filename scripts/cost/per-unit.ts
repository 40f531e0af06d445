import type { CostTemplate } from './at-rest';
import { PRICES, type Price } from './prices';

/** One billed dimension of a unit of work: quantity per million units × unit price. */
export interface UnitLine {
  readonly item: string;
  /** Units of `price` per million units of work. */
  readonly quantity: number;
  readonly price: Price;
  readonly usd: number;
}

export interface PerUnitCost {
  /** What a million of is counted, e.g. "menu requests". */
  readonly unit: string;
  /** The traffic the figures assume, stated once in the report and the docs. */
  readonly assumptions: string;
  readonly lines: readonly UnitLine[];
  readonly usd: number;
}

/** Each architecture that is billed by its work: its model over its template. */
export const PER_UNIT_MODELS: Readonly<Record<string, (template: CostTemplate) => PerUnitCost>> = {
  'serverless-api': (template) => {
    const memoryGb = functionMemoryGb(template, 'ReadHandler');
    const lines = [
      line('API Gateway REST requests', 1, PRICES.restApiRequestMillion),
      ...(hasType(template, 'AWS::WAFv2::WebACL') ? [line('WAF requests', 1, PRICES.wafRequestMillion)] : []),
      line('Lambda requests', 1, PRICES.lambdaRequestMillion),
      line(`Lambda compute (50 ms at ${memoryGb * 1024} MB)`, 1e6 * 0.05 * memoryGb, lambdaGbSecond(template, 'ReadHandler')),
      line('DynamoDB reads (1 read unit each)', 0.9, PRICES.dynamodbReadMillion),
      line('DynamoDB writes (1 write unit each)', 0.1, PRICES.dynamodbWriteMillion),
      line(
        'CloudWatch Logs (access and function logs; a sandbox adds INFO execution logs)',
        (executionLogsAtInfo(template) ? 2.5 : 1) * KB_PER_MILLION_IN_GB,
        PRICES.logsIngestedGb,
      ),
      line('X-Ray traces (5 % sampled)', 0.05, PRICES.xrayTraceMillion),
    ];
    return result('menu requests', '90 % reads and 10 % writes, 50 ms per invocation, about 1 KB of logs per request', lines);
  },
  'decoupled-orders': (template) => {
    const batch = sqsBatchSize(template);
    const memoryGb = functionMemoryGb(template, 'WorkerHandler');
    const invocations = 1 / batch;
    const lines = [
      line('API Gateway REST requests', 1, PRICES.restApiRequestMillion),
      ...(hasType(template, 'AWS::WAFv2::WebACL') ? [line('WAF requests', 1, PRICES.wafRequestMillion)] : []),
      line(`SQS order queue (send, then receive and delete in batches of ${batch})`, 1 + 2 * invocations, PRICES.sqsRequestMillion),
      line(`Lambda worker requests (batches of ${batch})`, invocations, PRICES.lambdaRequestMillion),
      line(
        `Lambda worker compute (300 ms per batch at ${memoryGb * 1024} MB)`,
        1e6 * invocations * 0.3 * memoryGb,
        lambdaGbSecond(template, 'WorkerHandler'),
      ),
      line('DynamoDB writes (order, idempotency record and its update)', 3, PRICES.dynamodbWriteMillion),
      line('SNS order events (delivery to SQS is free)', 1, PRICES.snsPublishMillion),
      line('SQS barista queue (receive and delete in batches of 10)', 0.2, PRICES.sqsRequestMillion),
      line('CloudWatch Logs (access and worker logs)', 1.5 * KB_PER_MILLION_IN_GB, PRICES.logsIngestedGb),
      line('X-Ray traces (5 % sampled)', 0.05, PRICES.xrayTraceMillion),
    ];
    return result('orders', `one order per request, worker batches of ${batch}, about 1.5 KB of logs per order`, lines);
  },
  clickstream: (template) => {
    const onDemand = resourcesOfType(template, 'AWS::Kinesis::Stream').some((props) => props.StreamModeDetails?.StreamMode === 'ON_DEMAND');
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
  },
};

/** 1 KB per unit, a million units, in GB. */
const KB_PER_MILLION_IN_GB = 1e6 / 1024 / 1024;
/** 1 byte per unit, a million units, in GB. */
const BYTES_PER_MILLION_IN_GB = 1e6 / 1024 ** 3;

function line(item: string, quantity: number, price: Price): UnitLine {
  return { item, quantity, price, usd: quantity * price.usd };
}

function result(unit: string, assumptions: string, lines: readonly UnitLine[]): PerUnitCost {
  return { unit, assumptions, lines, usd: lines.reduce((sum, l) => sum + l.usd, 0) };
}

function resourcesOfType(template: CostTemplate, type: string): any[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === type)
    .map((r) => r.Properties ?? {});
}

const hasType = (template: CostTemplate, type: string) => resourcesOfType(template, type).length > 0;

/** The function whose logical id contains `idPart`: there must be exactly one. */
function functionProps(template: CostTemplate, idPart: string): any {
  const found = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes(idPart));
  if (found.length !== 1) throw new Error(`Expected one function with ${idPart} in its logical id, found ${found.length}`);
  return found[0]![1].Properties;
}

function functionMemoryGb(template: CostTemplate, idPart: string): number {
  return Number(functionProps(template, idPart).MemorySize ?? 128) / 1024;
}

function lambdaGbSecond(template: CostTemplate, idPart: string): Price {
  const arm = (functionProps(template, idPart).Architectures ?? []).includes('arm64');
  return arm ? PRICES.lambdaArmGbSecond : PRICES.lambdaX86GbSecond;
}

function sqsBatchSize(template: CostTemplate): number {
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
  if (mappings.length !== 1) throw new Error(`Expected one event source mapping, found ${mappings.length}`);
  return Number(mappings[0].BatchSize ?? 10);
}

function executionLogsAtInfo(template: CostTemplate): boolean {
  return resourcesOfType(template, 'AWS::ApiGateway::Stage').some((stage) =>
    (stage.MethodSettings ?? []).some((s: { LoggingLevel?: string }) => s.LoggingLevel === 'INFO'),
  );
}
