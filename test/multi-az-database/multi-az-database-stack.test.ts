import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { addMultiAzDatabase, multiAzDatabase } from '../../lib/multi-az-database/architecture';
import { estimatedMaxConnections } from '../../lib/multi-az-database/database-monitoring';
import { Network } from '../../lib/shared/network';
import { VPC_NETWORK_INTERFACE_ACTIONS } from '../../lib/shared/observed-function';
import { addValidationPlugins } from '../../lib/shared/validation';
import { cdkApp, STAGE_CONTEXTS, scopeFor } from '../../scripts/template/synth';
import { type CfnResource, onlyResourceOf, resourcesOfType } from '../../scripts/template/template';
import { describeAlarmDocs } from '../helpers/alarm-docs';
import { synthArchitecture } from '../helpers/synth';
import { stageTemplates } from '../helpers/template-queries';
import { describeTemplateSnapshots } from '../helpers/template-snapshot';

const { sandbox, production, stages } = stageTemplates(multiAzDatabase);

/** Description of the stand-in client that the shared-network variant admits. */
const PEER_CLIENT = 'Peer application tasks';

/**
 * The database with every switch on in a VPC another stack offers, as an app
 * with the containers architecture offers its VPC (the real composition is
 * tested app-wide, in test/app). Here a stand-in peer stack keeps this slice's
 * tests free of the other architecture.
 */
function sharedNetworkTemplate(): Template {
  const app = cdkApp();
  const scope = scopeFor(multiAzDatabase, { ...STAGE_CONTEXTS.sandbox, databaseReadReplica: 'true', databaseNetwork: 'containers' }, app);
  const peer = new Stack(app, 'CoffeeShop-Peer-sandbox');
  const network = new Network(peer, 'Network', { stage: scope.stage, natGateways: 0 });
  const client = new SecurityGroup(peer, 'ClientSecurityGroup', { vpc: network.vpc });
  const stack = addMultiAzDatabase(scope, { vpc: network.vpc, clients: [{ connectable: client, description: PEER_CLIENT }] });
  addValidationPlugins(app, scope.stage);
  return Template.fromStack(stack);
}

// Every context switch on, once per stage, to keep synths few.
const sharedNetwork = sharedNetworkTemplate();
const withReplicaProduction = synthArchitecture(multiAzDatabase, { ...STAGE_CONTEXTS.production, databaseReadReplica: 'true' }).template;
const allVariants = [...stages, ['sandbox, replica, shared VPC', sharedNetwork], ['production, replica', withReplicaProduction]] as const;

const instances = (t: Template) => resourcesOfType(t, 'AWS::RDS::DBInstance').map(([id, r]) => ({ id, ...r }));
const primary = (t: Template) => instances(t).find((i) => i.Properties.SourceDBInstanceIdentifier === undefined)!;
const replica = (t: Template) => instances(t).find((i) => i.Properties.SourceDBInstanceIdentifier !== undefined)!;
const databaseKey = (t: Template): [string, CfnResource] =>
  resourcesOfType(t, 'AWS::KMS::Key').find(([, k]) => String(k.Properties.Description).startsWith('Encrypts the customer database'))!;
const securityGroupByDescription = (t: Template, prefix: string): [string, CfnResource] =>
  resourcesOfType(t, 'AWS::EC2::SecurityGroup').find(([, g]) => String(g.Properties.GroupDescription).startsWith(prefix))!;

