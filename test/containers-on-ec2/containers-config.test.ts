import { parseContainersConfig } from '../../lib/containers-on-ec2/containers-config';
import { parseStage } from '../../lib/shared/stage-config';
import { type RawContext, readerOf } from '../../scripts/template/synth';

const configOf = (raw: RawContext) => parseContainersConfig(readerOf(raw), parseStage(readerOf(raw)));
const PRODUCTION = { stage: 'production', alarmEmail: 'ops@example.com' };

describe('parseContainersConfig', () => {
  test('NATs, hosts and tasks per stage; NAT and host type overridable by context; ECS-optimized image and no SSH by default', () => {
    expect(configOf({})).toEqual({
      natGateways: 1,
      natProvider: 'instance',
      hostInstanceType: 't4g.micro',
      containerInsights: false,
      minInstances: 1,
      desiredTasks: 1,
      hostImage: { kind: 'ecs-optimized' },
    });
    expect(configOf(PRODUCTION)).toMatchObject({
      natGateways: 2,
      natProvider: 'gateway',
      hostInstanceType: 't3.small',
      containerInsights: true,
      minInstances: 2,
      desiredTasks: 2,
    });
    expect(configOf({ natProvider: 'gateway', hostInstanceType: 't3.small' })).toMatchObject({
      natProvider: 'gateway',
      hostInstanceType: 't3.small',
    });
    expect(configOf({ natGateways: '0' }).natGateways).toBe(0);
    expect(configOf({ natGateways: 2 }).natGateways).toBe(2);
    expect(configOf({ amiId: 'ami-0123456789abcdef0' }).hostImage).toEqual({ kind: 'ami-id', amiId: 'ami-0123456789abcdef0' });
    expect(configOf({ amiParameter: '/my/ami' }).hostImage).toEqual({ kind: 'ssm-parameter', parameterName: '/my/ami' });
    expect(configOf({ sshKeyName: 'ops', sshCidr: '203.0.113.10/32' }).ssh).toEqual({ keyName: 'ops', sourceCidr: '203.0.113.10/32' });
  });

  test.each([
    [
      { ...PRODUCTION, natGateways: '0' },
      /^Invalid context value natGateways="0": expected 1 to 2 in production: with no NAT gateway the container instances .* cannot reach ECS/,
    ],
    [{ natGateways: '3' }, /Invalid context value natGateways="3": expected a whole number from 0 to 2/],
    [{ natGateways: 'one' }, /Invalid context value natGateways="one": expected a whole number from 0 to 2/],
    [{ natGateways: '-1' }, /Invalid context value natGateways="-1"/],
    [{ natGateways: '1.5' }, /Invalid context value natGateways="1.5"/],
    [{ natProvider: 'nat-gateway' }, /Invalid context value natProvider="nat-gateway": expected one of gateway, instance/],
    [{ hostInstanceType: 'small' }, /Invalid context value hostInstanceType="small": expected an EC2 instance type such as t4g.micro/],
    [{ amiId: 'ami-123' }, /Invalid context value amiId="ami-123": expected an AMI id: ami- followed by 8 or 17/],
    [{ amiId: 'AMI-0123456789ABCDEF0' }, /Invalid context value amiId="AMI-0123456789ABCDEF0"/],
    [{ amiParameter: 'my/ami' }, /Invalid context value amiParameter="my\/ami": expected an SSM parameter name starting with \//],
    [
      { amiId: 'ami-01234567', amiParameter: '/my/ami' },
      /Invalid context value amiParameter="\/my\/ami": expected either amiId or amiParameter, not both/,
    ],
    [
      { sshKeyName: 'ops' },
      /^Missing context value sshCidr: expected an IPv4 CIDR such as 203.0.113.10\/32, because sshKeyName is set and SSH needs both/,
    ],
    [{ sshCidr: '203.0.113.0/24' }, /^Missing context value sshKeyName: expected the name of an EC2 key pair, because sshCidr is set/],
    [{ sshKeyName: 'ops', sshCidr: '0.0.0.0/0' }, /Invalid context value sshCidr="0.0.0.0\/0": .*never 0.0.0.0\/0/],
    [{ sshKeyName: 'ops', sshCidr: '10.0.0.300/32' }, /Invalid context value sshCidr="10.0.0.300\/32"/],
    [{ sshKeyName: 'ops', sshCidr: '203.0.113.10' }, /Invalid context value sshCidr="203.0.113.10"/],
  ])('rejects %j with the key, the value and what is accepted', (raw, message) => {
    expect(() => configOf(raw)).toThrow(message);
  });
});
