import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { StageName } from '../../lib/shared/stage-config';
import { acknowledgedRuleIds, validationSummary } from '../../lib/shared/validation';
import { withoutConstructPaths } from '../../scripts/template/snapshot';
import { type ArchitectureTemplate, stageApp } from '../../scripts/template/synth';
import type { CfnTemplate } from '../../scripts/template/template';
import { oncePerRun } from './once-per-run';

/** One architecture's stack in a stage's synthesis. */
export interface SynthesizedStack extends ArchitectureTemplate {
  /** The template without construct paths: what the suites assert on, and what the snapshot file holds (asset hashes aside). */
  readonly assertable: CfnTemplate;
  /** `aws://unknown-account/unknown-region` for an environment-agnostic stack. */
  readonly environment: string;
  readonly terminationProtection: boolean;
  /** Every validation rule id acknowledged in the stack's construct tree, once per construct that acknowledges it. */
  readonly acknowledgedRules: readonly string[];
}

/** A stage's app as `cdk synth` builds it, synthesized once per test run with its validation packs. */
export interface StageSynthesis {
  readonly stage: StageName;
  /** In registry order; `template` as `cdk synth` writes it (construct paths in Metadata), as a release keeps it. */
  readonly stacks: readonly SynthesizedStack[];
  /** The lines synth printed about the packs that ran. */
  readonly validationSummary: readonly string[];
  /** Every finding in the synth's validation report (none, or synth would have failed). */
  readonly violations: readonly unknown[];
}

/** What a worker writes for the others: everything but the assertable templates, which each derives. */
type SynthesisJson = Omit<StageSynthesis, 'stacks'> & { readonly stacks: readonly Omit<SynthesizedStack, 'assertable'>[] };

const inProcess = new Map<StageName, StageSynthesis>();

/**
 * The stage's one synthesis in this test run: the app built exactly as
 * `npx cdk synth -c stage=<stage>` builds it (cdk.json, construct paths in
 * Metadata, the stage's validation packs), synthesized by the first worker
 * that asks and read from the run's directory by every other. Template
 * assertions, snapshots, the app-wide checks, the cost report, the upgrade
 * guard and the pipeline's comparison all read it; a suite that needs a
 * variant synthesizes only that variant.
 */
export function stageSynthesis(stage: StageName): StageSynthesis {
  const known = inProcess.get(stage);
  if (known) return known;
  const result = oncePerRun(`${stage}-synthesis`, () => build(stage));
  const synthesis = { ...result, stacks: result.stacks.map((stack) => ({ ...stack, assertable: withoutConstructPaths(stack.template) })) };
  inProcess.set(stage, synthesis);
  return synthesis;
}

/** One architecture's stack in the stage's synthesis. */
export function synthesizedStack(stage: StageName, architecture: string): SynthesizedStack {
  const stack = stageSynthesis(stage).stacks.find((s) => s.architecture === architecture);
  if (!stack) throw new Error(`The ${stage} app has no stack of the architecture ${architecture}`);
  return stack;
}

/** The stage's app synthesized with its packs, as JSON (the construct tree stays in the process that built it). */
function build(stage: StageName): SynthesisJson {
  const { app, stacks } = stageApp(stage, {}, { packs: true });
  try {
    const assembly = app.synth();
    const violations = reportedViolations(assembly.directory);
    return {
      stage,
      stacks: Object.entries(stacks).map(([architecture, stack]) => ({
        architecture,
        stack: stack.stackName,
        template: assembly.getStackByName(stack.stackName).template as CfnTemplate,
        environment: stack.environment,
        terminationProtection: stack.terminationProtection,
        acknowledgedRules: acknowledgedRuleIds(stack),
      })),
      validationSummary: validationSummary(app),
      violations,
    };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/**
 * Every finding in a synthesized assembly's validation report, which every
 * synth with validation plugins writes (a stage's app always registers them;
 * a missing report fails).
 */
export function reportedViolations(assemblyDirectory: string): unknown[] {
  const report = JSON.parse(readFileSync(path.join(assemblyDirectory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations?: unknown[] }[];
  };
  return report.pluginReports.flatMap((r) => r.violations ?? []);
}
