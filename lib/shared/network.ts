import { FlowLogDestination, FlowLogTrafficType, GatewayVpcEndpointAwsService, IpAddresses, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config';
import { stageLogGroup } from './stage-log-group';

export interface NetworkProps {
  readonly stage: StageConfig;
  /**
   * NAT gateways for the private-with-egress subnets. One per AZ removes the
   * single point of failure; one in total keeps an idle sandbox cheaper; zero
   * leaves those subnets with no internet route at all.
   */
  readonly natGateways: number;
  /** @default '10.0.0.0/16' */
  readonly cidr?: string;
}

/** Availability Zones every VPC spans. */
export const AVAILABILITY_ZONES = 2;

/** Subnet group names, for selecting subnets by role. */
export const SUBNETS = {
  public: 'Public',
  private: 'Private',
  isolated: 'Isolated',
} as const;

/**
 * The VPC every architecture that needs one shares: two Availability Zones,
 * each with a public subnet (load balancers facing the internet and NAT
 * gateways only), a private subnet with outbound internet through NAT
 * (application hosts), and an isolated subnet with no internet route at all
 * (databases). Flow logs of all traffic go to CloudWatch with the stage's
 * retention; S3 and DynamoDB are reached through free gateway endpoints
 * instead of the NAT.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly flowLogGroup: LogGroup;
  /** The VPC's CIDR as a literal, for rules that must be readable at synth (validation checks them). */
  readonly cidr: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.cidr = props.cidr ?? '10.0.0.0/16';
    this.flowLogGroup = stageLogGroup(this, 'FlowLogs', props.stage);
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(this.cidr),
      maxAzs: AVAILABILITY_ZONES,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: SUBNETS.public, subnetType: SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        {
          name: SUBNETS.private,
          // Without a NAT gateway there is no egress: the subnets are then isolated in fact and in name.
          subnetType: props.natGateways > 0 ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED,
          cidrMask: 20,
        },
        { name: SUBNETS.isolated, subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: {
        All: { destination: FlowLogDestination.toCloudWatchLogs(this.flowLogGroup), trafficType: FlowLogTrafficType.ALL },
      },
    });
  }
}
