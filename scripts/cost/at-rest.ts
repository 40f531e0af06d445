import { type CfnTemplate, countOfType } from '../template/template';
import { ec2InstanceHour, HOURS_PER_MONTH, PRICES, type Price, rdsInstanceHour } from './prices';

/** One billable thing at rest: quantity × unit price per month. */
export interface CostLine {
  readonly item: string;
  /** Logical ids of the resources the line prices. */
  readonly resources: readonly string[];
  readonly quantity: number;
  readonly price: Price;
  readonly monthlyUsd: number;
  /** How the quantity was derived, when it is not simply a count of resources. */
  readonly basis?: string;
  /** What the resources are called when the quantity counts something else (9 alarms evaluate 17 alarm metrics). */
  readonly noun?: string;
}

/** A resource whose type the report does not know: listed, never skipped. */
export interface NotPriced {
  readonly resource: string;
  readonly type: string;
  readonly reason: string;
}

export interface StackCost {
  readonly stack: string;
  readonly lines: readonly CostLine[];
  /** Billed only when used (requests, GB, storage that grows): type → what is billed. */
  readonly perUse: readonly { readonly type: string; readonly count: number; readonly billedBy: string }[];
  readonly notPriced: readonly NotPriced[];
  readonly monthlyUsd: number;
}

/**
 * Resource types that cost nothing at rest and are billed only when used,
 * with what they bill. What they cost per unit of work is in per-unit.ts.
 */
export const BILLED_PER_USE: Readonly<Record<string, string>> = {
  'AWS::ApiGateway::RestApi': 'requests',
  'AWS::Lambda::Function': 'requests and GB-seconds',
  'AWS::SQS::Queue': 'requests',
  'AWS::SNS::Topic': 'publishes and deliveries',
  'AWS::SNS::Subscription': 'deliveries, free to SQS',
  'AWS::S3::Bucket': 'storage and requests',
  'AWS::Logs::LogGroup': 'GB ingested and stored',
  'AWS::EC2::FlowLog': 'GB of flow logs ingested',
  'AWS::KinesisFirehose::DeliveryStream': 'GB ingested and converted',
  'AWS::Glue::Table': 'catalog objects beyond the first million, requests',
  'AWS::Glue::Database': 'catalog objects beyond the first million',
  'AWS::Athena::WorkGroup': 'TB scanned',
  'AWS::CloudFront::Distribution': 'requests and data transfer',
  'AWS::Backup::BackupVault': 'backup storage per GB-month',
  'AWS::Backup::BackupPlan': 'backup storage per GB-month',
  'AWS::WAFv2::LoggingConfiguration': 'GB of WAF logs delivered to CloudWatch Logs (vended-log rates)',
  'AWS::Scheduler::ScheduleGroup': 'schedule invocations (the sandbox time to live: a few per deployment)',
};

/**
 * Resource types with no charge of their own (an identity pool, a layer, an
 * ECS service or task definition on EC2, whose instances are priced; a target
 * group, whose capacity units the load balancer bills).
 */
const FREE = new Set([
  'AWS::Cognito::IdentityPool',
  'AWS::Lambda::LayerVersion',
  'AWS::ECS::Service',
  'AWS::ECS::TaskDefinition',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::InstanceProfile',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::Route',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::LaunchTemplate',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Account',
  'AWS::Lambda::Permission',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::S3::BucketPolicy',
  'AWS::Logs::LogStream',
  'AWS::RDS::DBSubnetGroup',
  'AWS::RDS::DBParameterGroup',
  'AWS::CloudFront::OriginAccessControl',
  'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ECS::CapacityProvider',
  'AWS::ECS::ClusterCapacityProviderAssociations',
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
  'AWS::Cognito::IdentityPoolRoleAttachment',
  'AWS::WAFv2::WebACLAssociation',
  'AWS::Athena::NamedQuery',
  'AWS::Budgets::Budget',
  'AWS::Backup::BackupSelection',
]);

