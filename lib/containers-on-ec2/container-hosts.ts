import { Duration, Validations } from 'aws-cdk-lib';
import { AutoScalingGroup, type CfnAutoScalingGroup } from 'aws-cdk-lib/aws-autoscaling';
import {
  BlockDeviceVolume,
  EbsDeviceVolumeType,
  type IMachineImage,
  InstanceArchitecture,
  InstanceType,
  type IVpc,
  KeyPair,
  LaunchTemplate,
  MachineImage,
  OperatingSystemType,
  Peer,
  Port,
  SecurityGroup,
  UserData,
} from 'aws-cdk-lib/aws-ec2';
import {
  AmiHardwareType,
  AsgCapacityProvider,
  Cluster,
  ContainerInsights,
  EcsOptimizedImage,
  ExecuteCommandLogging,
  MachineImageType,
} from 'aws-cdk-lib/aws-ecs';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeDefaultPolicy } from '../shared/acknowledge';
import { controlTower } from '../shared/control-tower';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { SUBNETS } from '../shared/network';
import type { StageConfig } from '../shared/stage-config';
import { StageLogGroup, stackLogKey } from '../shared/stage-log-group';
import type { ContainerHostImage, ContainersConfig } from './containers-config';

export interface ContainerHostsProps {
  readonly stage: StageConfig;
  readonly vpc: IVpc;
  readonly config: ContainersConfig;
  /** @default 4 */
  readonly maxInstances?: number;
  /** Where scaling events are announced. @default - none */
  readonly notificationTopic?: ITopic;
}

/** The image the course asks for: ECS-optimized for the instance type's CPU by default, the customer's own AMI when named. */
export function containerHostImage(image: ContainerHostImage, instanceType: InstanceType): IMachineImage {
  switch (image.kind) {
    case 'ecs-optimized':
      // Resolved from AWS's public SSM parameter at deploy time: no lookup, synth stays offline.
      return EcsOptimizedImage.amazonLinux2023(
        instanceType.architecture === InstanceArchitecture.ARM_64 ? AmiHardwareType.ARM : AmiHardwareType.STANDARD,
      );
    case 'ssm-parameter':
      return MachineImage.fromSsmParameter(image.parameterName, { os: OperatingSystemType.LINUX });
    case 'ami-id':
      // A fixed id in every region: the stack stays environment-agnostic.
      return {
        getImage: () => ({ imageId: image.amiId, osType: OperatingSystemType.LINUX, userData: UserData.forLinux() }),
      };
  }
}

/**
 * ECS cluster capacity on EC2: an Auto Scaling group in the private subnets
 * (no public IPs), IMDSv2 only, encrypted gp3 root volumes, Session Manager
 * on every instance, SSH only when asked for, and an ECS capacity provider
 * with managed scaling, so the cluster grows and shrinks with the tasks
 * placed on it.
 */
