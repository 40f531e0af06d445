import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { createStarter, PROJECT_ROOT, StarterError } from '../../scripts/starter/create-starter';
import { normalizedTemplate, snapshotFile } from '../../scripts/template/snapshot';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';

const bin = (tool: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', tool);

/** Runs a command in `cwd`; fails the test with its output if it fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status}):\n${result.stdout}\n${result.stderr}`.slice(-8000),
    );
  }
  return `${result.stdout}${result.stderr}`;
}

/** `cdk synth` of the app in `dir` into `out` with `-c` pairs (key=value), as quiet as a snapshot wants; what it printed. */
function cdkSynth(dir: string, out: string, pairs: readonly string[]): string {
  const flags = ['-q', '--no-version-reporting', '--no-path-metadata', '--no-asset-metadata', '-o', out];
  return run(bin('cdk'), ['synth', ...flags, ...pairs.flatMap((pair) => ['-c', pair])], dir);
}

/** Every file under `dir`, relative to it, without node_modules. */
function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? filesOf(dir, relative) : [relative];
  });
}

const work = mkdtempSync(path.join(tmpdir(), 'starters-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run starter refuses what it cannot do, and writes nothing', () => {
  test('an unknown architecture names the ones there are', () => {
    const target = path.join(work, 'unknown');
    expect(() => createStarter('menu-api', target)).toThrow(StarterError);
    expect(() => createStarter('menu-api', target)).toThrow(/^Unknown architecture menu-api \(one of: serverless-api, decoupled-orders, /);
    expect(existsSync(target)).toBe(false);
  });

  test('a directory that is not empty is refused and left as it was', () => {
    const target = path.join(work, 'not-empty');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep.txt'), 'mine');
    expect(() => createStarter('serverless-api', target)).toThrow(/exists and is not an empty directory/);
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });
});

describe.each(ARCHITECTURES.map((a) => [a.name, a] as const))('the %s starter', (name, architecture) => {
  const dir = path.join(work, name);
  const others = ARCHITECTURES.map((a) => a.name).filter((other) => other !== name);

  beforeAll(() => {
    createStarter(name, dir);
    // Type checking and synth use this project's installed packages; one starter installs its own below.
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  });

  test('holds its own slice, the core and the generated app, and nothing of the other four', () => {
    const files = filesOf(dir);
    for (const required of [
      'bin/app.ts',
      'lib/app/coffee-shop-app.ts',
      'package.json',
      'package-lock.json',
      'cdk.json',
      'tsconfig.json',
      'jest.config.js',
      'README.md',
    ]) {
      expect(files).toContain(required);
    }
    expect(files).toContain(`lib/${name}/architecture.ts`);
    // Every file the Jest configs name (transformer, setup, reporter) is there.
    for (const config of files.filter((file) => /^jest\..*config\.js$/.test(file))) {
      for (const [, named] of readFileSync(path.join(dir, config), 'utf8').matchAll(/<rootDir>\/([\w./-]+\.\w+)/g)) {
        expect([config, named, files.includes(named!)]).toEqual([config, named, true]);
      }
    }
    expect(files).toContain(`docs/${name}.md`);
    for (const other of others) {
      expect(files.filter((file) => file.split(path.sep).includes(other) || file.includes(`${other}.md`))).toEqual([]);
    }
    const sources = files.filter((file) => file.endsWith('.ts')).map((file) => readFileSync(path.join(dir, file), 'utf8'));
    for (const other of others) for (const source of sources) expect(source).not.toContain(`/${other}/`);
  });

  test("its package.json lists only what its files import, at this project's versions", () => {
    const starter = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const ours = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    const listed = { ...starter.dependencies, ...starter.devDependencies } as Record<string, string>;
    for (const [pkg, version] of Object.entries(listed)) {
      const expected = ours.dependencies[pkg] ?? ours.devDependencies[pkg];
      if (expected) expect([pkg, version]).toEqual([pkg, expected]);
    }
    const everything = filesOf(dir)
      .filter((file) => /\.(ts|js|cjs)$/.test(file))
      .map((file) => readFileSync(path.join(dir, file), 'utf8'))
      .join('\n');
    const tooling = ['aws-cdk', 'typescript', 'jest', '@biomejs/biome', 'esbuild', 'ajv'];
    for (const pkg of Object.keys(listed).filter((p) => !p.startsWith('@types/') && !tooling.includes(p))) {
      expect([pkg, everything.includes(`'${pkg}`)]).toEqual([pkg, true]);
    }
    expect(starter.scripts.test).toBe(ours.scripts.test);
  });

  test('type-checks and passes the linter', () => {
    run(bin('tsc'), ['--noEmit', '-p', '.'], dir);
    run(bin('biome'), ['check', '.'], dir);
  });

  test.each(Object.keys(STAGE_CONTEXTS) as (keyof typeof STAGE_CONTEXTS)[])(
    '`cdk synth` (%s) passes the validation packs and yields the same stack and template as this project',
    (stage) => {
      const declared = new Set(['stage', 'alarmEmail', ...architecture.contextKeys.map((key) => key.name)]);
      const context = Object.entries(STAGE_CONTEXTS[stage]).filter(([key]) => declared.has(key));
      const out = path.join(work, `${name}-${stage}.out`);
      const printed = cdkSynth(
        dir,
        out,
        context.map(([k, v]) => `${k}=${v}`),
      );
      expect(printed).toMatch(/Validation passed: cdk-nag AwsSolutions, \d+ acknowledged findings?\n/);
      expect(printed).toMatch(/Validation passed: cdk-nag Serverless, /);
      expect(printed).toMatch(/Validation passed: aws-cdk-lib CloudFormation Validate, /);
      const templates = readdirSync(out).filter((file) => file.endsWith('.template.json'));
      expect(templates.length).toBeGreaterThan(0);
      for (const file of templates) {
        const stackName = file.replace(/\.template\.json$/, '');
        const snapshot = snapshotFile(path.join(PROJECT_ROOT, 'test', name), stackName);
        expect(existsSync(snapshot)).toBe(true);
        expect(JSON.parse(normalizedTemplate(JSON.parse(readFileSync(path.join(out, file), 'utf8'))))).toEqual(
          JSON.parse(readFileSync(snapshot, 'utf8')),
        );
      }
    },
  );

  test('`cdk synth` of its delivery pipeline, as its docs/delivery.md writes it, delivers its one architecture and passes every pack', () => {
    const doc = readFileSync(path.join(dir, 'docs', 'delivery.md'), 'utf8');
    const line = doc.match(/```sh\n(npx cdk synth -c pipeline=true[^`]*?)\n```/)?.[1];
    expect(line).toBeDefined();
    const context = [...line!.replace(/\\\n/g, ' ').matchAll(/-c (\w+)=(\S+)/g)].map(([, key, value]) => `${key}=${value}`);
    const out = path.join(work, `${name}-pipeline.out`);
    const printed = cdkSynth(dir, out, context);
    for (const pack of [
      'cdk-nag AwsSolutions',
      'cdk-nag Serverless',
      'cdk-nag NIST 800-53 rev 5',
      'AWS Control Tower proactive controls (cfn-guard)',
    ]) {
      expect(printed).toContain(`Validation passed: ${pack}, `);
    }
    const manifest = (folder: string) =>
      JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')).artifacts as Record<
        string,
        { type: string; properties?: { directoryName?: string; stackName?: string } }
      >;
    const top = manifest(out);
    expect(
      Object.entries(top)
        .filter(([, a]) => a.type === 'aws:cloudformation:stack')
        .map(([id]) => id),
    ).toEqual(['CoffeeShop-Pipeline']);
    const delivered = Object.values(top)
      .filter((a) => a.type === 'cdk:cloud-assembly')
      .flatMap((a) => Object.values(manifest(path.join(out, a.properties!.directoryName!))))
      .filter((a) => a.type === 'aws:cloudformation:stack')
      .map((a) => a.properties!.stackName!)
      .sort();
    const own = readdirSync(path.join(PROJECT_ROOT, 'test', name, '__snapshots__'))
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => file.replace(/\.template\.json$/, ''))
      .sort();
    expect(delivered).toEqual(own);
  });

  test("carries the upgrade check, the guard and its stacks' release baselines, and its own check runs against them", () => {
    const files = filesOf(dir);
    for (const required of ['CHANGELOG.md', 'scripts/upgrade/cli.ts', 'scripts/upgrade/release.ts', 'test/upgrade/upgrade-guard.test.ts']) {
      expect(files).toContain(required);
    }
    const baselines = files.filter((file) => file.startsWith(`releases${path.sep}`));
    expect(baselines.length).toBeGreaterThanOrEqual(4);
    const ours = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    const starter = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(starter.version).toBe(ours.version);
    expect(starter.scripts['upgrade-check']).toBe(ours.scripts['upgrade-check']);
    const printed = run(
      process.execPath,
      ['-r', './scripts/register-typescript.cjs', 'scripts/upgrade/cli.ts', '--stage', 'production'],
      dir,
    );
    expect(printed).toMatch(/against release \d+\.\d+\.\d+ \(releases\/[\d.]+\/production\)/);
    expect(printed).toMatch(/^[1-9]\d* stacks? compared: 0 data at risk/m);
    expect(printed).toMatch(/^No data at risk\.$/m);
  });

  test('every command its README and doc name is one of its npm scripts, each tool answers --help, and the doc names no other architecture', () => {
    const starter = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const texts = [readFileSync(path.join(dir, 'README.md'), 'utf8'), readFileSync(path.join(dir, 'docs', `${name}.md`), 'utf8')];
    const named = new Set(texts.flatMap((text) => [...text.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]!)));
    expect(named.size).toBeGreaterThan(0);
    for (const script of named) expect([script, script in starter.scripts]).toEqual([script, true]);
    for (const tool of ['scripts/local/cli.ts', 'scripts/smoke/cli.ts', 'scripts/cost/cli.ts', 'scripts/upgrade/cli.ts']) {
      expect(run(process.execPath, ['-r', './scripts/register-typescript.cjs', tool, '--help'], dir)).toMatch(/^Usage: npm run /m);
    }
    for (const other of others) for (const text of texts) expect([other, text.includes(other)]).toEqual([other, false]);
    // Its cost report prices its one stack.
    expect(run(process.execPath, ['-r', './scripts/register-typescript.cjs', 'scripts/cost/cli.ts'], dir)).toContain(`(${name})`);
  });

  test('its app registers the validation packs: an unencrypted bucket added to its stack fails synth', () => {
    const probe = `
      const { App } = require('aws-cdk-lib');
      const { Bucket, BucketEncryption } = require('aws-cdk-lib/aws-s3');
      const { addCoffeeShopStacks } = require('./lib/app/coffee-shop-app');
      const app = new App({ context: { ...require('./cdk.json').context, 'aws:cdk:bundling-stacks': [] } });
      const stacks = addCoffeeShopStacks(app, () => undefined);
      new Bucket(Object.values(stacks)[0], 'Probe', { encryption: BucketEncryption.UNENCRYPTED });
      try { app.synth(); console.log('SYNTH PASSED'); } catch (error) { console.log(String(error.message)); }
    `;
    writeFileSync(path.join(dir, 'probe.cjs'), probe);
    const output = run(process.execPath, ['-r', './scripts/register-typescript.cjs', 'probe.cjs'], dir);
    expect(output).not.toContain('SYNTH PASSED');
    expect(output).toMatch(/AwsSolutions-S1/);
  });
});

test('the serverless-api starter installs its own dependencies from its package.json and passes its own tests', () => {
  const dir = path.join(work, 'standalone-serverless-api');
  createStarter('serverless-api', dir);
  run('npm', ['ci', '--no-audit', '--no-fund'], dir);
  const output = run('npm', ['test'], dir);
  expect(output).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  expect(output).not.toMatch(/Tests:.*failed/);
});

test('a starter made with --name BeanCounter is renamed throughout, and passes its own tests and upgrade check', () => {
  const dir = path.join(work, 'bean-counter-orders');
  const files = createStarter('decoupled-orders', dir, { name: 'BeanCounter' });
  expect(readFileSync(path.join(dir, 'lib/shared/project-name.ts'), 'utf8')).toMatch(
    /PROJECT_NAME = 'BeanCounter';[\s\S]*PROJECT_TAG = 'bean-counter';/,
  );
  // No stale name is left: only code identifiers (addCoffeeShopStacks, coffee-shop-app.ts) keep it.
  const stale = files
    .filter((file) => /\.(ts|md|json)$/.test(file) && file !== 'package-lock.json')
    .filter((file) => /CoffeeShop-|CoffeeShop\/|coffee-shop-platform|dbname=coffeeshop/.test(readFileSync(path.join(dir, file), 'utf8')));
  expect(stale).toEqual([]);
  expect(files.filter((file) => file.includes('CoffeeShop'))).toEqual([]);
  const snapshots = readdirSync(path.join(dir, 'test/decoupled-orders/__snapshots__'));
  expect(snapshots.sort()).toEqual(['BeanCounter-Orders-production.template.json', 'BeanCounter-Orders-sandbox.template.json']);
  expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name).toBe('bean-counter-decoupled-orders');
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const tested = run(bin('jest'), [], dir);
  expect(tested).toMatch(/^jest: [1-9]\d* passed, 0 failed/m);
  const checked = run(
    process.execPath,
    ['-r', './scripts/register-typescript.cjs', 'scripts/upgrade/cli.ts', '--stage', 'production'],
    dir,
  );
  expect(checked).toMatch(/^1 stack compared: 0 data at risk/m);
});

test('a bad --name is refused in one line, and nothing is written', () => {
  const dir = path.join(work, 'bad-name');
  for (const name of ['coffee', 'Has-Dash', 'X']) {
    expect(() => createStarter('serverless-api', dir, { name })).toThrow(StarterError);
    expect(existsSync(dir)).toBe(false);
  }
});

test('run from a subdirectory, npm run starter writes where the user stands and prints a cd that works from there', () => {
  const subdir = path.join(work, 'from-here', 'deeper');
  mkdirSync(subdir, { recursive: true });
  const printed = run(
    process.execPath,
    ['-r', './scripts/register-typescript.cjs', 'scripts/starter/cli.ts', 'containers-on-ec2', 'mine'],
    PROJECT_ROOT,
    {
      INIT_CWD: subdir,
    },
  );
  expect(existsSync(path.join(subdir, 'mine', 'package.json'))).toBe(true);
  expect(printed).toContain('\n  cd mine\n');
});

test("the serverless-api starter's own npm run local serves it and its own smoke passes against it", async () => {
  const dir = path.join(work, 'standalone-serverless-api');
  expect(existsSync(path.join(dir, 'node_modules'))).toBe(true);
  const { spawn } = await import('node:child_process');
  const local = spawn(process.execPath, ['-r', './scripts/register-typescript.cjs', 'scripts/local/cli.ts', 'serverless-api'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  local.stdout.on('data', (chunk) => (output += chunk));
  local.stderr.on('data', (chunk) => (output += chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => /is running locally/.test(output) && (clearInterval(timer), resolve()), 200);
      local.once('exit', (code) => (clearInterval(timer), reject(new Error(`npm run local exited with ${code}:\n${output}`))));
    });
    const smoke = run(
      process.execPath,
      ['-r', './scripts/register-typescript.cjs', 'scripts/smoke/cli.ts', 'serverless-api', '--local'],
      dir,
    );
    expect(smoke).toMatch(/^[1-9]\d* passed, 0 failed$/m);
  } finally {
    const exited = new Promise((resolve) => local.once('exit', resolve));
    local.kill('SIGINT');
    await exited;
  }
});
