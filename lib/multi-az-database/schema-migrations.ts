import * as path from 'node:path';
import { type CfnElement, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { type IInterfaceVpcEndpoint, type IVpc, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { loadMigrations, migrationsFingerprint } from '../../lambda/multi-az-database/migration-files';
import { acknowledgeDefaultPolicy } from '../shared/acknowledge';
import { controlTower } from '../shared/control-tower';
import { SUBNETS } from '../shared/network';
import { handlerEntry, ObservedFunction } from '../shared/observed-function';
import { PROJECT_NAME } from '../shared/project-name';
import type { StageConfig } from '../shared/stage-config';
import { StageLogGroup } from '../shared/stage-log-group';
import { untestedGrant } from '../shared/untested-grants';
import { type CustomerDatabase, DATABASE_NAME } from './customer-database';

const LAMBDA_DIR = path.resolve(__dirname, '..', '..', 'lambda', 'multi-az-database');

/** The SQL migrations the deployment applies, in the repository. */
export const MIGRATIONS_DIR = path.join(LAMBDA_DIR, 'migrations');

const HANDLER_ENTRY = handlerEntry(LAMBDA_DIR, 'apply-migrations.ts');

/**
 * The CA bundle of the Lambda Node.js runtime, which includes the Amazon RDS
 * certificate authorities; the function verifies the database certificate
 * against it.
 */
export const LAMBDA_RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export interface SchemaMigrationsProps {
  readonly stage: StageConfig;
  readonly vpc: IVpc;
  readonly database: CustomerDatabase;
  /** The Secrets Manager endpoint the function reads the database secret through (isolated subnets have no other path). */
  readonly secretsManagerEndpoint: IInterfaceVpcEndpoint;
  /** @default the repository's lambda/multi-az-database/migrations */
  readonly migrationsDir?: string;
}

/**
 * Schema migrations applied by every deployment: a custom resource whose
 * handler, a function in the database's isolated subnets, applies the
 * versioned SQL files that have not run yet. The resource's properties carry
 * a fingerprint of the files, so a deployment that adds or edits one runs the
 * handler again; a failing migration fails the deployment with the SQL error.
 */
export class SchemaMigrations extends Construct {
  readonly function: LambdaFunction;
  /** Which migrations each deployment applied. */
  readonly logGroup: ILogGroup;
  readonly securityGroup: SecurityGroup;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SchemaMigrationsProps) {
    super(scope, id);
    const { stage, vpc, database } = props;
    const migrationsDir = props.migrationsDir ?? MIGRATIONS_DIR;
    // Read at synth: a misnamed or duplicate migration fails `cdk synth`, not the deployment.
    const fingerprint = migrationsFingerprint(loadMigrations(migrationsDir));

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Schema migrations function: PostgreSQL to the database and HTTPS to Secrets Manager only',
      allowAllOutbound: false,
    });
    database.allowFrom(this.securityGroup, 'Schema migrations function');
    props.secretsManagerEndpoint.connections.allowFrom(
      this.securityGroup,
      Port.tcp(443),
      'Schema migrations function reads the database secret',
    );

    const { instance } = database;
    const handler = new ObservedFunction(this, 'Handler', {
      invokedBy: 'custom-resource-provider',
      entry: HANDLER_ENTRY,
      description: 'Applies pending SQL schema migrations to the customer database on deployment',
      stage,
      serviceName: 'customer-database',
      metricsNamespace: `${PROJECT_NAME}/CustomerDatabase`,
      // Long enough for real migrations; the Provider framework waits up to 15 minutes.
      timeout: Duration.minutes(5),
      vpcPlacement: { vpc, subnets: { subnetGroupName: SUBNETS.isolated }, securityGroups: [this.securityGroup] },
      bundledDirectories: { migrations: migrationsDir },
      // Migrations run one at a time: a second concurrent run would only wait on the first one's lock.
      reservedConcurrency: 1,
      environment: {
        DATABASE_SECRET_ARN: instance.secret!.secretArn,
        DATABASE_HOST: instance.dbInstanceEndpointAddress,
        DATABASE_PORT: instance.dbInstanceEndpointPort,
        DATABASE_NAME,
        DATABASE_CA_BUNDLE: LAMBDA_RUNTIME_CA_BUNDLE,
      },
    });
    this.function = handler.function;
    this.logGroup = handler.logGroup;
    // The handler reads the master secret (GetSecretValue), nothing else of it.
    Grant.addToPrincipal({
      grantee: handler.role,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [instance.secret!.secretArn],
    });
    untestedGrant(
      handler.role,
      instance,
      ['secretsmanager:GetSecretValue'],
      'The secret is the one RDS manages for the instance; the handler tests connect with injected credentials, so only a deployed migration reads it.',
    );

    // The framework function runs outside the VPC and only invokes the handler.
    const frameworkLogs = new StageLogGroup(this, 'ProviderLogs', { stage });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'CDK custom resource provider framework of the schema migrations',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    const stack = Stack.of(this);
    const handlerLogicalId = stack.resolve(stack.getLogicalId(this.function.node.defaultChild as CfnElement));
    acknowledgeDefaultPolicy(frameworkRole, {
      id: `AwsSolutions-IAM5[Resource::<${handlerLogicalId}.Arn>:*]`,
      reason:
        'The provider framework invokes the migrations handler; CDK grants invoke on the function and its versions/aliases (`:*`), nothing else.',
    });
    const frameworkFunction = provider.node.findChild('framework-onEvent');
    const frameworkOutsideVpc =
      'A CDK-owned framework function that only invokes the migrations handler through the Lambda API; the handler itself runs in the isolated subnets, which have no route to that API, so the framework stays outside.';
    const invokedByCloudFormation =
      'The CDK provider framework function is invoked synchronously by CloudFormation custom resources; failures go back to CloudFormation.';
    Validations.of(frameworkFunction).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: invokedByCloudFormation },
      {
        id: 'Serverless-LambdaTracing',
        reason: 'A CDK-owned framework function that only relays one invoke to the traced migrations handler.',
      },
      {
        id: 'Serverless-LambdaDefaultMemorySize',
        reason: 'A CDK-owned framework function; its memory size is set by aws-cdk-lib.',
      },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason:
          'A CDK-owned framework function that runs only when CloudFormation creates or updates the migrations resource, once per deployment; aws-cdk-lib offers no concurrency setting for it, and the handler it invokes is reserved at 1.',
      },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: invokedByCloudFormation },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason: frameworkOutsideVpc,
      },
      controlTower('CT.LAMBDA.PR.3', frameworkOutsideVpc),
    );

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SchemaMigrations',
      properties: { MigrationsFingerprint: fingerprint },
    });
    // Every network rule the handler needs exists before it first runs.
    this.resource.node.addDependency(
      this.securityGroup,
      database.securityGroup,
      props.secretsManagerEndpoint,
      ...props.secretsManagerEndpoint.connections.securityGroups,
    );
  }
}
