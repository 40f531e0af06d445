import { Match, type Template } from 'aws-cdk-lib/assertions';
import { containersOnEc2 } from '../../lib/containers-on-ec2/architecture';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import { onlyResourceOf, resourcesOfType } from '../../scripts/template/template';
import { describeAlarmDocs } from '../helpers/alarm-docs';
import { synthArchitecture } from '../helpers/synth';
import { stageTemplates } from '../helpers/template-queries';
import { describeTemplateSnapshots } from '../helpers/template-snapshot';

const { sandbox, production, stages } = stageTemplates(containersOnEc2);
// Two sandboxes with every context switch set, to keep synths few.
const customized = synthArchitecture(containersOnEc2, {
  ...STAGE_CONTEXTS.sandbox,
  natGateways: '2',
  natProvider: 'gateway',
  sshKeyName: 'ops',
  sshCidr: '203.0.113.0/24',
  amiId: 'ami-0123456789abcdef0',
  hostInstanceType: 't3.small',
}).template;
const isolated = synthArchitecture(containersOnEc2, {
  ...STAGE_CONTEXTS.sandbox,
  natGateways: '0',
  amiParameter: '/coffee-shop/ecs-ami',
}).template;

/** The container hosts' launch template (a NAT instance has one of its own, for IMDSv2). */
const launchTemplate = (t: Template) => {
  const id = onlyResourceOf(t, 'AWS::AutoScaling::AutoScalingGroup').Properties.LaunchTemplate.LaunchTemplateId.Ref;
  return t.toJSON().Resources[id].Properties.LaunchTemplateData;
};

describe('network', () => {
  test.each(stages)('%s: two AZs of public, private and isolated subnets', (_, template) => {
    const subnets = resourcesOfType(template, 'AWS::EC2::Subnet').map(([, s]) => s.Properties);
    expect(subnets).toHaveLength(6);
    const byType = (type: string) =>
      subnets.filter((s) => s.Tags.some((tag: { Key: string; Value: string }) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === type));
    expect(byType('Public')).toHaveLength(2);
    expect(byType('Private')).toHaveLength(2);
    expect(byType('Isolated')).toHaveLength(2);
    for (const s of subnets) expect(s.MapPublicIpOnLaunch).toBe(false);
  });

  test('a NAT instance in a sandbox, a NAT gateway per AZ in production, and what the context says', () => {
    sandbox.resourceCountIs('AWS::EC2::NatGateway', 0);
    sandbox.resourceCountIs('AWS::EC2::Instance', 1);
    production.resourceCountIs('AWS::EC2::NatGateway', 2);
    production.resourceCountIs('AWS::EC2::Instance', 0);
    customized.resourceCountIs('AWS::EC2::NatGateway', 2);
    customized.resourceCountIs('AWS::EC2::Instance', 0);
    const none = isolated;
    none.resourceCountIs('AWS::EC2::NatGateway', 0);
    // With no NAT, only the public subnets have a default route (to the internet gateway).
    const defaultRoutes = resourcesOfType(none, 'AWS::EC2::Route').filter(([, r]) => r.Properties.DestinationCidrBlock === '0.0.0.0/0');
    expect(defaultRoutes.every(([, r]) => r.Properties.GatewayId !== undefined)).toBe(true);
  });

  test.each(stages)('%s: private subnets reach the internet only through NAT', (_, template) => {
    const natRoutes = resourcesOfType(template, 'AWS::EC2::Route').filter(([, r]) => r.Properties.NatGatewayId ?? r.Properties.InstanceId);
    expect(natRoutes).toHaveLength(2);
    for (const [, r] of natRoutes) expect(r.Properties.DestinationCidrBlock).toBe('0.0.0.0/0');
  });

  test("sandbox: the NAT instance is a t4g.nano that forwards only the VPC's traffic, with IMDSv2 and an encrypted root volume", () => {
    const nat = onlyResourceOf(sandbox, 'AWS::EC2::Instance').Properties;
    expect(nat).toMatchObject({ InstanceType: 't4g.nano', SourceDestCheck: false });
    expect(nat.NetworkInterfaces).toEqual([expect.objectContaining({ AssociatePublicIpAddress: true })]);
    expect(nat.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: expect.objectContaining({ Encrypted: true, VolumeType: 'gp3' }) },
    ]);
    const natLaunchTemplates = resourcesOfType(sandbox, 'AWS::EC2::LaunchTemplate').filter(
      ([, lt]) => lt.Properties.LaunchTemplateName === nat.LaunchTemplate.LaunchTemplateName,
    );
    expect(natLaunchTemplates.map(([, lt]) => lt.Properties.LaunchTemplateData.MetadataOptions)).toEqual([{ HttpTokens: 'required' }]);
    const groupId = nat.NetworkInterfaces[0].GroupSet[0]['Fn::GetAtt'][0];
    const group = sandbox.toJSON().Resources[groupId].Properties;
    expect(group.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '10.0.0.0/16', IpProtocol: '-1' })]);
    // Graviton image for a Graviton type, resolved at deploy time.
    expect(JSON.stringify(sandbox.toJSON().Parameters)).toContain('al2023-ami-kernel-6.1-arm64');
  });

  test.each(stages)('%s: flow logs of all traffic to a log group; S3 and DynamoDB gateway endpoints', (_, template) => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    const endpoints = resourcesOfType(template, 'AWS::EC2::VPCEndpoint').map(([, e]) => JSON.stringify(e.Properties.ServiceName));
    expect(endpoints.some((e) => e.includes('.s3'))).toBe(true);
    expect(endpoints.some((e) => e.includes('.dynamodb'))).toBe(true);
    for (const [, e] of resourcesOfType(template, 'AWS::EC2::VPCEndpoint')) expect(e.Properties.VpcEndpointType).toBe('Gateway');
  });
});

