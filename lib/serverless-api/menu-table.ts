import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { DataTable } from '../shared/data-table';
import type { StageConfig } from '../shared/stage-config';

export interface MenuTableProps {
  readonly stage: StageConfig;
}

/**
 * The menu: a DynamoDB table used as a key-value lookup by item id (the
 * course's choice for data with no joins).
 */
export class MenuTable extends Construct {
  /** Logical id of the table, pinned so construct refactors never replace the data. */
  static readonly LOGICAL_ID = 'MenuItemsTable';

  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: MenuTableProps) {
    super(scope, id);
    this.table = new DataTable(this, 'Items', {
      stage: props.stage,
      partitionKey: 'id',
      logicalId: MenuTable.LOGICAL_ID,
    }).table;
  }
}
