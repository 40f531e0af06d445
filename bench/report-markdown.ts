import { blockEnd } from '../scripts/generated-block';

/**
 * What `npm run bench` writes: bench/report.json (the figures), and from
 * them bench/report.md and the README's bench block (`--update-readme`).
 */

/** Median, min and max of repeated measurements. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** What a command measured over the counted rounds, and its time over the floor's, round by round. */
export interface Measured {
  readonly seconds: Spread;
  readonly peakMb: Spread;
  readonly cpuSeconds: Spread;
  /** This command's seconds over the floor command's in the same round (median of the rounds): a slow spell slows both. */
  readonly vsFloor: Spread;
}

/** A cold load: its time, and its time over the floor's in the same round. */
export interface ColdLoad {
  readonly ms: Spread;
  readonly vsFloor: Spread;
}

export interface HandlerFigures {
  readonly stack: string;
  readonly entry: string;
  readonly bundleKb: number;
  readonly coldLoad: ColdLoad;
  /** The same bundle without a source map: what the map costs a cold load (nothing, if it is read only when a stack is formatted). */
  readonly withoutSourceMap: { readonly bundleKb: number; readonly coldLoad: ColdLoad };
  /** The AWS SDK left out, loaded from the runtime's copy (here: node_modules). */
  readonly sdkExternal: { readonly bundleKb: number; readonly coldLoad: ColdLoad };
}

/** bench/report.json. */
export interface BenchReport {
  readonly date: string;
  readonly machine: { readonly node: string; readonly cpus: number };
  readonly targets: {
    readonly synthSeconds: number;
    readonly synthVsEmptyApp: number;
    readonly testSeconds: number;
    readonly bundleKb: number;
    readonly coldLoadVsFloor: number;
  };
  /** After an earlier synth; `floor` is the empty app. */
  readonly synth: Measured & { readonly floor: Measured };
  readonly synthNothingKept: Measured;
  readonly productionSynth: Measured;
  readonly tests: Omit<Measured, 'vsFloor'>;
  readonly handlers: readonly HandlerFigures[];
  readonly handlerFloor: { readonly bundleKb: number; readonly coldLoadMs: Spread };
  readonly pageScriptKb?: { readonly minified: number; readonly gzip: number };
  /**
   * The slowest of our commands' `--help` (`node -r` the TypeScript loader
   * and its entry, as package.json runs it without npm); floor: Node with the
   * loader alone. Absent from reports made before it was measured.
   */
  readonly commandStart?: { readonly script: string; readonly help: Measured; readonly floor: Measured };
}

const fmt = (s: Spread, digits: number, unit: string) =>
  `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, ${s.runs} runs)`;
const mark = (value: number, target: number, unit = '') => (value <= target ? `≤ ${target}${unit}: ok` : `≤ ${target}${unit}: **OVER**`);
/** A command's time over its floor's, round by round: the median, and the spread when the rounds disagree. */
const ratio = (vsFloor: Spread, digits = 1) =>
  vsFloor.min.toFixed(digits) === vsFloor.max.toFixed(digits)
    ? `${vsFloor.median.toFixed(digits)}×`
    : `${vsFloor.median.toFixed(digits)}× (${vsFloor.min.toFixed(digits)}–${vsFloor.max.toFixed(digits)})`;
const timesOf = (value: number, floor: number) => `${(value / floor).toFixed(1)}×`;