describe('nothing is reachable from the internet', () => {
  test.each([
    ['sandbox', sandbox],
    ['production', production],
    ['sandbox with SSH enabled', customized],
  ] as const)('%s: no security group ingress from 0.0.0.0/0 or ::/0', (_, template) => {
    const inline = resourcesOfType(template, 'AWS::EC2::SecurityGroup').flatMap(([, g]) => g.Properties.SecurityGroupIngress ?? []);
    const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const rules = [...inline, ...separate];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
    }
  });

  test.each(stages)('%s: the load balancer is internal, in private subnets, open to the VPC only', (_, template) => {
    const alb = onlyResourceOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(alb.Properties.Scheme).toBe('internal');
    const lbGroup = resourcesOfType(template, 'AWS::EC2::SecurityGroup').find(([, g]) =>
      String(g.Properties.GroupDescription).startsWith('Internal load balancer'),
    )![1];
    expect(lbGroup.Properties.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 80, ToPort: 80 })]);
  });

  test.each(stages)('%s: hosts get no public IP, require IMDSv2 and boot from encrypted gp3', (_, template) => {
    const data = launchTemplate(template);
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    expect(data.NetworkInterfaces).toEqual([expect.objectContaining({ AssociatePublicIpAddress: false })]);
    expect(data.BlockDeviceMappings).toEqual([
      expect.objectContaining({ Ebs: expect.objectContaining({ Encrypted: true, VolumeType: 'gp3' }) }),
    ]);
    const asg = onlyResourceOf(template, 'AWS::AutoScaling::AutoScalingGroup');
    const privateSubnets = resourcesOfType(template, 'AWS::EC2::Subnet')
      .filter(([, s]) => s.Properties.Tags.some((t: { Value: string }) => t.Value === 'Private'))
      .map(([id]) => ({ Ref: id }));
    expect(asg.Properties.VPCZoneIdentifier).toEqual(privateSubnets);
  });
});

