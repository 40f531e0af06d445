import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { ARCHITECTURES, CONTEXT_KEYS } from '../../lib/app/architectures';
import { type Architecture, architectureScope, architectureStack } from '../../lib/shared/architecture';
import { parseStage } from '../../lib/shared/stage-config';
import { STAGES } from './bare-stack';

const sample: Architecture<Stack> = {
  name: 'sample',
  summary: 'A sample',
  contextKeys: [{ name: 'sampleKey', description: 'A key' }],
  integRun: { minutes: '1-2', note: 'a sample' },
  grantSmoke: () => {},
  loadStack: () => Stack,
  add: (scope) => {
    scope.read('sampleKey');
    return architectureStack(scope, { name: 'Sample', description: 'Sample stack' }, (id, props) => new Stack(scope.app, id, props));
  },
};

describe('architectureScope', () => {
  test('an architecture reads only the keys it declares', () => {
    const scope = architectureScope(sample, new App(), STAGES[0]![1], (key) => `value of ${key}`);
    expect(scope.read('sampleKey')).toBe('value of sampleKey');
    expect(() => scope.read('natGateways')).toThrow(
      'Architecture sample read the context key natGateways, which it does not declare in its contextKeys',
    );
  });
});

describe('architectureStack', () => {
  test.each(STAGES)('%s: the stack name and description carry the stage; termination protection and tags follow it', (name, stage) => {
    const app = new App();
    const stack = sample.add(architectureScope(sample, app, stage, () => undefined));
    expect(stack.stackName).toBe(`CoffeeShop-Sample-${name}`);
    expect(stack.templateOptions.description).toBe(`Sample stack (${name})`);
    expect(stack.terminationProtection).toBe(stage.terminationProtection);
    Template.fromStack(stack); // tags are applied at synth
    expect(stack.tags.tagValues()).toEqual({ project: 'coffee-shop-platform', architecture: 'sample', stage: name });
  });
});

describe('monthly budget (-c monthlyBudgetUsd)', () => {
  const sampleStack = (raw: Record<string, unknown>) =>
    sample.add(
      architectureScope(
        sample,
        new App(),
        parseStage((key) => raw[key]),
        () => undefined,
      ),
    );

  test("none unless asked for; then a cost budget over the architecture's and stage's tags, alerting the alarm email", () => {
    expect(
      sampleStack({ alarmEmail: 'ops@example.com' })
        .node.findAll()
        .filter((c) => c instanceof CfnBudget),
    ).toEqual([]);
    const template = Template.fromStack(sampleStack({ monthlyBudgetUsd: '25', alarmEmail: 'ops@example.com' }));
    const alert = (type: string, threshold: number) => ({
      Notification: { NotificationType: type, ComparisonOperator: 'GREATER_THAN', Threshold: threshold, ThresholdType: 'PERCENTAGE' },
      Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'ops@example.com' }],
    });
    template.resourcePropertiesCountIs('AWS::Budgets::Budget', {}, 1);
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'CoffeeShop-Sample-sandbox-monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 25, Unit: 'USD' },
        FilterExpression: {
          And: [
            { Tags: { Key: 'architecture', Values: ['sample'], MatchOptions: ['EQUALS'] } },
            { Tags: { Key: 'stage', Values: ['sandbox'], MatchOptions: ['EQUALS'] } },
          ],
        },
      },
      NotificationsWithSubscribers: [alert('FORECASTED', 100), alert('ACTUAL', 80), alert('ACTUAL', 100)],
    });
  });

  test.each([
    [{ monthlyBudgetUsd: '25' }, /^Missing context value alarmEmail: .*required with monthlyBudgetUsd/],
    [
      { monthlyBudgetUsd: '0', alarmEmail: 'ops@example.com' },
      /Invalid context value monthlyBudgetUsd="0": expected a whole number from 1/,
    ],
    [{ monthlyBudgetUsd: '12.5', alarmEmail: 'ops@example.com' }, /Invalid context value monthlyBudgetUsd="12.5"/],
  ])('refuses %j with the key and what is accepted', (raw, message) => {
    expect(() => parseStage((key) => (raw as Record<string, unknown>)[key])).toThrow(message);
  });
});

describe('the app', () => {
  test('lists each architecture once by its folder name, and every context key once', () => {
    const names = ARCHITECTURES.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    const keys = CONTEXT_KEYS.map((key) => key.name);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(['stage', 'alarmEmail', 'corsOrigins', 'natGateways', 'databaseNetwork']));
  });
});

describe('the core', () => {
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const root = path.join(__dirname, '..', '..');
  const coreFiles = ['lib/shared', 'lambda/shared'].flatMap((dir) =>
    readdirSync(path.join(root, dir)).map((file) => [`${dir}/${file}`, readFileSync(path.join(root, dir, file), 'utf8')] as const),
  );
  const ownKeys = ARCHITECTURES.flatMap((a) => a.contextKeys.map((key) => key.name)).filter((key) => key !== 'corsOrigins');

  test.each(coreFiles)('%s imports no architecture and names none of their folders, context keys or headers', (_, source) => {
    for (const { name } of ARCHITECTURES) expect(source).not.toContain(name);
    for (const key of ownKeys) expect(source).not.toMatch(new RegExp(`['"\`]${key}['"\`]`));
    expect(source).not.toContain('Idempotency-Key');
  });

  test.each(coreFiles)('%s never tests the stage name (stage settings are fields)', (file, source) => {
    if (file === 'lib/shared/stage-config.ts') return;
    expect(source).not.toMatch(/stage\.name\s*[!=]==?/);
  });
});
