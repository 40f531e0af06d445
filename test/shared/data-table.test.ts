import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { DataTable } from '../../lib/shared/data-table';
import { bareStack, STAGES } from './bare-stack';

describe('DataTable', () => {
  test.each(STAGES)('%s: on demand with ceilings, AWS managed encryption, PITR, protection and removal from the stage', (_, stage) => {
    const stack = bareStack();
    new DataTable(stack, 'Things', { stage, partitionKey: 'id', logicalId: 'ThingsTable' });
    const template = Template.fromStack(stack).toJSON();
    const table = template.Resources.ThingsTable;
    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.DeletionPolicy).toBe(stage.deletionProtection ? 'Retain' : 'Delete');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 50 },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    // The AWS managed key: KMS with no customer key named anywhere.
    expect(table.Properties.SSESpecification.SSEType).toBe('KMS');
    expect(JSON.stringify(table.Properties)).not.toContain('KMSMasterKeyId');
    expect(table.Properties.Replicas[0]).toMatchObject({
      DeletionProtectionEnabled: stage.deletionProtection,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      ReadOnDemandThroughputSettings: { MaxReadRequestUnits: 200 },
    });
  });

  test('typed props change what is not controlled: key types, sort key, TTL, ceilings', () => {
    const stack = bareStack();
    new DataTable(stack, 'Things', {
      stage: STAGES[0]![1],
      partitionKey: 'pk',
      partitionKeyType: AttributeType.NUMBER,
      sortKey: 'sk',
      timeToLiveAttribute: 'expiresAt',
      maxReadRequestUnits: 10,
      maxWriteRequestUnits: 5,
      logicalId: 'ThingsTable',
    });
    const table = Template.fromStack(stack).toJSON().Resources.ThingsTable.Properties;
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.AttributeDefinitions).toEqual(expect.arrayContaining([{ AttributeName: 'pk', AttributeType: 'N' }]));
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.WriteOnDemandThroughputSettings).toEqual({ MaxWriteRequestUnits: 5 });
  });

  test('a ceiling below 1 is refused with the construct, the value and the rule', () => {
    expect(
      () => new DataTable(bareStack(), 'Things', { stage: STAGES[0]![1], partitionKey: 'id', logicalId: 'T', maxWriteRequestUnits: 0 }),
    ).toThrow('Bare/Things: maxWriteRequestUnits must be a whole number of at least 1 (a ceiling, not off), got 0');
  });
});
