import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import { StageBackup } from '../shared/stage-backup';
import type { StageConfig } from '../shared/stage-config';
import { MenuApi } from './menu-api';
import { monitorMenuApi } from './menu-api-monitoring';
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

    monitorMenuApi(this.monitoring, { api: this.menuApi, table: this.table });

    new CfnOutput(this, 'ApiUrl', { value: this.menuApi.url, description: 'Invoke URL of the menu API stage' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'Menu items table' });
  }
}
