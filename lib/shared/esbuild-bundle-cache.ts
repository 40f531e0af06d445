import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { type BuildOptions, buildSync, version as esbuildVersion, type Metafile } from 'esbuild';

/**
 * esbuild bundles kept from one synth to the next (the Lambda handlers and
 * the menu page's script).
 *
 * Every `cdk synth`, `diff` and `deploy` runs the app again, and bundling was
 * a quarter of its time (`npm run bench`), though a bundle's sources rarely
 * change between two runs. So each bundle is kept in `node_modules/.cache/` with the list of
 * every file esbuild read to make it (its metafile) and a hash of each. The
 * next bundling of the same entry, with the same options, to the same place
 * reuses it only if every one of those files is unchanged, and so are the
 * things that decide how imports resolve: the project's lock file, its
 * tsconfig, and the names in each project folder the bundle read from (a new
 * `./util.ts` beside `./util/index.ts`). Anything else is bundled anew, and
 * the bundle replaces the one kept.
 *
 * A synth bundles several handlers that share most of their packages (the
 * AWS SDK, Powertools). So when one must be bundled, its companions (the
 * other entries with the same options) whose kept bundle is missing or stale
 * are bundled in the same esbuild run, which reads what they share once, and
 * kept for their turn: six handlers take 0.8 s instead of 1.9 s. esbuild
 * writes each entry's bundle as it would alone, byte for byte, and each is
 * kept with the files its own entry reaches.
 *
 * The bundle is the same file either way (its asset hash is the same), so a
 * kept bundle never changes what is deployed. The least recently used are
 * removed beyond MAX_KEPT_BUNDLES, and deleting the folder is always safe.
 */

/** Where bundles are kept: the project's `node_modules/.cache/coffee-shop-bundles`. */
export const DEFAULT_BUNDLE_CACHE = path.resolve(__dirname, '..', '..', 'node_modules', '.cache', 'coffee-shop-bundles');

/** What one bundling reads and writes. */
export interface BundleRequest {
  /** The entry file. */
  readonly entry: string;
  /** The bundle to write (with its `.map` beside it when the options ask for a source map). */
  readonly outfile: string;
  /** esbuild's options, without the entry and the output. */
  readonly options: BuildOptions;
  /**
   * A step run on esbuild's output before it is kept (the kept bundle is
   * the finished one); its id names what it does and is part of the slot.
   * @default - none
   */
  readonly finish?: { readonly id: string; apply(outfile: string): void };
  /** The project whose lock file and tsconfig decide how imports resolve. */
  readonly projectRoot: string;
  /** @default DEFAULT_BUNDLE_CACHE */
  readonly cacheDirectory?: string;
  /**
   * Entries bundled with the same options, finish step and project, whose
   * bundles a synth will ask for next: when this entry must be bundled, those
   * whose kept bundle is missing or stale are bundled in the same esbuild run
   * and kept. If that run fails, this entry is bundled alone.
   * @default - none
   */
  readonly companions?: readonly string[];
}

/** What `bundleWithCache` did: `'kept'` when the kept bundle was still good, `'bundled'` when esbuild ran. */
export type BundleOutcome = 'kept' | 'bundled';

/** The record kept beside a bundle: what it was made from. */
interface KeptBundle {
  readonly bundle: string;
  readonly outputs: readonly string[];
  readonly inputs: Record<string, string>;
  readonly resolution: Record<string, string>;
}

/** Bundles `entry` to `outfile`, or copies the kept bundle when nothing it was made from has changed. */
export function bundleWithCache(request: BundleRequest): BundleOutcome {
  const cacheDirectory = request.cacheDirectory ?? DEFAULT_BUNDLE_CACHE;
  const slot = path.join(cacheDirectory, `${slotOf(request)}.json`);
  const kept = readKept(slot);
  if (kept && isCurrent(kept, request.projectRoot)) {
    const bundleDirectory = path.join(cacheDirectory, 'bundles', kept.bundle);
    try {
      for (const output of kept.outputs) cpSync(path.join(bundleDirectory, output), path.join(path.dirname(request.outfile), output));
      touch(slot);
      return 'kept';
    } catch {
      // Removed under us: bundle below.
    }
  }
  const companions = staleCompanions(request, cacheDirectory);
  if (companions.length > 0) {
    try {
      bundleTogether(request, companions, cacheDirectory);
      return 'bundled';
    } catch {
      // A companion that does not build (or a folder that cannot be made) is no reason to fail this entry: bundle it alone.
    }
  }
  const result = buildSync({ ...request.options, entryPoints: [request.entry], outfile: request.outfile, metafile: true });
  finishAndKeep(request, cacheDirectory, result.metafile, Object.keys(result.metafile.inputs));
  return 'bundled';
}

