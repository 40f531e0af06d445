import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import type { MenuApi } from './menu-api';

/**
 * What is watched in the menu API, and what each alarm tells on-call
 * (docs/serverless-api.md, "Alarms", is held to these by a test).
 */
export function monitorMenuApi(monitoring: ArchitectureMonitoring, parts: { readonly api: MenuApi; readonly table: ITable }): void {
  monitoring
    .restApi(parts.api.api, {
      name: 'MenuApi',
      humanReadableName: 'Menu API',
      serverErrors: {
        maxRate: 0.01,
        description:
          'More than 1% of menu API requests ended in a 5XX. First check: the ReadHandler and WriteHandler alarms and log groups, then the API execution log group.',
      },
      slowResponses: {
        maxLatency: Duration.seconds(2),
        description:
          "The slowest 1% of menu API requests took more than 2 seconds. First check: the handlers' Duration metrics and the table's throttling alarms.",
      },
    })
    .apiFunction(parts.api.readFunction, {
      name: 'ReadHandler',
      humanReadableName: 'Menu API read handler',
      what: 'menu read',
      throttles: true,
    })
    .apiFunction(parts.api.writeFunction, {
      name: 'WriteHandler',
      humanReadableName: 'Menu API write handler',
      what: 'menu write',
      throttles: true,
    })
    .table(parts.table, { name: 'MenuTable', humanReadableName: 'Menu items table', what: 'menu items', reads: true });
}
