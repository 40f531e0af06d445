import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  describe('companions: entries a synth will ask for next, bundled in the same esbuild run', () => {
    const other = () => path.join(project, 'src', 'other.ts');
    // As the handlers' options inject their stack-trace module, by its absolute path.
    const withInject = () => ({ ...OPTIONS, inject: [path.join(project, 'src', 'injected.ts')] });
    beforeEach(() => {
      write(
        'src/other.ts',
        "import { greeting } from './greeting';\nimport { only } from './only-other';\nexport const handler = () => greeting + only;\n",
      );
      write('src/only-other.ts', "export const only = ' from the other handler';\n");
      write('src/injected.ts', 'export const started = Date.now();\n');
    });

    test('a companion is kept by the first bundling; each bundle of that run is byte for byte what esbuild makes of its entry alone', () => {
      const together = bundle({ companions: [other()] });
      expect(together.outcome).toBe('bundled');
      const handlerAlone = bundle({ cacheDirectory: path.join(project, 'handler-cache') });
      expect([together.code, together.map]).toEqual([handlerAlone.code, handlerAlone.map]);
      const kept = bundle({ entry: other() });
      expect(kept.outcome).toBe('kept');
      expect(kept.code).toContain('from the other handler');
      const alone = bundle({ entry: other(), cacheDirectory: path.join(project, 'other-cache') });
      expect(alone.outcome).toBe('bundled');
      expect(kept.code).toBe(alone.code);
      expect(kept.map).toBe(alone.map);
      // Its folder beside the entry's is gone: only the bundlings' own folders are left.
      expect(readdirSync(path.join(project, 'out')).filter((name) => !/^bundling-\d+$/.test(name))).toEqual([]);
    });

    test("each is kept with the files its own entry reaches (the injected file included): a change to another's is no reason to bundle it again", () => {
      bundle({ options: withInject(), companions: [other()] });
      write('src/util/index.ts', "export const shout = (text: string) => text + '?';\n");
      expect(bundle({ entry: other(), options: withInject() }).outcome).toBe('kept');
      write('src/only-other.ts', "export const only = ' changed';\n");
      expect(bundle({ entry: other(), options: withInject() }).outcome).toBe('bundled');
      write('src/injected.ts', 'export const started = 0;\n');
      expect(bundle({ entry: other(), options: withInject() }).outcome).toBe('bundled');
    });

    test('a companion whose kept bundle is current is not bundled again', () => {
      const first = bundle({ entry: other() });
      // Each slot file, as it is on disk: a bundling writes it anew (another file renamed over it).
      const slots = () =>
        readdirSync(cache)
          .filter((name) => name.endsWith('.json'))
          .map((name) => {
            const { ino, mtimeMs } = statSync(path.join(cache, name));
            return { name, ino, mtimeMs };
          });
      const before = slots();
      expect(bundle({ companions: [other()] }).outcome).toBe('bundled');
      const after = slots();
      // The handler's slot is new; the other's is the very file kept before.
      expect(after).toHaveLength(before.length + 1);
      expect(after).toEqual(expect.arrayContaining(before));
      expect(bundle({ entry: other() }).code).toBe(first.code);
    });

    test('a companion that does not build fails nothing: the entry is bundled alone', () => {
      write('src/broken.ts', 'export const handler = ;\n');
      const result = bundle({ companions: [path.join(project, 'src', 'broken.ts'), other()] });
      expect(result.outcome).toBe('bundled');
      expect(result.code).toContain('hello');
      expect(readdirSync(path.join(project, 'out')).filter((name) => !/^bundling-\d+$/.test(name))).toEqual([]);
      expect(() => bundle({ entry: path.join(project, 'src', 'broken.ts') })).toThrow(/Build failed/);
    });
  });

  test('a bundling error is esbuild’s, and nothing is kept', () => {
    write('src/greeting.ts', 'export const greeting = ;\n');
    expect(() => bundle()).toThrow(/Build failed/);
    write('src/greeting.ts', "export const greeting = 'fixed';\n");
    expect(bundle().outcome).toBe('bundled');
  });
});