/**
 * Runs the finish step on a fresh bundle and keeps it, with the files it was
 * made from (`inputs`, as the metafile names them) and the outputs beside it.
 */
function finishAndKeep(request: BundleRequest, cacheDirectory: string, metafile: Metafile, inputs: readonly string[]): void {
  request.finish?.apply(request.outfile);
  const cwd = request.options.absWorkingDir ?? process.cwd();
  const directory = path.dirname(request.outfile);
  const read = inputs.map((input) => path.resolve(cwd, input));
  const outputs = Object.keys(metafile.outputs)
    .map((output) => path.resolve(cwd, output))
    .filter((output) => path.dirname(output) === directory)
    .map((output) => path.basename(output));
  const slot = path.join(cacheDirectory, `${slotOf(request)}.json`);
  keep(cacheDirectory, slot, readKept(slot), {
    inputs: Object.fromEntries(read.map((file) => [file, fileHash(file)])),
    resolution: resolutionOf(read, request.projectRoot),
    outputs,
    directory,
  });
}

/** The request's companions (other than its own entry) whose kept bundle, were it written beside the request's, is missing or stale. */
function staleCompanions(request: BundleRequest, cacheDirectory: string): string[] {
  const own = path.resolve(request.entry);
  const others = [...new Set((request.companions ?? []).map((entry) => path.resolve(entry)))].filter((entry) => entry !== own);
  return others.filter((entry) => {
    const kept = readKept(path.join(cacheDirectory, `${slotOf({ ...request, entry })}.json`));
    return !kept || !isCurrent(kept, request.projectRoot);
  });
}

/**
 * Bundles the request and its companions in one esbuild run. Each companion
 * is written to a folder of its own beside the request's folder (at the same
 * depth, so its source map's paths, and its slot, are those of its own
 * bundling later), finished, kept, and its folder removed.
 */
function bundleTogether(request: BundleRequest, companions: readonly string[], cacheDirectory: string): void {
  const parent = path.dirname(path.dirname(path.resolve(request.outfile)));
  const extension = path.extname(request.outfile);
  const folders: string[] = [];
  mkdirSync(parent, { recursive: true });
  try {
    const targets = [
      { entry: path.resolve(request.entry), outfile: path.resolve(request.outfile) },
      ...companions.map((entry) => {
        const folder = mkdtempSync(path.join(parent, 'bundling-companion-'));
        folders.push(folder);
        return { entry, outfile: path.join(folder, path.basename(request.outfile)) };
      }),
    ];
    const result = buildSync({
      ...request.options,
      entryPoints: targets.map(({ entry, outfile }) => ({ in: entry, out: path.relative(parent, outfile).slice(0, -extension.length) })),
      outdir: parent,
      metafile: true,
    });
    const cwd = request.options.absWorkingDir ?? process.cwd();
    for (const { entry, outfile } of targets) {
      // esbuild records an injected file as an import of each entry.
      const inputs = reachableInputs(result.metafile, entry, cwd);
      finishAndKeep({ ...request, entry, outfile }, cacheDirectory, result.metafile, inputs);
    }
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The inputs of a metafile that `entry` reaches through its imports: what
 * esbuild reads to bundle that entry alone (its metafile's inputs then).
 */
function reachableInputs(metafile: Metafile, entry: string, cwd: string): string[] {
  const start = Object.keys(metafile.inputs).find((input) => path.resolve(cwd, input) === entry);
  const pending = start === undefined ? [] : [start];
  const reached = new Set<string>(pending);
  for (let input = pending.pop(); input !== undefined; input = pending.pop()) {
    for (const imported of metafile.inputs[input]?.imports ?? []) {
      if (imported.external || reached.has(imported.path) || !(imported.path in metafile.inputs)) continue;
      reached.add(imported.path);
      pending.push(imported.path);
    }
  }
  return Object.keys(metafile.inputs).filter((input) => reached.has(input));
}

/**
 * The slot of a bundle: the same entry, options and esbuild, written to a
 * folder whose parent is at the same place relative to the project (the
 * source map's paths are relative to the bundle's folder, so any
 * `<somewhere>/cdk.out/<folder>/index.js` at the same depth gets the same bytes).
 */
function slotOf(request: BundleRequest): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        esbuild: esbuildVersion,
        entry: path.resolve(request.entry),
        outfile: path.basename(request.outfile),
        parent: path.relative(path.dirname(path.dirname(path.resolve(request.outfile))), path.resolve(request.projectRoot)),
        options: request.options,
        finish: request.finish?.id,
      }),
    )
    .digest('hex');
}

