/**
 * One Jest run for the whole project. Type checking is done once by
 * `tsc --noEmit` in `npm test`, so the transformer (esbuild) only strips types.
 * Local AWS backends start once per run in globalSetup, never per test.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Browser suites (*.e2e.test.ts) run with `npm run test:e2e` (jest.e2e.config.js),
  // the starters suite with `npm run test:starters` (jest.starters.config.js), the local-run
  // suite with `npm run test:local` (jest.local.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$', '/test/starters/', '/test/local/'],
  transform: {
    '^.+\\.tsx?$': '<rootDir>/test/setup/esbuild-transform.cjs',
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/aws-env.ts'],
  reporters: ['default', '<rootDir>/test/setup/least-privilege-reporter.cjs', '<rootDir>/test/setup/summary-reporter.cjs'],
  // Jest's default on 2 cores is one worker; the parent only waits and serves
  // the in-process fauxqs, so two workers use both cores.
  maxWorkers: 2,
  testTimeout: 60_000,
};
