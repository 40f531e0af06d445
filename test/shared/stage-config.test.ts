import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { parseAppConfig } from '../../lib/shared/stage-config';

describe('parseAppConfig', () => {
  test('defaults to a sandbox that is destroyed with its stack', () => {
    const { stage, corsOrigins } = parseAppConfig({});
    expect(stage.name).toBe('sandbox');
    expect(stage.statefulRemovalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(stage.snapshotRemovalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(stage.autoDeleteObjects).toBe(true);
    expect(stage.deletionProtection).toBe(false);
    expect(stage.terminationProtection).toBe(false);
    expect(stage.logRetention).toBe(RetentionDays.ONE_WEEK);
    expect(stage.alarmEmail).toBeUndefined();
    expect(corsOrigins).toEqual(['*']);
  });

  test('production keeps data, protects it and retains logs for a year', () => {
    const { stage, corsOrigins } = parseAppConfig({ stage: 'production', alarmEmail: 'ops@example.com' });
    expect(stage.statefulRemovalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(stage.snapshotRemovalPolicy).toBe(RemovalPolicy.SNAPSHOT);
    expect(stage.autoDeleteObjects).toBe(false);
    expect(stage.deletionProtection).toBe(true);
    expect(stage.pointInTimeRecovery).toBe(true);
    expect(stage.terminationProtection).toBe(true);
    expect(stage.logRetention).toBe(RetentionDays.ONE_YEAR);
    expect(stage.alarmEmail).toBe('ops@example.com');
    expect(stage.webApplicationFirewall).toBe(true);
    expect(corsOrigins).toEqual([]);
  });

  test('accepts a comma-separated list of origins and drops trailing slashes', () => {
    const { corsOrigins } = parseAppConfig({
      stage: 'production',
      alarmEmail: 'ops@example.com',
      corsOrigins: 'https://menu.example.com/, http://localhost:5173',
    });
    expect(corsOrigins).toEqual(['https://menu.example.com', 'http://localhost:5173']);
  });

  test('containers: NAT gateways per stage, overridable by context; ECS-optimized image and no SSH by default', () => {
    expect(parseAppConfig({}).containers).toEqual({ natGateways: 1, hostImage: { kind: 'ecs-optimized' } });
    expect(parseAppConfig({ stage: 'production', alarmEmail: 'ops@example.com' }).containers.natGateways).toBe(2);
    expect(parseAppConfig({ natGateways: '0' }).containers.natGateways).toBe(0);
    expect(parseAppConfig({ natGateways: 2 }).containers.natGateways).toBe(2);
    expect(parseAppConfig({ amiId: 'ami-0123456789abcdef0' }).containers.hostImage).toEqual({ kind: 'ami-id', amiId: 'ami-0123456789abcdef0' });
    expect(parseAppConfig({ amiParameter: '/my/ami' }).containers.hostImage).toEqual({ kind: 'ssm-parameter', parameterName: '/my/ami' });
    expect(parseAppConfig({ sshKeyName: 'ops', sshCidr: '203.0.113.10/32' }).containers.ssh).toEqual({
      keyName: 'ops',
      sourceCidr: '203.0.113.10/32',
    });
  });

  test('database: own VPC and no replica by default; a small class in a sandbox; both switches by context', () => {
    expect(parseAppConfig({}).database).toMatchObject({ network: 'own', readReplica: false, instanceType: 't4g.micro', backupRetentionDays: 1 });
    expect(parseAppConfig({ stage: 'production', alarmEmail: 'ops@example.com' }).database).toMatchObject({
      instanceType: 'm7g.large',
      backupRetentionDays: 14,
    });
    expect(parseAppConfig({ databaseReadReplica: 'true', databaseNetwork: 'containers' }).database).toMatchObject({
      network: 'containers',
      readReplica: true,
    });
    expect(parseAppConfig({ databaseReadReplica: true }).database.readReplica).toBe(true);
    expect(parseAppConfig({ databaseReadReplica: 'false' }).database.readReplica).toBe(false);
  });

  describe('rejects bad values with the key, the value and what is accepted', () => {
    test.each([
      [{ stage: 'prod' }, /Invalid context value stage="prod": expected one of sandbox, production/],
      [{ stage: 42 }, /Invalid context value stage=42: expected one of sandbox, production/],
      [{ alarmEmail: 'not-an-email' }, /Invalid context value alarmEmail="not-an-email": expected an email address/],
      [{ stage: 'production' }, /Invalid context value alarmEmail=undefined: .*required when stage=production/],
      [
        { stage: 'production', alarmEmail: 'ops@example.com', corsOrigins: '*' },
        /Invalid context value corsOrigins="\*": expected .*\* is not allowed in production/,
      ],
      [{ corsOrigins: 'menu.example.com' }, /Invalid context value corsOrigins="menu.example.com": expected a comma-separated list of origins/],
      [{ corsOrigins: '*,https://a.example.com' }, /Invalid context value corsOrigins="\*,https:\/\/a.example.com"/],
      [{ natGateways: '3' }, /Invalid context value natGateways="3": expected a whole number from 0 to 2/],
      [{ natGateways: 'one' }, /Invalid context value natGateways="one": expected a whole number from 0 to 2/],
      [{ natGateways: '-1' }, /Invalid context value natGateways="-1"/],
      [{ natGateways: '1.5' }, /Invalid context value natGateways="1.5"/],
      [{ amiId: 'ami-123' }, /Invalid context value amiId="ami-123": expected an AMI id: ami- followed by 8 or 17/],
      [{ amiId: 'AMI-0123456789ABCDEF0' }, /Invalid context value amiId="AMI-0123456789ABCDEF0"/],
      [{ amiParameter: 'my/ami' }, /Invalid context value amiParameter="my\/ami": expected an SSM parameter name starting with \//],
      [{ amiId: 'ami-01234567', amiParameter: '/my/ami' }, /Invalid context value amiParameter="\/my\/ami": expected either amiId or amiParameter, not both/],
      [{ sshKeyName: 'ops' }, /Invalid context value sshCidr=undefined: expected set together with sshKeyName/],
      [{ sshCidr: '203.0.113.0/24' }, /Invalid context value sshKeyName=undefined: expected set together with sshCidr/],
      [{ sshKeyName: 'ops', sshCidr: '0.0.0.0/0' }, /Invalid context value sshCidr="0.0.0.0\/0": .*never 0.0.0.0\/0/],
      [{ sshKeyName: 'ops', sshCidr: '10.0.0.300/32' }, /Invalid context value sshCidr="10.0.0.300\/32"/],
      [{ sshKeyName: 'ops', sshCidr: '203.0.113.10' }, /Invalid context value sshCidr="203.0.113.10"/],
      [{ databaseReadReplica: 'yes' }, /Invalid context value databaseReadReplica="yes": expected true or false/],
      [{ databaseNetwork: 'shared' }, /Invalid context value databaseNetwork="shared": expected one of own, containers/],
    ])('%j', (raw, message) => {
      expect(() => parseAppConfig(raw)).toThrow(message);
    });
  });
});
