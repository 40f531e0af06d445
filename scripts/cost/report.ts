import { blockEnd, replaceGeneratedBlock } from '../generated-block';
import type { ArchitectureTemplate } from '../template/synth';
import { type CfnTemplate, countOfType, resourcesOfType } from '../template/template';
import { type CostLine, type StackCost, stackCostAtRest } from './at-rest';
import { type PerUnitCost, perUnitModelOf } from './per-unit';
import { HOURS_PER_MONTH, PRICE_REGION, PRICES, PRICES_AS_OF } from './prices';

/** The sandbox total the project promises for all five architectures idle. */
export const SANDBOX_BUDGET_USD = 90;

export interface ArchitectureCost extends StackCost {
  readonly architecture: string;
  readonly perUnit?: PerUnitCost;
  /** What the stack's sandbox time to live costs a month, when it has one. */
  readonly timeToLive?: { readonly usd: number; readonly basis: string };
}

/** Runs of the expiry function per deployment (arm, warn, delete, check) and schedule invocations (warn, delete, check). */
const EXPIRY_RUNS_PER_DEPLOYMENT = 4;
const EXPIRY_SCHEDULES_PER_DEPLOYMENT = 3;
/** A learner who redeploys every day: the most the time to live runs in a month. */
const DEPLOYMENTS_PER_MONTH = 30;

/**
 * The sandbox time to live's monthly cost (lib/shared/sandbox-expiry.ts):
 * nothing at rest, a few runs of its function (up to a second each at its
 * memory size) and schedule invocations per deployment. Priced without the
 * free tiers, at one deployment a day.
 */
export function timeToLiveCost(template: CfnTemplate): { usd: number; basis: string } | undefined {
  if (countOfType(template, 'Custom::SandboxExpiry') === 0) return undefined;
  const fn = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('SandboxExpiry'))?.[1];
  const memoryGb = Number(fn?.Properties?.MemorySize ?? 128) / 1024;
  const runs = EXPIRY_RUNS_PER_DEPLOYMENT * DEPLOYMENTS_PER_MONTH;
  const usd =
    (runs / 1e6) * PRICES.lambdaRequestMillion.usd +
    runs * memoryGb * PRICES.lambdaArmGbSecond.usd +
    ((EXPIRY_SCHEDULES_PER_DEPLOYMENT * DEPLOYMENTS_PER_MONTH) / 1e6) * PRICES.schedulerInvocationMillion.usd;
  return {
    usd,
    basis: `${DEPLOYMENTS_PER_MONTH} deployments a month × (${EXPIRY_RUNS_PER_DEPLOYMENT} runs of up to 1 s at ${memoryGb * 1024} MB + ${EXPIRY_SCHEDULES_PER_DEPLOYMENT} schedule invocations), no free tier`,
  };
}

export interface CostReport {
  readonly stage: string;
  readonly region: string;
  readonly pricesAsOf: string;
  readonly hoursPerMonth: number;
  readonly architectures: readonly ArchitectureCost[];
  readonly monthlyUsd: number;
}

export function costReport(stage: string, templates: readonly ArchitectureTemplate[]): CostReport {
  const architectures = templates.map(({ architecture, stack, template }) => {
    const model = perUnitModelOf(architecture);
    const timeToLive = timeToLiveCost(template);
    return {
      architecture,
      ...stackCostAtRest(stack, template),
      ...(model ? { perUnit: model(template) } : {}),
      ...(timeToLive ? { timeToLive } : {}),
    };
  });
  return {
    stage,
    region: PRICE_REGION,
    pricesAsOf: PRICES_AS_OF,
    hoursPerMonth: HOURS_PER_MONTH,
    architectures,
    monthlyUsd: architectures.reduce((sum, a) => sum + a.monthlyUsd, 0),
  };
}

