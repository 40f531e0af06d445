import { Template } from 'aws-cdk-lib/assertions';
import { StageBackup } from '../../lib/shared/stage-backup';
import { bareStack, STAGES } from './bare-stack';

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:111111111111:table/menu';
const [sandbox, production] = [STAGES[0]![1], STAGES[1]![1]];

describe('StageBackup', () => {
  test('sandbox: creates nothing (a vault and recovery points cost money and block cdk destroy)', () => {
    const stack = bareStack();
    const backup = new StageBackup(stack, 'Backup', { stage: sandbox, resourceArns: [TABLE_ARN] });
    expect(backup.plan).toBeUndefined();
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  test('production: the plan selects exactly the resources given, restores allowed by the same role', () => {
    const stack = bareStack();
    new StageBackup(stack, 'Backup', { stage: production, resourceArns: [TABLE_ARN] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: { Resources: [TABLE_ARN] } });
    template.resourceCountIs('AWS::Backup::BackupVault', 1);
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0]!;
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('AWSBackupServiceRolePolicyForRestores');
  });

  test.each([
    [{ startHourUtc: 24 }, /startHourUtc must be a whole hour from 0 to 23, got 24/],
    [{ dailyRetentionDays: 0 }, /dailyRetentionDays must be a whole number of days of at least 1, got 0/],
    [{ monthlyRetentionDays: 1.5 }, /monthlyRetentionDays must be a whole number of days of at least 1, got 1.5/],
  ])('a schedule AWS Backup would refuse stops synth with the construct, value and rule: %j', (change, message) => {
    const stage = { ...production, backup: { ...production.backup!, ...change } };
    expect(() => new StageBackup(bareStack(), 'Backup', { stage, resourceArns: [TABLE_ARN] })).toThrow(message);
  });
});
