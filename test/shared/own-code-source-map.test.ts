import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { buildSync } from 'esbuild';
import { HANDLER_BUILD_OPTIONS } from '../../lib/shared/observed-function';
import { filterMappings, isOwnSource, keepOwnSourceMappings } from '../../lib/shared/own-code-source-map';

/**
 * A handler's source map keeps our code's mappings only, and the bundle reads
 * it when a stack is formatted (`lambda/shared/source-mapped-stack-traces.ts`,
 * which the build puts first in every bundle): a stack frame in our code
 * names the TypeScript line, and one in a bundled package is never taken for ours.
 */
describe('source maps of our own code', () => {
  let project: string;
  let bundle: string;

  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), text);
  };
  /**
   * Runs the bundle's handler in Node as Lambda runs it (no source-map flag);
   * the stack of what it threw. `beforeThrow` runs after the bundle is loaded.
   */
  const stackOf = (input: string, beforeThrow = '') => {
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        `const __bundle = ${JSON.stringify(bundle)}; const { handler } = require(__bundle); try { ${beforeThrow}; handler(${JSON.stringify(input)}) } catch (e) { console.log(e.stack) }`,
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    return result.stdout;
  };
  const map = () => JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[]; names: string[]; mappings: string };
  /** Runs `run` with the bundle's map moved away to the path it is given; the map is back afterwards. */
  const withMapAway = (run: (away: string) => void) => {
    const away = `${bundle}.map.away`;
    renameSync(`${bundle}.map`, away);
    try {
      run(away);
    } finally {
      if (existsSync(away)) renameSync(away, `${bundle}.map`);
    }
  };

  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'own-source-map-'));
    // An ES module package, which esbuild places between our two modules on the same minified line.
    write('node_modules/checker/package.json', '{"name":"checker","module":"index.js"}');
    write(
      'node_modules/checker/index.js',
      "export function check(value) {\n  if (value === 'package') throw new Error('thrown in the package');\n  return value;\n}\n",
    );
    // Bundled in import order: describe.ts (ours), the package, then handler.ts (ours).
    write('lambda/describe.ts', 'export const describe = (value: string): string => `input ${value}`;\n');
    write(
      'lambda/handler.ts',
      [
        "import { describe } from './describe';",
        "import { check } from 'checker';",
        '',
        'export function handler(input: string): string {',
        "  if (input === 'ours') throw new Error('thrown in our code');",
        '  return describe(check(input));',
        '}',
        '',
        'function innermost(): never {',
        "  throw new Error('thrown deeper');",
        '}',
        'export const outer = (): never => innermost();',
        '',
      ].join('\n'),
    );
    bundle = path.join(project, 'out', 'index.js');
    buildSync({ ...HANDLER_BUILD_OPTIONS, entryPoints: [path.join(project, 'lambda', 'handler.ts')], outfile: bundle });
    expect(map().sources.some((source) => source.includes('node_modules/checker'))).toBe(true);
    keepOwnSourceMappings(`${bundle}.map`);
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  test('the map names only our sources', () => {
    expect(
      map()
        .sources.map((source) => path.basename(source))
        .sort(),
    ).toEqual(['describe.ts', 'handler.ts', 'source-mapped-stack-traces.ts']);
    expect(map().sources.every(isOwnSource)).toBe(true);
  });

  test('an error in our code points at its TypeScript line', () => {
    const stack = stackOf('ours');
    expect(stack).toContain('thrown in our code');
    expect(stack).toMatch(/lambda\/handler\.ts:5:/);
  });

  test('a frame names the function as our source does, not as minified', () => {
    expect(stackOf('ours')).toMatch(/ at (Object\.)?handler \(lambda\/handler\.ts:5:/);
    const stack = stackOf('ours', 'require(__bundle).outer()').split('\n');
    expect(stack[0]).toBe('Error: thrown deeper');
    // A function declaration, then an arrow function named by its variable.
    expect(stack[1]).toMatch(/^ {4}at innermost \(lambda\/handler\.ts:10:9\)$/);
    expect(stack[2]).toMatch(/^ {4}at (Object\.)?outer \(lambda\/handler\.ts:12:35\)$/);
  });

  test('the map is read when a stack is formatted, not when the bundle loads', () => {
    withMapAway((away) => {
      // Loaded without its map; the map is back before anything is thrown.
      const stack = stackOf('ours', `require('node:fs').renameSync(${JSON.stringify(away)}, ${JSON.stringify(`${bundle}.map`)})`);
      expect(stack).toMatch(/lambda\/handler\.ts:5:/);
    });
  });

  test('without a readable map, every frame is as V8 writes it', () => {
    withMapAway(() => {
      const stack = stackOf('ours');
      expect(stack).toContain('Error: thrown in our code');
      expect(stack.split('\n')[1]).toMatch(/out\/index\.js:\d+:\d+\)$/);
      expect(stack).not.toMatch(/\.ts:/);
    });
  });

  test("an error in a package's code is not taken for ours: it points at the bundle", () => {
    const stack = stackOf('package');
    expect(stack).toContain('thrown in the package');
    const first = stack.split('\n')[1]!;
    expect(first).toMatch(/out\/index\.js:\d+:\d+/);
    expect(first).not.toMatch(/\.ts:/);
    // The caller, our handler, still maps.
    expect(stack).toMatch(/lambda\/handler\.ts:6:/);
  });

  test('every mapping left is one of ours or an end of ours', () => {
    const segments = decode(map().mappings).flat();
    expect(segments.length).toBeGreaterThan(0);
    for (const segment of segments) expect([1, 4, 5]).toContain(segment.length);
    const sources = map().sources.length;
    expect(segments.filter((segment) => segment.length > 1).every((segment) => segment[1]! >= 0 && segment[1]! < sources)).toBe(true);
  });

  test("filterMappings reads a handler's whole map as the codec's decode does", () => {
    // The orders worker: the largest handler, about 100,000 segments over many sources and names.
    const worker = path.join(project, 'worker', 'index.js');
    buildSync({
      ...HANDLER_BUILD_OPTIONS,
      entryPoints: [path.join(__dirname, '../../lambda/decoupled-orders/process-orders.ts')],
      outfile: worker,
    });
    const { mappings } = JSON.parse(readFileSync(`${worker}.map`, 'utf8')) as { mappings: string };
    const decoded = decode(mappings);
    expect(decoded.flat().length).toBeGreaterThan(50_000);
    // Compared as text: 100,000 arrays compared one by one take seconds.
    expect(JSON.stringify(filterMappings(mappings, (segment) => [...segment] as SourceMapSegment))).toBe(JSON.stringify(decoded));
    // Dropping is per segment: keeping every other one keeps exactly those.
    let index = 0;
    const everyOther = filterMappings(mappings, (segment) => (index++ % 2 === 0 ? ([...segment] as SourceMapSegment) : undefined));
    let expected = 0;
    expect(JSON.stringify(everyOther)).toBe(JSON.stringify(decoded.map((line) => line.filter(() => expected++ % 2 === 0))));
  });

  test('filterMappings refuses what is not a mapping', () => {
    expect(() => filterMappings('AAAA,A!AA', () => undefined)).toThrow(/Not a source map mapping at character 6/);
    expect(() => filterMappings('AA', () => undefined)).toThrow(/1, 4 or 5 fields, not 2/);
  });

  test('isOwnSource: a path through node_modules is a package', () => {
    expect(isOwnSource('../../lambda/shared/env.ts')).toBe(true);
    expect(isOwnSource('../../node_modules/@aws-sdk/client-sns/dist-es/index.js')).toBe(false);
    expect(isOwnSource('..\\node_modules\\zod\\index.js')).toBe(false);
  });
});
