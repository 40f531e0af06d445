/**
 * Jest transformer: TypeScript to CommonJS with the esbuild this project
 * already uses for bundling. It only strips types (as ts-jest did with
 * isolatedModules); `tsc --noEmit` in `npm test` does the type checking.
 * Source maps are inline so stack traces point at the TypeScript.
 */
const { transformSync } = require('esbuild');
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { version } = require('esbuild/package.json');

// A change of esbuild or of this file invalidates Jest's transform cache.
const TRANSFORMER = `${version}\0${readFileSync(__filename, 'utf8')}`;

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'cjs',
      target: 'node24',
      // import() of a test's module becomes require(), as TypeScript's CommonJS
      // output does: Jest's module registry (and its per-file isolation) sees it.
      supported: { 'dynamic-import': false },
      sourcemap: 'external',
      sourcefile: filename,
      // TypeScript's experimentalDecorators, as in tsconfig.json.
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(TRANSFORMER).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
