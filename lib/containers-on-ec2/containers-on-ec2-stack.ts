import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { HttpCodeElb } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import { Network } from '../shared/network';
import type { StageConfig } from '../shared/stage-config';
import { ContainerHosts } from './container-hosts';
import type { ContainersConfig } from './containers-config';
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
    this.network = new Network(this, 'Network', { stage, natGateways: config.natGateways });
    this.hosts = new ContainerHosts(this, 'Hosts', {
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

    const { service, loadBalancer, targetGroup } = this.sampleService;
    const clusterMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ECS',
        metricName,
        dimensionsMap: { ClusterName: this.hosts.cluster.clusterName },
        statistic: 'Maximum',
        period: stage.alarmPeriod,
      });
    this.monitoring.facade
      .monitorEc2ApplicationLoadBalancer({
        ec2Service: service,
        applicationLoadBalancer: loadBalancer,
        applicationTargetGroup: targetGroup,
        alarmFriendlyName: 'SampleService',
        humanReadableName: 'Sample internal service',
        addCpuUsageAlarm: { Warning: { maxUsagePercent: 80 } },
        addMemoryUsageAlarm: { Warning: { maxUsagePercent: 80 } },
        addUnhealthyTaskCountAlarm: { Critical: { maxUnhealthyTasks: 0 } },
      })
      .monitorCustom({
        alarmFriendlyName: 'Cluster',
        humanReadableName: 'Load balancer errors and cluster capacity',
        metricGroups: [
          {
            title: 'Load balancer 5XX',
            metrics: [
              {
                metric: loadBalancer.metrics.httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, { period: stage.alarmPeriod, statistic: 'Sum' }),
                alarmFriendlyName: 'LoadBalancer5xx',
                addAlarm: {
                  Critical: { threshold: 5, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD },
                },
              },
            ],
          },
          {
            title: 'Cluster reservation (%)',
            metrics: [
              {
                metric: clusterMetric('CPUReservation'),
                alarmFriendlyName: 'ClusterCpuReservation',
                addAlarm: { Warning: { threshold: 90, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD } },
              },
              {
                metric: clusterMetric('MemoryReservation'),
                alarmFriendlyName: 'ClusterMemoryReservation',
                addAlarm: { Warning: { threshold: 90, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD } },
              },
            ],
          },
        ],
      });

    new CfnOutput(this, 'LoadBalancerDns', {
      value: loadBalancer.loadBalancerDnsName,
      description: 'Internal: reachable from the VPC only',
    });
    new CfnOutput(this, 'ClusterName', { value: this.hosts.cluster.clusterName });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.hosts.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(this, 'ServiceName', { value: service.serviceName });
  }
}
