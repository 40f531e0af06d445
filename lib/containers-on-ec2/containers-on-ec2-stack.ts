import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { InstanceType } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import { Network } from '../shared/network';
import type { StageConfig } from '../shared/stage-config';
import { ContainerHosts } from './container-hosts';
import { type ContainersConfig, NAT_INSTANCE_TYPE } from './containers-config';
import { monitorContainers } from './containers-monitoring';
import { InternalService } from './internal-service';

export interface ContainersOnEc2StackProps extends StackProps {
  readonly stage: StageConfig;
  readonly config: ContainersConfig;
}

/**
 * Architecture 4: internal container applications on ECS with the EC2 launch
 * type (custom AMI and shell access to the hosts, which Fargate does not
 * give), in private subnets whose only internet access is outbound through a
 * managed NAT gateway.
 */
export class ContainersOnEc2Stack extends Stack {
  readonly network: Network;
  readonly hosts: ContainerHosts;
  readonly sampleService: InternalService;
  readonly monitoring: ArchitectureMonitoring;

  constructor(scope: Construct, id: string, props: ContainersOnEc2StackProps) {
    super(scope, id, props);
    const { stage, config } = props;

    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });
    this.network = new Network(this, 'Network', {
      stage,
      natGateways: config.natGateways,
      ...(config.natProvider === 'instance' ? { natInstanceType: new InstanceType(NAT_INSTANCE_TYPE) } : {}),
    });
    this.hosts = new ContainerHosts(this, 'Hosts', {
      stage,
      vpc: this.network.vpc,
      config,
      ...(this.monitoring.alarmTopic ? { notificationTopic: this.monitoring.alarmTopic } : {}),
    });
    this.sampleService = new InternalService(this, 'SampleService', {
      stage,
      vpc: this.network.vpc,
      clientCidr: this.network.cidr,
      cluster: this.hosts.cluster,
      capacityProvider: this.hosts.capacityProvider,
      desiredCount: config.desiredTasks,
    });

    monitorContainers(this.monitoring, { hosts: this.hosts, service: this.sampleService });

    const { service, loadBalancer } = this.sampleService;
    new CfnOutput(this, 'LoadBalancerDns', {
      value: loadBalancer.loadBalancerDnsName,
      description: 'Internal: reachable from the VPC only',
    });
    new CfnOutput(this, 'ClusterName', { value: this.hosts.cluster.clusterName, description: 'ECS cluster (EC2 capacity provider)' });
    new CfnOutput(this, 'AutoScalingGroupName', {
      value: this.hosts.autoScalingGroup.autoScalingGroupName,
      description: 'Auto Scaling group of the container instances',
    });
    new CfnOutput(this, 'ServiceName', { value: service.serviceName, description: 'ECS service of the sample internal service' });
  }
}
