import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';
import { type BundleRequest, bundleWithCache, MAX_KEPT_BUNDLES } from '../../lib/shared/esbuild-bundle-cache';

/**
 * A kept bundle is reused only when it is exactly what esbuild would make
 * now: each thing that can change the bundle (a source, how an import
 * resolves, the options, where it is written) makes esbuild run again.
 */
describe('esbuild bundles kept between synths', () => {
  const OPTIONS: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
  };
  let project: string;
  let cache: string;
  let run = 0;

  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), text);
  };
  /** Bundles the project's entry into a new folder under `<parent>/` (as CDK gives each bundling its own). */
  const bundle = (overrides: Partial<BundleRequest> = {}, parent = 'out') => {
    run += 1;
    const outfile = path.join(project, parent, `bundling-${run}`, 'index.js');
    const outcome = bundleWithCache({
      entry: path.join(project, 'src', 'handler.ts'),
      outfile,
      options: OPTIONS,
      projectRoot: project,
      cacheDirectory: cache,
      ...overrides,
    });
    return { outcome, code: readFileSync(outfile, 'utf8'), map: readFileSync(`${outfile}.map`, 'utf8') };
  };

  beforeEach(() => {
    project = mkdtempSync(path.join(tmpdir(), 'bundle-cache-'));
    cache = path.join(project, 'node_modules', '.cache', 'bundles');
    write('package-lock.json', '{"lockfileVersion":3}');
    write('tsconfig.json', '{}');
    write(
      'src/handler.ts',
      "import { greeting } from './greeting';\nimport { shout } from './util';\nexport const handler = () => shout(greeting);\n",
    );
    write('src/greeting.ts', "export const greeting = 'hello';\n");
    write('src/util/index.ts', 'export const shout = (text: string) => text.toUpperCase();\n');
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  test('the second bundling of unchanged sources is the kept bundle, byte for byte, source map included', () => {
    const first = bundle();
    const second = bundle();
    expect(first.outcome).toBe('bundled');
    expect(second.outcome).toBe('kept');
    expect(second.code).toBe(first.code);
    expect(second.map).toBe(first.map);
    // And it is what esbuild makes without a cache.
    const fresh = bundle({ cacheDirectory: path.join(project, 'other-cache') });
    expect(fresh.outcome).toBe('bundled');
    expect(second.code).toBe(fresh.code);
    expect(second.map).toBe(fresh.map);
  });

  test('a changed source is bundled again, and that bundle is then kept', () => {
    bundle();
    write('src/greeting.ts', "export const greeting = 'hello again, with more words';\n");
    const changed = bundle();
    expect(changed.outcome).toBe('bundled');
    expect(changed.code).toContain('hello again, with more words');
    expect(bundle().outcome).toBe('kept');
  });

  test('a new file that an import now resolves to is bundled again', () => {
    bundle();
    // './util' resolved to util/index.ts; a util.ts beside it now wins.
    write('src/util.ts', 'export const shout = (text: string) => `${text}!`;\n');
    const shadowed = bundle();
    expect(shadowed.outcome).toBe('bundled');
    expect(shadowed.code).toContain('!');
    expect(shadowed.code).not.toContain('toUpperCase');
  });

  test('a changed lock file or tsconfig is bundled again (dependencies and resolution may differ)', () => {
    bundle();
    write('package-lock.json', '{"lockfileVersion":3,"packages":{}}');
    expect(bundle().outcome).toBe('bundled');
    write('tsconfig.json', '{"compilerOptions":{}}');
    expect(bundle().outcome).toBe('bundled');
    expect(bundle().outcome).toBe('kept');
  });

  test('other options or another output place is another bundle', () => {
    bundle();
    expect(bundle({ options: { ...OPTIONS, minify: true } }).outcome).toBe('bundled');
    // The source map's paths are relative to where the bundle is written.
    expect(bundle({}, path.join('deeper', 'out')).outcome).toBe('bundled');
    expect(bundle().outcome).toBe('kept');
  });

  test('a bundle written at the same place relative to the project elsewhere is the kept one, byte for byte', () => {
    const first = bundle();
    // <project>/out/<folder>/index.js and <project>/other-out/<folder>/index.js: the same relative paths to every source.
    const elsewhere = bundle({}, 'other-out');
    expect(elsewhere.outcome).toBe('kept');
    expect(elsewhere.code).toBe(first.code);
    expect(elsewhere.map).toBe(first.map);
    const fresh = bundle({ cacheDirectory: path.join(project, 'other-cache') }, 'fresh-out');
    expect(fresh.outcome).toBe('bundled');
    expect(fresh.map).toBe(first.map);
  });

  test(`at most ${MAX_KEPT_BUNDLES} bundles are kept, the least recently used removed first`, () => {
    const first = () => bundle({ options: { ...OPTIONS, define: { VARIANT: '0' } } });
    first();
    for (let variant = 1; variant <= MAX_KEPT_BUNDLES + 3; variant++) {
      // The first is used again now and then, so it stays.
      if (variant % 10 === 0) expect(first().outcome).toBe('kept');
      bundle({ options: { ...OPTIONS, define: { VARIANT: String(variant) } } });
    }
    expect(readdirSync(cache).filter((name) => name.endsWith('.json'))).toHaveLength(MAX_KEPT_BUNDLES);
    expect(readdirSync(path.join(cache, 'bundles'))).toHaveLength(MAX_KEPT_BUNDLES);
    expect(first().outcome).toBe('kept');
    expect(bundle({ options: { ...OPTIONS, define: { VARIANT: '1' } } }).outcome).toBe('bundled');
  });

  test('a kept bundle removed from the cache is bundled again', () => {
    bundle();
    rmSync(path.join(cache, 'bundles'), { recursive: true });
    expect(bundle().outcome).toBe('bundled');
    expect(bundle().outcome).toBe('kept');
  });

  test('a cache that cannot be written never fails the bundling', () => {
    writeFileSync(path.join(project, 'not-a-directory'), '');
    const unwritable = path.join(project, 'not-a-directory', 'cache');
    for (let i = 0; i < 2; i++) {
      const result = bundle({ cacheDirectory: unwritable });
      expect(result.outcome).toBe('bundled');
      expect(result.code).toContain('hello');
    }
  });

  test('a bundling error is esbuild’s, and nothing is kept', () => {
    write('src/greeting.ts', 'export const greeting = ;\n');
    expect(() => bundle()).toThrow(/Build failed/);
    write('src/greeting.ts', "export const greeting = 'fixed';\n");
    expect(bundle().outcome).toBe('bundled');
  });
});
