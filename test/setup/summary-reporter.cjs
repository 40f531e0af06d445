/**
 * Prints one plain closing line after everything Jest prints, e.g.
 * `jest: 93 passed, 0 failed, 0 skipped`, for tools that read the last line.
 * Written at process exit because Jest's own summary reporter runs after
 * custom reporters.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.once('exit', () => {
      // A suite that fails outside any test (a throw at load, in beforeAll or afterAll), and a
      // run-wide check of another reporter (least privilege), count as failures too.
      const failedOutsideTests = results.testResults.filter((r) => (r.testExecError || r.failureMessage) && r.numFailingTests === 0).length;
      const failed = results.numFailedTests + failedOutsideTests + (globalThis.__EXTRA_FAILURES__ ?? 0);
      process.stderr.write(`jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
    });
  }
}
module.exports = SummaryReporter;
