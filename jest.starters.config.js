/**
 * The starters suite (`npm run test:starters`): generates every
 * architecture's standalone starter and proves it type-checks, passes lint,
 * synthesizes with the validation packs into the same templates as this
 * project, and (for one) installs and passes its own tests. Kept out of
 * `npm test`, which stays fast; `.ci/run` runs it. Its three files keep the
 * two workers busy: Jest starts the longest first (by their last run's
 * times, or on a fresh clone by file size: each starter's checks, then the
 * toy architecture's whole npm test, then the standalone installs).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/starters'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': '<rootDir>/test/setup/esbuild-transform.cjs',
  },
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.cjs'],
  maxWorkers: 2,
  testTimeout: 600_000,
};
