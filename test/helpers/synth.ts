import type { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CoffeeShopStacks } from '../../lib/app/coffee-shop-app';
import type { Architecture } from '../../lib/shared/architecture';
import type { StageName } from '../../lib/shared/stage-config';
import { architectureAlone, buildApp, type RawContext, STAGE_CONTEXTS } from '../../scripts/template/synth';
import { synthesizedStack } from './stage-synthesis';

const appCache = new Map<string, { app: App; stacks: CoffeeShopStacks }>();

/**
 * The whole app for a variant's context (a stage's own is read from
 * stageSynthesis), built once per test file; for tests that only read it.
 */
export function appFor(raw: RawContext): { app: App; stacks: CoffeeShopStacks } {
  if (stageOf(raw)) throw new Error(`The ${stageOf(raw)} app is synthesized once per run: read it with stageSynthesis`);
  const key = JSON.stringify(raw);
  const built = appCache.get(key) ?? buildApp(raw);
  appCache.set(key, built);
  return built;
}

const templateCache = new Map<string, { stackName: string; template: Template }>();

/** The stage whose own context `raw` is, as STAGE_CONTEXTS gives it (keys in any order). */
function stageOf(raw: RawContext): StageName | undefined {
  const same = (a: RawContext, b: RawContext) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([key, value]) => b[key] === value);
  return (Object.keys(STAGE_CONTEXTS) as StageName[]).find((stage) => same(STAGE_CONTEXTS[stage], raw));
}

/**
 * One architecture's stack and template in a context. A stage's own context
 * reads the run's one synthesis of that stage (stageSynthesis, with the
 * packs). Any other context is a variant: the architecture alone in an app,
 * as its starter would build it, synthesized once per test file, with the
 * stage's validation packs, since a variant is a configuration a user can
 * deploy and this is the one place it is synthesized.
 */
export function synthArchitecture<S extends Stack>(
  architecture: Architecture<S>,
  raw: RawContext,
): { stackName: string; template: Template } {
  const key = `${architecture.name} ${JSON.stringify(raw)}`;
  const cached = templateCache.get(key);
  if (cached) return cached;
  const stage = stageOf(raw);
  let result: { stackName: string; template: Template };
  if (stage) {
    const { stack, assertable } = synthesizedStack(stage, architecture.name);
    result = { stackName: stack, template: Template.fromJSON(assertable) };
  } else {
    const { stack } = architectureAlone(architecture, raw);
    result = { stackName: stack.stackName, template: Template.fromStack(stack) };
  }
  templateCache.set(key, result);
  return result;
}
