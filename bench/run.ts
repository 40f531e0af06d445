/**
 * `npm run bench`: how long synth and the tests take here, and per Lambda
 * handler its bundle size and the time to load it cold in a fresh Node
 * process. Prints a table and writes bench/report.json and bench/report.md.
 * Targets are reported, never asserted: speed is not a test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { HANDLER_ENTRY_METADATA } from '../lib/shared/observed-function';

const ROOT = path.resolve(__dirname, '..');
const TARGETS = { bundleKb: 250, coldLoadMs: 100, testSeconds: 60 };
const COLD_LOAD_RUNS = 11;

function timed(label: string, command: string, args: string[]): number {
  process.stderr.write(`bench: ${label}...\n`);
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: withoutAwsCredentials() });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${label} failed (exit ${result.status}):\n${result.stderr?.toString().slice(-2000)}`);
  }
  return seconds;
}

function withoutAwsCredentials(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  return env;
}

/**
 * Waits (up to a minute) for the load the synth left behind to pass, so cold
 * loads are measured on a quiet machine rather than next to a busy one.
 */
function settle(): void {
  const deadline = Date.now() + 60_000;
  while (loadavg()[0]! > 1 && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Loads a bundle in a fresh Node process and returns how long `require` took, in ms. */
function coldLoadMs(bundle: string, environment: Record<string, string>): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    // The runtime provides the AWS SDK; here it comes from node_modules.
    env: { ...withoutAwsCredentials(), ...environment, NODE_PATH: path.join(ROOT, 'node_modules'), AWS_REGION: 'us-east-1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return Number(out.toString());
}

/** Size the same entry would have with the AWS SDK bundled in, for comparison. */
function sizeWithSdkKb(entry: string): number {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    write: false,
  });
  return result.outputFiles[0]!.contents.length / 1024;
}

function main(): void {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
  const synthSeconds = timed('npx cdk synth (bundling and validation)', 'npx', ['cdk', 'synth', '-q', '-o', outdir]);

  settle();
  const handlers: { stack: string; handler: string; entry: string; bundleKb: number; withSdkKb: number; coldLoadMs: number }[] = [];
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(outdir, file), 'utf8'));
    for (const [id, resource] of Object.entries<any>(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const hash = String(resource.Properties.Code.S3Key).replace(/\.zip$/, '');
      const bundle = path.join(outdir, `asset.${hash}`, 'index.js');
      const source = resource.Metadata?.[HANDLER_ENTRY_METADATA];
      // Only our handlers: CDK's own custom resource providers carry no entry.
      if (!source) continue;
      const entry = path.join(ROOT, source);
      // The function's environment as deployed, with references to other
      // resources (unknown until deploy) replaced by placeholders.
      const environment = Object.fromEntries(
        Object.entries<unknown>(resource.Properties.Environment?.Variables ?? {}).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : `bench-${k.toLowerCase()}`,
        ]),
      );
      const load = () => coldLoadMs(bundle, environment);
      handlers.push({
        stack: file.replace('.template.json', ''),
        handler: id,
        entry: path.relative(ROOT, entry),
        bundleKb: statSync(bundle).size / 1024,
        withSdkKb: sizeWithSdkKb(entry),
        // One discarded load first: the process is fresh every time, the file
        // cache warm, as for a Lambda cold start reading its bundle from local disk.
        coldLoadMs: (load(), median(Array.from({ length: COLD_LOAD_RUNS }, load))),
      });
    }
  }

  // The menu page's script (tracker + browser SDK clients), as deployed to the site bucket.
  const siteAsset = readdirSync(outdir).find((d) => d.startsWith('asset.') && existsSync(path.join(outdir, d, 'menu-page.js')));
  const pageScript = siteAsset ? readFileSync(path.join(outdir, siteAsset, 'menu-page.js')) : undefined;
  const pageScriptKb = pageScript ? { minified: pageScript.length / 1024, gzip: gzipSync(pageScript).length / 1024 } : undefined;

  // Last, so the cold loads above are measured on a quiet machine.
  const testSeconds = timed('npm test', 'npm', ['test']);

  const report = {
    date: new Date().toISOString(),
    machine: { node: process.version, cpus: require('node:os').cpus().length },
    targets: TARGETS,
    synthSeconds,
    testSeconds,
    handlers,
    pageScriptKb,
  };
  const mark = (ok: boolean) => (ok ? 'ok' : 'OVER TARGET');
  const lines = [
    '# Benchmark report',
    '',
    `${report.date}, Node ${report.machine.node}, ${report.machine.cpus} cores`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| \`npx cdk synth\` (all stacks, bundling, validation) | ${synthSeconds.toFixed(1)} s | |`,
    `| \`npm test\` | ${testSeconds.toFixed(1)} s | < ${TARGETS.testSeconds} s: ${mark(testSeconds < TARGETS.testSeconds)} |`,
    '',
    '| handler | bundle (minified) | with AWS SDK bundled | cold load (median of 11) | targets |',
    '|---|---|---|---|---|',
    ...handlers.map(
      (h) =>
        `| ${h.entry} | ${h.bundleKb.toFixed(1)} KB | ${h.withSdkKb.toFixed(0)} KB | ${h.coldLoadMs.toFixed(1)} ms | ` +
        `< ${TARGETS.bundleKb} KB: ${mark(h.bundleKb < TARGETS.bundleKb)}; < ${TARGETS.coldLoadMs} ms: ${mark(h.coldLoadMs < TARGETS.coldLoadMs)} |`,
    ),
    '',
    pageScriptKb
      ? `Menu page script (tracker and browser SDK clients): ${pageScriptKb.minified.toFixed(1)} KB minified, ${pageScriptKb.gzip.toFixed(1)} KB gzip (CloudFront compresses).`
      : 'Menu page script: not found in the synthesized assets.',
    '',
  ];
  writeFileSync(path.join(__dirname, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(__dirname, 'report.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

main();