describe('shell access', () => {
  test('Session Manager on every instance', () => {
    const role = resourcesOfType(sandbox, 'AWS::IAM::Role').find(([, r]) =>
      String(r.Properties.Description).startsWith('ECS container host'),
    )![1];
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('AmazonSSMManagedInstanceCore');
  });

  test('no SSH rule and no key pair unless both are named by context', () => {
    expect(launchTemplate(sandbox).KeyName).toBeUndefined();
    const ssh = resourcesOfType(sandbox, 'AWS::EC2::SecurityGroup').flatMap(([, g]) => g.Properties.SecurityGroupIngress ?? []);
    expect(ssh.filter((r: { FromPort: number }) => r.FromPort === 22)).toEqual([]);
  });

  test('SSH from the named CIDR only, with the named key pair', () => {
    const template = customized;
    expect(launchTemplate(template).KeyName).toBe('ops');
    const hostGroup = resourcesOfType(template, 'AWS::EC2::SecurityGroup').find(([, g]) =>
      String(g.Properties.GroupDescription).startsWith('ECS container hosts'),
    )![1];
    expect(hostGroup.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '203.0.113.0/24', FromPort: 22, ToPort: 22, IpProtocol: 'tcp' }),
    ]);
  });
});

describe('machine image', () => {
  test.each([
    ['sandbox (Graviton)', sandbox, '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id'],
    ['production (x86_64)', production, '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'],
  ] as const)('%s: by default the ECS-optimized Amazon Linux 2023 image for the CPU, resolved at deploy time', (_, template, name) => {
    const parameters = template.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const ami = Object.values(parameters).find((p) => p.Default?.includes('ecs/optimized-ami/amazon-linux-2023'));
    expect(ami).toEqual({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: name });
    expect(JSON.stringify(launchTemplate(template).ImageId)).toContain('SsmParameterValue');
  });

  test('a custom AMI id by context', () => {
    expect(launchTemplate(customized).ImageId).toBe('ami-0123456789abcdef0');
  });

  test('a custom AMI from an SSM parameter by context', () => {
    const template = isolated;
    const parameters = template.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    expect(Object.values(parameters)).toContainEqual(
      expect.objectContaining({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/coffee-shop/ecs-ami' }),
    );
  });
});

describe('cluster and capacity', () => {
  test.each(stages)(
    '%s: Container Insights in production only; capacity provider with managed scaling and no termination protection',
    (stage, template) => {
      template.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: stage === 'production' ? 'enabled' : 'disabled' }],
      });
      template.hasResourceProperties('AWS::ECS::CapacityProvider', {
        AutoScalingGroupProvider: {
          ManagedScaling: Match.objectLike({ Status: 'ENABLED', TargetCapacity: 90 }),
          ManagedTerminationProtection: 'DISABLED',
          ManagedDraining: 'ENABLED',
        },
      });
      expect(onlyResourceOf(template, 'AWS::AutoScaling::AutoScalingGroup').Properties.NewInstancesProtectedFromScaleIn).toBe(false);
    },
  );

  test('instances per stage: one Graviton t4g.micro in a sandbox, two t3.small in production, the type the context names', () => {
    expect(onlyResourceOf(sandbox, 'AWS::AutoScaling::AutoScalingGroup').Properties.MinSize).toBe('1');
    expect(onlyResourceOf(production, 'AWS::AutoScaling::AutoScalingGroup').Properties.MinSize).toBe('2');
    expect(launchTemplate(sandbox).InstanceType).toBe('t4g.micro');
    expect(launchTemplate(production).InstanceType).toBe('t3.small');
    expect(launchTemplate(customized).InstanceType).toBe('t3.small');
  });

  test('production announces scaling events on the alarm topic', () => {
    const notifications = onlyResourceOf(production, 'AWS::AutoScaling::AutoScalingGroup').Properties.NotificationConfigurations;
    expect(notifications).toEqual([expect.objectContaining({ TopicARN: { Ref: expect.stringMatching(/AlarmTopic/) } })]);
  });
});

