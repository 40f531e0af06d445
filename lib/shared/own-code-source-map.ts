import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { decode, encode, type SourceMapLine, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

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
  const lines: SourceMapLine[] = decode(map.mappings).map((line) =>
    line.flatMap((segment): SourceMapSegment[] => {
      const source = segment.length === 1 ? undefined : keptSource(segment[1]);
      if (source === undefined) {
        if (!oursBefore) return [];
        oursBefore = false;
        return [[segment[0]]];
      }
      oursBefore = true;
      return segment.length === 5
        ? [[segment[0], source, segment[2], segment[3], keptName(segment[4])]]
        : [[segment[0], source, segment[2]!, segment[3]!]];
    }),
  );
  const rewritten: SourceMapFile = {
    ...map,
    sources,
    names,
    mappings: encode(lines),
    ...(map.sourcesContent ? { sourcesContent } : {}),
  };
  writeFileSync(mapFile, JSON.stringify(rewritten));
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