describe('the database instance', () => {
  test.each(stages)('%s: PostgreSQL 18, Multi-AZ, not public, in the isolated subnets', (_, template) => {
    const db = primary(template).Properties;
    expect(db).toMatchObject({ Engine: 'postgres', EngineVersion: '18.3', MultiAZ: true, PubliclyAccessible: false, DBName: 'coffeeshop' });
    const subnetGroup = onlyResourceOf(template, 'AWS::RDS::DBSubnetGroup').Properties;
    expect(subnetGroup.SubnetIds).toHaveLength(2);
    for (const subnet of subnetGroup.SubnetIds) expect(JSON.stringify(subnet)).toMatch(/Isolated/);
  });

  test.each(stages)(
    '%s: credentials generated and rotated by RDS in Secrets Manager, never in the template; IAM authentication on',
    (_, template) => {
      const db = primary(template).Properties;
      expect(db.ManageMasterUserPassword).toBe(true);
      expect(db.MasterUserPassword).toBeUndefined();
      expect(db.EnableIAMDatabaseAuthentication).toBe(true);
      // RDS keeps the secret: the stack declares none that could leak a password.
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      expect(JSON.stringify(template.toJSON())).not.toMatch(/"MasterUserPassword"/);
    },
  );

  test.each(stages)('%s: gp3 storage encrypted with a rotating customer managed key, auto scaling to a maximum', (_, template) => {
    const db = primary(template).Properties;
    const [keyId, key] = databaseKey(template);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(db).toMatchObject({ StorageType: 'gp3', StorageEncrypted: true, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(Number(db.MaxAllocatedStorage)).toBeGreaterThan(Number(db.AllocatedStorage));
  });

  test.each(stages)('%s: the parameter group forces TLS and the server certificate is the current RSA CA', (_, template) => {
    const group = onlyResourceOf(template, 'AWS::RDS::DBParameterGroup').Properties;
    expect(group.Family).toBe('postgres18');
    expect(group.Parameters).toMatchObject({ 'rds.force_ssl': '1', password_encryption: 'scram-sha-256' });
    expect(primary(template).Properties).toMatchObject({
      DBParameterGroupName: { Ref: expect.any(String) },
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    });
  });

  test.each(stages)('%s: Database Insights (standard, encrypted) and enhanced monitoring', (_, template) => {
    const db = primary(template).Properties;
    expect(db).toMatchObject({
      EnablePerformanceInsights: true,
      DatabaseInsightsMode: 'standard',
      PerformanceInsightsRetentionPeriod: 7,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [databaseKey(template)[0], 'Arn'] },
      MonitoringRoleArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
    });
    expect(db.MonitoringInterval).toBe(template === production ? 15 : 60);
  });

  test.each(stages)('%s: logs exported to log groups the stack owns, with the stage retention', (stage, template) => {
    const db = primary(template).Properties;
    expect(db.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup').filter(([, g]) =>
      String(g.Properties.LogGroupName).startsWith('/aws/rds/'),
    );
    expect(groups.map(([, g]) => g.Properties.LogGroupName).sort()).toEqual([
      `/aws/rds/instance/${db.DBInstanceIdentifier}/postgresql`,
      `/aws/rds/instance/${db.DBInstanceIdentifier}/upgrade`,
    ]);
    for (const [, g] of groups) expect(g.Properties.RetentionInDays).toBe(stage === 'production' ? 365 : 7);
    // The groups exist before RDS first exports to them (otherwise RDS creates them without expiry).
    expect(primary(template).DependsOn).toEqual(expect.arrayContaining(groups.map(([id]) => id)));
  });

  test('sandbox deletes cleanly: no final snapshot, no deletion protection, automated backups removed', () => {
    const db = primary(sandbox);
    expect(db.DeletionPolicy).toBe('Delete');
    expect(db.Properties).toMatchObject({ DeletionProtection: false, DeleteAutomatedBackups: true, BackupRetentionPeriod: 1 });
    expect(databaseKey(sandbox)[1].DeletionPolicy).toBe('Delete');
  });

  test('production keeps a final snapshot, has deletion protection and two weeks of backups', () => {
    const db = primary(production);
    expect(db.DeletionPolicy).toBe('Snapshot');
    expect(db.Properties).toMatchObject({ DeletionProtection: true, DeleteAutomatedBackups: false, BackupRetentionPeriod: 14 });
    expect(databaseKey(production)[1].DeletionPolicy).toBe('Retain');
  });

  test.each(stages)(
    '%s: the instance leaves Port out (create-only; the 0.1.0 database was created without it) unless databaseExplicitPort says the deployed one states it',
    (_, template) => {
      expect(primary(template).Properties.Port).toBeUndefined();
    },
  );

  test('databaseExplicitPort=true states the default port, as stacks deployed between 87fc62f and 0.2.0 do', () => {
    const explicit = synthArchitecture(multiAzDatabase, { ...STAGE_CONTEXTS.sandbox, databaseExplicitPort: 'true' }).template;
    expect(primary(explicit).Properties.Port).toBe('5432');
  });

  test('instance class per stage: the cheapest Graviton burstable in a sandbox, general purpose in production', () => {
    expect(primary(sandbox).Properties.DBInstanceClass).toBe('db.t4g.micro');
    expect(primary(production).Properties.DBInstanceClass).toBe('db.m7g.large');
  });
});

describe('read replica (-c databaseReadReplica=true)', () => {
  test('none by default', () => {
    for (const [, template] of stages) expect(instances(template)).toHaveLength(1);
  });

  test.each([
    ['sandbox', sharedNetwork],
    ['production', withReplicaProduction],
  ] as const)('%s: a replica of the primary, private, encrypted by inheritance, monitored, going with the stack', (_, template) => {
    const source = primary(template);
    const r = replica(template);
    expect(JSON.stringify(r.Properties.SourceDBInstanceIdentifier)).toContain(`"Ref":"${source.id}"`);
    expect(r.Properties).toMatchObject({
      PubliclyAccessible: false,
      EnableIAMDatabaseAuthentication: true,
      EnablePerformanceInsights: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      VPCSecurityGroups: source.Properties.VPCSecurityGroups,
    });
    expect(r.DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: r.id } }],
    });
  });
});

