/**
 * `npm run bench`: the speed and size figures of this project on this
 * machine, each against its target and against a floor measured in the same
 * run, so a slow machine shows as a slow floor rather than a slow project.
 *
 * - synth: `npx cdk synth` of every stack (bundling and validation), wall time and peak memory,
 *   as a synth after a first one runs (its bundles and TypeScript transforms kept), and with
 *   nothing kept (as after a change to every source); floor: the same CLI and toolchain
 *   synthesizing an empty app;
 * - production synth: the same with `-c stage=production` (the NIST and Control Tower packs);
 * - tests: `npm test` wall time; floor: its CPU seconds (every process) over the cores;
 * - handlers: bundle size as deployed and cold load (require in a fresh Node
 *   process, with the function's environment); floor: a minimal handler that
 *   only creates a DynamoDB client, bundled the same way; for comparison, each
 *   handler without its source map and with the AWS SDK left to the runtime;
 * - command start: the slowest of our commands' `--help`; floor: Node with
 *   the TypeScript loader alone.
 *
 * Each time is a median with min and max over several runs. The synths run
 * in rounds, one of each per round, and so do the cold loads (for each
 * handler, the floor then its bundles): a slow spell of a shared machine
 * falls on all of them alike, and each is compared with the floor measured
 * just before it. Prints a table and
 * writes bench/report.json and bench/report.md (bench/report-markdown.ts).
 * Targets are reported, never asserted: speed is not a test.
 *
 *   npm run bench                       # all of it (about 20 minutes)
 *   BENCH_RUNS=3 BENCH_TEST_RUNS=1 npm run bench
 *   npm run bench -- --update-readme    # the last report's tables into the README's bench block
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { DEFAULT_BUNDLE_CACHE } from '../lib/shared/esbuild-bundle-cache';
import { HANDLER_BUILD_OPTIONS, HANDLER_ENTRY_METADATA } from '../lib/shared/observed-function';
import { ourCommands, parseCommandLine, printUsage, runCommand, UsageError } from '../scripts/command-line';
import { replaceGeneratedBlock } from '../scripts/generated-block';
import { PRODUCTION_PLACEHOLDERS } from '../scripts/template/synth';
import { type CfnTemplate, resourcesOfType } from '../scripts/template/template';
import { type BenchReport, type HandlerFigures, type Measured, readmeBenchBlock, reportMarkdown, type Spread } from './report-markdown';

const ROOT = path.resolve(__dirname, '..');
/** Where the TypeScript loader keeps its transforms. */
const TYPESCRIPT_CACHE = (require('../scripts/register-typescript.cjs') as { CACHE_DIRECTORY: string }).CACHE_DIRECTORY;
const TARGETS = { synthSeconds: 8, synthVsEmptyApp: 2.0, testSeconds: 45, bundleKb: 100, coldLoadVsFloor: 1.25 };
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TEST_RUNS = Number(process.env.BENCH_TEST_RUNS ?? 3);
const COLD_LOAD_RUNS = 21;
const COMMAND_START_RUNS = 11;

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
}

function withoutAwsCredentials(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  return env;
}

/**
 * Waits (up to a minute) for the load a previous step left behind to pass,
 * so each measurement starts on a quiet machine.
 */
function settle(): void {
  const deadline = Date.now() + 60_000;
  while (loadavg()[0]! > 1 && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
  }
}

/** What one timed run measured. */
interface TimedRun {
  readonly seconds: number;
  readonly peakMb: number;
  /** User and system CPU seconds of the command and every process it waited for. */
  readonly cpuSeconds: number;
}

