import { ConfigError, ContextError, checkContextKeys, exitOnConfigError } from '../../lib/shared/context';

const KNOWN = [
  { name: 'stage', description: 'sandbox or production' },
  { name: 'natGateways', description: 'NAT gateways' },
  { name: 'databaseNetwork', description: 'own or containers', persistent: true },
];

describe('checkContextKeys', () => {
  test("CDK's own keys (feature flags, aws:cdk:*, lookup caches, acknowledged issues) and known keys pass", () => {
    expect(() =>
      checkContextKeys(
        {
          stage: 'production',
          natGateways: '2',
          '@aws-cdk/core:target-partitions': ['aws'],
          'aws:cdk:bundling-stacks': ['**'],
          'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
          'acknowledged-issue-numbers': [32775],
        },
        KNOWN,
        {},
      ),
    ).not.toThrow();
  });

  test.each([
    [{ Stage: 'production' }, /^Unknown context key Stage \(did you mean stage\?\)\. Known keys: stage, natGateways, databaseNetwork\.$/],
    [{ natGateway: '0' }, /^Unknown context key natGateway \(did you mean natGateways\?\)\./],
    [{ colour: 'blue' }, /^Unknown context key colour\. Known keys:/],
    [
      { stag: 'x', natgateways: 1 },
      /^Unknown context key stag \(did you mean stage\?\)\. Unknown context key natgateways \(did you mean natGateways\?\)\./,
    ],
  ])('%j is refused, naming the nearest known key', (given, message) => {
    expect(() => checkContextKeys(given, KNOWN, {})).toThrow(ContextError);
    expect(() => checkContextKeys(given, KNOWN, {})).toThrow(message);
  });

  test('a persistent key must come from the context files: a -c value that differs from them is refused', () => {
    const stored = { databaseNetwork: 'containers' };
    expect(() => checkContextKeys({ databaseNetwork: 'containers' }, KNOWN, stored)).not.toThrow();
    expect(() => checkContextKeys({}, KNOWN, {})).not.toThrow();
    expect(() => checkContextKeys({ databaseNetwork: 'containers' }, KNOWN, {})).toThrow(
      /^Context key databaseNetwork must be set in cdk.json's "context" \(or cdk.context.json\), not with -c: /,
    );
    expect(() => checkContextKeys({ databaseNetwork: 'own' }, KNOWN, stored)).toThrow(/databaseNetwork must be set in cdk.json/);
  });
});

describe('ConfigError', () => {
  test('says "Missing" for an absent value and "Invalid" with the value for a bad one, as one sentence', () => {
    expect(new ConfigError('alarmEmail', undefined, 'an email address').message).toBe(
      'Missing context value alarmEmail: expected an email address.',
    );
    expect(new ConfigError('stage', 'prod', 'one of sandbox, production').message).toBe(
      'Invalid context value stage="prod": expected one of sandbox, production.',
    );
  });
});

describe('exitOnConfigError', () => {
  test('a context error ends the process with its message alone and exit code 1; other errors are thrown', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      exitOnConfigError(() => {
        throw new ConfigError('stage', 'prod', 'one of sandbox, production');
      });
      expect(write.mock.calls).toEqual([['Error: Invalid context value stage="prod": expected one of sandbox, production.\n']]);
      expect(exit).toHaveBeenCalledWith(1);
      expect(() =>
        exitOnConfigError(() => {
          throw new TypeError('a bug');
        }),
      ).toThrow(TypeError);
    } finally {
      exit.mockRestore();
      write.mockRestore();
    }
  });
});
