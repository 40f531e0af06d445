/**
 * One Jest run for the whole project. Type checking is done once by
 * `tsc --noEmit` in `npm test`, so ts-jest only transpiles (isolatedModules).
 * Local AWS backends start once per run in globalSetup, never per test.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The browser suite runs with `npm run test:e2e` (jest.e2e.config.js).
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/aws-env.ts'],
  snapshotSerializers: ['<rootDir>/test/helpers/asset-hash-serializer.ts'],
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.cjs'],
  // Jest's default on 2 cores is one worker; the parent only waits and serves
  // the in-process fauxqs, so two workers use both cores.
  maxWorkers: 2,
  testTimeout: 60_000,
};
