/**
 * The local-run suite (`npm run test:local`): starts `npm run local` for each
 * architecture that has a local form and runs `npm run smoke -- --local`
 * against it, shows that a broken handler fails the smoke, and tests the
 * smoke's deployed mode against a CloudFormation stand-in. Each run starts
 * its own backends, so the suite needs no global setup. `.ci/run` runs it.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/local'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': '<rootDir>/test/setup/esbuild-transform.cjs',
  },
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.cjs'],
  // One file at a time: two runs of one architecture at once are refused (one state file each).
  maxWorkers: 1,
  testTimeout: 300_000,
};