/** Root volume of an AMI when a template names none (Amazon Linux 2023's 8 GB). */
const DEFAULT_ROOT_VOLUME_GB = 8;

/**
 * Container Insights (standard) publishes custom metrics per cluster, per
 * service and per task definition family: about 12, 13 and 8, from the metric
 * list at https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
 */
const CONTAINER_INSIGHTS_METRICS = { cluster: 12, service: 13, taskFamily: 8 };

/**
 * Lambda reads an SQS queue with five long polls of 20 seconds while the
 * queue is empty (an estimate of its documented behaviour; SQS bills each).
 */
const IDLE_SQS_POLLS_PER_MONTH = 5 * ((HOURS_PER_MONTH * 3600) / 20);

const monthly = (quantity: number, price: Price) => quantity * price.usd;

/** The monthly cost at rest of one template. */
export function stackCostAtRest(stack: string, template: CfnTemplate): StackCost {
  const resources = template.Resources;
  const lines: CostLine[] = [];
  const notPriced: NotPriced[] = [];
  const perUse = new Map<string, { count: number; billedBy: string }>();
  const countPerUse = (type: string, billedBy: string) => perUse.set(type, { count: (perUse.get(type)?.count ?? 0) + 1, billedBy });
  const add = (item: string, id: string, quantity: number, price: Price, basis?: string, noun?: string) => {
    if (quantity > 0)
      lines.push({
        item,
        resources: [id],
        quantity,
        price,
        monthlyUsd: monthly(quantity, price),
        ...(basis ? { basis } : {}),
        ...(noun ? { noun } : {}),
      });
  };
  const unknown = (id: string, type: string, reason: string) => notPriced.push({ resource: id, type, reason });
  const hours = HOURS_PER_MONTH;

  for (const [id, resource] of Object.entries(resources)) {
    const { Type: type } = resource;
    const props = resource.Properties ?? {};
    switch (type) {
      case 'AWS::EC2::NatGateway':
        add('NAT gateway', id, hours, PRICES.natGatewayHour);
        break;
      case 'AWS::EC2::EIP':
        add('public IPv4 address (Elastic IP)', id, hours, PRICES.publicIpv4Hour);
        break;
      case 'AWS::EC2::Instance': {
        const price = ec2InstanceHour(props.InstanceType);
        if (!price) {
          unknown(id, type, `instance type ${String(props.InstanceType)} is not in the price table`);
          break;
        }
        // An instance that forwards others' traffic (source/destination check off) is a NAT instance.
        const role = props.SourceDestCheck === false ? 'NAT instance' : 'EC2 instance';
        add(role, id, hours, price);
        add(`${role} root volume, gp3`, id, volumeGb(props.BlockDeviceMappings), PRICES.gp3GbMonth, 'GB');
        if (hasPublicIpv4(props)) add(`${role} public IPv4 address`, id, hours, PRICES.publicIpv4Hour);
        break;
      }
      case 'AWS::AutoScaling::AutoScalingGroup': {
        const count = Number(props.DesiredCapacity ?? props.MinSize ?? 0);
        const templateId = props.LaunchTemplate?.LaunchTemplateId?.Ref;
        const data = templateId ? resources[templateId]?.Properties?.LaunchTemplateData : undefined;
        const price = data ? ec2InstanceHour(data.InstanceType) : undefined;
        if (!data || !price) {
          unknown(id, type, 'no launch template with an instance type the price table knows');
          break;
        }
        const basis = `${count} instance(s) at rest (${props.DesiredCapacity !== undefined ? 'desired' : 'minimum'} capacity)`;
        add('Auto Scaling group instances', id, count * hours, price, basis);
        add('Auto Scaling group root volumes, gp3', id, count * volumeGb(data.BlockDeviceMappings), PRICES.gp3GbMonth, `${count} × GB`);
        break;
      }
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        add(`${props.Type === 'network' ? 'Network' : 'Application'} Load Balancer`, id, hours, PRICES.albHour);
        break;
      case 'AWS::RDS::DBInstance': {
        const multiAz = props.MultiAZ === true || props.MultiAZ === 'true';
        const price = rdsInstanceHour(props.DBInstanceClass, multiAz);
        const source = props.SourceDBInstanceIdentifier?.Ref;
        if (!price) {
          unknown(id, type, `instance class ${String(props.DBInstanceClass)} is not in the price table`);
          break;
        }
        add(source ? 'RDS read replica' : 'RDS instance', id, hours, price);
        const storage = Number(props.AllocatedStorage ?? (source ? resources[source]?.Properties?.AllocatedStorage : 0) ?? 0);
        const storagePrice = multiAz
          ? { ...PRICES.rdsGp3GbMonth, usd: 2 * PRICES.rdsGp3GbMonth.usd, per: 'GB-month, Multi-AZ' }
          : PRICES.rdsGp3GbMonth;
        add(source ? 'RDS read replica storage, gp3' : 'RDS storage, gp3', id, storage, storagePrice, 'GB allocated');
        if (props.ManageMasterUserPassword === true) add('Secrets Manager secret (RDS-managed master password)', id, 1, PRICES.secretMonth);
        break;
      }
      case 'AWS::EC2::VPCEndpoint':
        if (props.VpcEndpointType === 'Interface') {
          const azs = (props.SubnetIds ?? []).length;
          add(`interface endpoint ${serviceOf(props.ServiceName)}`, id, azs * hours, PRICES.interfaceEndpointAzHour, `${azs} AZ(s)`);
        } // Gateway endpoints (S3, DynamoDB) are free.
        break;
      case 'AWS::KMS::Key':
        add('KMS customer managed key', id, 1, PRICES.kmsKeyMonth);
        break;
      case 'AWS::SecretsManager::Secret':
        add('Secrets Manager secret', id, 1, PRICES.secretMonth);
        break;
      case 'AWS::Kinesis::Stream': {
        if (props.StreamModeDetails?.StreamMode === 'ON_DEMAND') {
          add('Kinesis stream, on demand', id, hours, PRICES.kinesisOnDemandStreamHour);
        } else {
          const shards = Number(props.ShardCount ?? 1);
          add('Kinesis provisioned shards', id, shards * hours, PRICES.kinesisShardHour, `${shards} shard(s)`);
          const retention = Number(props.RetentionPeriodHours ?? 24);
          if (retention > 24 * 7) unknown(id, type, 'long-term retention (beyond 7 days) is not in the price table');
          else if (retention > 24)
            add(
              'Kinesis extended retention (up to 7 days)',
              id,
              shards * hours,
              PRICES.kinesisExtendedRetentionShardHour,
              `${shards} shard(s)`,
            );
        }
        break;
      }
      case 'AWS::CloudWatch::Alarm': {
        const metrics = alarmMetricCount(props);
        const highResolution = Number(props.Period ?? 60) < 60;
        add(
          'CloudWatch alarms',
          id,
          metrics,
          highResolution ? PRICES.highResolutionAlarmMetricMonth : PRICES.alarmMetricMonth,
          'alarm metrics',
          'alarms',
        );
        break;
      }
      case 'AWS::CloudWatch::Dashboard':
        add('CloudWatch dashboard', id, 1, PRICES.dashboardMonth);
        break;
      case 'AWS::WAFv2::WebACL':
        add('WAF web ACL', id, 1, PRICES.webAclMonth);
        add('WAF rules', id, (props.Rules ?? []).length, PRICES.wafRuleMonth, 'rules');
        break;
      case 'AWS::ECS::Cluster': {
        const insights = (props.ClusterSettings ?? []).find((s: { Name: string }) => s.Name === 'containerInsights')?.Value;
        if (insights === 'enabled') {
          const services = countOfType(template, 'AWS::ECS::Service');
          const families = countOfType(template, 'AWS::ECS::TaskDefinition');
          const m = CONTAINER_INSIGHTS_METRICS;
          const metrics = m.cluster + m.service * services + m.taskFamily * families;
          add(
            'Container Insights custom metrics (estimate)',
            id,
            metrics,
            PRICES.customMetricMonth,
            `1 cluster, ${services} service(s), ${families} task family(ies)`,
          );
        } else if (insights === 'enhanced') unknown(id, type, 'Container Insights with enhanced observability is not in the price table');
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const source = JSON.stringify(props.EventSourceArn ?? '');
        if (/Queue/.test(source))
          add(
            'SQS requests of idle Lambda polling (estimate)',
            id,
            IDLE_SQS_POLLS_PER_MONTH / 1e6,
            PRICES.sqsRequestMillion,
            'million requests',
          );
        // Lambda reading a stream costs nothing of its own.
        break;
      }
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        if (props.BillingMode === 'PAY_PER_REQUEST') countPerUse(type, 'on-demand request units, storage and backups');
        else unknown(id, type, 'provisioned capacity is not in the price table');
        break;
      default:
        if (BILLED_PER_USE[type] !== undefined) countPerUse(type, BILLED_PER_USE[type]);
        else if (FREE.has(type) || type.startsWith('Custom::')) {
          // No charge of its own (a custom resource's function is listed as a function).
        } else unknown(id, type, 'type not in the price table');
    }
  }

  const merged = mergeLines(lines);
  return {
    stack,
    lines: merged,
    perUse: [...perUse].map(([type, { count, billedBy }]) => ({ type, count, billedBy })),
    notPriced,
    monthlyUsd: merged.reduce((sum, line) => sum + line.monthlyUsd, 0),
  };
}

