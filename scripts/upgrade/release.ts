/**
 * npm run release -- <version>
 *
 * Cuts a release: after package.json's version and CHANGELOG.md's entry
 * (`## <version>`, with its "Upgrade impact") are written, synthesizes both
 * stages with `cdk synth` (bundled, as a deploy uploads them) and keeps the
 * templates as releases/<version>/<stage>/, the baseline that
 * `npm run upgrade-check` and the upgrade test compare later changes with.
 * A release's baseline is never rewritten.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { STAGE_NAMES } from '../../lib/shared/stage-config';
import { parseCommandLine, printUsage, runCommand, UsageError } from '../command-line';
import { PRODUCTION_PLACEHOLDERS } from '../template/synth';
import { CHANGELOG } from './changelog';
import { releaseDir, releases } from './releases';

const ROOT = path.join(__dirname, '..', '..');

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const USAGE = `Usage: npm run release -- <version>

After package.json's version and CHANGELOG.md's entry name it, keeps both
stages' synthesized templates as releases/<version>/, the baseline that
npm run upgrade-check compares later changes with.`;

function main(argv: readonly string[]): void {
  const parsed = parseCommandLine(argv, {});
  if (parsed === 'help') {
    printUsage(USAGE);
    return;
  }
  const [version, ...rest] = parsed.positionals;
  if (!version || rest.length > 0) throw new UsageError('Name one version to release, e.g. npm run release -- 0.3.0');
  if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`${version} is not a version (major.minor.patch)`);
  const ours = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  if (ours.version !== version) fail(`package.json says ${ours.version}: set its version to ${version} first`);
  if (!new RegExp(`^## ${version.replace(/\./g, '\\.')}\\b`, 'm').test(readFileSync(CHANGELOG, 'utf8'))) {
    fail(`CHANGELOG.md has no "## ${version}" entry: turn its Unreleased entry into it first`);
  }
  if (releases().includes(version)) fail(`releases/${version} exists: a release's baseline is never rewritten`);
  for (const stage of STAGE_NAMES) {
    const out = mkdtempSync(path.join(tmpdir(), `release-${stage}-`));
    const context = stage === 'production' ? Object.entries(PRODUCTION_PLACEHOLDERS).flatMap(([k, v]) => ['-c', `${k}=${v}`]) : [];
    const synth = spawnSync('npx', ['cdk', 'synth', '-q', '-o', out, '-c', `stage=${stage}`, ...context], { cwd: ROOT, encoding: 'utf8' });
    if (synth.status !== 0) fail(`cdk synth of ${stage} failed:\n${synth.stderr}`);
    const target = releaseDir(version, stage);
    mkdirSync(target, { recursive: true });
    for (const file of readdirSync(out).filter((name) => name.endsWith('.template.json'))) {
      copyFileSync(path.join(out, file), path.join(target, file));
    }
    rmSync(out, { recursive: true, force: true });
    process.stdout.write(`${path.relative(ROOT, target)}: ${readdirSync(target).length} templates\n`);
  }
  if (!existsSync(releaseDir(version, 'sandbox'))) fail('no templates written');
}

runCommand(() => main(process.argv.slice(2)));
