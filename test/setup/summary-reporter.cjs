/**
 * Prints one plain closing line after everything Jest prints, e.g.
 * `jest: 93 passed, 0 failed, 0 skipped`, for tools that read the last line.
 * Written at process exit because Jest's own summary reporter runs after
 * custom reporters.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