/** Lines with the same item and unit price become one (e.g. all alarms of a stack). */
function mergeLines(lines: readonly CostLine[]): CostLine[] {
  const byKey = new Map<string, CostLine>();
  for (const line of lines) {
    const key = `${line.item} ${line.price.usd} ${line.price.per}`;
    const seen = byKey.get(key);
    byKey.set(
      key,
      seen
        ? {
            ...seen,
            resources: [...seen.resources, ...line.resources],
            quantity: seen.quantity + line.quantity,
            monthlyUsd: seen.monthlyUsd + line.monthlyUsd,
            ...(seen.basis === line.basis ? {} : { basis: undefined }),
          }
        : line,
    );
  }
  return [...byKey.values()];
}

/** GB of EBS volumes in block device mappings; the AMI's default root volume when none are given. */
function volumeGb(mappings: readonly { Ebs?: { VolumeSize?: number } }[] | undefined): number {
  const sizes = (mappings ?? []).map((m) => Number(m.Ebs?.VolumeSize ?? 0));
  return sizes.length > 0 ? sizes.reduce((a, b) => a + b, 0) : DEFAULT_ROOT_VOLUME_GB;
}

function hasPublicIpv4(props: { NetworkInterfaces?: { AssociatePublicIpAddress?: boolean }[] }): boolean {
  return (props.NetworkInterfaces ?? []).some((ni) => ni.AssociatePublicIpAddress === true);
}

/** CloudWatch bills an alarm per metric it evaluates: one, or each metric of a math expression. */
function alarmMetricCount(props: { Metrics?: { MetricStat?: unknown }[] }): number {
  return props.Metrics ? props.Metrics.filter((m) => m.MetricStat !== undefined).length : 1;
}

/** `secretsmanager` from `com.amazonaws.<region>.secretsmanager`, a string or (as CDK writes it) a Join. */
function serviceOf(serviceName: unknown): string {
  return /\.([a-z0-9-]+)"[\]}]*$/.exec(JSON.stringify(serviceName ?? ''))?.[1] ?? 'service';
}
