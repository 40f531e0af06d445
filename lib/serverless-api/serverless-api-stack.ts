import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
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
  readonly monitoring: ArchitectureMonitoring;

  constructor(scope: Construct, id: string, props: ServerlessApiStackProps) {
    super(scope, id, props);
    const { stage } = props;

    this.table = new MenuTable(this, 'MenuTable', { stage });
    this.menuApi = new MenuApi(this, 'MenuApi', { stage, table: this.table.table, corsOrigins: props.corsOrigins });
    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });

    const api = this.menuApi.api;
    this.monitoring.facade
      .monitorApiGateway({
        api,
        apiStage: api.deploymentStage.stageName,
        alarmFriendlyName: 'MenuApi',
        humanReadableName: 'Menu API',
        add5XXFaultRateAlarm: { Critical: { maxErrorRate: 0.01 } },
        addLatencyP99Alarm: { Warning: { maxLatency: Duration.seconds(2) } },
      })
      .monitorLambdaFunction({
        lambdaFunction: this.menuApi.readFunction.function,
        alarmFriendlyName: 'ReadHandler',
        humanReadableName: 'Menu API read handler',
        addFaultCountAlarm: { Critical: { maxErrorCount: 0 } },
        addThrottlesCountAlarm: { Critical: { maxErrorCount: 0 } },
      })
      .monitorLambdaFunction({
        lambdaFunction: this.menuApi.writeFunction.function,
        alarmFriendlyName: 'WriteHandler',
        humanReadableName: 'Menu API write handler',
        addFaultCountAlarm: { Critical: { maxErrorCount: 0 } },
        addThrottlesCountAlarm: { Critical: { maxErrorCount: 0 } },
      })
      .monitorDynamoTable({
        table: this.table.table,
        alarmFriendlyName: 'MenuTable',
        humanReadableName: 'Menu items table',
        addReadThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: 0 } },
        addWriteThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: 0 } },
        addSystemErrorCountAlarm: { Critical: { maxErrorCount: 0 } },
      });

    new CfnOutput(this, 'ApiUrl', { value: this.menuApi.url, description: 'Invoke URL of the menu API stage' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'Menu items table' });
  }
}
