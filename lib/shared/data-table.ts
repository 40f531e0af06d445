import type { CfnResource } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { StageConfig } from './stage-config';

export interface DataTableProps {
  /** Decides point-in-time recovery, deletion protection and removal; a caller cannot override them. */
  readonly stage: StageConfig;
  /** Name of the partition key. */
  readonly partitionKey: string;
  /** @default AttributeType.STRING */
  readonly partitionKeyType?: AttributeType;
  /** Name of a string sort key. @default - no sort key */
  readonly sortKey?: string;
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
  /** Ceiling on on-demand write request units per second. @default 50 */
  readonly maxWriteRequestUnits?: number;
}

/** On-demand throughput ceilings DynamoDB accepts: at least 1 request unit per second. */
function checkCeiling(path: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${path}: ${name} must be a whole number of at least 1 (a ceiling, not off), got ${value}`);
  }
  return value;
}

/**
 * A DynamoDB table with this project's defaults: on demand with a throughput
 * ceiling (an idle sandbox costs nothing, a bug cannot cost without bound),
 * encrypted with the AWS managed key (key use audited in CloudTrail, no
 * monthly key fee), point-in-time recovery, a generated name and a pinned
 * logical id; deletion protection and removal per stage.
 */
export class DataTable extends TableV2 {
  constructor(scope: Construct, id: string, props: DataTableProps) {
    const path = `${scope.node.path}/${id}`;
    const maxReadRequestUnits = checkCeiling(path, 'maxReadRequestUnits', props.maxReadRequestUnits ?? 200);
    const maxWriteRequestUnits = checkCeiling(path, 'maxWriteRequestUnits', props.maxWriteRequestUnits ?? 50);
    super(scope, id, {
      partitionKey: { name: props.partitionKey, type: props.partitionKeyType ?? AttributeType.STRING },
      ...(props.sortKey ? { sortKey: { name: props.sortKey, type: AttributeType.STRING } } : {}),
      billing: Billing.onDemand({ maxReadRequestUnits, maxWriteRequestUnits }),
      ...(props.timeToLiveAttribute ? { timeToLiveAttribute: props.timeToLiveAttribute } : {}),
      // Controlled by security and the stage: set last, not overridable.
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.stage.pointInTimeRecovery },
      deletionProtection: props.stage.deletionProtection,
      removalPolicy: props.stage.statefulRemovalPolicy,
    });
    (this.node.defaultChild as CfnResource).overrideLogicalId(props.logicalId);
  }
}
