/**
 * The local IAM evaluator against the evaluation rules AWS documents
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * explicit deny wins, an allow is needed, wildcards, Not* elements, the
 * condition operators, resource policies in one account, and KMS key policies.
 */
import { type Caller, conditionsHold, decide, type PolicyStatement, wildcardMatch } from '../../scripts/local/iam/policy';

const role: Caller = { arn: 'arn:aws:iam::000000000000:role/Worker', account: '000000000000' };
const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders';
const request = (action: string, resource = table, context: Record<string, string | string[]> = {}) => ({ action, resource, context });
const allow = (Action: string | string[], Resource: string | string[] = table, extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});

describe('identity policies', () => {
  test('nothing allows: implicit deny', () => {
    expect(decide(role, [], request('dynamodb:GetItem'))).toBe('implicit-deny');
  });

  test('an allow of the action on the resource allows; another action or resource does not', () => {
    const policy = [allow(['dynamodb:PutItem', 'dynamodb:GetItem'])];
    expect(decide(role, policy, request('dynamodb:GetItem'))).toBe('allow');
    expect(decide(role, policy, request('dynamodb:Scan'))).toBe('implicit-deny');
    expect(decide(role, policy, request('dynamodb:GetItem', `${table}-other`))).toBe('implicit-deny');
  });

  test('an explicit deny wins over any allow', () => {
    expect(
      decide(
        role,
        [allow('dynamodb:*', '*'), { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: table }],
        request('dynamodb:DeleteItem'),
      ),
    ).toBe('explicit-deny');
  });

  test('action wildcards are case-insensitive, resource wildcards case-sensitive, ? is one character', () => {
    expect(decide(role, [allow('DynamoDB:Get*')], request('dynamodb:GetItem'))).toBe('allow');
    expect(decide(role, [allow('kms:GenerateDataKey*', '*')], request('kms:GenerateDataKeyWithoutPlaintext', 'k'))).toBe('allow');
    expect(decide(role, [allow('dynamodb:GetItem', `${table}/index/*`)], request('dynamodb:Query', `${table}/index/byDay`))).toBe(
      'implicit-deny',
    );
    expect(decide(role, [allow('dynamodb:Query', `${table}/index/*`)], request('dynamodb:Query', `${table}/index/byDay`))).toBe('allow');
    expect(wildcardMatch('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x')).toBe(false);
    expect(wildcardMatch('table/ord?rs', 'table/orders')).toBe(true);
    expect(wildcardMatch('table/ord?rs', 'table/ordeers')).toBe(false);
  });

  test('NotAction and NotResource allow everything but what they name', () => {
    const everythingButDelete: PolicyStatement = { Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: '*' };
    expect(decide(role, [everythingButDelete], request('dynamodb:PutItem'))).toBe('allow');
    expect(decide(role, [everythingButDelete], request('dynamodb:DeleteItem'))).toBe('implicit-deny');
    const notThisTable: PolicyStatement = { Effect: 'Allow', Action: 'dynamodb:GetItem', NotResource: table };
    expect(decide(role, [notThisTable], request('dynamodb:GetItem'))).toBe('implicit-deny');
    expect(decide(role, [notThisTable], request('dynamodb:GetItem', `${table}2`))).toBe('allow');
  });
});

