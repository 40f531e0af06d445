import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { integFile } from '../../scripts/architecture-parts';
import {
  deployArgs,
  destroyArgs,
  failedAssertions,
  INTEG_STACKS,
  INTEG_STAGE,
  integAppCommand,
  missingSetup,
  RUN_AT_CONTEXT_KEY,
} from '../../scripts/integ/integ-run';
import { normalizedTemplate } from '../../scripts/template/snapshot';
import { cdkApp } from '../../scripts/template/synth';
import type { CfnResource } from '../../scripts/template/template';
import { synthesizedStack } from '../helpers/stage-synthesis';
import { expectSnapshotFile } from '../helpers/template-snapshot';
import type { IntegCase } from './integ-app';

const ROOT = path.join(__dirname, '..', '..');

/** An architecture's integ test, found by its name (scripts/architecture-parts.ts). */
const integTestOf = (architecture: string): ((app: App) => IntegCase<Stack>) => require(integFile(architecture)).integTest;

/** The integ app of an architecture synthesized in process (no bundling: the templates are the same), once per file. */
const synthesized = new Map<string, { test: IntegCase<Stack>; artifacts: CloudFormationStackArtifact[] }>();
function synthIntegTest(architecture: string) {
  const cached = synthesized.get(architecture);
  if (cached) return cached;
  const app = cdkApp();
  const test = integTestOf(architecture)(app);
  app.synth();
  const result = { test, artifacts: test.stage.synth().stacks };
  synthesized.set(architecture, result);
  return result;
}

/**
 * A snapshot of an integ template: asset hashes, the assertions' per-synth
 * salt, and the output ids of equality assertions (a hash of unresolved
 * tokens, which differ with what the process synthesized before) replaced.
 */
