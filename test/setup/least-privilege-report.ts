import { checkedRoles, type GrantVerdict, grantVerdicts, type RecordedUse, summaryLines } from '../../scripts/local/iam/least-privilege';
import { architecturesWithSnapshots, sandboxTemplate } from '../helpers/sandbox-templates';

/**
 * Each architecture's checked roles (its functions' roles, and every other
 * role the tests ran calls under) against the recorded calls.
 */
export function leastPrivilegeReport(uses: readonly RecordedUse[]): { lines: string[]; unexercised: GrantVerdict[] } {
  const verdicts = architecturesWithSnapshots().flatMap((architecture) => {
    const ranUnder = [...new Set(uses.filter((u) => u.principal.startsWith(`${architecture}/`)).map((u) => u.principal.split('/')[1]!))];
    return grantVerdicts(checkedRoles(sandboxTemplate(architecture), architecture, ranUnder), uses);
  });
  return { lines: summaryLines(verdicts), unexercised: verdicts.filter((v) => !v.exercised && !v.reason) };
}
