import { cpSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, type CfnResource, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { acknowledgeDefaultPolicy } from './acknowledge';
import { controlTower } from './control-tower';
import { bundleWithCache } from './esbuild-bundle-cache';
import { OWN_CODE_SOURCE_MAP_STEP } from './own-code-source-map';
import type { StageConfig } from './stage-config';
import { StageLogGroup } from './stage-log-group';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** What Lambda needs to attach a function to a VPC (the EC2 part of AWSLambdaVPCAccessExecutionRole). */
export const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

const DECLARED_HANDLER_ENTRIES = new Set<string>();

/**
 * A handler's entry file (the path joined from `segments`), declared where
 * its construct's module loads, so before a synth bundles anything: the
 * first handler a synth must bundle is bundled in one esbuild run with every
 * other declared handler that must be, and each of those is then kept for
 * its turn (`esbuild-bundle-cache.ts`; about 1 s of a `cdk synth` after a
 * change). An entry not declared is bundled alone, as before.
 */
export function handlerEntry(...segments: string[]): string {
  const entry = path.join(...segments);
  DECLARED_HANDLER_ENTRIES.add(path.resolve(entry));
  return entry;
}

/** The handler entries declared so far (absolute paths). */
export const declaredHandlerEntries = (): readonly string[] => [...DECLARED_HANDLER_ENTRIES];

/** Template metadata key naming a function's handler source file, relative to the project root. */
export const HANDLER_ENTRY_METADATA = 'coffee-shop:handler-entry';

/** The Node.js runtime every function uses: the newest aws-cdk-lib offers. */
export const NODE_RUNTIME = Runtime.NODEJS_24_X;

/**
 * How the function is invoked. Neither way is asynchronous, so neither uses
 * an asynchronous-invocation dead-letter queue; this says where failures go.
 */
export type InvocationSource = 'api-gateway' | 'sqs-event-source' | 'custom-resource-provider' | 'sandbox-expiry';

const FAILURE_PATH: Record<InvocationSource, string> = {
  'api-gateway':
    'Invoked only synchronously by API Gateway proxy integration: a failure is returned to the caller as a 5xx, and an async dead-letter queue would never receive anything.',
  'sqs-event-source':
    "Invoked only by an SQS event source mapping, never asynchronously: failed messages go to the source queue's dead-letter queue after maxReceiveCount.",
  'custom-resource-provider':
    'Invoked only synchronously by the CDK custom resource Provider framework during a deployment: a failure is reported to CloudFormation, which fails and rolls back the deployment; there is no event to keep for a retry.',
  'sandbox-expiry':
    "Invoked by its stack's custom resource during a deployment (a failure fails the deployment) and by one-time EventBridge Scheduler schedules (asynchronous): Lambda retries a failed run twice, then it is in the function's log and Errors metric; an event kept in a queue would be worthless once late, and a deletion that fails is reported to the notice topic by the function itself, once.",
};

export interface ObservedFunctionProps {
  /** How the function is invoked; decides where its failures go. */
  readonly invokedBy: InvocationSource;
  /** Path of the handler's TypeScript entry file, declared with `handlerEntry` where the module loads. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Stage settings: log retention and what happens to the log group on destroy. */
  readonly stage: StageConfig;
  /** Powertools service name: groups logs, metrics and traces. */
  readonly serviceName: string;
  /** CloudWatch namespace of the function's business metrics. */
  readonly metricsNamespace: string;
  /** Extra environment variables. @default - none */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /**
   * Runs the function in these subnets of a VPC, with these security groups.
   * @default - not in a VPC
   */
  readonly vpcPlacement?: { readonly vpc: IVpc; readonly subnets: SubnetSelection; readonly securityGroups: ISecurityGroup[] };
  /**
   * Directories copied next to the bundled handler, by target name, for data
   * files the handler reads at run time (for example SQL migrations).
   * @default - none
   */
  readonly bundledDirectories?: Record<string, string>;
  /**
   * Most instances that may run at once, reserved from the account where the
   * stage reserves concurrency (production): a runaway function cannot take
   * the account's whole concurrency, nor call what is downstream of it with
   * more than this many instances. Each function derives its number from
   * what calls it (an API's throttle, a queue's pollers).
   */
  readonly reservedConcurrency: number;
}

/**
 * A Node.js Lambda function with the defaults every handler in this project
 * shares: newest runtime on arm64 (cheaper per GB-second than x86), bundled
 * and minified by a local esbuild with source maps, its own log group with the
 * stage's retention (so logs never outlive a sandbox), JSON logs, X-Ray
 * tracing and Powertools configured through the environment.
 */
export class ObservedFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ObservedFunctionProps) {
    super(scope, id);
    this.logGroup = new StageLogGroup(this, 'LogGroup', { stage: props.stage });
    // An own role instead of AWSLambdaBasicExecutionRole: the function may
    // write to its own log group only, not create or write any log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpcPlacement) {
      // CDK attaches AWSLambdaVPCAccessExecutionRole only to roles it creates;
      // this role gets the network-interface actions alone, without that
      // policy's logs:CreateLogGroup on every log group.
      this.role.addToPolicy(new PolicyStatement({ actions: [...VPC_NETWORK_INTERFACE_ACTIONS], resources: ['*'] }));
    }
    this.function = new LambdaFunction(this, 'Function', {
      code: bundledHandlerCode(props.entry, props.bundledDirectories),
      handler: 'index.handler',
      description: props.description,
      role: this.role,
      runtime: NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        ...props.environment,
      },
      ...(props.vpcPlacement
        ? { vpc: props.vpcPlacement.vpc, vpcSubnets: props.vpcPlacement.subnets, securityGroups: props.vpcPlacement.securityGroups }
        : {}),
      ...(props.stage.reservedConcurrency
        ? { reservedConcurrentExecutions: checkReservedConcurrency(this, props.reservedConcurrency) }
        : {}),
    });

    // Names the source file in the template, for readers and for `npm run bench`.
    (this.function.node.defaultChild as CfnResource).addMetadata(HANDLER_ENTRY_METADATA, path.relative(PROJECT_ROOT, props.entry));

    Validations.of(this.function).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: FAILURE_PATH[props.invokedBy] },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: FAILURE_PATH[props.invokedBy] },
    );
    if (!props.vpcPlacement) {
      const outsideVpc = `${props.description}: it reaches only AWS service APIs (over TLS, bounded by its own role's policy) and nothing inside a VPC. A VPC would add interface endpoints or a NAT (about $7 a month each per AZ) and cold-start network setup without narrowing what it can reach.`;
      Validations.of(this.function).acknowledge(
        { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: outsideVpc },
        controlTower('CT.LAMBDA.PR.3', outsideVpc),
      );
    }

    acknowledgeDefaultPolicy(this.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions, so their resource must be *.' +
        (props.vpcPlacement
          ? ` So do the network-interface actions a function in a VPC needs (${VPC_NETWORK_INTERFACE_ACTIONS.join(', ')}).`
          : ''),
    });
  }
}