function normalizedIntegTemplate(template: unknown): string {
  return normalizedTemplate(template)
    .replace(/"salt": "\d+"/g, '"salt": "[SALT]"')
    .replace(/(AssertionResultsEqualsAssertion[A-Za-z0-9]*?)[0-9a-f]{32}"/g, '$1[HASH]"');
}

const NAMES = ARCHITECTURES.map((a) => a.name);

test('every architecture has an integ test, and the runner knows how long each takes', () => {
  for (const { name, integRun } of ARCHITECTURES) {
    expect(existsSync(integFile(name))).toBe(true);
    expect(typeof integTestOf(name)).toBe('function');
    expect(integRun.minutes).toMatch(/^\d+-\d+$/);
  }
});

describe.each(NAMES)('integ test of %s', (architecture) => {
  test('its templates match the committed snapshots (the offline check of the integ tests)', () => {
    const { artifacts } = synthIntegTest(architecture);
    for (const artifact of artifacts) {
      expectSnapshotFile(
        path.join(__dirname, '__snapshots__', `${artifact.stackName}.template.json`),
        normalizedIntegTemplate(artifact.template),
      );
    }
  });

  test('it deploys the sandbox template under Integ- names (nothing else differs but the outputs the assertions read)', () => {
    const { test: integ, artifacts } = synthIntegTest(architecture);
    const artifact = artifacts.find((a) => a.stackName === `${INTEG_STAGE}-${integ.stack.node.id}`)!;
    // The run's synthesis of the sandbox (its snapshot file, proved equal to it, may not be written yet on a first run).
    const { stack: stackName, assertable } = synthesizedStack('sandbox', architecture);
    const sandbox = JSON.parse(normalizedTemplate(assertable));
    expect(artifact).toBeDefined();
    const renamed = JSON.parse(
      normalizedTemplate(artifact.template)
        .replaceAll(`${INTEG_STAGE}-${stackName}`, stackName)
        .replaceAll(`${INTEG_STAGE}-${stackName}`.toLowerCase(), stackName.toLowerCase())
        .replaceAll(`${INTEG_STAGE}_${stackName}`.toLowerCase().replace(/-/g, '_'), stackName.toLowerCase().replace(/-/g, '_')),
    );
    // Every resource with the same type and properties. Logical ids are left
    // out: CDK derives a few (security group rules) from the peer's path.
    const resources = (template: { Resources: Record<string, unknown> }) =>
      Object.values(template.Resources)
        .map((resource) =>
          JSON.stringify(resource)
            .replaceAll(`${INTEG_STAGE}/`, '')
            // Names CDK generates from a construct's path end in a hash of it.
            .replace(/[A-Za-z0-9]*CoffeeShop[A-Za-z0-9]*[0-9A-F]{8}/g, '[GENERATED-NAME]')
            // The API deployment's id hashes its API's methods and their references.
            .replace(/RestApiDeployment[0-9A-F]{8}[0-9a-f]{32}/g, 'RestApiDeployment[HASH]')
            // The site deployment tags its bucket with a hash of the deployment's path.
            .replace(/aws-cdk:cr-owned:[0-9a-f]{8}/g, 'aws-cdk:cr-owned:[HASH]'),
        )
        .sort();
    expect(resources(renamed)).toEqual(resources(sandbox));
    // The sandbox's outputs, and the values the assertion stack reads from this one (weak references: published outputs, no exports).
    const outputs = Object.keys(renamed.Outputs).filter((name) => !name.startsWith('PublishOutput'));
    expect(outputs.sort()).toEqual(Object.keys(sandbox.Outputs ?? {}).sort());
  });

  test('it asserts: every call with an expectation reports a result, and no stack is left out of the deployment', () => {
    const { artifacts } = synthIntegTest(architecture);
    const assertionStack = artifacts.find((a) => a.stackName.includes('DeployAssert'))!;
    const results = Object.keys(assertionStack.template.Outputs ?? {}).filter((name) => name.startsWith('AssertionResults'));
    expect(results.length).toBeGreaterThanOrEqual(3);
    // `cdk deploy Integ/**` selects every stack of the stage.
    expect(artifacts.every((a) => a.hierarchicalId.startsWith(`${INTEG_STAGE}/`))).toBe(true);
  });
});

describe('the run time the deploy passes', () => {
  /** The clickstream integ app with `integRunAt` set as `npm run integ` sets it. */
  const clickstreamAt = (runAt: string) => {
    const app = cdkApp();
    app.node.setContext(RUN_AT_CONTEXT_KEY, runAt);
    return integTestOf('clickstream')(app);
  };

  test('stamps the events the clickstream test puts on the stream, so the "last hour" query counts them', () => {
    const runAt = Date.UTC(2026, 10, 23, 9, 30);
    const { stage } = clickstreamAt(String(runAt));
    const assertionStack = stage.synth().stacks.find((a) => a.stackName.includes('DeployAssert'))!;
    const put = Object.values(assertionStack.template.Resources as Record<string, CfnResource>).find((r) =>
      r.Type.endsWith('SdkCallKinesisputRecords'),
    )!;
    const records: { Data: string }[] = JSON.parse(put.Properties.parameters.Records);
    expect(records.map((record) => JSON.parse(record.Data).occurred_at)).toEqual(records.map((_, i) => runAt + i));
  });

  test('is refused unless it is epoch milliseconds', () => {
    expect(() => clickstreamAt('yesterday')).toThrow(`${RUN_AT_CONTEXT_KEY} must be epoch milliseconds, got yesterday`);
  });
});

describe('npm run integ', () => {
  const options = { architectures: ['decoupled-orders'], keepOnFailure: false, destroyOnly: false, profile: 'sandbox' };

  test('deploys and destroys every stack of the test stage with the pinned CLI, passing the run time', () => {
    const deploy = deployArgs('decoupled-orders', options, '/tmp/out.json', 1234);
    expect(deploy.slice(0, 2)).toEqual(['deploy', INTEG_STACKS]);
    expect(deploy).toEqual(
      expect.arrayContaining(['--require-approval', 'never', '--outputs-file', '/tmp/out.json', 'integRunAt=1234', '--profile', 'sandbox']),
    );
    expect(destroyArgs('decoupled-orders', options)).toEqual(
      expect.arrayContaining(['destroy', INTEG_STACKS, '--force', '--app', integAppCommand('decoupled-orders')]),
    );
  });

  test('reads failed assertions from the outputs, and treats a deployment with no results as failed', () => {
    const outputs = {
      'Integ-CoffeeShop-Orders-sandbox': { ApiUrl: 'https://x' },
      'Integ-Assert': {
        AssertionResultsA: '{"status":"success"}',
        AssertionResultsB: '{"status":"fail","message":"Expected 202 but received 400"}',
      },
    };
    expect(failedAssertions(outputs)).toEqual([{ name: 'AssertionResultsB', message: 'Expected 202 but received 400' }]);
    expect(failedAssertions({ 'Integ-Assert': { AssertionResultsA: '{"status":"success"}' } })).toEqual([]);
    expect(failedAssertions({ 'Integ-CoffeeShop-Orders-sandbox': { ApiUrl: 'https://x' } })).toHaveLength(1);
  });

  test('says in one line what is missing before it deploys anything', () => {
    const noHome = path.join(__dirname, 'no-such-home');
    expect(missingSetup({}, {}, noHome)).toMatch(/^No AWS credentials found.*\.$/);
    expect(missingSetup({ AWS_ACCESS_KEY_ID: 'AKID' }, {}, noHome)).toBe('No AWS region: pass --region, or set AWS_REGION.');
    expect(missingSetup({ AWS_ACCESS_KEY_ID: 'AKID' }, { region: 'eu-west-1' }, noHome)).toBeUndefined();
    expect(missingSetup({}, { profile: 'sandbox', region: 'eu-west-1' }, noHome)).toBeUndefined();
  });

  test('the app command it gives the CDK CLI lists the stage stacks it deploys', () => {
    const listed = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'cdk'),
      ['ls', INTEG_STACKS, '--app', integAppCommand('serverless-api')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(listed.status).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0])
        .sort(),
    ).toEqual([
      'Integ/CoffeeShop-MenuApi-sandbox',
      'Integ/CoffeeShop-MenuApi-sandbox-Probe',
      'Integ/CoffeeShop-MenuApi-sandbox-Test/DefaultTest/DeployAssert',
    ]);
  });
});
