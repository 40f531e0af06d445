/**
 * npm run integ -- [architecture ...] [--profile P] [--region R] [--keep-on-failure] [--destroy-only] [--list]
 *
 * Runs the integ tests in an AWS account with this project's pinned CDK CLI:
 * deploy (the assertions run as custom resources of the assertion stack),
 * read the results, destroy. integ-runner is not used: its latest release
 * cannot read the cloud assembly schema our aws-cdk-lib writes (docs/testing.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ARCHITECTURE_NAMES, ARCHITECTURES } from '../../lib/app/architectures';
import { architecturesOf, parseCommandLine, printUsage, runCommand } from '../command-line';
import { deployArgs, destroyArgs, failedAssertions, type IntegOptions, missingSetup, USAGE } from './integ-run';

const ROOT = path.join(__dirname, '..', '..');

function parse(argv: readonly string[]): IntegOptions | 'help' | 'list' {
  const parsed = parseCommandLine(argv, {
    profile: { type: 'string' },
    region: { type: 'string' },
    'keep-on-failure': { type: 'boolean' },
    'destroy-only': { type: 'boolean' },
    list: { type: 'boolean' },
  });
  if (parsed === 'help') return parsed;
  const { values, positionals } = parsed;
  if (values.list) return 'list';
  return {
    architectures: architecturesOf(positionals, ARCHITECTURE_NAMES),
    profile: values.profile,
    region: values.region,
    keepOnFailure: values['keep-on-failure'] ?? false,
    destroyOnly: values['destroy-only'] ?? false,
  };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function cdk(args: string[], options: IntegOptions): boolean {
  const env = { ...process.env, ...(options.region ? { AWS_REGION: options.region, AWS_DEFAULT_REGION: options.region } : {}) };
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), args, { cwd: ROOT, stdio: 'inherit', env });
  return result.status === 0;
}

function runOne(architecture: string, options: IntegOptions): { passed: boolean; detail: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'integ-'));
  const outputsFile = path.join(dir, 'outputs.json');
  try {
    if (!cdk(deployArgs(architecture, options, outputsFile, Date.now()), options)) {
      return {
        passed: false,
        detail: 'the deployment failed (a waiter that timed out fails it too; the CDK output above says which resource)',
      };
    }
    const failed = failedAssertions(JSON.parse(readFileSync(outputsFile, 'utf8')));
    return failed.length === 0
      ? { passed: true, detail: 'every assertion passed' }
      : { passed: false, detail: failed.map((f) => `${f.name}: ${f.message}`).join('\n    ') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv: readonly string[]): void {
  const options = parse(argv);
  if (options === 'help') {
    printUsage(USAGE);
    return;
  }
  if (options === 'list') {
    for (const { name, integRun } of ARCHITECTURES) process.stdout.write(`${name}: ${integRun.minutes} min (${integRun.note})\n`);
    return;
  }
  const problem = missingSetup(process.env, options);
  if (problem) fail(problem);

  const results: string[] = [];
  let failures = 0;
  for (const architecture of options.architectures) {
    const started = Date.now();
    if (options.destroyOnly) {
      const destroyed = cdk(destroyArgs(architecture, options), options);
      results.push(`${destroyed ? 'DESTROYED' : 'DESTROY FAILED'} ${architecture}`);
      if (!destroyed) failures++;
      continue;
    }
    const { passed, detail } = runOne(architecture, options);
    const keep = !passed && options.keepOnFailure;
    const destroyed = keep || cdk(destroyArgs(architecture, options), options);
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    results.push(`${passed ? 'PASS' : 'FAIL'} ${architecture} (${minutes} min): ${detail}`);
    if (keep) results.push(`    kept its stacks; remove them with: npm run integ -- ${architecture} --destroy-only`);
    if (!destroyed) results.push(`    destroy failed: run npm run integ -- ${architecture} --destroy-only`);
    if (!passed || !destroyed) failures++;
  }
  process.stdout.write(`\n${results.join('\n')}\n${options.architectures.length - failures} passed, ${failures} failed\n`);
  if (failures > 0) process.exitCode = 1;
}

runCommand(() => main(process.argv.slice(2)));
