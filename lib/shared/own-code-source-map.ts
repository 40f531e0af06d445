import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { encode, type SourceMapLine, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

/** The parts of a source map (version 3) this reads and rewrites. */
interface SourceMapFile {
  readonly version: 3;
  readonly sources: readonly string[];
  readonly names: readonly string[];
  readonly mappings: string;
  readonly sourcesContent?: readonly (string | null)[];
  readonly [other: string]: unknown;
}

/** A source of the project's own, not a bundled package's. */
export const isOwnSource = (source: string): boolean => !source.split(/[\\/]/).includes('node_modules');

/**
 * Rewrites a bundle's source map to map only the project's own code.
 *
 * The bundle reads its map the first time it formats a stack
 * (`lambda/shared/source-mapped-stack-traces.ts`), so the map's size is paid
 * by the first error rather than by every cold start, as it was with Node's
 * `--enable-source-maps`. A handler's bundle is mostly the AWS SDK and
 * Powertools (about 95 % of the mappings), whose frames in a stack trace are
 * rarely what a reader needs.
 * With their mappings dropped, a frame in our code still names the
 * TypeScript file and line; a frame in a package names the bundle's line and
 * column, as it would without a map. `npm run bench` measures what this saves.
 */
export function keepOwnSourceMappings(mapFile: string, isOwn: (source: string) => boolean = isOwnSource): void {
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapFile;
  const sources: string[] = [];
  const sourcesContent: (string | null)[] = [];
  const names: string[] = [];
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  // Asked once per source, not once per mapping (hundreds of thousands of them).
  const own = map.sources.map((source) => isOwn(source));
  const keptSource = (index: number): number | undefined => {
    if (!own[index]) return undefined;
    let kept = sourceIndex.get(index);
    if (kept === undefined) {
      kept = sources.push(map.sources[index]!) - 1;
      sourcesContent.push(map.sourcesContent?.[index] ?? null);
      sourceIndex.set(index, kept);
    }
    return kept;
  };
  const keptName = (index: number): number => {
    let kept = nameIndex.get(index);
    if (kept === undefined) {
      kept = names.push(map.names[index]!) - 1;
      nameIndex.set(index, kept);
    }
    return kept;
  };
  // A lookup finds the nearest mapping at or before a position, across lines:
  // where our code ends, a mapping without a source ends it, so that the
  // package code after it is not taken for ours. Between two such ends
  // nothing is needed.
  let oursBefore = false;
  const lines = filterMappings(map.mappings, (segment) => {
    const source = segment.length === 1 ? undefined : keptSource(segment[1]);
    if (source === undefined) {
      if (!oursBefore) return undefined;
      oursBefore = false;
      return [segment[0]];
    }
    oursBefore = true;
    return segment.length === 5
      ? [segment[0], source, segment[2], segment[3], keptName(segment[4])]
      : [segment[0], source, segment[2]!, segment[3]!];
  });
  const rewritten: SourceMapFile = {
    ...map,
    sources,
    names,
    mappings: encode(lines),
    ...(map.sourcesContent ? { sourcesContent } : {}),
  };
  writeFileSync(mapFile, JSON.stringify(rewritten));
}

const BASE64 = new Int8Array(128).fill(-1);
for (const [index, char] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  BASE64[char.charCodeAt(0)] = index;
const SEMICOLON = ';'.charCodeAt(0);
const COMMA = ','.charCodeAt(0);

/**
 * Decodes a map's mappings (base64 VLQ, as the source map spec gives them)
 * and returns the lines of what `keep` makes of each segment (undefined to
 * drop it): the codec's `decode` followed by a filter, without an array made
 * for every segment. A handler's map has about 100,000 segments and all but
 * a few thousand are dropped; the codec's `decode` alone took 60 ms of each
 * bundling here. The segment `keep` is given is reused for the next one:
 * what it returns must be an array of its own.
 */
export function filterMappings(
  mappings: string,
  keep: (segment: Readonly<SourceMapSegment>) => SourceMapSegment | undefined,
): SourceMapLine[] {
  const lines: SourceMapLine[] = [[]];
  // The fields of the last segment read, absolute: column, source, source line, source column, name.
  const state = [0, 0, 0, 0, 0];
  const segments = { 1: [0], 4: [0, 0, 0, 0], 5: [0, 0, 0, 0, 0] } as Record<number, number[] | undefined>;
  const fields: number[] = [];
  const finishSegment = () => {
    if (fields.length === 0) return;
    const segment = segments[fields.length];
    if (!segment) throw new Error(`A source map segment has 1, 4 or 5 fields, not ${fields.length}`);
    for (let i = 0; i < fields.length; i++) {
      state[i] = state[i]! + fields[i]!;
      segment[i] = state[i]!;
    }
    const kept = keep(segment as SourceMapSegment);
    if (kept) lines[lines.length - 1]!.push(kept);
    fields.length = 0;
  };
  let position = 0;
  while (position < mappings.length) {
    const char = mappings.charCodeAt(position);
    if (char === SEMICOLON || char === COMMA) {
      finishSegment();
      if (char === SEMICOLON) {
        lines.push([]);
        state[0] = 0;
      }
      position++;
      continue;
    }
    let value = 0;
    let shift = 0;
    let digit: number;
    do {
      digit = BASE64[mappings.charCodeAt(position++)] ?? -1;
      if (digit < 0) throw new Error(`Not a source map mapping at character ${position - 1}`);
      value |= (digit & 31) << shift;
      shift += 5;
    } while (digit & 32);
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
  }
  finishSegment();
  return lines;
}

/**
 * The step as `bundleWithCache` runs it on a fresh bundle, named by this
 * file's text and the codec's version: a change to either is another bundle.
 */
export const OWN_CODE_SOURCE_MAP_STEP = {
  id: createHash('sha256')
    .update(readFileSync(__filename))
    .update(JSON.parse(readFileSync(require.resolve('@jridgewell/sourcemap-codec/package.json'), 'utf8')).version)
    .digest('hex'),
  apply: (outfile: string) => keepOwnSourceMappings(`${outfile}.map`),
};