/** Lambda's own bounds on reserved concurrency: at least 1 (0 would stop the function). */
function checkReservedConcurrency(scope: Construct, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${scope.node.path}: reservedConcurrency must be a whole number of at least 1, got ${value}`);
  }
  return value;
}

/**
 * How every handler is bundled (also what `npm run bench` measures): one
 * minified CommonJS file for Node 24, ES modules preferred so the AWS SDK is
 * tree-shaken, with a source map (without sources) beside it, which
 * `bundledHandlerCode` cuts down to our own code. The bundle starts with
 * `source-mapped-stack-traces.ts`, which reads that map when a stack trace
 * is formatted (Node's `--enable-source-maps` would read it, and measure the
 * whole bundle, at every cold start).
 */
export const HANDLER_BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  // Named by require.resolve, so a starter's import closure holds it (scripts/starter/create-starter.ts).
  inject: [require.resolve('../../lambda/shared/source-mapped-stack-traces.ts')],
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  mainFields: ['module', 'main'],
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * The handler bundled by the esbuild devDependency, in this process (no
 * Docker, no `npx` per function): one minified CommonJS file with a source
 * map of our own code only (`own-code-source-map.ts`: Node decodes the whole
 * map on every cold start, and the packages' mappings were most of it), and
 * the directories named copied beside it. A bundle whose every
 * input is unchanged since the last synth is copied from
 * `node_modules/.cache/` instead (`esbuild-bundle-cache.ts`).
 *
 * The AWS SDK is bundled in (tree-shaken from its ES modules), not taken
 * from the Lambda runtime: measured by `npm run bench`, a handler loads 5 to
 * 40 % faster that way (the runtime's SDK is loaded from many files), at
 * the price of a larger bundle (about 400 KB instead of 70 to 110 KB, still
 * under 150 KB zipped). It also runs the SDK version the tests ran.
 */
export function bundledHandlerCode(entry: string, directories: Record<string, string> = {}): Code {
  return Code.fromAsset(path.dirname(entry), {
    // The asset is named by a hash of the bundle itself: the source folder's
    // hash would miss changes to what the entry imports from elsewhere
    // (lambda/shared, dependencies).
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // CDK stages an asset once per source folder and bundling options; the
      // entry and the copied directories are named here so that two handlers
      // of one folder are two assets (without it, both get the first bundle).
      // Local bundling reads no environment: this only keys the staging.
      environment: { HANDLER_ENTRY: path.basename(entry), COPIED_DIRECTORIES: Object.keys(directories).join(',') },
      // Never used: local bundling always succeeds or fails synth with esbuild's error.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-alpine'),
      local: {
        tryBundle(outputDir: string) {
          bundleWithCache({
            entry,
            outfile: path.join(outputDir, 'index.js'),
            options: HANDLER_BUILD_OPTIONS,
            finish: OWN_CODE_SOURCE_MAP_STEP,
            projectRoot: PROJECT_ROOT,
            companions: declaredHandlerEntries(),
          });
          for (const [name, source] of Object.entries(directories)) cpSync(source, path.join(outputDir, name), { recursive: true });
          return true;
        },
      },
    },
  });
}
