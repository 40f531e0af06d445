import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type IConnectable, InstanceType, type IVpc, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  CaCertificate,
  DatabaseInsightsMode,
  DatabaseInstance,
  DatabaseInstanceEngine,
  DatabaseInstanceReadReplica,
  ParameterGroup,
  PerformanceInsightRetention,
  PostgresEngineVersion,
  StorageType,
} from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { controlTower, limitGrantsToAwsServices } from '../shared/control-tower';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { SUBNETS } from '../shared/network';
import { PROJECT_NAME } from '../shared/project-name';
import type { StageConfig } from '../shared/stage-config';
import { StageLogGroup } from '../shared/stage-log-group';
import type { DatabaseConfig } from './database-config';

/**
 * PostgreSQL's standard port, on which the instance listens (see its
 * AwsSolutions-RDS11 acknowledgement). The instance does not state it (RDS
 * defaults to it): `Port` is a create-only property of AWS::RDS::DBInstance,
 * and the first release's database was created without it, so stating it
 * would replace that database. Clients and security group rules use this
 * literal, never the endpoint attribute.
 */
export const POSTGRES_PORT = 5432;

/** The PostgreSQL major version and release: the newest aws-cdk-lib offers (and the local test server runs). */
export const POSTGRES_VERSION = PostgresEngineVersion.VER_18_3;

/** The database the schema migrations create their tables in. */
export const DATABASE_NAME = PROJECT_NAME.toLowerCase();

/** PostgreSQL logs exported to CloudWatch Logs. */
const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

export interface CustomerDatabaseProps {
  readonly stage: StageConfig;
  readonly config: DatabaseConfig;
  /** The database goes into this VPC's isolated subnets (no route to the internet in either direction). */
  readonly vpc: IVpc;
}

/**
 * The customer database: PostgreSQL on RDS with a synchronous standby in the
 * second Availability Zone (Multi-AZ), so an instance, storage or AZ failure
 * fails over to the standby under the same endpoint in one to two minutes.
 *
 * Secure by default: isolated subnets, no public address, a security group
 * with no rules until a named client is allowed, TLS forced by the parameter
 * group, storage and Performance Insights encrypted with a customer managed
 * key, IAM database authentication, and a master password that RDS generates,
 * keeps in Secrets Manager and rotates itself (never in the template).
 */
export class CustomerDatabase extends Construct {
  readonly instance: DatabaseInstance;
  readonly readReplica?: DatabaseInstanceReadReplica;
  readonly securityGroup: SecurityGroup;
  readonly encryptionKey: Key;
  readonly logGroups: LogGroup[] = [];

