/**
 * The browser suites (`npm run test:e2e`, files named *.e2e.test.ts): headless Chromium driven by
 * playwright-core against the menu page, a local Kinesis and a Cognito
 * Identity stand-in. Separate from `npm test` because it needs Debian's
 * chromium, which `.ci/run` installs.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: {
    '^.+\\.tsx?$': '<rootDir>/test/setup/esbuild-transform.cjs',
  },
  setupFiles: ['<rootDir>/test/setup/aws-env.ts'],
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.cjs'],
  testTimeout: 60_000,
};
