import { Grant } from 'aws-cdk-lib/aws-iam';
import { architectureStack, defineArchitecture } from '../shared/architecture';
import { CONTAINERS_CONTEXT_KEYS, parseContainersConfig } from './containers-config';

/** Its stack's module, loaded when the stack is added, not when a command reads the registry (see defineArchitecture). */
const stackModule = (): typeof import('./containers-on-ec2-stack') => require('./containers-on-ec2-stack');

/** Architecture 4: internal services on ECS with the EC2 launch type, private subnets, egress through NAT. */
export const containersOnEc2 = defineArchitecture({
  name: 'containers-on-ec2',
  summary: 'Containers on EC2: ECS (EC2 launch type) in private subnets behind a NAT gateway',
  contextKeys: CONTAINERS_CONTEXT_KEYS,
  integRun: { minutes: '15-20', note: 'NAT instance, hosts joining the cluster, tasks passing ALB health checks' },
  loadStack: stackModule,
  add: (scope) =>
    architectureStack(
      scope,
      { name: 'Containers', description: 'Coffee shop internal services: VPC, NAT gateway, ECS on EC2' },
      (id, props) =>
        new (stackModule().ContainersOnEc2Stack)(scope.app, id, {
          ...props,
          stage: scope.stage,
          config: parseContainersConfig(scope.read, scope.stage),
        }),
    ),
  // Both checks only describe: the service's task counts and its targets' health.
  grantSmoke: (stack, grantee) => {
    const { service } = stack.sampleService;
    Grant.addToPrincipal({ grantee, actions: ['ecs:DescribeServices'], resourceArns: [service.serviceArn] });
    // DescribeTargetHealth takes no resource-level permission (the IAM Service Authorization Reference).
    Grant.addToPrincipal({ grantee, actions: ['elasticloadbalancing:DescribeTargetHealth'], resourceArns: ['*'] });
  },
});
