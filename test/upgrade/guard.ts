import { undeclaredRisks } from '../../scripts/upgrade/changelog';
import type { UpgradeReport } from '../../scripts/upgrade/compare';

/**
 * The upgrade guard: fails, naming each resource, its class and the
 * properties that replace it, when `report` puts data at risk that the
 * changelog's unreleased entry does not declare.
 */
export function expectNoUndeclaredRisk(report: UpgradeReport, against: string): void {
  const risks = undeclaredRisks(report);
  if (risks.length === 0) return;
  const lines = risks.map(
    (risk) =>
      `  ${risk.stack} ${risk.logicalId} (${risk.type}): ${risk.what}${risk.properties.length ? ` [${risk.properties.join(', ')}]` : ''}`,
  );
  throw new Error(
    `Deploying this over ${against} puts data at risk:\n${lines.join('\n')}\n` +
      'Keep the logical id and create-only properties as released, or declare the break with migration steps in CHANGELOG.md ' +
      '(## Unreleased, ### Declared breaks: - `<stack>` `<logical id>`: <what users must do>). Regenerating snapshots does not change this check.',
  );
}
