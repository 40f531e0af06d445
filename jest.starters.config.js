/**
 * The starters suite (`npm run test:starters`): generates every
 * architecture's standalone starter and proves it type-checks, passes lint,
 * synthesizes with the validation packs into the same templates as this
 * project, and (for one) installs and passes its own tests. Kept out of
 * `npm test`, which stays fast; `.ci/run` runs it.
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
