import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BENCH_BEGIN, type BenchReport, readmeBenchBlock, reportMarkdown, type Spread } from '../../bench/report-markdown';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { HANDLER_ENTRY_METADATA } from '../../lib/shared/observed-function';
import { blockEnd, replaceGeneratedBlock } from '../../scripts/generated-block';
import { snapshotTemplate } from '../helpers/sandbox-templates';

/**
 * `npm run bench`'s report (bench/report.md) and the README's bench block,
 * both written from bench/report.json by bench/report-markdown.ts: each
 * figure against its target, and a README block that is such a rendering
 * of the app's handlers.
 */

const ROOT = path.join(__dirname, '..', '..');
const spreadOf = (median: number): Spread => ({ median, min: median * 0.9, max: median * 1.1, runs: 3 });
const measured = (seconds: number, vsFloor: number) => ({
  seconds: spreadOf(seconds),
  peakMb: spreadOf(600),
  cpuSeconds: spreadOf(seconds * 1.5),
  vsFloor: spreadOf(vsFloor),
});
const coldLoad = (ms: number, vsFloor: number) => ({ ms: spreadOf(ms), vsFloor: spreadOf(vsFloor) });
const handler = (entry: string, vsFloor: number) => ({
  stack: 'CoffeeShop-Example-sandbox',
  entry,
  bundleKb: 400,
  coldLoad: coldLoad(100, vsFloor),
  withoutSourceMap: { bundleKb: 400, coldLoad: coldLoad(99, vsFloor) },
  sdkExternal: { bundleKb: 60, coldLoad: coldLoad(150, 1.7) },
});

/** A report with figures at, under and over their targets. */
function reportWith(handlers: readonly string[]): BenchReport {
  return {
    date: '2026-12-07T12:00:00.000Z',
    machine: { node: 'v24.21.0', cpus: 2 },
    targets: { synthSeconds: 8, synthVsEmptyApp: 2, testSeconds: 45, bundleKb: 100, coldLoadVsFloor: 1.25 },
    synth: { ...measured(7.5, 2.0), floor: measured(4.5, 1) },
    synthNothingKept: measured(9.5, 2.01),
    productionSynth: measured(18, 4),
    tests: { seconds: spreadOf(210), peakMb: spreadOf(900), cpuSeconds: spreadOf(400) },
    handlers: handlers.map((entry, i) => handler(entry, i === 0 ? 1.26 : 1.25)),
    handlerFloor: { bundleKb: 325.5, coldLoadMs: spreadOf(80) },
    pageScriptKb: { minified: 186.5, gzip: 60.2 },
    commandStart: { script: 'upgrade-check', help: measured(0.35, 2.3), floor: measured(0.15, 1) },
  };
}

const rowOf = (markdown: string, start: string) => markdown.split('\n').find((line) => line.startsWith(start)) ?? '';

test('each figure is reported against its target: ok at or under it, OVER above it', () => {
  const markdown = reportMarkdown(reportWith(['lambda/a.ts', 'lambda/b.ts']));
  expect(markdown.startsWith('# Benchmark report\n\n2026-12-07T12:00:00.000Z, Node v24.21.0, 2 cores.')).toBe(true);
  expect(rowOf(markdown, '| `npx cdk synth`, all stacks')).toMatch(
    /\| 7\.5 s \(6\.8–8\.3, 3 runs\) \| empty app: 4\.5 s .*\| 2\.00× \(1\.80–2\.20\) \| ≤ 8 s: ok; ≤ 2×: ok \|$/,
  );
  expect(rowOf(markdown, '| the same, nothing kept')).toMatch(/\| 2\.01× \(1\.81–2\.21\) \| ≤ 2×: \*\*OVER\*\* \|$/);
  expect(rowOf(markdown, '| `npm test`')).toMatch(/\| ≤ 45 s: \*\*OVER\*\* \|$/);
  expect(rowOf(markdown, '| lambda/a.ts')).toContain('| 1.26× (1.13–1.39) | ≤ 1.25×: **OVER** |');
  expect(rowOf(markdown, '| lambda/b.ts')).toContain('| 1.25× (1.13–1.38) | ≤ 1.25×: ok |');
  expect(rowOf(markdown, '| lambda/b.ts')).toContain('| 400.0 KB | ≤ 100 KB: **OVER** |');
});

