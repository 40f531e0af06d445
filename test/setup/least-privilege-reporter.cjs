/**
 * After the run: each checked role's grants on this project's resources
 * against the calls the tests made through the IAM gates (recorded in
 * IAM_USAGE_DIR by global-setup's run). Prints the per-role summary; a grant
 * no test exercised and without a reason in its role's metadata fails the
 * run, and counts as a failure on the closing line.
 */
require('../../scripts/register-typescript.cjs');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

class LeastPrivilegeReporter {
  constructor(globalConfig) {
    // Only a full run exercises every handler: a run of some files (jest <pattern>) or tests (-t) proves nothing about the rest.
    const patterns = globalConfig.testPathPatterns?.patterns ?? globalConfig.testPathPattern ?? [];
    this.fullRun =
      !globalConfig.testNamePattern && !globalConfig.onlyChanged && (Array.isArray(patterns) ? patterns.length === 0 : !patterns);
  }

  onRunComplete(_contexts, results) {
    this.error = undefined;
    const dir = process.env.IAM_USAGE_DIR;
    if (!dir || !this.fullRun || results.numFailedTestSuites > 0) return;
    const { leastPrivilegeReport } = require('./least-privilege-report.ts');
    const uses = existsSync(dir)
      ? readdirSync(dir).flatMap((file) =>
          readFileSync(path.join(dir, file), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line)),
        )
      : [];
    const { lines, unexercised } = leastPrivilegeReport(uses);
    process.stdout.write(`\nIAM grants on project resources, against the calls the tests made under each role:\n${lines.join('\n')}\n`);
    if (unexercised.length > 0) {
      globalThis.__EXTRA_FAILURES__ = (globalThis.__EXTRA_FAILURES__ ?? 0) + 1;
      this.error = new Error(
        `Least privilege: ${unexercised.length} grant(s) no test exercised, without a reason:\n${unexercised.map((g) => `  ${g.principal} ${g.action} on ${g.resource}`).join('\n')}\nTighten the grant, exercise it in a test, or give it a reason (untestedGrant in lib/shared/untested-grants.ts).`,
      );
      process.stderr.write(`${this.error.message}\n`);
    }
  }

  getLastError() {
    return this.error;
  }
}
module.exports = LeastPrivilegeReporter;
