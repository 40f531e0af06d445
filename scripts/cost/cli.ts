/**
 * npm run cost -- [--stage sandbox|production] [--json] [-c key=value ...]
 * npm run cost -- --update-docs
 *
 * Synthesizes the app for a stage (in process, without bundling: the
 * templates are the same), prices what each stack costs at rest and per unit
 * of work, and prints it. --update-docs rewrites the cost blocks of the
 * architecture docs and the README from both stages' reports.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { addCoffeeShopStacks } from '../../lib/app/coffee-shop-app';
import { exitOnConfigError, storedContext } from '../../lib/shared/context';
import type { StageName } from '../../lib/shared/stage-config';
import {
  type ArchitectureTemplate,
  architectureCostMarkdown,
  type CostReport,
  costReport,
  costText,
  readmeCostMarkdown,
  replaceCostBlock,
} from './report';

const ROOT = path.join(__dirname, '..', '..');

/** Values production requires that do not change its cost. */
const PRODUCTION_PLACEHOLDERS = { alarmEmail: 'ops@example.com', corsOrigins: 'https://menu.example.com' };

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

/** The stage's templates, synthesized as `cdk synth` would (cdk.json and cdk.context.json included). */
export function synthTemplates(stage: StageName, given: Record<string, string>): ArchitectureTemplate[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cost-'));
  try {
    const app = new App({
      outdir,
      context: {
        ...storedContext(ROOT),
        'aws:cdk:bundling-stacks': [],
        ...(stage === 'production' ? PRODUCTION_PLACEHOLDERS : {}),
        ...given,
        stage,
      },
    });
    exitOnConfigError(() => addCoffeeShopStacks(app, (key) => app.node.tryGetContext(key)));
    const assembly = app.synth();
    const order = ARCHITECTURES.map((a) => a.name);
    return assembly.stacks
      .map((artifact) => ({
        architecture: architectureTag(artifact.stackName, artifact.template),
        stack: artifact.stackName,
        template: artifact.template,
      }))
      .sort((a, b) => order.indexOf(a.architecture) - order.indexOf(b.architecture));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The `architecture` cost-allocation tag the stack's resources carry (one value per stack). */
function architectureTag(stackName: string, template: { Resources: Record<string, { Properties?: any }> }): string {
  const values = new Set(
    Object.values(template.Resources).flatMap((r) =>
      Array.isArray(r.Properties?.Tags)
        ? r.Properties.Tags.filter((t: { Key: string }) => t.Key === 'architecture').map((t: { Value: string }) => t.Value)
        : [],
    ),
  );
  if (values.size !== 1) throw new Error(`Stack ${stackName} carries ${values.size} architecture tag values, expected 1`);
  return [...values][0] as string;
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
  rewrite('README.md', readmeCostMarkdown(sandbox, production));
}

if (require.main === module) main(process.argv.slice(2));
