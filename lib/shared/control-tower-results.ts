import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';

/**
 * A directory where the Control Tower pack (lib/shared/control-tower.ts)
 * keeps each stack's findings by the template's content, for a run that
 * synthesizes the same stack many times: the test run sets it
 * (test/setup/global-setup.ts) to a directory of its own, so each template
 * is checked once per run whichever worker or child process synthesizes it.
 * Unset (a user's `cdk synth`), every synth checks.
 */
export const CONTROL_TOWER_RESULTS_ENV = 'CONTROL_TOWER_RESULTS_DIR';

const TEMPLATE_PLACEHOLDER = '<template>';

function resultsFile(key: unknown): string | undefined {
  const dir = process.env[CONTROL_TOWER_RESULTS_ENV];
  return dir ? path.join(dir, `${createHash('sha256').update(JSON.stringify(key)).digest('hex')}.json`) : undefined;
}

/** The findings kept under `key` (the plugin's version, the rules run and the template's text), pointed at `templatePath`. */
export function keptResults(key: unknown, templatePath: string): PolicyValidationPluginReport | undefined {
  const file = resultsFile(key);
  return file && existsSync(file) ? reportFor(JSON.parse(readFileSync(file, 'utf8')), templatePath) : undefined;
}

/** Keeps a stack's findings under `key`, when a results directory is set. */
export function keepResults(key: unknown, report: PolicyValidationPluginReport): void {
  const file = resultsFile(key);
  if (!file) return;
  // Written whole, then renamed: a reader in another process never sees half a file.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(reportFor(report, TEMPLATE_PLACEHOLDER)));
  renameSync(partial, file);
}

/** A report with every finding pointed at `templatePath`. */
function reportFor(report: PolicyValidationPluginReport, templatePath: string): PolicyValidationPluginReport {
  return {
    ...report,
    violations: report.violations.map((violation) => ({
      ...violation,
      violatingResources: violation.violatingResources.map((resource) => ({ ...resource, templatePath })),
    })),
  };
}
