/**
 * Lets Node require the project's TypeScript directly: each .ts file is
 * turned into CommonJS by esbuild (types stripped, not checked) when it is
 * first required. `cdk.json` runs the app with it (`node -r`), which starts in
 * a fraction of ts-node's time; `npm test` does the type checking with tsc.
 *
 * Two caches make every start after the first cheaper (`npm run bench`
 * measures it; README "Speed"):
 * - The CommonJS esbuild makes of a file is kept in
 *   node_modules/.cache/coffee-shop-typescript/, named by a hash of
 *   everything it depends on (esbuild's version, the options below, the
 *   file's path and its text). An edited file has another name, so it is
 *   transformed again; nothing is ever reused for a changed file. esbuild is
 *   not even started when every file is found there.
 * - Node's own compile cache (`module.enableCompileCache`, in the system's
 *   temporary directory) keeps V8's compiled code of every module the
 *   process loads, aws-cdk-lib's included; Node checks each entry against
 *   the module's text and its own version.
 * Either cache can be deleted at any time; a cache that cannot be written
 * is skipped, never an error.
 */
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const nodeModule = require('node:module');
const path = require('node:path');
const { checkNode } = require('./check-node.cjs');

// Synth and the reports run on an older Node; the test backends and npm run local refuse it (check-node.cjs).
const tooOld = checkNode();
if (tooOld) process.stderr.write(`Warning: ${tooOld}\n`);

nodeModule.enableCompileCache?.();

const TRANSFORM_OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node24',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
};

const CACHE_DIRECTORY = path.join(__dirname, '..', 'node_modules', '.cache', 'coffee-shop-typescript');

let esbuild;
const loadEsbuild = () => {
  esbuild ??= require('esbuild');
  return esbuild;
};

/** esbuild's version, from its package.json (cheaper than starting esbuild to ask). */
const ESBUILD_VERSION = (() => {
  try {
    return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
  } catch {
    return loadEsbuild().version;
  }
})();

const OPTIONS_KEY = JSON.stringify({ esbuild: ESBUILD_VERSION, ...TRANSFORM_OPTIONS });

function transform(source, filename) {
  return loadEsbuild().transformSync(source, { ...TRANSFORM_OPTIONS, sourcefile: filename }).code;
}

/** The CommonJS of a TypeScript file, from the cache when its hash is there. */
function commonJsOf(source, filename) {
  const hash = createHash('sha256').update(OPTIONS_KEY).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE_DIRECTORY, `${hash}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not cached yet.
  }
  const code = transform(source, filename);
  try {
    mkdirSync(CACHE_DIRECTORY, { recursive: true });
    // Written aside, then renamed: a process reading it never sees half a file.
    const partial = `${cached}.${process.pid}.partial`;
    writeFileSync(partial, code);
    renameSync(partial, cached);
  } catch {
    // A read-only checkout: transform every time.
  }
  return code;
}

require.extensions['.ts'] = (module, filename) => {
  module._compile(commonJsOf(readFileSync(filename, 'utf8'), filename), filename);
};

module.exports = { CACHE_DIRECTORY };
