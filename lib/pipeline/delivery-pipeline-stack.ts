import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { BuildEnvironmentVariableType, ComputeType, LinuxBuildImage } from 'aws-cdk-lib/aws-codebuild';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CodeBuildStep, CodePipeline, CodePipelineSource, ManualApprovalStep } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import type { ContextReader } from '../shared/context';
import { PROJECT_NAME } from '../shared/project-name';
import type { StageName } from '../shared/stage-config';
import { checksRoleName, DeliveryStage } from './delivery-stage';
import type { PipelineConfig } from './pipeline-config';
import { ASSEMBLY_INPUT, INSTALL_NODE, lookupRoleArn, smokeCommand, synthCommands, upgradeGateCommand } from './pipeline-steps';
import { ASSET_PUBLISHING_WILDCARDS, acknowledgeWildcards, PIPELINE_WILDCARDS, SELF_UPDATE_WILDCARDS } from './wildcard-acknowledgements';

export const PIPELINE_STACK_NAME = `${PROJECT_NAME}-Pipeline`;

/** The tools-account role every check step runs as; the target accounts' checks roles trust it by name. */
export const CHECKS_PRINCIPAL_NAME = `${PROJECT_NAME}-PipelineChecks`;

/** How long the artifact bucket keeps a run's artifacts (a run takes an hour; a rollback redeploys from the source). */
export const ARTIFACT_RETENTION = Duration.days(30);

export interface DeliveryPipelineStackProps extends StackProps {
  readonly config: PipelineConfig;
  /** The app's reader; each stage answers `stage` itself. */
  readonly read: ContextReader;
  /** The context the pipeline was synthesized with, which its synth step passes again (`-c`). */
  readonly synthContext: Readonly<Record<string, string>>;
  /**
   * The stages' rule packs (DeliveryStageProps.packs).
   * @default true
   */
  readonly packs?: boolean;
}

/**
 * The delivery pipeline (CDK Pipelines, CodePipeline V2 and CodeBuild):
 * source -> synth (npm ci, npm test, cdk synth with every rule pack) ->
 * self-update -> the sandbox account (each stack, then its smoke checks) ->
 * the upgrade check against production -> manual approval -> production
 * (each stack, then its read-only checks). docs/delivery.md.
 */
export class DeliveryPipelineStack extends Stack {
  readonly pipeline: CodePipeline;

