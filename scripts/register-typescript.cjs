/**
 * Lets Node require the project's TypeScript directly: each .ts file is
 * turned into CommonJS by esbuild (types stripped, not checked) when it is
 * first required. `cdk.json` runs the app with it (`node -r`), which starts in
 * a fraction of ts-node's time; `npm test` does the type checking with tsc.
 */
const { readFileSync } = require('node:fs');
const { checkNode } = require('./check-node.cjs');

// Synth and the reports run on an older Node; the test backends and npm run local refuse it (check-node.cjs).
const tooOld = checkNode();
if (tooOld) process.stderr.write(`Warning: ${tooOld}\n`);
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node24',
    sourcemap: 'inline',
    sourcefile: filename,
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
  });
  module._compile(code, filename);
};
