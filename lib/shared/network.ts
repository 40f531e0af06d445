import { Aspects, Stack, Validations } from 'aws-cdk-lib';
import {
  AmazonLinuxCpuType,
  type CfnInstance,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InstanceArchitecture,
  InstanceRequireImdsv2Aspect,
  type InstanceType,
  IpAddresses,
  MachineImage,
  NatProvider,
  NatTrafficDirection,
  Peer,
  Port,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AVAILABILITY_ZONES } from './availability-zones';
import { controlTower } from './control-tower';
import type { StageConfig } from './stage-config';
import { StageLogGroup } from './stage-log-group';

export interface NetworkProps {
  readonly stage: StageConfig;
  /**
   * NATs for the private-with-egress subnets. One per AZ removes the single
   * point of failure; one in total keeps an idle sandbox cheaper; zero leaves
   * those subnets with no internet route at all.
   */
  readonly natGateways: number;
  /**
   * NAT instances of this type instead of managed NAT gateways: the same
   * routes for a fraction of the hourly price, without the gateway's
   * redundancy within its AZ and its bandwidth.
   * @default - NAT gateways
   */
  readonly natInstanceType?: InstanceType;
  /** @default '10.0.0.0/16' */
  readonly cidr?: string;
}

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
    this.flowLogGroup = new StageLogGroup(this, 'FlowLogs', { stage: props.stage });
    const natInstances = props.natInstanceType && props.natGateways > 0 ? natInstanceProvider(props.natInstanceType) : undefined;
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(this.cidr),
      maxAzs: AVAILABILITY_ZONES,
      natGateways: props.natGateways,
      ...(natInstances ? { natGatewayProvider: natInstances } : {}),
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
    // CDK's handler that strips the default security group's rules when the
    // VPC is created (one per stack, outside this construct).
    const restrictDefaultGroup = Stack.of(this)
      .node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider')
      ?.node.tryFindChild('Handler');
    if (restrictDefaultGroup) {
      Validations.of(restrictDefaultGroup).acknowledge(
        controlTower(
          'CT.LAMBDA.PR.3',
          "CDK's handler that removes the default security group's rules, through the EC2 API, once when CloudFormation creates or updates the VPC; inside the VPC it would need a NAT or an EC2 interface endpoint to reach that API.",
        ),
      );
    }
    for (const subnet of this.vpc.publicSubnets) {
      Validations.of(subnet.node.findChild('DefaultRoute')).acknowledge({
        id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        reason:
          props.natGateways > 0
            ? "The public subnet's route to the internet gateway is what its NAT gateway sends the private subnets' outbound traffic through; nothing else is placed in the public subnets (no instance gets a public address on launch)."
            : 'No NAT and nothing else is placed in this public subnet (no instance gets a public address on launch); the route exists because the VPC keeps the same three tiers in every variant, and a NAT added later needs it.',
      });
    }
    if (natInstances) {
      // Forward only what starts inside the VPC; nothing from the internet may open a connection.
      natInstances.connections.allowFrom(Peer.ipv4(this.cidr), Port.allTraffic(), 'Traffic from the VPC to forward');
      Aspects.of(this).add(new InstanceRequireImdsv2Aspect());
      for (const instance of natInstances.gatewayInstances) {
        (instance.node.defaultChild as CfnInstance).blockDeviceMappings = [
          { deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8, deleteOnTermination: true } },
        ];
        Validations.of(instance).acknowledge(
          {
            id: 'AwsSolutions-EC28',
            reason:
              'A NAT instance is chosen where idle cost matters (a sandbox); detailed monitoring would add about $2 a month for 1-minute metrics that nothing alarms on.',
          },
          {
            id: 'AwsSolutions-EC29',
            reason:
              'CloudFormation replaces a NAT instance when its image or type changes and deletes it with the stack; termination protection would block both, and the VPC routes through whichever instance the stack owns.',
          },
        );
      }
    }
  }
}

/** NAT instances (Amazon Linux 2023, iptables masquerading) with a public address of their own. */
function natInstanceProvider(instanceType: InstanceType) {
  const cpuType = instanceType.architecture === InstanceArchitecture.ARM_64 ? AmazonLinuxCpuType.ARM_64 : AmazonLinuxCpuType.X86_64;
  return NatProvider.instanceV2({
    instanceType,
    // Resolved from AWS's public SSM parameter at deploy time: no lookup, synth stays offline.
    machineImage: MachineImage.latestAmazonLinux2023({ cpuType }),
    defaultAllowedTraffic: NatTrafficDirection.OUTBOUND_ONLY,
    // The public subnets do not map public addresses on launch.
    associatePublicIpAddress: true,
  });
}
