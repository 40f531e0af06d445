import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import packageJson from '../../package.json';
import { byStack, stageApp, templatesOf } from '../../scripts/template/synth';
import { compareStacks } from '../../scripts/upgrade/compare';
import { lastRelease, readTemplates, releaseDir } from '../../scripts/upgrade/releases';
import { expectNoUndeclaredRisk } from './guard';

const ROOT = path.join(__dirname, '..', '..');
const DATABASE = 'DatabaseInstanceAA8A5FDE';

/** The guard over a sandbox variant of this app, against the last release. */
function guard(variant: Parameters<typeof stageApp>[1], change: (stacks: ReturnType<typeof stageApp>['stacks']) => void = () => {}) {
  const { app, stacks } = stageApp('sandbox', variant, { packs: false });
  change(stacks);
  const report = compareStacks(readTemplates(releaseDir(lastRelease(), 'sandbox')), byStack(templatesOf(app)));
  return () => expectNoUndeclaredRisk(report, 'the last release');
}

describe('the upgrade guard catches what would replace data', () => {
  test('a new logical id for the orders table (what renaming its construct or pinned id does) fails, naming the table', () => {
    const check = guard({}, (stacks) =>
      (stacks['decoupled-orders'].ordersTable.node.defaultChild as CfnResource).overrideLogicalId('OrdersTableV2'),
    );
    expect(check).toThrow(
      /CoffeeShop-Orders-sandbox OrdersTable \(AWS::DynamoDB::GlobalTable\): DynamoDB table removed from the template: .*adds OrdersTableV2/,
    );
  });

  test('a changed database port fails, naming the database and Port', () => {
    const check = guard({}, (stacks) =>
      (stacks['multi-az-database'].database.instance.node.defaultChild as CfnResource).addPropertyOverride('Port', '5433'),
    );
    expect(check).toThrow(
      new RegExp(
        `CoffeeShop-Database-sandbox ${DATABASE} \\(AWS::RDS::DBInstance\\): RDS database instance replaced: Port changes \\(create-only\\).*\\[Port\\]`,
      ),
    );
  });

  test('stating the default port (databaseExplicitPort, for stacks deployed before 0.2.0 with it) replaces a database created without it', () => {
    expect(guard({ databaseExplicitPort: 'true' })).toThrow(new RegExp(`${DATABASE} .*Port changes`));
  });
});

describe('npm run upgrade-check', () => {
  const [node, ...script] = packageJson.scripts['upgrade-check'].split(' ');
  const run = (args: string[]) => {
    expect(node).toBe('node');
    return spawnSync(process.execPath, [...script, ...args], { cwd: ROOT, encoding: 'utf8' });
  };

  test('exits 1 and names the resource and property when a baseline database has another port and a table another logical id', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'baseline-'));
    for (const [stack, template] of Object.entries(readTemplates(releaseDir(lastRelease(), 'sandbox')))) {
      const copy = structuredClone(template) as { Resources: Record<string, { Properties?: Record<string, unknown> }> };
      if (copy.Resources[DATABASE]) copy.Resources[DATABASE].Properties!.Port = '6543';
      if (copy.Resources.OrdersTable) {
        copy.Resources.OrdersTableOld = copy.Resources.OrdersTable;
        delete copy.Resources.OrdersTable;
      }
      writeFileSync(path.join(dir, `${stack}.template.json`), JSON.stringify(copy));
    }
    const result = run(['--baseline', dir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^DATA AT RISK +CoffeeShop-Database-sandbox +${DATABASE} \\(AWS::RDS::DBInstance\\) +RDS database instance replaced: Port changes`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(
      /^DATA AT RISK +CoffeeShop-Orders-sandbox +OrdersTableOld \(AWS::DynamoDB::GlobalTable\) +DynamoDB table removed from the template/m,
    );
    expect(result.stdout).toMatch(/^5 stacks compared: 2 data at risk,/m);
  });

  test.each([
    [['--stage', 'prod'], /^--stage is sandbox or production, not prod$/m],
    [['--release', '9.9.9'], /^No release 9\.9\.9: the releases with a baseline are 0\.1\.0/m],
    [['--baseline', '/nonexistent'], /^No baseline folder \/nonexistent$/m],
    [['--bogus'], /^Unknown option --bogus \(the options are --stage, .*--help\/-h\)$/m],
    [['menu'], /^Unknown architecture menu \(one of: serverless-api, decoupled-orders, .*\)$/m],
    [['--region', 'eu-west-1'], /^--region, --profile and --role-arn go with --deployed$/m],
    [['--role-arn', 'arn:aws:iam::111111111111:role/x'], /^--region, --profile and --role-arn go with --deployed$/m],
  ])('%j ends in one line and exit code 2', (args, message) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
