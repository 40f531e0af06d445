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
import { ARCHITECTURES } from '../../lib/app/architectures';
import { deployArgs, destroyArgs, failedAssertions, INTEG_RUNS, type IntegOptions, missingSetup, USAGE } from './integ-run';

const ROOT = path.join(__dirname, '..', '..');

function parse(argv: readonly string[]): IntegOptions | 'help' | 'list' {
  const architectures: string[] = [];
  let profile: string | undefined;
  let region: string | undefined;
  let keepOnFailure = false;
  let destroyOnly = false;
  const known = ARCHITECTURES.map((a) => a.name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--list') return 'list';
    if (arg === '--profile') profile = argv[++i] ?? fail('--profile takes a profile name');
    else if (arg === '--region') region = argv[++i] ?? fail('--region takes a region');
    else if (arg === '--keep-on-failure') keepOnFailure = true;
    else if (arg === '--destroy-only') destroyOnly = true;
    else if (known.includes(arg)) architectures.push(arg);
    else fail(`Unknown argument ${arg} (architectures: ${known.join(', ')})`);
  }
  return { architectures: architectures.length > 0 ? architectures : known, profile, region, keepOnFailure, destroyOnly };
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
  if (options === 'help') return void process.stdout.write(`${USAGE}\n`);
  if (options === 'list') {
    for (const [name, run] of Object.entries(INTEG_RUNS)) process.stdout.write(`${name}: ${run.minutes} min (${run.note})\n`);
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

main(process.argv.slice(2));
