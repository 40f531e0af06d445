import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';

/**
 * Side-effect module, put first in every handler's bundle by the build
 * (`inject` in `HANDLER_BUILD_OPTIONS`): stack traces name the TypeScript
 * file and line of our code, and the cold start pays nothing for it.
 *
 * Node's own `--enable-source-maps` reads the map, and measures every line
 * of the whole bundle (about 450 KB, mostly the AWS SDK), when it loads the
 * bundle: about 10 ms of every cold start here (README, "Speed").
 * Here the map beside the bundle (`index.js.map`, our code's mappings only:
 * `lib/shared/own-code-source-map.ts`) is read the first time a stack is
 * formatted, which is when an error is logged.
 *
 * A frame in our code reads `at requiredEnv (lambda/shared/env.ts:6:11)`:
 * the path is the project's, so a reader can open it. A frame anywhere else
 * (a bundled package, Node, the Lambda runtime) is left as V8 writes it.
 * If the map cannot be read, every frame is left as V8 writes it.
 */

/** The bundle this module is part of: the frames to map are the ones in this file. */
const bundleFile = __filename;

/** The bundle's map, read on first use; `null` when it cannot be read. */
let bundleMap: SourceMap | null | undefined;

function sourceMapOfBundle(): SourceMap | null {
  if (bundleMap === undefined) {
    try {
      bundleMap = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
    } catch {
      bundleMap = null;
    }
  }
  return bundleMap;
}

/**
 * A source as the map names it, relative to the bundle's folder
 * (`../../lambda/x.ts` from `cdk.out/asset.…/`), as a path from the project's root.
 */
const projectPath = (source: string): string => source.replace(/^(\.\.\/)+/, '');

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The bundle's lines, read (like the map) the first time a name is looked up. */
let bundleLines: readonly string[] | undefined;

function bundleLine(line: number): string {
  bundleLines ??= readFileSync(bundleFile, 'utf8').split('\n');
  return bundleLines[line - 1] ?? '';
}

/** The source's name for what is at this exact position of the bundle (1-based), if the map has one. */
function nameAt(map: SourceMap, line: number, column: number): string | undefined {
  // Node gives the mapping's name too, which its types leave out.
  const entry = map.findEntry(line - 1, column - 1) as Partial<SourceMapping> & { readonly name?: string };
  return entry.generatedLine === line - 1 && entry.generatedColumn === column - 1 ? entry.name : undefined;
}

/**
 * The name our source gave the function a frame is in (the bundle's is
 * minified): the map's name where the function starts, else at the name of
 * a `function` declaration or of the variable an arrow function is assigned
 * to, else (as Node does) the name its caller used.
 */
function sourceName(map: SourceMap, callSite: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string | undefined {
  const line = callSite.getEnclosingLineNumber();
  const column = callSite.getEnclosingColumnNumber();
  if (line !== null && column !== null) {
    const atStart = nameAt(map, line, column);
    if (atStart) return atStart;
    const declaration = /^(?:async\s*)?function\s*\*?\s*([\w$]+)/.exec(bundleLine(line).slice(column - 1));
    const declared = declaration && nameAt(map, line, column + declaration[0].length - declaration[1]!.length);
    if (declared) return declared;
    // `h=async(e)=>…`: an arrow function is named by what it is assigned to.
    const assignment = /([\w$]+)\s*=\s*(?:async\s*)?$/.exec(bundleLine(line).slice(0, column - 1));
    const assigned = assignment && nameAt(map, line, assignment.index + 1);
    if (assigned) return assigned;
  }
  const callerLine = caller?.getLineNumber();
  const callerColumn = caller?.getColumnNumber();
  if (caller?.getFileName() !== bundleFile || !callerLine || !callerColumn) return undefined;
  return nameAt(map, callerLine, callerColumn);
}

/** One frame, in our TypeScript when the map has its position, else as V8 writes it. */
function formatFrame(map: SourceMap, callSite: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string {
  const asWritten = String(callSite);
  const line = callSite.getLineNumber();
  const column = callSite.getColumnNumber();
  if (callSite.getFileName() !== bundleFile || line === null || column === null) return asWritten;
  const entry = map.findEntry(line - 1, column - 1);
  // No entry, or an end-of-our-code mapping: the frame is in a package.
  if (!('originalSource' in entry) || entry.originalSource === undefined) return asWritten;
  const original = `${projectPath(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const frame = asWritten.replace(`${bundleFile}:${line}:${column}`, original);
  const minifiedName = callSite.getFunctionName();
  const name = minifiedName ? sourceName(map, callSite, caller) : undefined;
  return minifiedName && name && name !== minifiedName
    ? frame.replace(new RegExp(`(?<![\\w$])${escapeRegExp(minifiedName)}(?![\\w$])`), name)
    : frame;
}

/** The first line of a stack: what V8 would write (`Error.prototype.toString`). */
function headline(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/** Set while a stack is formatted: an error raised by the formatting itself is not mapped. */
let formatting = false;

Error.prepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]): string => {
  const frames = (() => {
    if (formatting) return callSites.map(String);
    formatting = true;
    try {
      const map = sourceMapOfBundle();
      return map ? callSites.map((callSite, i) => formatFrame(map, callSite, callSites[i + 1])) : callSites.map(String);
    } catch {
      return callSites.map(String);
    } finally {
      formatting = false;
    }
  })();
  return [headline(error), ...frames].join('\n    at ');
};
