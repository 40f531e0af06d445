import { type CfnResource } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { StageConfig } from '../shared/stage-config';

export interface MenuTableProps {
  readonly stage: StageConfig;
  /**
   * Ceiling on on-demand read request units per second: a runaway client or
   * loop is throttled instead of billed without limit.
   * @default 200
   */
  readonly maxReadRequestUnits?: number;
  /** @default 50 */
  readonly maxWriteRequestUnits?: number;
}

/**
 * The menu: a DynamoDB table used as a key-value lookup (the course's choice
 * for data with no joins), on-demand so an idle sandbox costs nothing.
 */
export class MenuTable extends Construct {
  /** Logical id of the table, pinned so construct refactors never replace the data. */
  static readonly LOGICAL_ID = 'MenuItemsTable';

  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: MenuTableProps) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billing: Billing.onDemand({
        maxReadRequestUnits: props.maxReadRequestUnits ?? 200,
        maxWriteRequestUnits: props.maxWriteRequestUnits ?? 50,
      }),
      // AWS managed key: encryption at rest with key use audited in CloudTrail,
      // without the monthly fee of a customer managed key.
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.stage.pointInTimeRecovery },
      deletionProtection: props.stage.deletionProtection,
      removalPolicy: props.stage.statefulRemovalPolicy,
    });
    (this.table.node.defaultChild as CfnResource).overrideLogicalId(MenuTable.LOGICAL_ID);
  }
}
