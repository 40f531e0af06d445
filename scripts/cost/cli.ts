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
import { contextOf, parseCommandLine, printUsage, runCommand, stageOf, UsageError } from '../command-line';
import { synthTemplates } from '../template/synth';
import { architectureCostMarkdown, COST_END, type CostReport, costReport, costText, readmeCostMarkdown, replaceCostBlock } from './report';

const ROOT = path.join(__dirname, '..', '..');

const USAGE = `Usage: npm run cost -- [--stage sandbox|production] [--json] [-c key=value ...]
       npm run cost -- --update-docs

Prices what each stack of the stage costs at rest and per unit of work, from
its synthesized template. --update-docs rewrites the cost blocks of the
architecture docs and the README from both stages' reports.`;

function main(argv: readonly string[]): void {
  const parsed = parseCommandLine(argv, {
    stage: { type: 'string' },
    json: { type: 'boolean' },
    'update-docs': { type: 'boolean' },
    context: { type: 'string', short: 'c', multiple: true },
  });
  if (parsed === 'help') {
    printUsage(USAGE);
    return;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0)
    throw new UsageError(`npm run cost takes no architecture (it prices every stack), not ${positionals.join(' ')}`);
  const stage = stageOf(values.stage);
  const context = contextOf(values.context);
  if (values['update-docs']) {
    writeCostDocs(synthReport('sandbox', context), synthReport('production', context));
    return;
  }
  const report = synthReport(stage, context);
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : costText(report));
  const notPriced = report.architectures.flatMap((a) => a.notPriced);
  if (notPriced.length > 0) process.exitCode = 1;
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

if (require.main === module) runCommand(() => main(process.argv.slice(2)));