export class ContainerHosts extends Construct {
  readonly cluster: Cluster;
  readonly autoScalingGroup: AutoScalingGroup;
  readonly capacityProvider: AsgCapacityProvider;
  readonly securityGroup: SecurityGroup;
  /** What every ECS Exec session typed and saw, kept for the stage's log retention. */
  readonly execSessionLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ContainerHostsProps) {
    super(scope, id);
    const { stage, vpc, config } = props;

    // ECS Exec (a shell in a running task through Session Manager) is an
    // operator's way in, so each session is recorded in a log group of its
    // own; where the stage encrypts its logs with its key, the session's data
    // channel is encrypted with the same key and the log is uploaded
    // encrypted.
    this.execSessionLogs = new StageLogGroup(this, 'ExecSessionLogs', { stage });
    const encrypted = stage.logEncryptionKey;
    this.cluster = new Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: config.containerInsights ? ContainerInsights.ENABLED : ContainerInsights.DISABLED,
      executeCommandConfiguration: {
        logging: ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: this.execSessionLogs, cloudWatchEncryptionEnabled: encrypted },
        ...(encrypted ? { kmsKey: stackLogKey(this, stage) } : {}),
      },
    });
    if (!config.containerInsights) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-ECS4',
        reason:
          "Container Insights is off in this stage to keep its idle cost down (about $10 a month of custom metrics); ECS's free cluster and service CPU and memory metrics still feed every alarm of this stack.",
      });
    }

    this.securityGroup = new SecurityGroup(this, 'HostSecurityGroup', {
      vpc,
      description: 'ECS container hosts: no inbound except SSH from the named CIDR when enabled',
      allowAllOutbound: true,
    });
    if (config.ssh) {
      this.securityGroup.addIngressRule(Peer.ipv4(config.ssh.sourceCidr), Port.tcp(22), 'SSH from the CIDR named by context');
    }

    const role = new ManagedPolicyRole(this, 'InstanceRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: 'ECS container host: ECS agent and Session Manager',
      managedPolicyName: 'AmazonSSMManagedInstanceCore',
      reason:
        'AmazonSSMManagedInstanceCore is the policy AWS maintains for the SSM agent (Session Manager shell access, the course requirement); its actions cover SSM endpoints that have no resource-level scoping.',
    });

    const userData = UserData.forLinux();
    // Tasks use awsvpc networking; block them from the instance metadata
    // service so a container cannot borrow the host's role.
    userData.addCommands(
      'echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config',
      'echo ECS_ENABLE_TASK_IAM_ROLE=true >> /etc/ecs/ecs.config',
    );

    const instanceType = new InstanceType(config.hostInstanceType);
    const launchTemplate = new LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: containerHostImage(config.hostImage, instanceType),
      instanceType,
      role,
      securityGroup: this.securityGroup,
      userData,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      associatePublicIpAddress: false,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: EbsDeviceVolumeType.GP3, deleteOnTermination: true }),
        },
      ],
      ...(config.ssh ? { keyPair: KeyPair.fromKeyPairName(this, 'SshKeyPair', config.ssh.keyName) } : {}),
    });

    this.autoScalingGroup = new AutoScalingGroup(this, 'Hosts', {
      vpc,
      vpcSubnets: { subnetGroupName: SUBNETS.private },
      launchTemplate,
      minCapacity: config.minInstances,
      maxCapacity: props.maxInstances ?? 4,
      // Teardown: instances protected from scale-in are what makes deleting
      // an ASG behind a capacity provider hang. Managed draining (below)
      // moves tasks off an instance before it goes instead.
      newInstancesProtectedFromScaleIn: false,
      defaultInstanceWarmup: Duration.minutes(2),
      ...(props.notificationTopic ? { notifications: [{ topic: props.notificationTopic }] } : {}),
    });
    // The group spans the private subnets' Availability Zones (through its
    // subnets); naming the zones too is what Control Tower's CT.AUTOSCALING.PR.1 reads.
    (this.autoScalingGroup.node.defaultChild as CfnAutoScalingGroup).availabilityZones = vpc.selectSubnets({
      subnetGroupName: SUBNETS.private,
    }).availabilityZones;
    Validations.of(this.autoScalingGroup).acknowledge(
      controlTower(
        'CT.AUTOSCALING.PR.6',
        'The hosts are one instance type (hostInstanceType): the capacity provider places tasks by the CPU and memory of that type, and the ECS-optimized image is chosen for its CPU architecture. A second type would need the same architecture and size; a team that wants one adds a mixed instances policy with it.',
      ),
    );
    Validations.of(launchTemplate).acknowledge(
      controlTower(
        'CT.EC2.PR.10',
        "Detailed (1-minute) EC2 monitoring costs about $2 a month per host, and nothing reads it: the capacity provider scales on ECS's own CapacityProviderReservation metric and the alarms watch the ECS service.",
      ),
    );
    if (!props.notificationTopic) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: 'AwsSolutions-AS3',
        reason:
          'No alarm email is configured for this stage, so there is no topic to notify; launches and terminations stay visible in the group activity history. With alarmEmail set, every scaling event goes to the alarm topic.',
      });
    }

    this.capacityProvider = new AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      machineImageType: MachineImageType.AMAZON_LINUX_2,
      enableManagedScaling: true,
      targetCapacityPercent: 90,
      enableManagedTerminationProtection: false,
      enableManagedDraining: true,
    });
    this.cluster.addAsgCapacityProvider(this.capacityProvider);

    acknowledgeDefaultPolicy(
      role,
      {
        id: 'AwsSolutions-IAM5[Action::ecs:Submit*]',
        reason: 'The ECS agent reports task and container state with the ecs:Submit* family; CDK scopes it to this cluster.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken support no resource-level permissions; ecs:Poll and StartTelemetrySession are conditioned on this cluster; logs actions are those of the ECS agent.',
      },
    );
  }
}
