import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import {
  type IConnectable,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  Port,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import { Network, SUBNETS } from '../shared/network';
import { StageBackup } from '../shared/stage-backup';
import type { StageConfig } from '../shared/stage-config';
import { CustomerDatabase } from './customer-database';
import type { DatabaseConfig } from './database-config';
import { monitorCustomerDatabase } from './database-monitoring';
import { SchemaMigrations } from './schema-migrations';

/** A client allowed to connect to the database, named in its security group rule. */
export interface DatabaseClient {
  readonly connectable: IConnectable;
  readonly description: string;
}

export interface MultiAzDatabaseStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly config: DatabaseConfig;
  /**
   * Join this VPC (the containers architecture's) instead of creating one,
   * and admit these clients besides the migrations function.
   * @default - an own VPC without NAT gateways, and no other clients
   */
  readonly shared?: { readonly vpc: IVpc; readonly clients: readonly DatabaseClient[] };
}

/**
 * Architecture 5: the customer database on RDS for PostgreSQL, Multi-AZ, in
 * isolated subnets, with schema migrations applied by every deployment.
 */
export class MultiAzDatabaseStack extends Stack {
  readonly network?: Network;
  readonly database: CustomerDatabase;
  /** Production: the instance in an AWS Backup plan, beside its automated snapshots. */
  readonly backup: StageBackup;
  readonly migrations: SchemaMigrations;
  readonly secretsManagerEndpoint: InterfaceVpcEndpoint;
  readonly monitoring: ArchitectureMonitoring;

  constructor(scope: Construct, id: string, props: MultiAzDatabaseStackProps) {
    super(scope, id, props);
    const { stage, config } = props;

    // Its own VPC needs no NAT gateway: nothing in it goes to the internet.
    this.network = props.shared ? undefined : new Network(this, 'Network', { stage, natGateways: 0 });
    const vpc = props.shared?.vpc ?? this.network!.vpc;

    this.database = new CustomerDatabase(this, 'Database', { stage, config, vpc });
    // The primary only: a read replica holds the same data.
    this.backup = new StageBackup(this, 'Backup', { stage, resourceArns: [this.database.instance.instanceArn] });

    // The isolated subnets' only way to the Secrets Manager API. Closed by
    // default: each client that reads a secret is admitted by name.
    const endpointSecurityGroup = new SecurityGroup(this, 'SecretsManagerEndpointSecurityGroup', {
      vpc,
      description: 'Secrets Manager endpoint: HTTPS from named clients only',
      allowAllOutbound: false,
    });
    this.secretsManagerEndpoint = new InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
      vpc,
      service: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnets: vpc.selectSubnets({ subnetGroupName: SUBNETS.isolated }).subnets.slice(0, config.secretsEndpointAzs) },
      privateDnsEnabled: true,
      securityGroups: [endpointSecurityGroup],
      open: false,
    });

    this.migrations = new SchemaMigrations(this, 'SchemaMigrations', {
      stage,
      vpc,
      database: this.database,
      secretsManagerEndpoint: this.secretsManagerEndpoint,
    });
    for (const client of props.shared?.clients ?? []) {
      this.database.allowFrom(client.connectable, client.description);
      // With private DNS on, every Secrets Manager call in the VPC resolves to
      // this endpoint: a client of the database may read its secret through it.
      this.secretsManagerEndpoint.connections.allowFrom(client.connectable, Port.tcp(443), `${client.description} read secrets`);
    }

    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });
    monitorCustomerDatabase(this.monitoring, { config, database: this.database });

    const { instance } = this.database;
    new CfnOutput(this, 'DatabaseEndpoint', {
      value: instance.dbInstanceEndpointAddress,
      description: 'Stays the same across a Multi-AZ failover',
    });
    new CfnOutput(this, 'DatabaseInstanceIdentifier', {
      value: instance.instanceIdentifier,
      description: 'RDS instance identifier (for aws rds commands)',
    });
    new CfnOutput(this, 'MigrationsLogGroup', {
      value: this.migrations.logGroup.logGroupName,
      description: 'Log group of the schema migrations function (which migrations each deploy applied)',
    });
    new CfnOutput(this, 'DatabaseSecretArn', {
      value: instance.secret!.secretArn,
      description: 'Master user credentials, managed and rotated by RDS',
    });
    if (this.database.readReplica) {
      new CfnOutput(this, 'ReadReplicaEndpoint', {
        value: this.database.readReplica.dbInstanceEndpointAddress,
        description: 'Read-only endpoint of the read replica',
      });
    }
  }
}
