import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { createStarter, PROJECT_ROOT, StarterError } from '../../scripts/starter/create-starter';
import { normalizedTemplate, snapshotFile } from '../../scripts/template/snapshot';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import { bin, cdkSynth, filesOf, run, workDirectory } from './starter-commands';

/**
 * Each architecture's starter (`npm run starter`), on this project's
 * installed packages: it holds its slice alone, type-checks, lints,
 * synthesizes both stages and its pipeline to this project's templates with
 * every pack, and carries its tools. npm run starter's refusals.
 */

const work = workDirectory('starters-');

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

  test("its package-lock.json installs only package versions this project's lock holds, the ones its tests ran with", () => {
    type Lock = { packages: Record<string, { version?: string; link?: boolean }> };
    /** name@version of every package a lock file installs (its key's last node_modules/ segment names it). */
    const installed = (lock: Lock) =>
      Object.entries(lock.packages)
        .filter(([key, entry]) => key !== '' && !entry.link)
        .map(([key, entry]) => `${key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`);
    const starter = installed(JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')));
    const ours = new Set(installed(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8'))));
    expect(starter.length).toBeGreaterThan(100);
    expect(starter.filter((pkg) => !ours.has(pkg))).toEqual([]);
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