  constructor(scope: Construct, id: string, props: DeliveryPipelineStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      env: config.tools,
      description: `Coffee shop delivery pipeline: ${config.source.repository}@${config.source.branch} to sandbox ${config.sandboxAccount}, then production ${config.productionAccount}`,
      terminationProtection: true,
    });
    const source = CodePipelineSource.connection(config.source.repository, config.source.branch, {
      connectionArn: config.source.connectionArn,
    });
    const artifactBucket = this.artifactBucket();
    const checksRole = new Role(this, 'ChecksRole', {
      roleName: CHECKS_PRINCIPAL_NAME,
      description: "The delivery pipeline's smoke and upgrade-check steps; it may only assume the target accounts' checks roles",
      assumedBy: new ServicePrincipal('codebuild.amazonaws.com'),
    });
    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: PROJECT_NAME,
      // Its key lets the target accounts' deploy roles read the artifacts (cross-account keys).
      artifactBucket,
      publishAssetsInParallel: false,
      synth: new CodeBuildStep('Synth', {
        input: source,
        installCommands: [INSTALL_NODE],
        commands: synthCommands(props.synthContext),
        primaryOutputDirectory: 'cdk.out',
        // npm test runs Jest, tsc and the local backends side by side: 4 vCPUs, 7 GB.
        buildEnvironment: { computeType: ComputeType.MEDIUM },
      }),
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: LinuxBuildImage.STANDARD_7_0,
          computeType: ComputeType.SMALL,
          environmentVariables: { CI: { type: BuildEnvironmentVariableType.PLAINTEXT, value: 'true' } },
        },
        timeout: Duration.minutes(30),
      },
    });

    // The stages are the app's children, beside this stack: its rule packs check this stack alone.
    const stage = (name: StageName, account: string, id: string, stageName: string) =>
      new DeliveryStage(this.node.scope!, id, {
        stageName,
        target: { account, region: config.tools.region },
        read: (key) => (key === 'stage' ? name : props.read(key)),
        architectures: config.architectures,
        checksPrincipalArn: this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: CHECKS_PRINCIPAL_NAME }),
        readOnlyChecks: name === 'production',
        packs: props.packs,
      });
    const checkSteps = (deployed: DeliveryStage, name: StageName, account: string) =>
      config.architectures.map((architecture) => {
        const stack = deployed.stacks[architecture]!;
        const roleArn = `arn:aws:iam::${account}:role/${checksRoleName(stack.stackName)}`;
        checksRole.addToPolicy(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [roleArn] }));
        return {
          stack,
          post: [
            new CodeBuildStep(`Smoke-${stack.stackName}`, {
              input: source,
              role: checksRole,
              installCommands: [INSTALL_NODE],
              commands: ['npm ci', smokeCommand(architecture, name, config.tools.region, roleArn)],
            }),
          ],
        };
      });

    const sandbox = stage('sandbox', config.sandboxAccount, 'Sandbox', 'Sandbox');
    this.pipeline.addStage(sandbox, { stackSteps: checkSteps(sandbox, 'sandbox', config.sandboxAccount) });

    const gateRole = lookupRoleArn(config.productionAccount, config.tools.region);
    checksRole.addToPolicy(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [gateRole] }));
    const gate = new CodeBuildStep('UpgradeCheck', {
      input: source,
      additionalInputs: { [ASSEMBLY_INPUT]: this.pipeline.cloudAssemblyFileSet },
      role: checksRole,
      installCommands: [INSTALL_NODE],
      commands: ['npm ci', upgradeGateCommand(config)],
    });
    const approval = new ManualApprovalStep('ApproveProduction', {
      comment: `Deploy to production ${config.productionAccount}: the sandbox's smoke checks passed and the upgrade check found no data at risk (its log shows every change).`,
    });
    approval.addStepDependency(gate);
    // The production stage's id is "Default", which CDK leaves out of the names and logical ids it
    // derives from construct paths: its stacks are then exactly those `cdk deploy` of the app makes
    // (a backup vault's name, a subscription's logical id), so a pipeline takes over production stacks
    // deployed by hand without replacing anything. Its stage name in the pipeline is Production.
    const production = stage('production', config.productionAccount, 'Default', 'Production');
    this.pipeline.addStage(production, {
      pre: [gate, approval],
      stackSteps: checkSteps(production, 'production', config.productionAccount),
    });

    this.pipeline.buildPipeline();
    acknowledgeGeneratedGrants(this.pipeline, checksRole);
  }

  /**
   * The artifact bucket, as the other buckets are (TLS only, no public
   * access, versioned, its access logged) but encrypted with a key of its
   * own, which the target accounts' deploy roles are granted: S3 managed
   * keys cannot be shared across accounts. Old artifacts expire.
   */
  private artifactBucket(): Bucket {
    const accessLogs = new Bucket(this, 'ArtifactAccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log bucket of the artifact bucket; logging access to it would need yet another bucket.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
        reason: 'This is the access-log bucket of the artifact bucket; logging access to it would need yet another bucket.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: 'Access logs of build artifacts, kept 90 days for investigation; a second Region adds cost for no recovery need.',
      },
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: 'S3 server access log delivery writes only to buckets encrypted with S3 managed keys (SSE-S3).',
      },
    );
    const key = new Key(this, 'ArtifactKey', {
      description: "Encrypts the delivery pipeline's artifacts; the target accounts' deploy roles may decrypt them",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = new Bucket(this, 'Artifacts', {
      encryption: BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        {
          id: 'expire-old-artifacts',
          expiration: ARTIFACT_RETENTION,
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason:
        'Build artifacts are made again from the source by the next run; a copy in a second Region would not restore anything the source cannot.',
    });
    new CfnOutput(this, 'ArtifactBucketName', {
      value: bucket.bucketName,
      description: 'Kept when the stack is deleted: empty and delete it (docs/delivery.md)',
    });
    new CfnOutput(this, 'ArtifactKeyArn', {
      value: key.keyArn,
      description: 'Kept when the stack is deleted: schedule its deletion (docs/delivery.md)',
    });
    return bucket;
  }
}

/** Acknowledges, role by role, the wildcards CDK Pipelines wrote into the policies of the roles it made. */
function acknowledgeGeneratedGrants(pipeline: CodePipeline, checksRole: Role): void {
  acknowledgeWildcards(pipeline.pipeline.role, "The pipeline's service role", PIPELINE_WILDCARDS);
  acknowledgeWildcards(checksRole, 'The check steps (smoke, upgrade check)', PIPELINE_WILDCARDS);
  acknowledgeWildcards(pipeline.synthProject.role!, 'The synth step', PIPELINE_WILDCARDS);
  acknowledgeWildcards(pipeline.selfMutationProject.role!, 'The self-update step', SELF_UPDATE_WILDCARDS);
  for (const node of pipeline.node.findAll()) {
    if (node.node.id === 'CodePipelineActionRole')
      acknowledgeWildcards(node, `The ${node.node.scope?.node.id} action's role`, PIPELINE_WILDCARDS);
    if (node.node.id === 'FileRole') acknowledgeWildcards(node, 'The asset publishing step', ASSET_PUBLISHING_WILDCARDS);
  }
}
