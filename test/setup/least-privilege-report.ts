import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { checkedRoles, type GrantVerdict, grantVerdicts, type RecordedUse, summaryLines } from '../../scripts/local/iam/least-privilege';
import { sandboxTemplate } from '../helpers/sandbox-templates';

/** The architectures of this checkout with a sandbox template snapshot (a starter has one). */
function architectures(): string[] {
  const root = path.join(__dirname, '..');
  return readdirSync(root).filter((folder) => {
    const snapshots = path.join(root, folder, '__snapshots__');
    return existsSync(snapshots) && readdirSync(snapshots).some((file) => file.endsWith('-sandbox.template.json')) && folder !== 'integ';
  });
}

/**
 * Each architecture's checked roles (its functions' roles, and every other
 * role the tests ran calls under) against the recorded calls.
 */
export function leastPrivilegeReport(uses: readonly RecordedUse[]): { lines: string[]; unexercised: GrantVerdict[] } {
  const verdicts = architectures().flatMap((architecture) => {
    const ranUnder = [...new Set(uses.filter((u) => u.principal.startsWith(`${architecture}/`)).map((u) => u.principal.split('/')[1]!))];
    return grantVerdicts(checkedRoles(sandboxTemplate(architecture), architecture, ranUnder), uses);
  });
  return { lines: summaryLines(verdicts), unexercised: verdicts.filter((v) => !v.exercised && !v.reason) };
}