/** Dollars as a reader expects them: cents below $100, whole dollars above. */
export function usd(amount: number): string {
  if (amount > 0 && amount < 0.005) return '<$0.01';
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price with the digits it is quoted in (e.g. $0.0042 an hour, $0.0000133334 a GB-second). */
export function unitUsd(amount: number): string {
  if (amount >= 1) return usd(amount);
  const [whole, decimals = ''] = String(Number(amount.toPrecision(6))).split('.');
  return `$${whole}.${decimals.padEnd(2, '0')}`;
}

const quantity = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** The report for a terminal. */
export function costText(report: CostReport): string {
  const out: string[] = [
    `Monthly cost at rest, stage ${report.stage}: ${report.region} list prices recorded ${report.pricesAsOf}, ${report.hoursPerMonth} hours a month`,
    '',
  ];
  for (const a of report.architectures) {
    out.push(`${a.stack} (${a.architecture})${' '.repeat(Math.max(1, 56 - a.stack.length - a.architecture.length))}${usd(a.monthlyUsd)}`);
    for (const l of a.lines) {
      out.push(
        `  ${l.item}: ${counted(l)}${quantity(l.quantity)} × ${unitUsd(l.price.usd)} per ${l.price.per}${l.basis ? ` [${l.basis}]` : ''} = ${usd(l.monthlyUsd)}`,
      );
      out.push(`      ${l.price.source}`);
    }
    for (const n of a.notPriced) out.push(`  NOT PRICED ${n.resource} (${n.type}): ${n.reason}`);
    if (a.perUse.length > 0) out.push(`  billed per use only: ${a.perUse.map((p) => `${shortType(p.type)} ×${p.count}`).join(', ')}`);
    if (a.timeToLive) out.push(`  sandbox time to live: ${usd(a.timeToLive.usd)} a month [${a.timeToLive.basis}]`);
    out.push('');
  }
  out.push(`Total at rest, stage ${report.stage}: ${usd(report.monthlyUsd)} a month`);
  if (report.stage === 'sandbox') out.push(`(the project keeps all five idle in a sandbox at or below ${usd(SANDBOX_BUDGET_USD)})`);
  out.push('', 'Per million units of work (on top of the cost at rest):');
  for (const a of report.architectures) {
    if (!a.perUnit) continue;
    out.push(`  ${a.architecture}, per million ${a.perUnit.unit} (${a.perUnit.assumptions}): ${usd(a.perUnit.usd)}`);
    for (const l of a.perUnit.lines)
      out.push(`    ${l.item}: ${quantity(l.quantity)} × ${unitUsd(l.price.usd)} per ${l.price.per} = ${usd(l.usd)}`);
  }
  return `${out.join('\n')}\n`;
}

/** "9 alarms, " when a line's quantity counts something other than its resources. */
const counted = (line: CostLine) => (line.noun ? `${line.resources.length} ${line.noun}, ` : '');

const shortType = (type: string) => type.replace(/^AWS::/, '');

/** Markers around the generated part of a doc's cost section. */
export const COST_BEGIN =
  '<!-- cost:begin: generated by `npm run cost -- --update-docs` from the templates; edit scripts/cost, not this block -->';
export const COST_END = blockEnd('cost');

/**
 * An architecture's cost section for its doc: the items at rest in both
 * stages, then the cost per million units of work, all from the reports.
 */
export function architectureCostMarkdown(architecture: string, sandbox: CostReport, production: CostReport): string {
  const [s, p] = [sandbox, production].map((r) => {
    const found = r.architectures.find((a) => a.architecture === architecture);
    if (!found) throw new Error(`No ${architecture} in the ${r.stage} report`);
    return found;
  }) as [ArchitectureCost, ArchitectureCost];
  const items = [...new Set([...s.lines, ...p.lines].map((l) => l.item))];
  const cell = (a: ArchitectureCost, item: string) => {
    const l = a.lines.find((x) => x.item === item);
    return l ? `${usd(l.monthlyUsd)}: ${counted(l)}${quantity(l.quantity)} × ${unitUsd(l.price.usd)} per ${l.price.per}` : '-';
  };
  const out = [
    COST_BEGIN,
    `At rest, per month (${sandbox.region} list prices recorded ${sandbox.pricesAsOf}, ${sandbox.hoursPerMonth} hours):`,
    '',
    '| item | sandbox | production |',
    '| --- | --- | --- |',
    ...items.map((item) => `| ${item} | ${cell(s, item)} | ${cell(p, item)} |`),
    `| **total at rest** | **${usd(s.monthlyUsd)}** | **${usd(p.monthlyUsd)}** |`,
    '',
    `Billed only when used: ${perUseText(p)}.`,
  ];
  if (s.perUnit && p.perUnit) {
    const unitItems = [...new Set([...s.perUnit.lines, ...p.perUnit.lines].map((l) => l.item))];
    const unitCell = (u: PerUnitCost, item: string) => {
      const l = u.lines.find((x) => x.item === item);
      return l ? usd(l.usd) : '-';
    };
    out.push(
      '',
      `Per million ${s.perUnit.unit} (${s.perUnit.assumptions}):`,
      '',
      '| item | sandbox | production |',
      '| --- | --- | --- |',
      ...unitItems.map((item) => `| ${item} | ${unitCell(s.perUnit!, item)} | ${unitCell(p.perUnit!, item)} |`),
      `| **total** | **${usd(s.perUnit.usd)}** | **${usd(p.perUnit.usd)}** |`,
    );
  }
  out.push(COST_END);
  return out.join('\n');
}

function perUseText(a: ArchitectureCost): string {
  return a.perUse.map((p) => `\`${shortType(p.type)}\` (${p.billedBy})`).join(', ');
}

/** The README's table: each architecture's idle cost per stage, and the totals. */
export function readmeCostMarkdown(sandbox: CostReport, production: CostReport): string {
  const rows = sandbox.architectures.map((s) => {
    const p = production.architectures.find((a) => a.architecture === s.architecture);
    return `| ${s.architecture} | ${usd(s.monthlyUsd)} | ${p ? usd(p.monthlyUsd) : '-'} |`;
  });
  return [
    COST_BEGIN,
    '| architecture | sandbox, idle per month | production, idle per month |',
    '| --- | --- | --- |',
    ...rows,
    `| **all five** | **${usd(sandbox.monthlyUsd)}** | **${usd(production.monthlyUsd)}** |`,
    COST_END,
  ].join('\n');
}

/** `text` with its cost block replaced by `block` (which carries the markers). */
export const replaceCostBlock = (text: string, block: string, file: string): string => replaceGeneratedBlock(text, 'cost', block, file);
