import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type IConnectable,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  Port,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import {
  type AlarmText,
  ArchitectureMonitoring,
  METRIC_PERIOD,
  ON_FIRST_FIVE_MINUTES,
  SUSTAINED_TEN_MINUTES,
} from '../shared/architecture-monitoring';
import { Network, SUBNETS } from '../shared/network';
import { StageBackup } from '../shared/stage-backup';
import type { StageConfig } from '../shared/stage-config';
import { CustomerDatabase } from './customer-database';
import type { DatabaseConfig } from './database-config';
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

/** Bytes in a mebibyte / gibibyte, for alarm thresholds. */
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/**
 * RDS for PostgreSQL's default `max_connections` is
 * LEAST(DBInstanceClassMemory / 9531392, 5000); DBInstanceClassMemory is a
 * little under the class's memory, so 90% of it is a fair estimate.
 */
export function estimatedMaxConnections(memoryMiB: number): number {
  return Math.min(5000, Math.floor((memoryMiB * MIB * 0.9) / 9_531_392));
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
    this.addAlarms(config);

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
      value: this.migrations.function.logGroup.logGroupName,
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

  private addAlarms(config: DatabaseConfig): void {
    const { instance, readReplica } = this.database;
    const metric = (instanceIdentifier: string, metricName: string, statistic = 'Average') =>
      new Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
        statistic,
        period: METRIC_PERIOD,
      });
    const alarm = (text: AlarmText) => this.monitoring.alarm(text);
    const maxConnections = Math.floor(estimatedMaxConnections(config.instanceMemoryMiB) * 0.8);
    this.monitoring.facade
      .monitorRdsInstance({
        instance,
        alarmFriendlyName: 'CustomerDatabase',
        humanReadableName: 'Customer database (primary)',
        addCpuUsageAlarm: {
          Warning: {
            maxUsagePercent: 80,
            ...alarm({
              name: 'CustomerDatabase-CPUOver80Percent',
              description:
                "The customer database's CPU is above 80%: queries slow down (a burstable class also spends its CPU credits). First check: Performance Insights' top SQL, then the instance class.",
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
        addFreeStorageSpaceAlarm: {
          Critical: {
            minCount: Math.round(config.allocatedStorageGiB * GIB * 0.1),
            ...alarm({
              name: 'CustomerDatabase-StorageUnder10PercentFree',
              description: `Less than 10% of the customer database's ${config.allocatedStorageGiB} GiB is free; storage autoscaling grows it up to its maximum, after which writes fail. First check: the FreeStorageSpace metric's trend and the largest tables.`,
              timing: ON_FIRST_FIVE_MINUTES,
            }),
          },
        },
        addMaxConnectionCountAlarm: {
          Warning: {
            maxConnectionCount: maxConnections,
            ...alarm({
              name: 'CustomerDatabase-ConnectionsNearLimit',
              description: `More than ${maxConnections} connections (80% of max_connections for this class) are open to the customer database; past the limit new connections are refused. First check: which clients hold connections (pg_stat_activity) and whether they pool them.`,
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
      })
      .monitorCustom({
        alarmFriendlyName: 'CustomerDatabaseMemoryAndReplication',
        humanReadableName: 'Customer database memory and replication',
        metricGroups: [
          {
            title: 'Freeable memory (bytes)',
            metrics: [
              {
                metric: metric(instance.instanceIdentifier, 'FreeableMemory', 'Minimum'),
                alarmFriendlyName: 'FreeableMemory',
                addAlarm: {
                  Warning: {
                    threshold: Math.round(config.instanceMemoryMiB * MIB * 0.1),
                    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
                    ...alarm({
                      name: 'CustomerDatabase-MemoryUnder10PercentFree',
                      description:
                        'Less than 10% of the customer database instance memory is free: the database starts swapping and queries slow down. First check: connection count and work_mem-heavy queries in Performance Insights, then the instance class.',
                      timing: SUSTAINED_TEN_MINUTES,
                    }),
                  },
                },
              },
            ],
          },
          ...(readReplica
            ? [
                {
                  title: 'Read replica lag (seconds)',
                  metrics: [
                    {
                      metric: metric(readReplica.instanceIdentifier, 'ReplicaLag', 'Maximum'),
                      alarmFriendlyName: 'ReplicaLag',
                      addAlarm: {
                        Warning: {
                          threshold: 60,
                          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                          ...alarm({
                            name: 'ReadReplica-LagOver60Seconds',
                            description:
                              'The read replica is more than 60 seconds behind the primary: reads from it return stale data. First check: write volume on the primary and the CPU metric of the replica.',
                            timing: SUSTAINED_TEN_MINUTES,
                          }),
                        },
                      },
                    },
                  ],
                },
              ]
            : []),
        ],
      });
  }
}
