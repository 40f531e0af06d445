import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { type IVpc, Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import {
  type AsgCapacityProvider,
  type Cluster,
  ContainerImage,
  Ec2Service,
  Ec2TaskDefinition,
  LinuxParameters,
  LogDriver,
  NetworkMode,
  Protocol,
  TmpfsMountOption,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  type ApplicationTargetGroup,
  Protocol as ElbProtocol,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeDefaultPolicy } from '../shared/acknowledge';
import { controlTower } from '../shared/control-tower';
import { SUBNETS } from '../shared/network';
import type { StageConfig } from '../shared/stage-config';
import { StageLogGroup } from '../shared/stage-log-group';
import { LoadBalancerAccessLogs } from './load-balancer-access-logs';

/** The directories ECS Exec's agent writes in a container, each a scratch volume of the task. */
const EXEC_AGENT_VOLUMES = [
  { name: 'exec-agent-state', containerPath: '/var/lib/amazon' },
  { name: 'exec-agent-logs', containerPath: '/var/log/amazon' },
] as const;

/** The container's writable /tmp, in memory (counted against its memory limit). */
export const TMP_SIZE_MIB = 16;

export interface InternalServiceProps {
  readonly stage: StageConfig;
  readonly vpc: IVpc;
  /** The only addresses that may reach the load balancer: the VPC's CIDR. */
  readonly clientCidr: string;
  readonly cluster: Cluster;
  readonly capacityProvider: AsgCapacityProvider;
  /**
   * A public image, pulled from the internet through the NAT gateway, which
   * is what proves outbound-only internet works.
   * It runs as the user `containerUser`, on a read-only root file system,
   * and listens on `containerPort`.
   * @default public.ecr.aws/nginx/nginx-unprivileged:stable-alpine
   */
  readonly image?: string;
  /** @default '101' (nginx in the unprivileged image) */
  readonly containerUser?: string;
  /** @default 8080 */
  readonly containerPort?: number;
  /** Tasks at rest, and the floor of task scaling. */
  readonly desiredCount: number;
  /** @default 6 */
  readonly maxCount?: number;
}

/**
 * A sample internal service: tasks with their own network interfaces
 * (awsvpc) in the private subnets, behind an internal Application Load
 * Balancer that only the VPC can reach. Deployments roll back by themselves
 * when tasks fail their health checks; the task count tracks CPU.
 */
export class InternalService extends Construct {
  readonly service: Ec2Service;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly targetGroup: ApplicationTargetGroup;
  readonly logGroup: LogGroup;
  /** Production: the load balancer's access logs. */
  readonly accessLogs?: LoadBalancerAccessLogs;

  constructor(scope: Construct, id: string, props: InternalServiceProps) {
    super(scope, id);
    const { stage, vpc } = props;
    const { desiredCount } = props;

    this.logGroup = new StageLogGroup(this, 'Logs', { stage });

    const containerPort = props.containerPort ?? 8080;
    const taskDefinition = new Ec2TaskDefinition(this, 'TaskDefinition', { networkMode: NetworkMode.AWS_VPC });
    // ECS Exec's agent writes its state and logs under /var/lib/amazon and
    // /var/log/amazon inside the container: with a read-only root file
    // system they are scratch volumes of the task, gone with it.
    for (const { name } of EXEC_AGENT_VOLUMES) taskDefinition.addVolume({ name });
    const linuxParameters = new LinuxParameters(this, 'LinuxParameters');
    // nginx's pid file and request buffers: memory, never executed.
    linuxParameters.addTmpfs({
      containerPath: '/tmp',
      size: TMP_SIZE_MIB,
      mountOptions: [TmpfsMountOption.NOEXEC, TmpfsMountOption.NOSUID, TmpfsMountOption.NODEV],
    });
    const container = taskDefinition.addContainer('web', {
      image: ContainerImage.fromRegistry(props.image ?? 'public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
      cpu: 256,
      memoryReservationMiB: 128,
      memoryLimitMiB: 256,
      // Not root, and nothing it runs can change its own image.
      user: props.containerUser ?? '101',
      readonlyRootFilesystem: true,
      linuxParameters,
      portMappings: [{ containerPort, protocol: Protocol.TCP }],
      logging: LogDriver.awsLogs({ logGroup: this.logGroup, streamPrefix: 'web' }),
      healthCheck: {
        command: ['CMD-SHELL', `wget -q -O /dev/null http://localhost:${containerPort}/ || exit 1`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(15),
      },
    });
    for (const { name, containerPath } of EXEC_AGENT_VOLUMES)
      container.addMountPoints({ sourceVolume: name, containerPath, readOnly: false });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The only environment variable is AWS_REGION, which CDK sets on the container; the sample nginx image takes no configuration and no secrets.',
    });

    const serviceSecurityGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'Sample service tasks: HTTP from the internal load balancer only',
      allowAllOutbound: true,
    });
    this.service = new Ec2Service(this, 'Service', {
      cluster: props.cluster,
      taskDefinition,
      desiredCount,
      vpcSubnets: { subnetGroupName: SUBNETS.private },
      securityGroups: [serviceSecurityGroup],
      capacityProviderStrategies: [{ capacityProvider: props.capacityProvider.capacityProviderName, weight: 1 }],
      circuitBreaker: { enable: true, rollback: true },
      // ECS Exec: a shell in a running task through Session Manager, no SSH.
      enableExecuteCommand: true,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(60),
    });
    const execLogs = props.cluster.executeCommandConfiguration?.logConfiguration?.cloudWatchLogGroup;
    const stack = Stack.of(this);
    acknowledgeDefaultPolicy(
      taskDefinition.taskRole,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ECS Exec needs ssmmessages:CreateControlChannel/CreateDataChannel/OpenControlChannel/OpenDataChannel and logs:DescribeLogGroups, which support no resource-level permissions.',
      },
      ...(execLogs
        ? [
            {
              id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<${stack.resolve(stack.getLogicalId(execLogs.node.defaultChild as CfnElement))}>:*]`,
              reason:
                'ECS Exec writes each session to a log stream it names at the start of the session (logs:CreateLogStream, PutLogEvents): the streams of the one session log group, which the cluster names.',
            },
          ]
        : []),
    );
    // Teardown: the service (and its tasks) must go before the cluster's
    // capacity provider association, which cannot be removed while in use.
    this.service.node.addDependency(props.cluster);

    const albSecurityGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'Internal load balancer: HTTP from inside the VPC only',
      allowAllOutbound: false,
    });
    albSecurityGroup.addIngressRule(Peer.ipv4(props.clientCidr), Port.tcp(80), 'HTTP from the VPC');
    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetGroupName: SUBNETS.private },
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      // Free, and it keeps an internal endpoint from being deleted by mistake; off in a sandbox so that cdk destroy works.
      deletionProtection: stage.deletionProtection,
    });
    if (stage.loadBalancerAccessLogs) {
      this.accessLogs = new LoadBalancerAccessLogs(this, 'AccessLogs', { stage, loadBalancer: this.loadBalancer });
    } else {
      Validations.of(this.loadBalancer).acknowledge({
        id: 'AwsSolutions-ELB2',
        reason:
          'Sandbox stage: access logs cost S3 storage for every request and a bucket to empty before cdk destroy; nginx logs each request in the task log group and the target group counts requests and 5XX. Production turns them on.',
      });
    }
    Validations.of(this.loadBalancer).acknowledge({
      id: 'NIST.800.53.R5-ALBWAFEnabled',
      reason:
        'The load balancer is internal: its security group admits HTTP from the VPC only, so no internet client reaches it; a web ACL ($5 a month plus rules) would inspect only traffic from inside the VPC.',
    });
    const listener = this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      // Never add the 0.0.0.0/0 ingress CDK adds by default.
      open: false,
    });
    const plainHttp =
      'An internal sample service: the listener answers only inside the VPC, and an ACM certificate needs a domain name the environment-agnostic stack does not have. A service that carries personal data would add an HTTPS listener with a private CA certificate (ACM Private CA, about $400 a month) or terminate TLS in the task.';
    Validations.of(listener).acknowledge(
      { id: 'NIST.800.53.R5-ALBHttpToHttpsRedirection', reason: plainHttp },
      { id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired', reason: plainHttp },
      controlTower('CT.ELASTICLOADBALANCING.PR.1', plainHttp),
    );
    this.targetGroup = listener.addTargets('Tasks', {
      // The group's default port; each task registers with its container
      // port (and is health-checked there). Changing it would replace the group.
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/',
        protocol: ElbProtocol.HTTP,
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        interval: Duration.seconds(15),
      },
    });
    serviceSecurityGroup.connections.allowFrom(albSecurityGroup, Port.tcp(containerPort), 'HTTP from the internal load balancer');

    const scaling = this.service.autoScaleTaskCount({ minCapacity: desiredCount, maxCapacity: props.maxCount ?? 6 });
    scaling.scaleOnCpuUtilization('CpuTarget', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(2),
      scaleOutCooldown: Duration.minutes(1),
    });
  }
}
