import type { CfnTemplate } from '../../scripts/template/template';
import { declaredBreaks, undeclaredRisks } from '../../scripts/upgrade/changelog';
import { compareStacks } from '../../scripts/upgrade/compare';

/** A small stack: a table, a bucket with a fixed name, a log group kept on removal, a role. */
const before: CfnTemplate = {
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::GlobalTable',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      },
      DeletionPolicy: 'Delete',
    },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'menu-site' } },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 }, DeletionPolicy: 'Retain' },
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
        },
      },
    },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'a' } },
  },
};

const changed = (edit: (resources: Record<string, any>) => void): CfnTemplate => {
  const copy = structuredClone(before) as { Resources: Record<string, any> };
  edit(copy.Resources);
  return copy as CfnTemplate;
};

const only = (template: CfnTemplate) => compareStacks({ S: before }, { S: template }).changes;

describe('compareStacks classes each change as cdk diff sees it', () => {
  test('an unchanged stack has no changes', () => {
    expect(only(before)).toEqual([]);
  });

  test('a create-only property of a data-bearing resource: data at risk, naming the property', () => {
    const [change] = only(changed((r) => (r.Bucket.Properties.BucketName = 'menu-site-v2')));
    expect(change).toMatchObject({ class: 'data-at-risk', logicalId: 'Bucket', type: 'AWS::S3::Bucket', properties: ['BucketName'] });
    expect(change!.what).toMatch(/S3 bucket replaced: BucketName changes \(create-only\)/);
  });

  test('a renamed logical id: the old one is data at risk and the new one of the same type is named as the likely move', () => {
    const changes = only(
      changed((r) => {
        r.OrdersTable = r.Table;
        delete r.Table;
      }),
    );
    const removed = changes.find((c) => c.logicalId === 'Table')!;
    expect(removed.class).toBe('data-at-risk');
    expect(removed.what).toMatch(/DynamoDB table removed from the template: deleted; the template adds OrdersTable of the same type/);
    expect(removed.what).toMatch(/overrideLogicalId|cdk refactor/);
    expect(changes.find((c) => c.logicalId === 'OrdersTable')).toMatchObject({ class: 'update', what: 'added' });
  });

  test('a removed resource kept by DeletionPolicy Retain is orphaned, still data at risk', () => {
    const [change] = only(changed((r) => delete r.Logs));
    expect(change).toMatchObject({ class: 'data-at-risk', logicalId: 'Logs' });
    expect(change!.what).toMatch(/orphaned/);
  });

  test('an in-place update of a data-bearing resource is an update', () => {
    const [change] = only(changed((r) => (r.Logs.Properties.RetentionInDays = 30)));
    expect(change).toMatchObject({ class: 'update', properties: ['RetentionInDays'] });
  });

  test('a replaced resource that holds no data is an interruption', () => {
    const [change] = only(changed((r) => (r.Topic.Properties.TopicName = 'renamed')));
    expect(change).toMatchObject({ class: 'interruption', properties: ['TopicName'] });
  });

  test('permission changes are security, with the statements as cdk diff lists them', () => {
    const report = compareStacks(
      { S: before },
      {
        S: changed((r) => {
          r.Role.Properties.Policies = [
            { PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] } },
          ];
        }),
      },
    );
    expect(report.changes).toEqual([expect.objectContaining({ class: 'security', logicalId: 'Role' })]);
    expect(report.security.map((s) => s.line)).toEqual([expect.stringMatching(/^\+ \* Allow dynamodb:GetItem/)]);
  });

  test('Metadata alone (construct paths, acknowledgements) is no change', () => {
    expect(only(changed((r) => (r.Table.Metadata = { 'aws:cdk:path': 'S/Table' })))).toEqual([]);
  });

  test('a stack of the baseline that the app no longer has puts each of its data-bearing resources at risk', () => {
    const report = compareStacks({ Old: before }, { New: before });
    expect(report.firstDeploys).toEqual(['New']);
    expect(report.changes.map((c) => [c.class, c.stack, c.logicalId])).toEqual([
      ['data-at-risk', 'Old', 'Table'],
      ['data-at-risk', 'Old', 'Bucket'],
      ['data-at-risk', 'Old', 'Logs'],
    ]);
  });
});

describe('declared breaks in the changelog', () => {
  const changelog = (breaks: string) =>
    `# Changelog\n\n## Unreleased\n\n### Declared breaks\n\n${breaks}\n\n### Upgrade impact\n\n- x\n\n## 0.1.0\n\n### Declared breaks\n\n- \`S\` \`Bucket\`: an old release's declaration does not count for the next one.\n`;
  const report = compareStacks({ S: before }, { S: changed((r) => (r.Bucket.Properties.BucketName = 'menu-site-v2')) });

  test('an undeclared data-at-risk change is what a release must not ship', () => {
    expect(undeclaredRisks(report, declaredBreaks(changelog('(none)'))).map((c) => c.logicalId)).toEqual(['Bucket']);
  });

  test('a declaration in the unreleased entry with steps lets it through', () => {
    const declared = declaredBreaks(
      changelog('- `S` `Bucket`: copy the site with `aws s3 sync s3://menu-site s3://menu-site-v2` before deploying.'),
    );
    expect(declared).toEqual([{ stack: 'S', logicalId: 'Bucket', steps: expect.stringMatching(/^copy the site/) }]);
    expect(undeclaredRisks(report, declared)).toEqual([]);
  });

  test('a declaration without steps a user can follow does not count', () => {
    expect(declaredBreaks(changelog('- `S` `Bucket`: see above.'))).toEqual([]);
  });

  test("this project's changelog parses, and declares nothing it does not need", () => {
    expect(() => declaredBreaks()).not.toThrow();
  });
});
