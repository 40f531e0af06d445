import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { type App, Duration } from 'aws-cdk-lib';
import type { CfnService } from 'aws-cdk-lib/aws-ecs';
import { containersOnEc2 } from '../../lib/containers-on-ec2/architecture';
import { addIntegTest, synthWhenRun } from './integ-app';

/**
 * The container platform deployed as the sandbox deploys it: the sample
 * service reaches its desired count on the EC2 hosts, every target of the
 * internal ALB is healthy, and the hosts run with IMDSv2 required.
 */
export function integTest(app: App) {
  return addIntegTest(app, {
    architecture: containersOnEc2,
    assert: (test) => {
      const { stack } = test;
      const { assertions } = test.integ;
      const { service, targetGroup } = stack.sampleService;
      const desired = (service.node.defaultChild as CfnService).desiredCount!;

      const running = assertions.awsApiCall('ECS', 'describeServices', {
        cluster: stack.hosts.cluster.clusterName,
        services: [service.serviceName],
      });
      running.expect(ExpectedResult.objectLike({ services: [{ desiredCount: desired, runningCount: desired }] }));
      running.waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });

      // One entry per task, each healthy (the list must have exactly `desired` entries).
      const healthy = assertions.awsApiCall('ElasticLoadBalancingV2', 'describeTargetHealth', {
        TargetGroupArn: targetGroup.targetGroupArn,
      });
      healthy.expect(
        ExpectedResult.objectLike({
          TargetHealthDescriptions: Array.from({ length: desired }, () => ({ TargetHealth: { State: 'healthy' } })),
        }),
      );
      healthy.waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
      // integ-tests-alpha names the action after the SDK client (elasticloadbalancingv2:), which IAM does not know.
      // DescribeTargetHealth supports no resource-level permissions.
      healthy.provider.addToRolePolicy({ Effect: 'Allow', Action: ['elasticloadbalancing:DescribeTargetHealth'], Resource: ['*'] });

      const hosts = assertions.awsApiCall('EC2', 'describeInstances', {
        Filters: [
          { Name: 'tag:aws:autoscaling:groupName', Values: [stack.hosts.autoScalingGroup.autoScalingGroupName] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      });
      hosts.expect(
        ExpectedResult.objectLike({
          Reservations: Match.arrayWith([
            Match.objectLike({ Instances: Match.arrayWith([Match.objectLike({ MetadataOptions: { HttpTokens: 'required' } })]) }),
          ]),
        }),
      );

      running.next(healthy).next(hosts);
    },
  });
}

synthWhenRun(module, integTest);