/** The report's tables and notes, without a heading. */
export function reportTables(report: BenchReport): string {
  const { targets, synth, synthNothingKept: coldSynth, productionSynth, tests, handlers, handlerFloor: floor, pageScriptKb } = report;
  const { commandStart } = report;
  const emptySynth = synth.floor;
  // However it is scheduled, a run cannot take less wall time than its CPU time spread over every core.
  const cores = report.machine.cpus;
  const cpu = tests.cpuSeconds;
  const cpuBound: Spread = { median: cpu.median / cores, min: cpu.min / cores, max: cpu.max / cores, runs: cpu.runs };
  return [
    `${report.date}, Node ${report.machine.node}, ${cores} cores. Median (min–max) of the runs named.`,
    '',
    '| measure | value | floor (same run) | vs floor | target |',
    '|---|---|---|---|---|',
    `| \`npx cdk synth\`, all stacks, bundling, validation, after an earlier synth | ${fmt(synth.seconds, 1, 's')} | empty app: ${fmt(emptySynth.seconds, 1, 's')} | ${ratio(synth.vsFloor, 2)} | ${mark(synth.seconds.median, targets.synthSeconds, ' s')}; ${mark(synth.vsFloor.median, targets.synthVsEmptyApp, '×')} |`,
    `| the same, nothing kept from an earlier synth (every bundle and transform made again) | ${fmt(coldSynth.seconds, 1, 's')} | empty app: ${fmt(emptySynth.seconds, 1, 's')} | ${ratio(coldSynth.vsFloor, 2)} | ${mark(coldSynth.vsFloor.median, targets.synthVsEmptyApp, '×')} |`,
    `| synth peak memory (largest process) | ${fmt(synth.peakMb, 0, 'MB')} | empty app: ${fmt(emptySynth.peakMb, 0, 'MB')} | ${timesOf(synth.peakMb.median, emptySynth.peakMb.median)} | |`,
    `| \`npx cdk synth -c stage=production\`, all stacks, with the NIST and Control Tower packs | ${fmt(productionSynth.seconds, 1, 's')} | empty app: ${fmt(emptySynth.seconds, 1, 's')} | ${ratio(productionSynth.vsFloor)} | |`,
    ...(commandStart
      ? [
          `| a command's \`--help\`, the slowest of ours (\`npm run ${commandStart.script}\`, without npm's own start) | ${fmt(commandStart.help.seconds, 2, 's')} | Node with the TypeScript loader: ${fmt(commandStart.floor.seconds, 2, 's')} | ${ratio(commandStart.help.vsFloor, 2)} | |`,
        ]
      : []),
    `| \`npm test\` (tsc, lint, Jest) | ${fmt(tests.seconds, 1, 's')} | its CPU time over ${cores} cores: ${fmt(cpuBound, 1, 's')} (${fmt(tests.cpuSeconds, 0, 'CPU s')}) | ${timesOf(tests.seconds.median, cpuBound.median)} | ${mark(tests.seconds.median, targets.testSeconds, ' s')} |`,
    '',
    'Synths run in rounds (the empty app, nothing kept, after an earlier synth, production), and cold loads in rounds (for each handler, the floor then its bundles), ' +
      'so that a slow spell of the machine falls on all of them alike; "vs floor" is the median over the rounds of each run over the floor measured just before it.',
    '',
    'Handlers as deployed: minified, the AWS SDK bundled in, a source map of our own code beside it, read when a stack is formatted (`lambda/shared/source-mapped-stack-traces.ts`). ' +
      `Floor: a handler that only creates a DynamoDB client, bundled the same way without a source map: ${floor.bundleKb.toFixed(1)} KB, cold load ${fmt(floor.coldLoadMs, 1, 'ms')}.`,
    '',
    '| handler | bundle | target | cold load | vs floor | target | without source map: size, cold load, vs floor | SDK from the runtime: size, cold load, vs floor |',
    '|---|---|---|---|---|---|---|---|',
    ...handlers.map(
      (h) =>
        `| ${h.entry} | ${h.bundleKb.toFixed(1)} KB | ${mark(h.bundleKb, targets.bundleKb, ' KB')} | ${fmt(h.coldLoad.ms, 1, 'ms')} | ${ratio(h.coldLoad.vsFloor, 2)} | ` +
        `${mark(h.coldLoad.vsFloor.median, targets.coldLoadVsFloor, '×')} | ${h.withoutSourceMap.bundleKb.toFixed(0)} KB, ${fmt(h.withoutSourceMap.coldLoad.ms, 1, 'ms')}, ${ratio(h.withoutSourceMap.coldLoad.vsFloor, 2)} | ` +
        `${h.sdkExternal.bundleKb.toFixed(0)} KB, ${fmt(h.sdkExternal.coldLoad.ms, 1, 'ms')}, ${ratio(h.sdkExternal.coldLoad.vsFloor, 2)} |`,
    ),
    '',
    pageScriptKb
      ? `Menu page script (tracker and browser SDK clients): ${pageScriptKb.minified.toFixed(1)} KB minified, ${pageScriptKb.gzip.toFixed(1)} KB gzip (CloudFront compresses).`
      : 'Menu page script: not found in the synthesized assets.',
  ].join('\n');
}

/** bench/report.md. */
export const reportMarkdown = (report: BenchReport): string => `# Benchmark report\n\n${reportTables(report)}\n`;

export const BENCH_BEGIN =
  '<!-- bench:begin: generated by `npm run bench -- --update-readme` from bench/report.json; edit bench/report-markdown.ts, not this block -->';

/** The README's bench block: the last report's tables, between the markers. */
export const readmeBenchBlock = (report: BenchReport): string => [BENCH_BEGIN, reportTables(report), blockEnd('bench')].join('\n');