test("npm test's floor is its CPU seconds spread over the machine's cores", () => {
  const report = reportWith([]);
  expect(rowOf(reportMarkdown(report), '| `npm test`')).toContain('| its CPU time over 2 cores: 200.0 s (180.0–220.0, 3 runs) (400 CPU s');
  expect(rowOf(reportMarkdown({ ...report, machine: { ...report.machine, cpus: 4 } }), '| `npm test`')).toContain(
    '| its CPU time over 4 cores: 100.0 s',
  );
});

test("a command's start is reported beside Node with the loader alone; a report made before it was measured has no such row", () => {
  const report = reportWith([]);
  expect(rowOf(reportMarkdown(report), "| a command's `--help`")).toBe(
    "| a command's `--help`, the slowest of ours (`npm run upgrade-check`, without npm's own start) | 0.35 s (0.32–0.39, 3 runs) | " +
      'Node with the TypeScript loader: 0.15 s (0.14–0.17, 3 runs) | 2.30× (2.07–2.53) | |',
  );
  const { commandStart: _measured, ...before } = report;
  expect(rowOf(reportMarkdown(before), "| a command's `--help`")).toBe('');
});

test("the README's bench block is a rendering of a report, with a row for each handler the sandbox stage deploys", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const begin = readme.indexOf(BENCH_BEGIN);
  const end = readme.indexOf(blockEnd('bench'));
  expect(begin).toBeGreaterThan(readme.indexOf('## Speed'));
  expect(end).toBeGreaterThan(begin);
  const block = readme.slice(begin, end + blockEnd('bench').length);
  const isHandlerRow = (line: string) => line.startsWith('| lambda/');
  // Apart from the figures and the handler rows, line for line what the renderer writes.
  const shape = (text: string) =>
    text
      .split('\n')
      .filter((line) => !isHandlerRow(line))
      .map((line) =>
        line
          .replace(/\d+(\.\d+)?/g, '#')
          .replace(/\*\*OVER\*\*|ok/g, 'mark')
          .replace(/`npm run [\w-]+`/g, '`npm run <command>`'),
      );
  expect(shape(block)).toEqual(shape(readmeBenchBlock(reportWith([]))));
  const deployed = new Set(
    ARCHITECTURES.flatMap(({ name }) =>
      Object.values(snapshotTemplate(name, 'sandbox').template.Resources ?? {})
        .map((resource) => (resource as { Metadata?: Record<string, string> }).Metadata?.[HANDLER_ENTRY_METADATA])
        .filter((entry): entry is string => entry !== undefined),
    ),
  );
  expect(deployed.size).toBeGreaterThan(0);
  const rows = block.split('\n').filter(isHandlerRow);
  expect(rows.map((row) => row.split(' | ')[0]!.slice(2)).sort()).toEqual([...deployed].sort());
});

test('a generated block is replaced between its markers alone, and a doc without it is refused', () => {
  const doc = `# Doc\n\nbefore\n<!-- bench:begin -->\nold\n${blockEnd('bench')}\nafter\n`;
  expect(replaceGeneratedBlock(doc, 'bench', `<!-- bench:begin: new -->\nnew\n${blockEnd('bench')}`, 'DOC.md')).toBe(
    `# Doc\n\nbefore\n<!-- bench:begin: new -->\nnew\n${blockEnd('bench')}\nafter\n`,
  );
  expect(() => replaceGeneratedBlock('# Doc\n', 'bench', 'x', 'DOC.md')).toThrow(
    'DOC.md has no bench block (<!-- bench:begin --> ... <!-- bench:end -->)',
  );
  expect(() => replaceGeneratedBlock(doc, 'cost', 'x', 'DOC.md')).toThrow(/DOC\.md has no cost block/);
});
