import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type AlarmText,
  type ArchitectureMonitoring,
  METRIC_PERIOD,
  ON_FIRST_FIVE_MINUTES,
  SUSTAINED_TEN_MINUTES,
} from '../shared/architecture-monitoring';
import type { CustomerDatabase } from './customer-database';
import type { DatabaseConfig } from './database-config';

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
 * What is watched in the customer database, and what each alarm tells
 * on-call (docs/multi-az-database.md, "Alarms", is held to these by a test).
 */
export function monitorCustomerDatabase(
  monitoring: ArchitectureMonitoring,
  parts: { readonly config: DatabaseConfig; readonly database: CustomerDatabase },
): void {
  const { config } = parts;
  const { instance, readReplica } = parts.database;
  const metric = (instanceIdentifier: string, metricName: string, statistic = 'Average') =>
    new Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
      statistic,
      period: METRIC_PERIOD,
    });
  const alarm = (text: AlarmText) => monitoring.alarm(text);
  const maxConnections = Math.floor(estimatedMaxConnections(config.instanceMemoryMiB) * 0.8);
  monitoring.facade
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