describe('conditions', () => {
  const holds = (Condition: PolicyStatement['Condition'], context: Record<string, string | string[]>) =>
    conditionsHold({ Effect: 'Allow', Condition }, context);

  test('Bool, String*, Arn*, Numeric* and Null', () => {
    expect(holds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' })).toBe(false);
    expect(holds({ StringEquals: { 'aws:x': ['a', 'b'] } }, { 'aws:x': 'b' })).toBe(true);
    expect(holds({ StringNotEquals: { 'aws:x': ['a', 'b'] } }, { 'aws:x': 'b' })).toBe(false);
    expect(holds({ StringLike: { 'aws:x': 'ab*' } }, { 'aws:x': 'abc' })).toBe(true);
    expect(holds({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:0:t' } }, { 'aws:SourceArn': 'arn:aws:sns:us-east-1:0:t' })).toBe(
      true,
    );
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:0:t' } }, { 'aws:SourceArn': 'arn:aws:sns:us-east-1:0:u' })).toBe(false);
    expect(holds({ NumericLessThan: { 'aws:n': '10' } }, { 'aws:n': '9' })).toBe(true);
    expect(holds({ Null: { 'aws:x': 'true' } }, {})).toBe(true);
    expect(holds({ Null: { 'aws:x': 'false' } }, {})).toBe(false);
  });

  test('a missing key fails a positive operator, passes a negated one and any IfExists', () => {
    expect(holds({ StringEquals: { 'aws:x': 'a' } }, {})).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:x': 'a' } }, {})).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:x': 'a' } }, {})).toBe(true);
  });

  test('ForAnyValue and ForAllValues over multivalued keys (the Cognito amr)', () => {
    const amr = { 'cognito-identity.amazonaws.com:amr': ['unauthenticated'] };
    expect(holds({ 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' } }, amr)).toBe(true);
    expect(holds({ 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } }, amr)).toBe(false);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:tags': ['a', 'b'] } }, { 'aws:tags': ['a', 'c'] })).toBe(false);
  });

  test('every condition must hold (AND across operators and keys)', () => {
    expect(holds({ StringEquals: { 'aws:a': '1' }, Bool: { 'aws:b': 'true' } }, { 'aws:a': '1', 'aws:b': 'false' })).toBe(false);
  });

  test('an operator the evaluator does not know is an error, not a guess', () => {
    expect(() => holds({ IpAddressLike: { 'aws:SourceIp': '1' } } as never, { 'aws:SourceIp': '1' })).toThrow(
      /does not know the condition operator IpAddressLike/,
    );
  });
});

describe('resource policies in one account', () => {
  const sns: Caller = { arn: 'sns.amazonaws.com', account: '000000000000', service: 'sns.amazonaws.com' };
  const queue = 'arn:aws:sqs:us-east-1:000000000000:tickets';
  const topic = 'arn:aws:sns:us-east-1:000000000000:events';
  const queuePolicy: PolicyStatement[] = [
    {
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queue,
      Condition: { ArnEquals: { 'aws:SourceArn': topic } },
    },
    { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: queue, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ];

  test('a resource policy alone can allow a service principal, under its conditions', () => {
    expect(decide(sns, [], request('sqs:SendMessage', queue, { 'aws:SourceArn': topic, 'aws:SecureTransport': 'true' }), queuePolicy)).toBe(
      'allow',
    );
    expect(
      decide(sns, [], request('sqs:SendMessage', queue, { 'aws:SourceArn': `${topic}2`, 'aws:SecureTransport': 'true' }), queuePolicy),
    ).toBe('implicit-deny');
  });

  test("a resource policy's deny applies to every caller; its allow for another principal does not help", () => {
    expect(decide(role, [allow('sqs:*', queue)], request('sqs:SendMessage', queue, { 'aws:SecureTransport': 'false' }), queuePolicy)).toBe(
      'explicit-deny',
    );
    expect(
      decide(role, [], request('sqs:SendMessage', queue, { 'aws:SecureTransport': 'true', 'aws:SourceArn': topic }), queuePolicy),
    ).toBe('implicit-deny');
  });
});

describe('KMS key policies', () => {
  const key = 'arn:aws:kms:us-east-1:000000000000:key/k';
  const delegating: PolicyStatement[] = [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: key },
  ];

  test('a key policy that delegates to the account needs an identity-policy allow too', () => {
    expect(decide(role, [], request('kms:Decrypt', key), delegating, { keyPolicy: true })).toBe('implicit-deny');
    expect(decide(role, [allow('kms:Decrypt', key)], request('kms:Decrypt', key), delegating, { keyPolicy: true })).toBe('allow');
  });

  test('without the key policy, an identity-policy allow is not enough', () => {
    expect(decide(role, [allow('kms:Decrypt', key)], request('kms:Decrypt', key), [], { keyPolicy: true })).toBe('implicit-deny');
  });

  test('a key policy naming the role allows it alone', () => {
    const named: PolicyStatement[] = [{ Effect: 'Allow', Principal: { AWS: role.arn }, Action: 'kms:Decrypt', Resource: key }];
    expect(decide(role, [], request('kms:Decrypt', key), named, { keyPolicy: true })).toBe('allow');
  });
});