/** Runs a command under GNU time: wall seconds, CPU seconds and the peak resident memory of its largest process. */
function timedRun(label: string, command: string, args: string[], cwd = ROOT): TimedRun {
  process.stderr.write(`bench: ${label}...\n`);
  if (!existsSync('/usr/bin/time')) {
    throw new Error('npm run bench measures peak memory with GNU time: install it first (Debian/Ubuntu: apt-get install time)');
  }
  const report = path.join(mkdtempSync(path.join(tmpdir(), 'bench-time-')), 'time.txt');
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', report, command, ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: withoutAwsCredentials(),
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status}):\n${result.stderr?.toString().slice(-2000)}`);
  const [peakKb, user, system] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, peakMb: peakKb! / 1024, cpuSeconds: user! + system! };
}

/** Repeats a timed command; the first run warms file caches and is not counted. */
function repeated(label: string, runs: number, run: () => TimedRun) {
  settle();
  run();
  const results = Array.from({ length: runs }, (_, i) => {
    settle();
    process.stderr.write(`bench: ${label} ${i + 1}/${runs}\n`);
    return run();
  });
  return {
    seconds: spread(results.map((r) => r.seconds)),
    peakMb: spread(results.map((r) => r.peakMb)),
    cpuSeconds: spread(results.map((r) => r.cpuSeconds)),
  };
}

/**
 * Runs each command once per round, in the order given, so that a slow spell
 * of a shared machine (a 2-core VM has them) falls on every command alike,
 * and compares each with `floor` within its round. The first round warms
 * file caches and is not counted.
 */
function interleaved<K extends string>(
  label: string,
  rounds: number,
  floor: NoInfer<K>,
  commands: Record<K, () => TimedRun>,
): Record<K, Measured> {
  const names = Object.keys(commands) as K[];
  const results = new Map<K, TimedRun[]>(names.map((name) => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    settle();
    process.stderr.write(`bench: ${label}, ${round === 0 ? 'warm-up round' : `round ${round}/${rounds}`}\n`);
    for (const name of names) {
      const result = commands[name]();
      if (round > 0) results.get(name)!.push(result);
    }
  }
  const floorRuns = results.get(floor)!;
  return Object.fromEntries(
    names.map((name) => {
      const runs = results.get(name)!;
      return [
        name,
        {
          seconds: spread(runs.map((r) => r.seconds)),
          peakMb: spread(runs.map((r) => r.peakMb)),
          cpuSeconds: spread(runs.map((r) => r.cpuSeconds)),
          vsFloor: spread(runs.map((r, i) => r.seconds / floorRuns[i]!.seconds)),
        },
      ];
    }),
  ) as Record<K, Measured>;
}

/** An empty CDK app run by the same CLI and toolchain: what any synth costs here. */
function emptyAppDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-empty-app-'));
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(
    path.join(dir, 'bin', 'app.ts'),
    "import { App, Stack } from 'aws-cdk-lib';\nconst app = new App();\nnew Stack(app, 'Empty');\n",
  );
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: cdkJson.app, context: cdkJson.context }));
  writeFileSync(path.join(dir, 'tsconfig.json'), readFileSync(path.join(ROOT, 'tsconfig.json')));
  mkdirSync(path.join(dir, 'scripts'));
  // The same TypeScript loader as the project's app (cdk.json's app names it), with the Node check it requires.
  for (const file of ['register-typescript.cjs', 'check-node.cjs']) {
    writeFileSync(path.join(dir, 'scripts', file), readFileSync(path.join(ROOT, 'scripts', file)));
  }
  execFileSync('ln', ['-s', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')]);
  return dir;
}

/** Loads a bundle in a fresh Node process and returns how long `require` took, in ms. */
function coldLoadMs(bundle: string, environment: Record<string, string>): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    // The Lambda runtime provides the AWS SDK; here a bundle that leaves it out finds it in node_modules.
    env: { ...withoutAwsCredentials(), ...environment, NODE_PATH: path.join(ROOT, 'node_modules'), AWS_REGION: 'us-east-1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return Number(out.toString());
}

/** A bundle to load, with the environment its function has. */
interface Loadable {
  readonly bundle: string;
  readonly environment: Record<string, string>;
}

/**
 * Cold loads of every bundle, interleaved: each round loads, for each group
 * (a handler's bundles), the floor and then the group's bundles, so a slow
 * spell falls on all of them alike; each is compared with the floor's load
 * just before it (one floor per round was too few: its own noise was most of
 * the ratio's). The first round is not counted.
 */
function coldLoadRounds(
  floor: Loadable,
  groups: readonly (readonly Loadable[])[],
): { floor: Spread; loads: { ms: Spread; vsFloor: Spread }[][] } {
  const floorMs: number[] = [];
  const loads = groups.map((group) => group.map(() => ({ ms: [] as number[], vsFloor: [] as number[] })));
  for (let round = 0; round <= COLD_LOAD_RUNS; round++) {
    if (round % 4 === 0) settle();
    groups.forEach((group, g) => {
      const floorLoad = coldLoadMs(floor.bundle, floor.environment);
      const times = group.map((b) => coldLoadMs(b.bundle, b.environment));
      if (round === 0) return;
      floorMs.push(floorLoad);
      times.forEach((ms, i) => {
        loads[g]![i]!.ms.push(ms);
        loads[g]![i]!.vsFloor.push(ms / floorLoad);
      });
    });
  }
  return {
    floor: spread(floorMs),
    loads: loads.map((group) => group.map(({ ms, vsFloor }) => ({ ms: spread(ms), vsFloor: spread(vsFloor) }))),
  };
}

/**
 * Bundles an entry as ObservedFunction does but without its source map
 * (`bundled`), or with the AWS SDK left to the Lambda runtime (`external`).
 */
function bundle(entry: string, outfile: string, sdk: 'external' | 'bundled'): number {
  buildSync({
    ...HANDLER_BUILD_OPTIONS,
    entryPoints: [entry],
    outfile,
    sourcemap: false,
    // The floor handler is written outside the project: resolve packages from ours.
    nodePaths: [path.join(ROOT, 'node_modules')],
    ...(sdk === 'external' ? { external: ['@aws-sdk/*'], mainFields: ['main', 'module'] } : {}),
  });
  return statSync(outfile).size / 1024;
}

/**
 * Each handler of the synthesized app as deployed, without its source map
 * and with the SDK left out, loaded in rounds with the floor: a handler that
 * only creates a DynamoDB client, with the SDK bundled in as ours are (no source map).
 */
function handlerFigures(outdir: string, scratch: string): { floor: { bundleKb: number; coldLoadMs: Spread }; handlers: HandlerFigures[] } {
  const floorEntry = path.join(scratch, 'floor-handler.ts');
  writeFileSync(
    floorEntry,
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nconst client = new DynamoDBClient({});\nexport const handler = async () => client.config.region();\n",
  );
  const floorBundle = path.join(scratch, 'floor-handler.js');
  const floorKb = bundle(floorEntry, floorBundle, 'bundled');

  const found: { stack: string; entry: string; deployed: string; noMap: string; external: string; environment: Record<string, string> }[] =
    [];
  // A handler shared by several stacks (the sandbox expiry is in every one) is measured once.
  const measured = new Set<string>();
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as CfnTemplate;
    for (const [, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const source = resource.Metadata?.[HANDLER_ENTRY_METADATA];
      // Only our handlers: CDK's own custom resource providers carry no entry.
      if (!source || measured.has(source)) continue;
      measured.add(source);
      const hash = String(resource.Properties.Code.S3Key).replace(/\.zip$/, '');
      // The function's environment as deployed, with references to other
      // resources (unknown until deploy) replaced by placeholders.
      const environment = Object.fromEntries(
        Object.entries<unknown>(resource.Properties.Environment?.Variables ?? {}).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : k.endsWith('_ARN') ? 'arn:aws:sns:us-east-1:123456789012:bench' : `bench-${k.toLowerCase()}`,
        ]),
      );
      const name = path.basename(source, '.ts');
      found.push({
        stack: file.replace('.template.json', ''),
        entry: source,
        deployed: path.join(outdir, `asset.${hash}`, 'index.js'),
        noMap: path.join(scratch, `${name}-no-source-map.js`),
        external: path.join(scratch, `${name}-sdk-external.js`),
        environment,
      });
    }
  }
  const sizes = found.map((h) => ({
    deployed: statSync(h.deployed).size / 1024,
    noMap: bundle(path.join(ROOT, h.entry), h.noMap, 'bundled'),
    external: bundle(path.join(ROOT, h.entry), h.external, 'external'),
  }));
  process.stderr.write(`bench: cold loads of ${found.length} handlers (3 bundles each) and the floor, ${COLD_LOAD_RUNS} rounds\n`);
  const { floor, loads } = coldLoadRounds(
    { bundle: floorBundle, environment: {} },
    found.map((h) => [h.deployed, h.noMap, h.external].map((b) => ({ bundle: b, environment: h.environment }))),
  );
  const handlers = found.map((h, i) => ({
    stack: h.stack,
    entry: h.entry,
    bundleKb: sizes[i]!.deployed,
    coldLoad: loads[i]![0]!,
    withoutSourceMap: { bundleKb: sizes[i]!.noMap, coldLoad: loads[i]![1]! },
    sdkExternal: { bundleKb: sizes[i]!.external, coldLoad: loads[i]![2]! },
  }));
  return { floor: { bundleKb: floorKb, coldLoadMs: floor }, handlers };
}

/** Each command's `--help` in rounds with the floor (Node and the loader alone); the slowest command's figures. */
function commandStart(): NonNullable<BenchReport['commandStart']> {
  const node = (label: string, args: string[]) => () =>
    timedRun(label, process.execPath, ['-r', './scripts/register-typescript.cjs', ...args]);
  const commands = Object.fromEntries(ourCommands().map(([script, entry]) => [script, node(`${script} --help`, [entry, '--help'])]));
  const starts = interleaved('command starts', COMMAND_START_RUNS, 'floor', { floor: node('the loader alone', ['-e', '0']), ...commands });
  const [script, help] = Object.entries(starts)
    .filter(([name]) => name !== 'floor')
    .sort(([, a], [, b]) => b.seconds.median - a.seconds.median)[0]!;
  return { script, help, floor: starts.floor };
}

function main(): void {
  const scratch = mkdtempSync(path.join(tmpdir(), 'bench-'));
  const outdir = path.join(scratch, 'cdk.out');
  const emptyDir = emptyAppDir();
  const productionOut = path.join(scratch, 'cdk.out.production');
  // Production adds the NIST and Control Tower packs (with its required context, as docs and CI pass it).
  const productionContext = Object.entries(PRODUCTION_PLACEHOLDERS).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const synthOf =
    (label: string, out: string, context: string[] = []) =>
    () => {
      rmSync(out, { recursive: true, force: true });
      return timedRun(label, 'npx', ['cdk', 'synth', '-q', '-o', out, ...context]);
    };
  const synths = interleaved('synth', RUNS, 'empty', {
    // The empty app: what any synth costs here (the floor).
    empty: () => timedRun('empty synth', 'npx', ['cdk', 'synth', '-q', '-o', path.join(emptyDir, 'cdk.out')], emptyDir),
    // Nothing kept from an earlier synth: every bundle made and every file transformed again.
    nothingKept: () => {
      rmSync(DEFAULT_BUNDLE_CACHE, { recursive: true, force: true });
      rmSync(TYPESCRIPT_CACHE, { recursive: true, force: true });
      return synthOf('synth, nothing kept', outdir)();
    },
    // The next synth: what the one before kept is reused where nothing changed.
    kept: synthOf('synth', outdir),
    production: synthOf('production synth', productionOut, ['-c', 'stage=production', ...productionContext]),
  });
  const { empty: emptySynth, nothingKept: coldSynth, kept: synth, production: productionSynth } = synths;

  const { floor, handlers } = handlerFigures(outdir, scratch);

  // The menu page's script (tracker + browser SDK clients), as deployed to the site bucket.
  const siteAsset = readdirSync(outdir).find((d) => d.startsWith('asset.') && existsSync(path.join(outdir, d, 'menu-page.js')));
  const pageScript = siteAsset ? readFileSync(path.join(outdir, siteAsset, 'menu-page.js')) : undefined;
  const pageScriptKb = pageScript ? { minified: pageScript.length / 1024, gzip: gzipSync(pageScript).length / 1024 } : undefined;

  const starts = commandStart();

  // Last, so the loads above are measured on a quiet machine.
  const tests = repeated('npm test', TEST_RUNS, () => timedRun('npm test', 'npm', ['test']));

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length },
    targets: TARGETS,
    synth: { ...synth, floor: emptySynth },
    synthNothingKept: coldSynth,
    productionSynth,
    tests,
    handlers,
    handlerFloor: floor,
    pageScriptKb,
    commandStart: starts,
  };
  const markdown = reportMarkdown(report);
  writeFileSync(path.join(__dirname, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(__dirname, 'report.md'), markdown);
  process.stdout.write(markdown);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
}

const USAGE = `Usage: npm run bench
       npm run bench -- --update-readme

