/**
 * The last line of every test run is read by tools and people alike: it
 * must not say "0 failed" when a suite failed outside its tests.
 */
// The reporter is CommonJS, as Jest loads reporters.
const { summaryLine } = require('../setup/summary-reporter.cjs') as {
  summaryLine: (results: object, extraFailures?: number) => string;
};

const suite = (passed: number, failing: number, outside?: string) => ({
  numPassingTests: passed,
  numFailingTests: failing,
  failureMessage: outside ?? (failing > 0 ? 'a test failed' : null),
  testExecError: undefined,
});
const results = (suites: ReturnType<typeof suite>[]) => ({
  numPassedTests: suites.reduce((n, s) => n + s.numPassingTests, 0),
  numFailedTests: suites.reduce((n, s) => n + s.numFailingTests, 0),
  numPendingTests: 1,
  numTodoTests: 0,
  testResults: suites,
});

test('counts passed, failed and skipped tests', () => {
  expect(summaryLine(results([suite(3, 0), suite(2, 1)]))).toBe('jest: 5 passed, 1 failed, 1 skipped');
});

test('a suite that fails outside any test (at load, in beforeAll or afterAll) is a failure on the line', () => {
  const failingAtLoad = suite(0, 0, 'Expected one sandbox template snapshot … found 2');
  expect(summaryLine(results([suite(62, 0), failingAtLoad]))).toBe('jest: 62 passed, 1 failed, 1 skipped');
  const failingInAfterAll = { ...suite(4, 0), failureMessage: null, testExecError: { message: 'afterAll threw' } };
  expect(summaryLine(results([failingInAfterAll as never]))).toBe('jest: 4 passed, 1 failed, 1 skipped');
});

test("another reporter's run-wide failures are counted", () => {
  expect(summaryLine(results([suite(1, 0)]), 2)).toBe('jest: 1 passed, 2 failed, 1 skipped');
});
