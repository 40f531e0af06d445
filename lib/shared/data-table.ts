import type { CfnResource } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config';

export interface DataTableProps {
  readonly stage: StageConfig;
  /** Name of the string partition key. */
  readonly partitionKey: string;
  /**
   * Logical id the table keeps whatever the construct tree around it becomes:
   * renaming a table's logical id replaces the table and its data.
   */
  readonly logicalId: string;
  /** Attribute holding an epoch-seconds expiry. @default - no TTL */
  readonly timeToLiveAttribute?: string;
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
 * A DynamoDB table with this project's defaults: on demand with a throughput
 * ceiling (an idle sandbox costs nothing, a bug cannot cost without bound),
 * encrypted with the AWS managed key (key use audited in CloudTrail, no
 * monthly key fee), point-in-time recovery, a generated name and a pinned
 * logical id; deletion protection and removal per stage.
 */
export class DataTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: props.partitionKey, type: AttributeType.STRING },
      billing: Billing.onDemand({
        maxReadRequestUnits: props.maxReadRequestUnits ?? 200,
        maxWriteRequestUnits: props.maxWriteRequestUnits ?? 50,
      }),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.stage.pointInTimeRecovery },
      deletionProtection: props.stage.deletionProtection,
      removalPolicy: props.stage.statefulRemovalPolicy,
      ...(props.timeToLiveAttribute ? { timeToLiveAttribute: props.timeToLiveAttribute } : {}),
    });
    (this.table.node.defaultChild as CfnResource).overrideLogicalId(props.logicalId);
  }
}
