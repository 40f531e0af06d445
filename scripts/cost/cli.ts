/**
 * npm run cost -- [--stage sandbox|production] [--json] [-c key=value ...]
 * npm run cost -- --pipeline [--json] [-c key=value ...]
 * npm run cost -- --update-docs
 *
 * Synthesizes the app for a stage (in process, without bundling: the
 * templates are the same), prices what each stack costs at rest and per unit
 * of work, and prints it. --update-docs rewrites the cost blocks of the
 * architecture docs and the README from both stages' reports.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StageName } from '../../lib/shared/stage-config';
import { contextOf, parseCommandLine, printUsage, runCommand, stageOf, UsageError } from '../command-line';
import { pipelineTemplate, synthTemplates } from '../template/synth';
import { pipelineCost, pipelineCostMarkdown, pipelineCostText } from './pipeline-cost';
import { architectureCostMarkdown, COST_END, type CostReport, costReport, costText, readmeCostMarkdown, replaceCostBlock } from './report';

const ROOT = path.join(__dirname, '..', '..');

const USAGE = `Usage: npm run cost -- [--stage sandbox|production] [--json] [-c key=value ...]
       npm run cost -- --pipeline [--json] [-c key=value ...]
       npm run cost -- --update-docs

Prices what each stack of the stage costs at rest and per unit of work, from
its synthesized template. --pipeline prices the delivery pipeline instead
(docs/delivery.md): at rest, and per run from source to production; -c sets
its context over docs/delivery.md's example (e.g. -c pipelineArchitectures=serverless-api).
--update-docs rewrites the cost blocks of the architecture docs, the README and
docs/delivery.md from both stages' reports and the pipeline's.`;

function main(argv: readonly string[]): void {
  const parsed = parseCommandLine(argv, {
    stage: { type: 'string' },
    json: { type: 'boolean' },
    'update-docs': { type: 'boolean' },
    pipeline: { type: 'boolean' },
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
  if (values.pipeline && (values.stage || values['update-docs']))
    throw new UsageError('--pipeline prices the delivery pipeline, which deploys both stages: it takes no --stage or --update-docs');
  if (values['update-docs']) {
    writeCostDocs(synthReport('sandbox', context), synthReport('production', context));
    if (existsSync(path.join(ROOT, 'docs/delivery.md')))
      rewriteCostBlock('docs/delivery.md', pipelineCostMarkdown(pipelineCost(pipelineTemplate())));
    return;
  }
  if (values.pipeline) {
    const cost = pipelineCost(pipelineTemplate(context));
    process.stdout.write(values.json ? `${JSON.stringify(cost, null, 2)}\n` : `${pipelineCostText(cost)}\n`);
    return;
  }
  const report = synthReport(stage, context);
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : costText(report));
  const notPriced = report.architectures.flatMap((a) => a.notPriced);
  if (notPriced.length > 0) process.exitCode = 1;
}

/** The stage's cost, from its templates synthesized without the rule packs: they check a template and never change what it costs. */
function synthReport(stage: StageName, given: Record<string, string>): CostReport {
  return costReport(stage, synthTemplates(stage, given, { packs: false }));
}

/** Rewrites the cost block of one doc. */
function rewriteCostBlock(file: string, block: string): void {
  const full = path.join(ROOT, file);
  const before = readFileSync(full, 'utf8');
  const after = replaceCostBlock(before, block, file);
  if (after !== before) writeFileSync(full, after);
  process.stdout.write(`${after === before ? 'unchanged' : 'updated  '} ${file}\n`);
}

/** Rewrites the cost blocks of docs/<architecture>.md and the README. */
function writeCostDocs(sandbox: CostReport, production: CostReport): void {
  const rewrite = rewriteCostBlock;
  for (const { architecture } of sandbox.architectures) {
    rewrite(`docs/${architecture}.md`, architectureCostMarkdown(architecture, sandbox, production));
  }
  // A starter's README has no cost table of its own (its doc has the architecture's).
  if (readFileSync(path.join(ROOT, 'README.md'), 'utf8').includes(COST_END)) rewrite('README.md', readmeCostMarkdown(sandbox, production));
}

if (require.main === module) runCommand(() => main(process.argv.slice(2)));
