import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { UpgradeChange, UpgradeReport } from './compare';

export const CHANGELOG = path.join(__dirname, '..', '..', 'CHANGELOG.md');

/** A data-bearing resource the next release replaces or removes on purpose, with what users must do first. */
export interface DeclaredBreak {
  readonly stack: string;
  readonly logicalId: string;
  readonly steps: string;
}

/** Steps shorter than this say nothing a user can follow. */
const MIN_STEPS = 40;

/**
 * The declared breaks of the unreleased entry: under `## Unreleased`, the
 * `### Declared breaks` list, one bullet per resource as
 * ``- `<stack>` `<logical id>`: <what users must do before deploying>``.
 */
export function declaredBreaks(markdown = existsSync(CHANGELOG) ? readFileSync(CHANGELOG, 'utf8') : ''): DeclaredBreak[] {
  const unreleased = section(markdown, /^## Unreleased\b.*$/m, /^## /m);
  if (!unreleased) return [];
  const breaks = section(unreleased, /^### Declared breaks\b.*$/m, /^###? /m);
  if (!breaks) return [];
  return [...breaks.matchAll(/^- `([^`]+)` `([^`]+)`:\s*(.+)$/gm)]
    .map((match) => ({ stack: match[1]!, logicalId: match[2]!, steps: match[3]!.trim() }))
    .filter((declared) => declared.steps.length >= MIN_STEPS);
}

/** The text after the line matching `start`, up to the next line matching `end`. */
function section(text: string, start: RegExp, end: RegExp): string | undefined {
  const found = start.exec(text);
  if (!found) return undefined;
  const rest = text.slice(found.index + found[0].length);
  const next = end.exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/**
 * The data-at-risk changes of `report` that the unreleased entry does not
 * declare: what a release must not ship.
 */
export function undeclaredRisks(report: UpgradeReport, declared: readonly DeclaredBreak[] = declaredBreaks()): UpgradeChange[] {
  return report.changes.filter(
    (change) => change.class === 'data-at-risk' && !declared.some((d) => d.stack === change.stack && d.logicalId === change.logicalId),
  );
}
