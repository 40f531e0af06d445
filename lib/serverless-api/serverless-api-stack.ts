import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type AlarmText, ArchitectureMonitoring, SUSTAINED_TEN_MINUTES } from '../shared/architecture-monitoring';
import { StageBackup } from '../shared/stage-backup';
import type { StageConfig } from '../shared/stage-config';
import { MenuApi } from './menu-api';
import { MenuTable } from './menu-table';

export interface ServerlessApiStackProps extends StackProps {
  readonly stage: StageConfig;
  /** Browser origins allowed to call the API. */
  readonly corsOrigins: readonly string[];
}

/**
 * Architecture 1: the menu API. API Gateway in front of Lambda in front of
 * DynamoDB: nothing to patch or scale by hand, and an idle stack costs
 * almost nothing, which suits the spiky traffic of a menu.
 */
export class ServerlessApiStack extends Stack {
  readonly table: MenuTable;
  readonly menuApi: MenuApi;
  /** Production: the table in an AWS Backup plan. */
  readonly backup: StageBackup;
  readonly monitoring: ArchitectureMonitoring;

  constructor(scope: Construct, id: string, props: ServerlessApiStackProps) {
    super(scope, id, props);
    const { stage } = props;

    this.table = new MenuTable(this, 'MenuTable', { stage });
    this.menuApi = new MenuApi(this, 'MenuApi', { stage, table: this.table.table, corsOrigins: props.corsOrigins });
    this.backup = new StageBackup(this, 'Backup', { stage, resourceArns: [this.table.table.tableArn] });
    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });

    const api = this.menuApi.api;
    const alarm = (text: AlarmText) => this.monitoring.alarm(text);
    this.monitoring.facade
      .monitorApiGateway({
        api,
        apiStage: api.deploymentStage.stageName,
        alarmFriendlyName: 'MenuApi',
        humanReadableName: 'Menu API',
        add5XXFaultRateAlarm: {
          Critical: {
            maxErrorRate: 0.01,
            ...alarm({
              name: 'MenuApi-ServerErrorRate',
              description:
                'More than 1% of menu API requests ended in a 5XX. First check: the ReadHandler and WriteHandler alarms and log groups, then the API execution log group.',
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
        addLatencyP99Alarm: {
          Warning: {
            maxLatency: Duration.seconds(2),
            ...alarm({
              name: 'MenuApi-SlowResponses',
              description:
                "The slowest 1% of menu API requests took more than 2 seconds. First check: the handlers' Duration metrics and the table's throttling alarms.",
              timing: SUSTAINED_TEN_MINUTES,
            }),
          },
        },
      })
      .monitorLambdaFunction({
        lambdaFunction: this.menuApi.readFunction.function,
        alarmFriendlyName: 'ReadHandler',
        humanReadableName: 'Menu API read handler',
        ...this.monitoring.apiFunctionAlarms('ReadHandler', 'menu read', { throttles: true }),
      })
      .monitorLambdaFunction({
        lambdaFunction: this.menuApi.writeFunction.function,
        alarmFriendlyName: 'WriteHandler',
        humanReadableName: 'Menu API write handler',
        ...this.monitoring.apiFunctionAlarms('WriteHandler', 'menu write', { throttles: true }),
      })
      .monitorDynamoTable({
        table: this.table.table,
        alarmFriendlyName: 'MenuTable',
        humanReadableName: 'Menu items table',
        ...this.monitoring.tableAlarms('MenuTable', 'menu items', { reads: true }),
      });

    new CfnOutput(this, 'ApiUrl', { value: this.menuApi.url, description: 'Invoke URL of the menu API stage' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'Menu items table' });
  }
}