function readKept(slot: string): KeptBundle | undefined {
  try {
    return JSON.parse(readFileSync(slot, 'utf8')) as KeptBundle;
  } catch {
    return undefined;
  }
}

function isCurrent(kept: KeptBundle, projectRoot: string): boolean {
  const files = Object.keys(kept.inputs);
  if (!files.every((file) => fileHash(file) === kept.inputs[file])) return false;
  const resolution = resolutionOf(files, projectRoot);
  const names = new Set([...Object.keys(resolution), ...Object.keys(kept.resolution)]);
  return [...names].every((name) => resolution[name] === kept.resolution[name]);
}

/** Stores a new bundle under its own name, then points the slot at it and removes the one it replaces. */
function keep(
  cacheDirectory: string,
  slot: string,
  previous: KeptBundle | undefined,
  made: { inputs: Record<string, string>; resolution: Record<string, string>; outputs: string[]; directory: string },
): void {
  const bundle = createHash('sha256')
    .update(slot)
    .update(JSON.stringify([made.inputs, made.resolution]))
    .digest('hex');
  const bundles = path.join(cacheDirectory, 'bundles');
  const bundleDirectory = path.join(bundles, bundle);
  try {
    if (!existsSync(bundleDirectory)) {
      // Written aside and renamed: a bundle directory, once there, is complete and never changes.
      const partial = `${bundleDirectory}.${process.pid}.partial`;
      mkdirSync(partial, { recursive: true });
      for (const output of made.outputs) cpSync(path.join(made.directory, output), path.join(partial, output));
      renameSync(partial, bundleDirectory);
    }
    const record: KeptBundle = { bundle, outputs: made.outputs, inputs: made.inputs, resolution: made.resolution };
    writeFileSync(`${slot}.${process.pid}.partial`, JSON.stringify(record));
    renameSync(`${slot}.${process.pid}.partial`, slot);
    if (previous && previous.bundle !== bundle) rmSync(path.join(bundles, previous.bundle), { recursive: true, force: true });
    prune(cacheDirectory);
  } catch {
    // Another process kept the same bundle first, or the cache cannot be written: this synth's bundle is made either way.
  }
}

/** Most bundles kept: the app's handful with room for stages, starters and tests (about 1 MB each). */
export const MAX_KEPT_BUNDLES = 40;

/** Removes the least recently used slots and their bundles beyond MAX_KEPT_BUNDLES. */
function prune(cacheDirectory: string): void {
  const slots = readdirSync(cacheDirectory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const file = path.join(cacheDirectory, name);
      return { file, used: statSync(file).mtimeMs };
    })
    .sort((a, b) => b.used - a.used);
  for (const { file } of slots.slice(MAX_KEPT_BUNDLES)) {
    const stale = readKept(file);
    rmSync(file, { force: true });
    if (stale) rmSync(path.join(cacheDirectory, 'bundles', stale.bundle), { recursive: true, force: true });
  }
}

/** Marks a slot as just used (its modification time orders the pruning). */
function touch(slot: string): void {
  try {
    const now = new Date();
    utimesSync(slot, now, now);
  } catch {
    // Read-only: it is pruned sooner, nothing else.
  }
}

/** The lock file, the tsconfig, and the names in each project folder a bundle read from (what decides resolution). */
function resolutionOf(read: readonly string[], projectRoot: string): Record<string, string> {
  const resolution: Record<string, string> = {
    'package-lock.json': fileHash(path.join(projectRoot, 'package-lock.json')),
    'tsconfig.json': fileHash(path.join(projectRoot, 'tsconfig.json')),
  };
  const folders = new Set(read.filter((file) => !file.split(path.sep).includes('node_modules')).map((file) => path.dirname(file)));
  for (const folder of folders) resolution[folder] = namesIn(folder);
  return resolution;
}

const hashes = new Map<string, { stamp: string; hash: string }>();

/** A file's content hash ('missing' when there is none), remembered while its size and modification time stay the same. */
function fileHash(file: string): string {
  let stamp: string;
  try {
    const stats = statSync(file);
    stamp = `${stats.size}:${stats.mtimeMs}`;
  } catch {
    return 'missing';
  }
  const known = hashes.get(file);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  hashes.set(file, { stamp, hash });
  return hash;
}

function namesIn(folder: string): string {
  try {
    return createHash('sha256').update(readdirSync(folder).sort().join('\n')).digest('hex');
  } catch {
    return 'missing';
  }
}
