import { AVAILABILITY_ZONES } from '../shared/availability-zones';
import { ConfigError, type ContextKey, type ContextReader, optionalChoice, optionalString, optionalWholeNumber } from '../shared/context';
import type { StageConfig, StageName } from '../shared/stage-config';

/** Which machine image the container instances boot. */
export type ContainerHostImage =
  | { readonly kind: 'ecs-optimized' }
  | { readonly kind: 'ami-id'; readonly amiId: string }
  | { readonly kind: 'ssm-parameter'; readonly parameterName: string };

/** What gives the private subnets their outbound internet access. */
export const NAT_PROVIDERS = ['gateway', 'instance'] as const;
export type NatProviderKind = (typeof NAT_PROVIDERS)[number];

/** The NAT instance of a sandbox: the smallest Graviton type, ample for image pulls and agent traffic. */
export const NAT_INSTANCE_TYPE = 't4g.nano';

/** Settings of the containers-on-EC2 architecture. */
export interface ContainersConfig {
  /** NATs of the VPC (gateways or instances): one per AZ in production, one in a sandbox, unless set by context. */
  readonly natGateways: number;
  /**
   * Managed NAT gateways (production: highly available in their AZ) or a NAT
   * instance (a sandbox: the same routing for about a fifth of the price,
   * without the gateway's redundancy and bandwidth).
   */
  readonly natProvider: NatProviderKind;
  /** EC2 instance type of the container hosts; its CPU architecture picks the ECS-optimized image. */
  readonly hostInstanceType: string;
  /** Container Insights' per-task metrics (custom metrics, about $10 a month for the sample service). */
  readonly containerInsights: boolean;
  readonly hostImage: ContainerHostImage;
  /** SSH to the instances, only when a key pair and a source CIDR are both named. */
  readonly ssh?: { readonly keyName: string; readonly sourceCidr: string };
  /** Fewest container instances: one per AZ in production, so losing an AZ or a host is no outage. */
  readonly minInstances: number;
  /** Tasks of the sample service at rest (and its scaling floor). */
  readonly desiredTasks: number;
}

/** The context keys this architecture reads. */
export const CONTAINERS_CONTEXT_KEYS: readonly ContextKey[] = [
  {
    name: 'natGateways',
    description: `NATs (gateways or instances) of the containers VPC, 0 to ${AVAILABILITY_ZONES} (default: 1 in a sandbox, one per AZ in production)`,
  },
  {
    name: 'natProvider',
    description: `gateway (managed NAT gateways, the production default) or instance (a ${NAT_INSTANCE_TYPE} NAT instance, the sandbox default)`,
  },
  {
    name: 'hostInstanceType',
    description: 'EC2 instance type of the container hosts (default: t4g.micro in a sandbox, t3.small in production); match a custom AMI',
  },
  { name: 'amiId', description: 'A custom AMI id for the container instances' },
  { name: 'amiParameter', description: "An SSM parameter holding the container instances' AMI id" },
  { name: 'sshKeyName', description: 'EC2 key pair for SSH to the instances (with sshCidr)' },
  { name: 'sshCidr', description: 'IPv4 CIDR allowed to SSH to the instances (with sshKeyName)' },
];

/**
 * Per stage: the defaults, and whether a VPC without NAT is refused (a
 * sandbox may try it to see the hosts fail to join the cluster; production
 * may not).
 */