describe('network access', () => {
  test.each(allVariants)('%s: no CIDR rule anywhere, ingress to the database only from named security groups', (_, template) => {
    const [dbGroupId, dbGroup] = securityGroupByDescription(template, 'Customer database');
    expect(dbGroup.Properties.SecurityGroupIngress ?? []).toEqual([]);
    const ingress = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    for (const rule of ingress) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
      expect(rule.SourceSecurityGroupId).toBeDefined();
    }
    const toDatabase = ingress.filter((rule) => JSON.stringify(rule.GroupId).includes(dbGroupId));
    expect(toDatabase.map((rule) => rule.Description).sort()).toEqual(
      template === sharedNetwork ? [PEER_CLIENT, 'Schema migrations function'] : ['Schema migrations function'],
    );
    const egress = resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties);
    for (const rule of egress) expect(rule.DestinationSecurityGroupId).toBeDefined();
  });

  test.each(stages)('%s: an own VPC without NAT gateways or internet routes beyond the public subnets', (_, template) => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const defaultRoutes = resourcesOfType(template, 'AWS::EC2::Route').filter(([, r]) => r.Properties.DestinationCidrBlock === '0.0.0.0/0');
    for (const [, route] of defaultRoutes) expect(route.Properties.GatewayId).toBeDefined();
  });

  test("-c databaseNetwork=containers: the database joins the offered VPC's isolated subnets and admits the offered clients", () => {
    sharedNetwork.resourceCountIs('AWS::EC2::VPC', 0);
    const subnetGroup = sharedNetwork.toJSON().Resources[primary(sharedNetwork).Properties.DBSubnetGroupName.Ref].Properties;
    for (const subnet of subnetGroup.SubnetIds) expect(JSON.stringify(subnet)).toMatch(/CoffeeShop-Peer-sandbox/);
    for (const subnet of subnetGroup.SubnetIds) expect(JSON.stringify(subnet)).toMatch(/IsolatedSubnet/);
    const fromClient = resourcesOfType(sharedNetwork, 'AWS::EC2::SecurityGroupIngress').find(
      ([, r]) => r.Properties.Description === PEER_CLIENT,
    )![1];
    expect(JSON.stringify(fromClient.Properties.SourceSecurityGroupId)).toMatch(/ClientSecurityGroup/);
  });

  test('-c databaseNetwork=containers in an app without the containers architecture is refused with the reason', () => {
    expect(() => synthArchitecture(multiAzDatabase, { ...STAGE_CONTEXTS.sandbox, databaseNetwork: 'containers' })).toThrow(
      /Invalid context value databaseNetwork="containers": expected own: this app has no containers-on-ec2 architecture/,
    );
  });

  test.each(allVariants)(
    '%s: a Secrets Manager interface endpoint in the isolated subnets, open to named clients only',
    (name, template) => {
      const endpoint = resourcesOfType(template, 'AWS::EC2::VPCEndpoint').find(([, e]) => e.Properties.VpcEndpointType === 'Interface')![1];
      expect(JSON.stringify(endpoint.Properties.ServiceName)).toContain('secretsmanager');
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      // One AZ in a sandbox ($7.30 a month each), both in production.
      expect(endpoint.Properties.SubnetIds).toHaveLength(name.startsWith('production') ? 2 : 1);
      for (const subnet of endpoint.Properties.SubnetIds) expect(JSON.stringify(subnet)).toMatch(/Isolated/);
      const [groupId] = securityGroupByDescription(template, 'Secrets Manager endpoint');
      const rules = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) =>
        JSON.stringify(r.Properties.GroupId).includes(groupId),
      );
      expect(rules.map(([, r]) => [r.Properties.FromPort, r.Properties.Description]).sort()).toEqual(
        [
          [443, 'Schema migrations function reads the database secret'],
          // In the containers VPC, private DNS sends every Secrets Manager call there to this endpoint.
          ...(template === sharedNetwork ? [[443, `${PEER_CLIENT} read secrets`]] : []),
        ].sort(),
      );
    },
  );
});

