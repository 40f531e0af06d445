import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type Check, expectThat } from '../run-checks';
import type { Smoke } from '../smokes';
import { output, type SmokeTarget } from '../target';

interface Context {
  readonly target: SmokeTarget;
  desiredCount?: number;
  targetGroupArn?: string;
}

const config = (target: SmokeTarget) => ({ region: target.region, credentials: target.credentials });

/** The containers "Try it", as checks of the deployed service (it has no local form). */
export const containersChecks: Check<Context>[] = [
  {
    name: 'the ECS service runs as many tasks as it wants (running = desired > 0)',
    readOnly: true,
    async run(context) {
      const ecs = new ECSClient(config(context.target));
      try {
        const { services = [] } = await ecs.send(
          new DescribeServicesCommand({
            cluster: output(context.target, 'ClusterName'),
            services: [output(context.target, 'ServiceName')],
          }),
        );
        const service = services[0];
        expectThat(service !== undefined, 'the service was not found in the cluster');
        expectThat((service.desiredCount ?? 0) > 0, 'the service wants no tasks');
        expectThat(service.runningCount === service.desiredCount, `running ${service.runningCount} of ${service.desiredCount} tasks`);
        context.desiredCount = service.desiredCount;
        context.targetGroupArn = service.loadBalancers?.[0]?.targetGroupArn;
      } finally {
        ecs.destroy();
      }
    },
  },
  {
    name: 'every task is a healthy target of the internal load balancer',
    readOnly: true,
    async run(context) {
      if (!context.targetGroupArn) throw new Error('the service names no target group (the service check failed)');
      const elb = new ElasticLoadBalancingV2Client(config(context.target));
      try {
        const { TargetHealthDescriptions = [] } = await elb.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: context.targetGroupArn }),
        );
        const states = TargetHealthDescriptions.map((d) => d.TargetHealth?.State);
        expectThat(states.length === context.desiredCount, `${states.length} targets registered, ${context.desiredCount} tasks wanted`);
        expectThat(
          states.every((s) => s === 'healthy'),
          `target states: ${states.join(', ')}`,
        );
      } finally {
        elb.destroy();
      }
    },
  },
];

export const smoke: Smoke = {
  checks: containersChecks,
  context: (target: SmokeTarget): Context => ({ target }),
  async cleanUp(): Promise<void> {},
};
