import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ArchitectureMonitoring } from '../shared/architecture-monitoring';
import { DataTable } from '../shared/data-table';
import { StageBackup } from '../shared/stage-backup';
import type { StageConfig } from '../shared/stage-config';
import { MenuApi } from './menu-api';
import { monitorMenuApi } from './menu-api-monitoring';

/** Logical id of the menu table, pinned so construct refactors never replace the data. */
export const MENU_TABLE_LOGICAL_ID = 'MenuItemsTable';

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
  /** The menu: a DynamoDB table used as a key-value lookup by item id (the course's choice for data with no joins). */
  readonly table: TableV2;
  readonly menuApi: MenuApi;
  /** Production: the table in an AWS Backup plan. */
  readonly backup: StageBackup;
  readonly monitoring: ArchitectureMonitoring;

  constructor(scope: Construct, id: string, props: ServerlessApiStackProps) {
    super(scope, id, props);
    const { stage } = props;

    this.table = new DataTable(this, 'MenuTable', { stage, partitionKey: 'id', logicalId: MENU_TABLE_LOGICAL_ID });
    this.menuApi = new MenuApi(this, 'MenuApi', { stage, table: this.table, corsOrigins: props.corsOrigins });
    this.backup = new StageBackup(this, 'Backup', { stage, resourceArns: [this.table.tableArn] });
    this.monitoring = new ArchitectureMonitoring(this, 'Monitoring', { stage });

    monitorMenuApi(this.monitoring, { api: this.menuApi, table: this.table });

    new CfnOutput(this, 'ApiUrl', { value: this.menuApi.url, description: 'Invoke URL of the menu API stage' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'Menu items table' });
  }
}