const STAGE_DEFAULTS: Record<StageName, Omit<ContainersConfig, 'hostImage' | 'ssh'> & { readonly natRequired: boolean }> = {
  // The sandbox's idle cost: a NAT instance instead of a gateway ($7 against
  // $37 a month), a Graviton t4g.micro host (one awsvpc task per host, as its
  // two network interfaces allow), and no Container Insights.
  sandbox: {
    natGateways: 1,
    natProvider: 'instance',
    hostInstanceType: 't4g.micro',
    containerInsights: false,
    minInstances: 1,
    desiredTasks: 1,
    natRequired: false,
  },
  production: {
    natGateways: AVAILABILITY_ZONES,
    natProvider: 'gateway',
    hostInstanceType: 't3.small',
    containerInsights: true,
    minInstances: AVAILABILITY_ZONES,
    desiredTasks: AVAILABILITY_ZONES,
    natRequired: true,
  },
};

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_PARAMETER = /^\/[A-Za-z0-9_.\-/]{1,2047}$/;
const KEY_NAME = /^[\x20-\x7e]{1,255}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Reads this architecture's context keys into its settings for `stage`. */
export function parseContainersConfig(read: ContextReader, stage: StageConfig): ContainersConfig {
  const defaults = STAGE_DEFAULTS[stage.name];
  const natGateways = optionalWholeNumber(
    read,
    'natGateways',
    { min: 0, max: AVAILABILITY_ZONES, meaning: 'NAT gateways, at most one per AZ' },
    defaults.natGateways,
  );
  if (natGateways === 0 && defaults.natRequired) {
    throw new ConfigError(
      'natGateways',
      read('natGateways'),
      `1 to ${AVAILABILITY_ZONES} in production: with no NAT gateway the container instances in the private subnets cannot reach ECS, ECR or CloudWatch Logs, so no task starts`,
    );
  }

  const natProvider = optionalChoice(read, 'natProvider', NAT_PROVIDERS, defaults.natProvider);
  const hostInstanceType = optionalString(read, 'hostInstanceType', 'an EC2 instance type such as t4g.micro') ?? defaults.hostInstanceType;
  if (!INSTANCE_TYPE.test(hostInstanceType)) {
    throw new ConfigError('hostInstanceType', read('hostInstanceType'), 'an EC2 instance type such as t4g.micro or t3.small');
  }

  const amiId = optionalString(read, 'amiId', 'an AMI id such as ami-0123456789abcdef0');
  const amiParameter = optionalString(read, 'amiParameter', 'an SSM parameter name such as /my/ecs/ami');
  if (amiId !== undefined && amiParameter !== undefined) {
    throw new ConfigError('amiParameter', read('amiParameter'), 'either amiId or amiParameter, not both');
  }
  if (amiId !== undefined && !AMI_ID.test(amiId)) {
    throw new ConfigError('amiId', read('amiId'), 'an AMI id: ami- followed by 8 or 17 lowercase hex digits');
  }
  if (amiParameter !== undefined && !SSM_PARAMETER.test(amiParameter)) {
    throw new ConfigError('amiParameter', read('amiParameter'), 'an SSM parameter name starting with / (letters, digits, _ . - /)');
  }
  const hostImage: ContainerHostImage =
    amiId !== undefined
      ? { kind: 'ami-id', amiId }
      : amiParameter !== undefined
        ? { kind: 'ssm-parameter', parameterName: amiParameter }
        : { kind: 'ecs-optimized' };

  const keyName = optionalString(read, 'sshKeyName', 'the name of an EC2 key pair');
  const sourceCidr = optionalString(read, 'sshCidr', 'an IPv4 CIDR such as 203.0.113.10/32');
  if ((keyName === undefined) !== (sourceCidr === undefined)) {
    const [missing, what, partner] =
      keyName === undefined
        ? ['sshKeyName', 'the name of an EC2 key pair', 'sshCidr']
        : ['sshCidr', 'an IPv4 CIDR such as 203.0.113.10/32', 'sshKeyName'];
    throw new ConfigError(missing, read(missing), `${what}, because ${partner} is set and SSH needs both a key pair and a source CIDR`);
  }
  if (keyName !== undefined && !KEY_NAME.test(keyName)) {
    throw new ConfigError('sshKeyName', read('sshKeyName'), 'an EC2 key pair name of 1 to 255 printable ASCII characters');
  }
  if (sourceCidr !== undefined && !isNarrowIpv4Cidr(sourceCidr)) {
    throw new ConfigError(
      'sshCidr',
      read('sshCidr'),
      'an IPv4 CIDR with a prefix of /8 or longer, such as 203.0.113.10/32 (never 0.0.0.0/0)',
    );
  }
  return {
    natGateways,
    natProvider,
    hostInstanceType,
    containerInsights: defaults.containerInsights,
    hostImage,
    minInstances: defaults.minInstances,
    desiredTasks: defaults.desiredTasks,
    ...(keyName && sourceCidr ? { ssh: { keyName, sourceCidr } } : {}),
  };
}

/** A well-formed IPv4 CIDR that is not the whole internet (prefix /8 to /32). */
function isNarrowIpv4Cidr(cidr: string): boolean {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  return octets.every((o) => o <= 255) && prefix >= 8 && prefix <= 32;
}
