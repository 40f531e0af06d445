/**
 * us-east-1 on-demand list prices in USD, one entry per billing dimension the
 * cost report uses, each with the AWS pricing page it was taken from.
 * Recorded on PRICES_AS_OF; AWS changes prices, so check the page before
 * relying on a figure (and for other Regions).
 */
export const PRICES_AS_OF = '2026-11-23';
export const PRICE_REGION = 'us-east-1';

/** Hours in a month, as AWS's pricing calculator counts them. */
export const HOURS_PER_MONTH = 730;

export interface Price {
  readonly usd: number;
  /** What one unit is, as on the pricing page (e.g. "hour", "GB-month"). */
  readonly per: string;
  readonly source: string;
}

const page = {
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  ebs: 'https://aws.amazon.com/ebs/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  rds: 'https://aws.amazon.com/rds/postgresql/pricing/',
  privateLink: 'https://aws.amazon.com/privatelink/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/',
  kinesis: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  firehose: 'https://aws.amazon.com/firehose/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  waf: 'https://aws.amazon.com/waf/pricing/',
  apiGateway: 'https://aws.amazon.com/api-gateway/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  scheduler: 'https://aws.amazon.com/eventbridge/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  sns: 'https://aws.amazon.com/sns/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  xray: 'https://aws.amazon.com/xray/pricing/',
  budgets: 'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/',
  codePipeline: 'https://aws.amazon.com/codepipeline/pricing/',
  codeBuild: 'https://aws.amazon.com/codebuild/pricing/',
} as const;

/** Linux on-demand price per hour of the instance types the stacks use. */
const EC2_HOURLY: Readonly<Record<string, number>> = {
  't4g.nano': 0.0042,
  't4g.micro': 0.0084,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
};

/** RDS for PostgreSQL Single-AZ price per hour; a Multi-AZ instance (one standby) costs twice this. */
const RDS_POSTGRES_HOURLY: Readonly<Record<string, number>> = {
  'db.t4g.micro': 0.016,
  'db.t4g.small': 0.032,
  'db.t4g.medium': 0.065,
  'db.m7g.large': 0.168,
};

export const PRICES = {
  natGatewayHour: { usd: 0.045, per: 'NAT gateway-hour', source: page.vpc },
  natGatewayGb: { usd: 0.045, per: 'GB processed', source: page.vpc },
  publicIpv4Hour: { usd: 0.005, per: 'public IPv4 address-hour', source: page.vpc },
  gp3GbMonth: { usd: 0.08, per: 'GB-month of gp3', source: page.ebs },
  albHour: { usd: 0.0225, per: 'load balancer-hour', source: page.elb },
  rdsGp3GbMonth: { usd: 0.115, per: 'GB-month, Single-AZ', source: page.rds },
  interfaceEndpointAzHour: { usd: 0.01, per: 'endpoint-hour per AZ', source: page.privateLink },
  kmsKeyMonth: { usd: 1, per: 'customer managed key-month', source: page.kms },
  secretMonth: { usd: 0.4, per: 'secret-month', source: page.secrets },
  kinesisShardHour: { usd: 0.015, per: 'shard-hour (provisioned)', source: page.kinesis },
  kinesisExtendedRetentionShardHour: { usd: 0.02, per: 'shard-hour of retention beyond 24 h (up to 7 days)', source: page.kinesis },
  kinesisOnDemandStreamHour: { usd: 0.04, per: 'stream-hour (on demand)', source: page.kinesis },
  kinesisPutUnitMillion: { usd: 0.014, per: 'million PUT payload units (25 KB each, provisioned)', source: page.kinesis },
  kinesisOnDemandGbIn: { usd: 0.08, per: 'GB written (on demand)', source: page.kinesis },
  kinesisOnDemandGbOut: { usd: 0.04, per: 'GB read (on demand)', source: page.kinesis },
  firehoseGb: { usd: 0.029, per: 'GB ingested (each record rounded up to 5 KB)', source: page.firehose },
  firehoseConversionGb: { usd: 0.018, per: 'GB converted to Parquet', source: page.firehose },
  alarmMetricMonth: { usd: 0.1, per: 'alarm metric-month (standard resolution)', source: page.cloudwatch },
  highResolutionAlarmMetricMonth: { usd: 0.3, per: 'alarm metric-month (high resolution)', source: page.cloudwatch },
  dashboardMonth: { usd: 3, per: 'dashboard-month', source: page.cloudwatch },
  customMetricMonth: { usd: 0.3, per: 'custom metric-month (first 10,000)', source: page.cloudwatch },
  logsIngestedGb: { usd: 0.5, per: 'GB of logs ingested', source: page.cloudwatch },
  webAclMonth: { usd: 5, per: 'web ACL-month', source: page.waf },
  wafRuleMonth: { usd: 1, per: 'rule-month', source: page.waf },
  wafRequestMillion: { usd: 0.6, per: 'million requests', source: page.waf },
  restApiRequestMillion: { usd: 3.5, per: 'million REST API requests (first 333 million)', source: page.apiGateway },
  lambdaRequestMillion: { usd: 0.2, per: 'million requests', source: page.lambda },
  lambdaArmGbSecond: { usd: 0.0000133334, per: 'GB-second (arm64)', source: page.lambda },
  lambdaX86GbSecond: { usd: 0.0000166667, per: 'GB-second (x86_64)', source: page.lambda },
  dynamodbWriteMillion: { usd: 0.625, per: 'million write request units', source: page.dynamodb },
  dynamodbReadMillion: { usd: 0.125, per: 'million read request units', source: page.dynamodb },
  sqsRequestMillion: { usd: 0.4, per: 'million standard-queue requests (64 KB chunks)', source: page.sqs },
  snsPublishMillion: { usd: 0.5, per: 'million publishes (deliveries to SQS are free)', source: page.sns },
  s3PutThousand: { usd: 0.005, per: 'thousand PUT requests', source: page.s3 },
  s3StandardGbMonth: { usd: 0.023, per: 'GB-month of S3 Standard (first 50 TB)', source: page.s3 },
  xrayTraceMillion: { usd: 5, per: 'million traces recorded', source: page.xray },
  budgetMonth: { usd: 0, per: 'budget without actions', source: page.budgets },
  codePipelineV2ActionMinute: {
    usd: 0.002,
    per: 'action execution minute (V2; the first 100 a month are free)',
    source: page.codePipeline,
  },
  codeBuildSmallMinute: { usd: 0.005, per: 'build minute, general1.small Linux (the first 100 a month are free)', source: page.codeBuild },
  codeBuildMediumMinute: { usd: 0.01, per: 'build minute, general1.medium Linux', source: page.codeBuild },
  schedulerInvocationMillion: {
    usd: 1,
    per: 'million schedule invocations (the first 14 million a month are free)',
    source: page.scheduler,
  },
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** The hourly price of an EC2 instance type, if the table knows it. */
export function ec2InstanceHour(instanceType: string): Price | undefined {
  const usd = EC2_HOURLY[instanceType];
  return usd === undefined ? undefined : { usd, per: `${instanceType} instance-hour (Linux)`, source: page.ec2 };
}

/** The hourly price of an RDS for PostgreSQL class, Single-AZ or Multi-AZ, if the table knows it. */
export function rdsInstanceHour(instanceClass: string, multiAz: boolean): Price | undefined {
  const usd = RDS_POSTGRES_HOURLY[instanceClass];
  if (usd === undefined) return undefined;
  return { usd: multiAz ? 2 * usd : usd, per: `${instanceClass} ${multiAz ? 'Multi-AZ' : 'Single-AZ'} instance-hour`, source: page.rds };
}
