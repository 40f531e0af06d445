/**
 * Prints one plain closing line after everything Jest prints, e.g.
 * `jest: 93 passed, 0 failed, 0 skipped`, for tools that read the last line.
 * Written at process exit because Jest's own summary reporter runs after
 * custom reporters.
 */

/**
 * The closing line for Jest's aggregated results. A suite that fails outside
 * any test (a throw at load, in beforeAll or afterAll) counts as a failure,
 * and so does each run-wide check of another reporter (least privilege).
 */
function summaryLine(results, extraFailures = 0) {
  const skipped = results.numPendingTests + results.numTodoTests;
  const failedOutsideTests = results.testResults.filter((r) => (r.testExecError || r.failureMessage) && r.numFailingTests === 0).length;
  const failed = results.numFailedTests + failedOutsideTests + extraFailures;
  return `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.once('exit', () => {
      process.stderr.write(`${summaryLine(results, globalThis.__EXTRA_FAILURES__ ?? 0)}\n`);
    });
  }
}
module.exports = SummaryReporter;
module.exports.summaryLine = summaryLine;