describe('schema migrations on deploy', () => {
  const handler = (t: Template) =>
    resourcesOfType(t, 'AWS::Lambda::Function').find(
      ([, f]) => f.Metadata?.['coffee-shop:handler-entry'] === 'lambda/multi-az-database/apply-migrations.ts',
    )!;

  test.each(stages)('%s: a function in the isolated subnets with its own security group, reading the RDS-managed secret', (_, template) => {
    const [, fn] = handler(template);
    expect(fn.Properties.VpcConfig.SubnetIds.every((s: unknown) => JSON.stringify(s).includes('Isolated'))).toBe(true);
    const [groupId] = securityGroupByDescription(template, 'Schema migrations function');
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [groupId, 'GroupId'] }]);
    const db = primary(template);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      DATABASE_SECRET_ARN: { 'Fn::GetAtt': [db.id, 'MasterUserSecret.SecretArn'] },
      DATABASE_HOST: { 'Fn::GetAtt': [db.id, 'Endpoint.Address'] },
      DATABASE_PORT: { 'Fn::GetAtt': [db.id, 'Endpoint.Port'] },
      DATABASE_NAME: 'coffeeshop',
      DATABASE_CA_BUNDLE: '/var/runtime/ca-cert.pem',
    });
    const roleArn = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = resourcesOfType(template, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleArn))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    // Without these Lambda cannot attach the function to the VPC (CDK adds them only to roles it creates).
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining([...VPC_NETWORK_INTERFACE_ACTIONS]), Resource: '*' }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'secretsmanager:GetSecretValue',
        Resource: { 'Fn::GetAtt': [db.id, 'MasterUserSecret.SecretArn'] },
      }),
    );
  });

  test.each(stages)('%s: a custom resource that reruns when a migration file changes, after the network rules exist', (_, template) => {
    const resource = onlyResourceOf(template, 'Custom::SchemaMigrations');
    expect(resource.Properties.MigrationsFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const ruleIds = [
      ...resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress'),
      ...resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress'),
    ].map(([id]) => id);
    expect(resource.DependsOn).toEqual(expect.arrayContaining(ruleIds));
  });

  test.each(stages)('%s: the provider framework and the handler log to log groups with the stage retention', (stage, template) => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('SchemaMigrations'));
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) {
      const group = template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(group.Properties.RetentionInDays).toBe(stage === 'production' ? 365 : 7);
    }
  });
});

describe('alarms', () => {
  const alarmMetrics = (t: Template) => resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  /** The metric an alarm watches, whether plain or through metric math. */
  const metricOf = (alarm: Record<string, any>): string =>
    alarm.MetricName ??
    alarm.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName)
      .filter(Boolean)
      .join();

  test.each(stages)('%s: CPU, free storage, freeable memory and connections', (_, template) => {
    const names = alarmMetrics(template).map(metricOf);
    expect(names).toEqual(expect.arrayContaining(['CPUUtilization', 'FreeStorageSpace', 'FreeableMemory', 'DatabaseConnections']));
  });

  test('thresholds follow the instance class: 10% memory, 10% storage, 80% of max_connections', () => {
    const byMetric = (t: Template, name: string) => alarmMetrics(t).find((a) => metricOf(a) === name)!;
    expect(byMetric(sandbox, 'FreeableMemory').Threshold).toBe(Math.round(1024 * 1024 * 1024 * 0.1));
    expect(byMetric(production, 'FreeableMemory').Threshold).toBe(Math.round(8192 * 1024 * 1024 * 0.1));
    expect(byMetric(sandbox, 'FreeStorageSpace').Threshold).toBe(Math.round(20 * 1024 ** 3 * 0.1));
    expect(byMetric(sandbox, 'DatabaseConnections').Threshold).toBe(Math.floor(estimatedMaxConnections(1024) * 0.8));
    expect(estimatedMaxConnections(1024)).toBe(101);
    expect(estimatedMaxConnections(1024 * 1024)).toBe(5000);
  });

  test('production alarms notify the alarm topic', () => {
    for (const alarm of alarmMetrics(production))
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
  });
});

test('the database and its key keep their logical ids (renaming one would replace the data)', () => {
  for (const [, template] of stages) {
    expect(primary(template).id).toBe('DatabaseInstanceAA8A5FDE');
    expect(databaseKey(template)[0]).toBe('DatabaseEncryptionKey68C4EDF2');
  }
});

describeTemplateSnapshots(multiAzDatabase, __dirname);
describeAlarmDocs(multiAzDatabase, [
  STAGE_CONTEXTS.sandbox,
  STAGE_CONTEXTS.production,
  { ...STAGE_CONTEXTS.production, databaseReadReplica: 'true' },
]);