  constructor(scope: Construct, id: string, props: CustomerDatabaseProps) {
    super(scope, id);
    const { stage, config, vpc } = props;

    this.encryptionKey = new Key(this, 'EncryptionKey', {
      description: `Encrypts the customer database storage, snapshots and Performance Insights of ${Stack.of(this).stackName}`,
      enableKeyRotation: true,
      removalPolicy: stage.statefulRemovalPolicy,
      pendingWindow: Duration.days(7),
    });
    limitGrantsToAwsServices(this.encryptionKey);

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Customer database: PostgreSQL from named client security groups only',
      allowAllOutbound: false,
    });

    const engine = DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION });
    const parameterGroup = new ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Customer database: TLS only, SCRAM passwords, slow statements logged',
      parameters: {
        // Refuse every connection that is not TLS (PostgreSQL 15+ on RDS defaults to it; stated, not assumed).
        'rds.force_ssl': '1',
        password_encryption: 'scram-sha-256',
        // Statements slower than a second are logged, and exported to CloudWatch with the rest.
        log_min_duration_statement: '1000',
        log_connections: '1',
        log_disconnections: '1',
      },
    });

    // A name derived from the stack's (itself unique per account and region)
    // so the stack can create the log groups RDS exports to, with the stage's
    // retention, before the instance exists. Otherwise RDS creates them with
    // no expiry and they outlive a destroyed sandbox.
    const identifier = `${Stack.of(this).stackName}-customers`.toLowerCase();
    const exportLogGroups = (instanceIdentifier: string, idPrefix: string) =>
      LOG_EXPORTS.map((name) => {
        const group = new StageLogGroup(this, `${idPrefix}${name[0]!.toUpperCase()}${name.slice(1)}Logs`, {
          stage,
          logGroupName: `/aws/rds/instance/${instanceIdentifier}/${name}`,
        });
        this.logGroups.push(group);
        return group;
      });

    const instanceType = new InstanceType(config.instanceType);
    // One enhanced-monitoring role for the primary and the replica.
    const monitoringRole = new ManagedPolicyRole(this, 'MonitoringRole', {
      assumedBy: new ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: 'RDS enhanced monitoring of the customer database',
      managedPolicyName: 'service-role/AmazonRDSEnhancedMonitoringRole',
      reason:
        "AWS's managed policy for RDS enhanced monitoring is what RDS documents for the monitoring role; it only writes the RDSOSMetrics log group.",
    });
    // What the primary and its replica share: placement, access, TLS, storage type, logs, monitoring.
    const shared = {
      instanceType,
      vpc,
      vpcSubnets: { subnetGroupName: SUBNETS.isolated },
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      iamAuthentication: true,
      caCertificate: CaCertificate.RDS_CA_RSA2048_G1,
      parameterGroup,
      storageType: StorageType.GP3,
      maxAllocatedStorage: config.maxAllocatedStorageGiB,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      monitoringInterval: Duration.seconds(config.monitoringIntervalSeconds),
      monitoringRole,
      // Database Insights standard mode: Performance Insights with 7 days of
      // history, free, on every PostgreSQL instance class including t4g.micro.
      enablePerformanceInsights: true,
      databaseInsightsMode: DatabaseInsightsMode.STANDARD,
      performanceInsightRetention: PerformanceInsightRetention.DEFAULT,
      performanceInsightEncryptionKey: this.encryptionKey,
    };

    const primaryLogs = exportLogGroups(identifier, '');
    this.instance = new DatabaseInstance(this, 'Instance', {
      ...shared,
      engine,
      // Only where the deployed database was created with it (see DatabaseConfig.explicitPort).
      ...(config.explicitPort ? { port: POSTGRES_PORT } : {}),
      instanceIdentifier: identifier,
      multiAz: true,
      databaseName: DATABASE_NAME,
      manageMasterUserPassword: true,
      allocatedStorage: config.allocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      backupRetention: Duration.days(config.backupRetentionDays),
      preferredBackupWindow: '02:00-03:00',
      preferredMaintenanceWindow: 'Sun:03:30-Sun:04:30',
      copyTagsToSnapshot: true,
      allowMajorVersionUpgrade: false,
      // Sandbox: no final snapshot, no deletion protection, automated backups
      // deleted with the instance. Production: a final snapshot, protection on.
      removalPolicy: stage.snapshotRemovalPolicy,
      deletionProtection: stage.deletionProtection,
      deleteAutomatedBackups: config.deleteAutomatedBackups,
    });
    this.instance.node.addDependency(...primaryLogs);
    if (!stage.deletionProtection) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'Sandbox stage only: deletion protection is off so `cdk destroy` removes the database without a manual step. Production sets DeletionProtection true (asserted by the stack tests).',
      });
    }

    if (config.readReplica) {
      const replicaIdentifier = `${identifier}-replica`;
      const replicaLogs = exportLogGroups(replicaIdentifier, 'Replica');
      this.readReplica = new DatabaseInstanceReadReplica(this, 'ReadReplica', {
        ...shared,
        sourceDatabaseInstance: this.instance,
        instanceIdentifier: replicaIdentifier,
        // No encryption settings: a same-region replica is encrypted with its
        // source's key, and CloudFormation rejects them beside a source.
        // A replica holds no data of its own and RDS takes no final snapshot
        // of a replica; it goes with the stack in every stage.
        removalPolicy: RemovalPolicy.DESTROY,
        deletionProtection: false,
      });
      this.readReplica.node.addDependency(...replicaLogs);
      Validations.of(this.readReplica).acknowledge(
        {
          id: 'AwsSolutions-RDS3',
          reason:
            'A read replica scales reads; it is not the availability copy. The primary is Multi-AZ, and a failed replica is replaced from it.',
        },
        {
          id: 'AwsSolutions-RDS10',
          reason:
            'A read replica holds no data of its own (everything is on the deletion-protected primary in production), and deletion protection would block removing it on its own.',
        },
        {
          id: 'AwsSolutions-RDS11',
          reason: "The replica serves on the primary's port; see the primary's acknowledgement.",
        },
        {
          id: 'AwsSolutions-RDS2',
          reason:
            "The replica is encrypted: RDS creates a same-region replica of an encrypted source with the source's KMS key, and CloudFormation forbids StorageEncrypted beside SourceDBInstanceIdentifier, which is what this rule reads.",
        },
        {
          id: 'NIST.800.53.R5-RDSMultiAZSupport',
          reason:
            'A read replica scales reads; it is not the availability copy. The primary is Multi-AZ, and a failed replica is replaced from it.',
        },
        {
          id: 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
          reason:
            'A read replica holds no data of its own (the primary is deletion-protected in production), and deletion protection would block removing it on its own.',
        },
        {
          id: 'NIST.800.53.R5-RDSInBackupPlan',
          reason: "A read replica holds a copy of the primary's data; the primary is in the stack's AWS Backup plan.",
        },
        {
          id: 'NIST.800.53.R5-RDSStorageEncrypted',
          reason:
            "The replica is encrypted with its source's KMS key (RDS does this for a same-region replica of an encrypted source); CloudFormation forbids StorageEncrypted beside SourceDBInstanceIdentifier, which is what this rule reads.",
        },
      );
    }

    Validations.of(this.instance).acknowledge(
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'PostgreSQL listens on its standard port 5432: the security group admits only named client security groups, so a different port would hide nothing and only break client defaults.',
      },
      controlTower(
        'CT.RDS.PR.20',
        'PostgreSQL listens on its standard port 5432, admitted only from named client security groups. Port is create-only on AWS::RDS::DBInstance: changing it would replace the database released in 0.1.0 and lose its data. A new deployment in a landing zone that enables this control sets another port before its first deploy.',
      ),
      controlTower(
        'CT.RDS.PR.22',
        "The master user is RDS's default `postgres`; its password is managed and rotated by RDS in Secrets Manager, and the migrations create the application's own role. MasterUsername is create-only: changing it would replace the database released in 0.1.0 and lose its data. A new deployment in a landing zone that enables this control names another master user before its first deploy.",
      ),
    );
  }

  /**
   * Lets `client` (a security group, a function, a service) connect to the
   * primary and the replica. The port is written as the literal it is, not
   * the instance's endpoint attribute, so the rule reads as what it admits
   * (and rule packs can check it).
   */
  allowFrom(client: IConnectable, description: string): void {
    this.instance.connections.allowFrom(client, Port.tcp(POSTGRES_PORT), description);
  }
}