describe('sample service', () => {
  test.each(stages)('%s: awsvpc, circuit breaker with rollback, ECS Exec, capacity provider placement', (_, template) => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'awsvpc' });
    const service = onlyResourceOf(template, 'AWS::ECS::Service');
    expect(service.Properties).toMatchObject({
      DeploymentConfiguration: expect.objectContaining({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      EnableExecuteCommand: true,
      CapacityProviderStrategy: [expect.objectContaining({ Weight: 1 })],
      NetworkConfiguration: { AwsvpcConfiguration: expect.objectContaining({ AssignPublicIp: 'DISABLED' }) },
    });
    expect(service.Properties.LaunchType).toBeUndefined();
  });

  test.each(stages)(
    '%s: every ECS Exec session is logged to a log group of its own; production encrypts it with the log key',
    (stage, template) => {
      const execute = onlyResourceOf(template, 'AWS::ECS::Cluster').Properties.Configuration.ExecuteCommandConfiguration;
      const sessionLogs = resourcesOfType(template, 'AWS::Logs::LogGroup').find(([id]) => /ExecSessionLogs/.test(id))![0];
      expect(execute).toMatchObject({
        Logging: 'OVERRIDE',
        LogConfiguration: { CloudWatchLogGroupName: { Ref: sessionLogs }, CloudWatchEncryptionEnabled: stage === 'production' },
      });
      if (stage === 'production') {
        const logKey = resourcesOfType(template, 'AWS::KMS::Key').find(([id]) => id.startsWith('LogsKey'))![0];
        expect(execute.KmsKeyId).toEqual({ 'Fn::GetAtt': [logKey, 'Arn'] });
        expect(template.toJSON().Resources[sessionLogs].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logKey, 'Arn'] });
      } else {
        expect(execute.KmsKeyId).toBeUndefined();
      }
      // The task may write the session's streams in that log group, and nothing else of CloudWatch Logs.
      const taskPolicy = resourcesOfType(template, 'AWS::IAM::Policy').find(([id]) => /TaskRoleDefaultPolicy/.test(id))![1];
      const logsStatements = taskPolicy.Properties.PolicyDocument.Statement.filter((statement: { Action: string[] }) =>
        [statement.Action].flat().some((action) => action.startsWith('logs:') && action !== 'logs:DescribeLogGroups'),
      );
      expect(JSON.stringify(logsStatements)).toContain(sessionLogs);
      expect(logsStatements).toHaveLength(1);
    },
  );

  test.each(stages)('%s: pulls a public image (through the NAT) and logs with the stage retention', (stage, template) => {
    const container = onlyResourceOf(template, 'AWS::ECS::TaskDefinition').Properties.ContainerDefinitions[0];
    expect(container.Image).toMatch(/^public\.ecr\.aws\//);
    expect(container.HealthCheck.Command[0]).toBe('CMD-SHELL');
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    for (const [, group] of resourcesOfType(template, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(stage === 'production' ? 365 : 7);
    }
  });

  test.each(stages)('%s: health-checked behind the load balancer, task count tracks CPU', (_, template) => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      HealthCheckPath: '/',
      Port: 80,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      }),
    });
  });

  test('the service is deleted before the cluster and its capacity provider association', () => {
    const [clusterId] = resourcesOfType(sandbox, 'AWS::ECS::Cluster')[0]!;
    const [associationId] = resourcesOfType(sandbox, 'AWS::ECS::ClusterCapacityProviderAssociations')[0]!;
    const service = onlyResourceOf(sandbox, 'AWS::ECS::Service');
    expect(service.DependsOn).toEqual(expect.arrayContaining([clusterId, associationId]));
  });
});

describe('alarms', () => {
  test.each(stages)('%s: service CPU and memory, unhealthy targets, load balancer 5XX, cluster capacity', (_, template) => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties));
    const has = (pattern: RegExp) => alarms.filter((a) => pattern.test(a)).length;
    expect(has(/"MetricName":"CPUUtilization","Namespace":"AWS\/ECS"/)).toBe(1);
    expect(has(/"MetricName":"MemoryUtilization","Namespace":"AWS\/ECS"/)).toBe(1);
    expect(has(/"MetricName":"UnHealthyHostCount"/)).toBe(1);
    expect(has(/"HTTPCode_ELB_5XX_Count"/)).toBe(1);
    expect(has(/"MetricName":"CPUReservation"/)).toBe(1);
    expect(has(/"MetricName":"MemoryReservation"/)).toBe(1);
  });
});

describeTemplateSnapshots(containersOnEc2, __dirname);
describeAlarmDocs(containersOnEc2, [STAGE_CONTEXTS.sandbox, STAGE_CONTEXTS.production]);
