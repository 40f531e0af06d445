import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { HttpCodeElb } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { type AlarmText, type ArchitectureMonitoring, METRIC_PERIOD, SUSTAINED_TEN_MINUTES } from '../shared/architecture-monitoring';
import type { ContainerHosts } from './container-hosts';
import type { InternalService } from './internal-service';

/**
 * What is watched in the containers architecture, and what each alarm tells
 * on-call (docs/containers-on-ec2.md, "Alarms", is held to these by a test):
 * the service behind its load balancer, the load balancer's own 5XX, and how
 * much of the cluster the tasks have reserved.
 */
export function monitorContainers(
  monitoring: ArchitectureMonitoring,
  parts: { readonly hosts: ContainerHosts; readonly service: InternalService },
): void {
  const { service, loadBalancer, targetGroup } = parts.service;
  const clusterMetric = (metricName: string) =>
    new Metric({
      namespace: 'AWS/ECS',
      metricName,
      dimensionsMap: { ClusterName: parts.hosts.cluster.clusterName },
      statistic: 'Maximum',
      period: METRIC_PERIOD,
    });
  const alarm = (text: AlarmText) => monitoring.alarm(text);
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
  monitoring.facade
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
}
