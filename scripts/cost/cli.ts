/**
 * npm run cost -- [--stage sandbox|production] [--json] [-c key=value ...]
 * npm run cost -- --update-docs
 *
 * Synthesizes the app for a stage (in process, without bundling: the
 * templates are the same), prices what each stack costs at rest and per unit
 * of work, and prints it. --update-docs rewrites the cost blocks of the
 * architecture docs and the README from both stages' reports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StageName } from '../../lib/shared/stage-config';
import { synthTemplates } from '../stage-templates';
import { architectureCostMarkdown, COST_END, type CostReport, costReport, costText, readmeCostMarkdown, replaceCostBlock } from './report';

const ROOT = path.join(__dirname, '..', '..');

const USAGE = `Usage: npm run cost -- [--stage sandbox|production] [--json] [-c key=value ...]
       npm run cost -- --update-docs`;

function main(argv: readonly string[]): void {
  let stage: StageName = 'sandbox';
  let json = false;
  let updateDocs = false;
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--stage') {
      const value = argv[++i];
      if (value !== 'sandbox' && value !== 'production') fail(`--stage takes sandbox or production, not ${value ?? 'nothing'}`);
      stage = value as StageName;
    } else if (arg === '--json') json = true;
    else if (arg === '--update-docs') updateDocs = true;
    else if (arg === '-c' || arg === '--context') {
      const pair = argv[++i] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) fail(`-c takes key=value, not ${pair || 'nothing'}`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else fail(`Unknown argument ${arg}\n${USAGE}`);
  }

  if (updateDocs) {
    writeCostDocs(synthReport('sandbox', context), synthReport('production', context));
    return;
  }
  const report = synthReport(stage, context);
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : costText(report));
  const notPriced = report.architectures.flatMap((a) => a.notPriced);
  if (notPriced.length > 0) process.exitCode = 1;
}

function fail(message: string): never {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(2);
}

function synthReport(stage: StageName, given: Record<string, string>): CostReport {
  return costReport(stage, synthTemplates(stage, given));
}

/** Rewrites the cost blocks of docs/<architecture>.md and the README. */
function writeCostDocs(sandbox: CostReport, production: CostReport): void {
  const rewrite = (file: string, block: string) => {
    const full = path.join(ROOT, file);
    const before = readFileSync(full, 'utf8');
    const after = replaceCostBlock(before, block, file);
    if (after !== before) writeFileSync(full, after);
    process.stdout.write(`${after === before ? 'unchanged' : 'updated  '} ${file}\n`);
  };
  for (const { architecture } of sandbox.architectures) {
    rewrite(`docs/${architecture}.md`, architectureCostMarkdown(architecture, sandbox, production));
  }
  // A starter's README has no cost table of its own (its doc has the architecture's).
  if (readFileSync(path.join(ROOT, 'README.md'), 'utf8').includes(COST_END)) rewrite('README.md', readmeCostMarkdown(sandbox, production));
}

if (require.main === module) main(process.argv.slice(2));