Measures synth (sandbox and production), npm test (wall and CPU time),
each handler's bundle size and cold load, and our commands' start on this
machine, each beside its floor, and writes bench/report.json and report.md (about 20 minutes).
BENCH_RUNS and BENCH_TEST_RUNS set the number of runs.
--update-readme measures nothing: it rewrites the README's bench block
(under "Speed") from the last bench/report.json.`;

/** Rewrites the README's bench block from the last report. */
function updateReadme(): void {
  const reportFile = path.join(__dirname, 'report.json');
  if (!existsSync(reportFile)) throw new UsageError('There is no bench/report.json yet: run npm run bench first');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BenchReport;
  const readme = path.join(ROOT, 'README.md');
  writeFileSync(readme, replaceGeneratedBlock(readFileSync(readme, 'utf8'), 'bench', readmeBenchBlock(report), 'README.md'));
  process.stdout.write(`updated README.md from the bench of ${report.date}\n`);
}

runCommand(() => {
  const parsed = parseCommandLine(process.argv.slice(2), { 'update-readme': { type: 'boolean' } });
  if (parsed === 'help') {
    printUsage(USAGE);
    return;
  }
  if (parsed.positionals.length > 0) throw new UsageError(`npm run bench takes no arguments, not ${parsed.positionals.join(' ')}`);
  if (parsed.values['update-readme']) updateReadme();
  else main();
});
