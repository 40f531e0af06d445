import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { InstanceType } from 'aws-cdk-lib/aws-ec2';
import { HttpCodeElb } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { type AlarmText, ArchitectureMonitoring, METRIC_PERIOD, SUSTAINED_TEN_MINUTES } from '../shared/architecture-monitoring';
import { Network } from '../shared/network';
import type { StageConfig } from '../shared/stage-config';
import { ContainerHosts } from './container-hosts';
import { type ContainersConfig, NAT_INSTANCE_TYPE } from './containers-config';
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

    const { service, loadBalancer, targetGroup } = this.sampleService;
    const clusterMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ECS',
        metricName,
        dimensionsMap: { ClusterName: this.hosts.cluster.clusterName },
        statistic: 'Maximum',
        period: METRIC_PERIOD,
      });
    const alarm = (text: AlarmText) => this.monitoring.alarm(text);
    const reservation = (resource: 'CPU' | 'Memory') => ({
      Warning: {
        threshold: 90,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        ...alarm({
          name: `Cluster-${resource}ReservationOver90Percent`,
          description: `Tasks have reserved more than 90% of the cluster's ${resource.toLowerCase()}: the capacity provider should be adding instances, and when the group is at its maximum new tasks wait unplaced. First check: the activity of the AutoScalingGroupName output's group.`,
          timing: SUSTAINED_TEN_MINUTES,
        }),
      },
    });
    const usage = (resource: 'CPU' | 'Memory') => ({
      Warning: {
        maxUsagePercent: 80,
        ...alarm({
          name: `SampleService-${resource}Over80Percent`,
          description: `The sample service's tasks use more than 80% of their ${resource.toLowerCase()}: responses slow down and, for memory, tasks get killed. First check: the service's auto scaling (is it at its maximum?) and its log group.`,
          timing: SUSTAINED_TEN_MINUTES,
        }),
      },
    });
    this.monitoring.facade
      .monitorEc2ApplicationLoadBalancer({
        ec2Service: service,
        applicationLoadBalancer: loadBalancer,
        applicationTargetGroup: targetGroup,
        alarmFriendlyName: 'SampleService',
        humanReadableName: 'Sample internal service',
        addCpuUsageAlarm: usage('CPU'),
        addMemoryUsageAlarm: usage('Memory'),
        addUnhealthyTaskCountAlarm: {
          Critical: {
            maxUnhealthyTasks: 0,
            ...alarm({
              name: 'SampleService-UnhealthyTargets',
              description:
                "The load balancer counts sample-service targets that fail their health check; ECS replaces them, but callers may get errors meanwhile. First check: the service's events in the ECS console (ServiceName output) and its log group.",
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
      })
      .monitorCustom({
        alarmFriendlyName: 'Cluster',
        humanReadableName: 'Load balancer errors and cluster capacity',
        metricGroups: [
          {
            title: 'Load balancer 5XX',
            metrics: [
              {
                metric: loadBalancer.metrics.httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, { period: METRIC_PERIOD, statistic: 'Sum' }),
                alarmFriendlyName: 'LoadBalancer5xx',
                addAlarm: {
                  Critical: {
                    threshold: 5,
                    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                    ...alarm({
                      name: 'LoadBalancer-5xxResponses',
                      description:
                        'The internal load balancer itself answered more than 5 requests in five minutes with a 5XX (no healthy target, or a target that closed the connection). First check: the UnhealthyTargets alarm and the running task count of the service.',
                      timing: SUSTAINED_TEN_MINUTES,
                    }),
                  },
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
                addAlarm: reservation('CPU'),
              },
              {
                metric: clusterMetric('MemoryReservation'),
                alarmFriendlyName: 'ClusterMemoryReservation',
                addAlarm: reservation('Memory'),
              },
            ],
          },
        ],
      });

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
